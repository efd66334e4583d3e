"""The cache of ``verify`` (git/logcache.py: the parsed log by commit id; history/blobs.py:
what each record content gives, by blob id): after every change of a real history — planted
violations, new approvals, a rewrite, a moved anchor, a reset — the run with the cache of the
previous run, a run with no cache and ``--no-cache`` print the same; a damaged cache is
ignored; ``--no-cache`` reads git whatever the cache says."""

from __future__ import annotations

import shutil
from pathlib import Path

import cachedamage
import pytest
from gitrepo import COMPLAINT_PATH, GitRepo, complaint, released_a
from test_anchors import TAG_A, rewrite

from qmsdoc import cachefile
from qmsdoc import config as qconfig
from qmsdoc.git import logcache
from qmsdoc.history import blobs
from qmsdoc.history.verify import verify

CACHE = Path(".git") / "qmsdoc"


def same_three_ways(repo: GitRepo, *options: str) -> list[str]:
    """verify with the cache as the last run left it, with --no-cache, and from an empty
    cache: the same exit code and lines; the lines."""
    warm = repo.cli("verify", *options)
    fresh = repo.cli("verify", "--no-cache", *options)
    shutil.rmtree(repo.root / CACHE, ignore_errors=True)
    cold = repo.cli("verify", *options)
    again = repo.cli("verify", *options)
    assert (warm.exit_code, warm.lines) == (fresh.exit_code, fresh.lines) \
        == (cold.exit_code, cold.lines) == (again.exit_code, again.lines)
    assert (repo.root / CACHE / logcache.FILE).is_file()
    return warm.lines


def test_warm_cold_and_no_cache_agree_through_a_history(git_repo: GitRepo,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    seen = [same_three_ways(git_repo)]
    # planted violations: a committer not in the roster, a Record-Blob of another content
    git_repo.cli("verify")  # the cache holds the history so far
    git_repo.commit("li.ming", "Change", {COMPLAINT_PATH: complaint("变更")})
    git_repo.forge("mallory", "review")
    git_repo.forge("wang.fang", "approve", blob=git_repo.blob(rev="HEAD~2"))
    seen.append(same_three_ways(git_repo))
    assert any("is not in the roster" in line for line in seen[-1])
    # a side branch merged: the combined changes of a merge come from the cache too
    git_repo.git("checkout", "-q", "-b", "side", "HEAD~3")
    git_repo.commit("zhao.lei", "Attachment", {"records/attachments/CC-2026-0001/a.txt": "x"})
    git_repo.git("checkout", "-q", "main")
    git_repo.git("merge", "-q", "--no-edit", "side")
    seen.append(same_three_ways(git_repo))
    # the approvals dropped again: commits the cache holds are no longer reached
    git_repo.cli("verify")
    git_repo.git("reset", "-q", "--hard", "HEAD~4")
    seen.append(same_three_ways(git_repo))
    assert seen[-1] == seen[0]


def test_a_rewrite_and_a_moved_anchor_are_reported_the_same(git_repo: GitRepo,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    before = same_three_ways(git_repo)
    git_repo.cli("verify")
    rewrite(git_repo, "客户来料检验发现支架开裂。", "客户来料检验未发现异常。",
            "--tag-name-filter", "cat")
    lines = same_three_ways(git_repo)
    assert lines != before
    assert any(line.startswith(f"{TAG_A}: history was rewritten") for line in lines)
    assert any("the tag was moved or rewritten" in line for line in lines)


@pytest.mark.parametrize("name", [logcache.FILE, blobs.FILE])
@pytest.mark.parametrize("damage", ["truncate", "garble", "empty", "wrong-shape"])
def test_a_damaged_cache_is_ignored(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                    name: str, damage: str) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    git_repo.forge("mallory", "review")
    expected = git_repo.cli("verify")
    path = git_repo.root / CACHE / name
    raw = path.read_bytes()
    if not cachedamage.damage(path, damage):  # a file of the right key, values of wrong shape
        kind = logcache.KIND if name == logcache.FILE else blobs.KIND
        key = raw.split(b" ")[1].decode()
        value = cachefile.load(path, kind, key)
        if name == logcache.FILE:
            value = {cid: (1, 2, 3) if i % 2 else ("x",) * 10 for i, cid in enumerate(value)}
        else:
            value = {n: {b: (1, 2) for b in v} for n, v in value.items()}
        assert cachefile.save(path, kind, key, value)
    result = git_repo.cli("verify")
    assert (result.exit_code, result.lines) == (expected.exit_code, expected.lines)
    assert cachefile.load(path, logcache.KIND if name == logcache.FILE else blobs.KIND,
                          path.read_bytes().split(b" ")[1].decode()) is not None  # rewritten


def test_no_cache_reads_git_whatever_the_cache_says(git_repo: GitRepo,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """What the cache cannot protect against, and the way out: an entry forged with its
    checksum changes what a cached run judges; --no-cache judges git's history."""
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    forged = git_repo.forge("mallory", "review")
    honest = git_repo.cli("verify")
    assert honest.exit_code == 1
    path = git_repo.root / CACHE / logcache.FILE
    key = path.read_bytes().split(b" ")[1].decode()
    entries = cachefile.load(path, logcache.KIND, key)
    parents, texts, files, others, declared = entries[forged]
    _n, _e, ad, _cn, _ce, cd, message = texts.split("\0")
    texts = "\0".join(("王芳", "wang.fang@example.com", ad, "王芳", "wang.fang@example.com", cd,
                       message))
    entries[forged] = (parents, texts, files, others, declared)
    cachefile.save(path, logcache.KIND, key, entries)
    assert git_repo.cli("verify").exit_code == 0  # the forged cache entry is believed
    result = git_repo.cli("verify", "--no-cache")
    assert (result.exit_code, result.lines) == (honest.exit_code, honest.lines)


def test_the_content_cache_follows_the_schemas(git_repo: GitRepo,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    git_repo.cli("verify")
    names = sorted(p.name for p in (git_repo.root / CACHE).iterdir())
    assert names == sorted(["approvals.marshal", blobs.FILE, logcache.FILE,
                            logcache.UNSIGNED_FILE])
    key = (git_repo.root / CACHE / blobs.FILE).read_bytes().split(b" ")[1]
    git_repo.write("qmsdoc.yaml", (git_repo.root / "qmsdoc.yaml").read_text("utf-8")
                   + "\n# another configuration\nlanguage: {forms: zh-en}\n")
    same_three_ways(git_repo)
    assert (git_repo.root / CACHE / blobs.FILE).read_bytes().split(b" ")[1] != key


def test_the_library_call_keeps_no_cache(git_repo: GitRepo,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """audit-pack calls verify without a cache: it reads everything from git."""
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    released_a(git_repo)
    shutil.rmtree(git_repo.root / CACHE, ignore_errors=True)
    report = verify(git_repo.root, qconfig.load(git_repo.root))
    assert report.ok and report.approvals == 2
    assert not (git_repo.root / CACHE / logcache.FILE).exists()
    assert not (git_repo.root / CACHE / blobs.FILE).exists()


def test_cache_elsewhere_or_off(git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch,
                                tmp_path: Path) -> None:
    released_a(git_repo)
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    shutil.rmtree(git_repo.root / CACHE, ignore_errors=True)
    first = git_repo.cli("verify")
    assert (tmp_path / "cache" / logcache.FILE).is_file()
    assert not (git_repo.root / CACHE).exists()
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    second = git_repo.cli("verify")
    assert (first.exit_code, first.lines) == (second.exit_code, second.lines)
    assert not (git_repo.root / CACHE).exists()
    assert git_repo.git("status", "--porcelain") == ""
    assert not list((tmp_path / "cache").glob(".*.tmp"))
