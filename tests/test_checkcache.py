"""Whole-repository `validate` with each record's own findings kept between runs (the check
cache, by git blob id), in real git repositories and separate processes: a record git says
did not change is not checked again, yet every run prints exactly what a run without the
cache prints, attachments are looked at every run, and a cache it cannot trust is ignored."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cachedamage import PLAIN, damage
from test_changed_since import git

from qmsdoc import cachefile
from qmsdoc.checks import checkcache

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

SAMPLE = "records/complaints/2026/CC-2026-0001.yaml"
PICTURE = "records/attachments/CC-2026-0001/customer-line-crack-01.png"
EXAMPLES = Path(__file__).parent / "examples" / "invalid"


def run(repo: Path, *args: str, cache: bool = True, lang: str = "en") -> tuple[int, str]:
    """``qmsdoc --repo REPO validate ARGS`` in a process of its own: exit code and output."""
    env = {**os.environ, "QMSDOC_LANG": lang}
    env.pop("QMSDOC_CACHE_DIR", None)
    if not cache:
        env["QMSDOC_CACHE_DIR"] = "off"
    done = subprocess.run([sys.executable, "-m", "qmsdoc", "--repo", str(repo), "validate",
                           *args], capture_output=True, text=True, timeout=120, env=env)
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout


def same_as_fresh(repo: Path, *args: str, lang: str = "en") -> tuple[int, str]:
    """What the run with the cache prints, checked equal to a run without it."""
    fresh = run(repo, *args, cache=False, lang=lang)
    assert run(repo, *args, lang=lang) == fresh
    return fresh


def commit(repo: Path) -> Path:
    if not (repo / ".git").exists():
        git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--allow-empty", "-m", "Records")
    return repo


def cache_file(repo: Path) -> Path:
    found = sorted((repo / ".git" / "qmsdoc").glob("checks-*.marshal"))
    assert repo / ".git" / "qmsdoc" / "checks-en.marshal" in found
    assert len(found) <= 2  # one per language of the messages, whatever the key
    return repo / ".git" / "qmsdoc" / "checks-en.marshal"


def entries(repo: Path) -> tuple[str, dict[str, checkcache.Entry]]:
    path = cache_file(repo)
    key = path.read_bytes().split(b"\n", 1)[0].decode().split(" ")[1]
    loaded = cachefile.load(path, checkcache.KIND, key)
    assert isinstance(loaded, dict)
    return key, {rel: marshal.loads(raw) for rel, raw in loaded.items()}


def save(repo: Path, key: str, kept: dict[str, Any]) -> None:
    assert cachefile.save(repo / ".git" / "qmsdoc" / "checks-en.marshal", checkcache.KIND, key,
                          {rel: marshal.dumps(e) for rel, e in kept.items()})


def plant(repo: Path, rel: str) -> None:
    """A finding only the cache knows of, on ``rel``: it shows when the entry is used."""
    key, kept = entries(repo)
    blob, stamp, findings, named = kept[rel]
    kept[rel] = (blob, stamp, (*findings, ("warning", "planted", "/title", 3, 7,
                                           "planted in the cache")), named)
    save(repo, key, kept)


@pytest.fixture
def committed(sample_repo: Path) -> Path:
    return commit(sample_repo)


def test_an_unchanged_record_is_taken_from_the_cache_and_a_changed_one_checked_again(
        committed: Path) -> None:
    fresh = run(committed, cache=False)
    assert run(committed) == fresh  # cold: checks every record, writes the cache
    assert not (committed / ".git" / "qmsdoc" / cache_file(committed).name).is_symlink()
    assert git(committed, "status", "--porcelain", "--ignored") == ""
    plant(committed, SAMPLE)
    code, warm = run(committed)
    assert f"{SAMPLE}:3:7: warning[planted]: /title: planted in the cache" in warm
    assert warm.splitlines()[-1] == "8 records checked, 0 errors, 1 warning"
    assert code == 0
    # the same bytes written again: the file's time changed, so it is read again
    (committed / SAMPLE).write_bytes((committed / SAMPLE).read_bytes())
    assert run(committed) == fresh
    plant(committed, SAMPLE)
    (committed / SAMPLE).chmod(0o600)  # its mode: read again
    assert run(committed) == fresh
    plant(committed, SAMPLE)
    text = (committed / SAMPLE).read_text("utf-8")  # another content: checked again
    (committed / SAMPLE).write_text(text.replace("title:", "titel:", 1), "utf-8")
    code, edited = same_as_fresh(committed)
    assert "planted" not in edited and code == 1
    assert "titel" in edited


def test_attachments_are_looked_at_every_run(committed: Path) -> None:
    run(committed)
    (committed / PICTURE).write_bytes(b"\x89PNG\r\n\x1a\n broken")
    code, damaged = same_as_fresh(committed)
    assert f"{SAMPLE}:54:11: warning[attachment]: /attachments/0/path: " in damaged
    (committed / PICTURE).unlink()
    code, gone = same_as_fresh(committed)
    assert code == 1
    assert (f"{SAMPLE}:54:11: error[attachment]: /attachments/0/path: "
            f"'{PICTURE}' does not exist") in gone
    (committed / PICTURE).symlink_to("/etc/hostname")
    assert "leading outside the repository" in same_as_fresh(committed)[1]


def test_the_configuration_the_language_and_a_schema_are_part_of_the_key(
        committed: Path) -> None:
    run(committed)
    config = committed / "qmsdoc.yaml"
    text = config.read_text("utf-8")
    assert "HXAUTO" in text
    config.write_text(text.replace("{code: HXAUTO,", "{code: HXAUTX,", 1), "utf-8")
    code, fewer = same_as_fresh(committed)
    assert code == 1 and "HXAUTO" in fewer
    commit(committed)
    assert same_as_fresh(committed) == (code, fewer)
    zh = same_as_fresh(committed, lang="zh")
    assert zh != (code, fewer)
    (committed / "schemas").mkdir()
    for name in ("defs.schema.json", "complaint.schema.json"):
        shutil.copy(Path(__file__).parent.parent / "schemas" / name, committed / "schemas")
    assert same_as_fresh(committed) == (code, fewer)
    schema = committed / "schemas" / "complaint.schema.json"
    text = schema.read_text("utf-8")
    assert text.count('"required": [') >= 1
    schema.write_text(text.replace('"required": [', '"required": ["nothing_here", ', 1),
                      "utf-8")
    assert "nothing_here" in same_as_fresh(committed)[1]


@pytest.mark.parametrize("case", ["misspelt-field", "duplicate-key", "gbk-encoding",
                                  "repeat-complaint", "time-without-offset",
                                  "severity-too-low"])
def test_the_invalid_corpus_prints_the_same_in_every_format_and_language(
        tmp_path: Path, case: str) -> None:
    repo = commit(Path(shutil.copytree(EXAMPLES / case, tmp_path / case)))
    for lang in ("en", "zh"):
        for fmt in ("text", "json", "github"):
            fresh = run(repo, "--format", fmt, cache=False, lang=lang)
            assert run(repo, "--format", fmt, lang=lang) == fresh  # cold, writes
            assert run(repo, "--format", fmt, lang=lang) == fresh  # warm
    if case not in ("gbk-encoding", "duplicate-key"):  # a file that fails is read every run
        assert entries(repo)[1]


@pytest.mark.parametrize("how", [*PLAIN, "fifo", "link", "shape", "list"])
def test_a_damaged_or_planted_cache_costs_time_only(committed: Path, how: str) -> None:
    fresh = run(committed, cache=False)
    run(committed)
    path = cache_file(committed)
    key, kept = entries(committed)
    if not damage(path, how):
        path.unlink()
        if how == "fifo":
            os.mkfifo(path)
        elif how == "link":
            path.symlink_to(committed / SAMPLE)
        elif how == "shape":  # well formed, under the right key, entries of another shape
            eightd = "records/8d/2026/8D-2026-0001.yaml"
            kept[eightd] = (*kept[eightd][:2], ((1, 2),), None)
            kept[SAMPLE] = ("x", 1)
            save(committed, key, kept)
            raw = cachefile.load(path, checkcache.KIND, key)
            raw["records/complaints/2026/CC-2026-0002.yaml"] = b"\xff not marshal"
            cachefile.save(path, checkcache.KIND, key, raw)
        else:
            cachefile.save(path, checkcache.KIND, key, [1, 2])
    assert run(committed) == fresh
    assert run(committed) == fresh


@pytest.mark.parametrize("where", ["file", "folder"])
def test_a_cache_others_may_write_is_not_read(committed: Path, where: str) -> None:
    """A well-formed file under the right key hides nothing when someone else could have
    written it (a shared QMSDOC_CACHE_DIR): the SHA-256 finds damage, not a planted file."""
    fresh = run(committed, cache=False)
    run(committed)
    plant(committed, SAMPLE)
    assert "planted in the cache" in run(committed)[1]  # this user's own file: read
    plant(committed, SAMPLE)
    path = cache_file(committed)
    target = path if where == "file" else path.parent
    target.chmod(target.stat().st_mode | (0o002 if where == "file" else 0o020))
    assert run(committed) == fresh


def test_a_deleted_record_leaves_the_cache(committed: Path) -> None:
    run(committed)
    assert SAMPLE in entries(committed)[1]
    (committed / SAMPLE).unlink()
    same_as_fresh(committed)
    kept = entries(committed)[1]
    assert SAMPLE not in kept and len(kept) == 7


def test_two_runs_at_once_leave_a_cache_both_can_use(committed: Path) -> None:
    fresh = run(committed, cache=False)
    env = dict(os.environ)
    env.pop("QMSDOC_CACHE_DIR", None)
    runs = [subprocess.Popen([sys.executable, "-m", "qmsdoc", "--repo", str(committed),
                              "validate"], stdout=subprocess.PIPE, text=True, env=env)
            for _ in range(4)]
    outputs = [(p.communicate(timeout=120)[0], p.returncode) for p in runs]
    assert all((code, out) == fresh for out, code in outputs)
    assert len(entries(committed)[1]) == 8
    assert run(committed) == fresh
