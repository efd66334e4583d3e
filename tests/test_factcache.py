"""`validate --changed-since` with the facts cache (by git blob id), in real git repositories:
it reads only the changed records and those the change touches, reports exactly what it
reports without the cache, and ignores a cache it cannot trust."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from test_changed_since import git

from qmsdoc.checks import factcache
from qmsdoc.checks.pipeline import ValidationReport, validate_repo
from qmsdoc.config import load
from qmsdoc.schema import SchemaStore

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

Run = Callable[..., object]
SAMPLE = "records/complaints/2026/CC-2026-0001.yaml"


@pytest.fixture(autouse=True)
def cache_in_git(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)  # the default: under .git


@pytest.fixture
def committed(sample_repo: Path) -> Path:
    git(sample_repo, "init", "-q", "-b", "main")
    git(sample_repo, "add", "-A")
    git(sample_repo, "commit", "-q", "-m", "Sample records")
    return sample_repo


def changed_since(repo: Path, rev: str = "HEAD") -> ValidationReport:
    store = SchemaStore()
    return validate_repo(repo, load(repo, store), store, changed_since=rev, jobs=1)


def both(run_cli: Run, repo: Path, monkeypatch: pytest.MonkeyPatch, *args: str
         ) -> tuple[str, str]:
    """What `validate --changed-since` prints with the cache, and without it."""
    warm = run_cli("validate", "--changed-since", *args, repo=repo).output  # type: ignore[attr-defined]
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    cold = run_cli("validate", "--changed-since", *args, repo=repo).output  # type: ignore[attr-defined]
    monkeypatch.delenv("QMSDOC_CACHE_DIR")
    return warm, cold


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_a_whole_validate_fills_the_cache_under_git_and_nothing_in_the_work_tree(
        run_cli: Run, committed: Path) -> None:
    run_cli("validate", repo=committed)
    cached = list((committed / ".git" / "qmsdoc").glob("facts-*.marshal"))
    assert len(cached) == 1
    assert git(committed, "status", "--porcelain", "--ignored") == ""
    assert not list(cached[0].parent.glob(".*.tmp"))  # written whole, then renamed


def test_with_the_cache_only_the_changed_record_and_what_names_it_are_read(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("validate", repo=committed)
    edit(committed / SAMPLE, "status: actions", "status: verifying")
    report = changed_since(committed)
    assert (report.checked, report.read) == (2, 2)  # CC-2026-0001 and the 8D that lists it
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    cold = changed_since(committed)
    assert cold.read > report.read
    assert [(f.location.path, f.location.line, f.message) for f in report.findings] == \
        [(f.location.path, f.location.line, f.message) for f in cold.findings]


def test_findings_between_records_are_the_same_with_and_without_the_cache(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("validate", repo=committed)
    sample = (committed / SAMPLE).read_text("utf-8")
    # the same id in another file (positions of the cached record are looked up), a repeat
    # of the sample complaint, and an 8D that no longer lists it
    (committed / "records/complaints/2026/CC-2026-0009.yaml").write_text(sample, "utf-8")
    (committed / "records/complaints/2026/CC-2026-0010.yaml").write_text(
        sample.replace("CC-2026-0001", "CC-2026-0010").replace(
            "received_at: 2026-11-03T09:40", "received_at: 2026-11-20T09:40"), "utf-8")
    edit(committed / "records/8d/2026/8D-2026-0001.yaml", "[CC-2026-0001]", "[CC-2026-0002]")
    warm, cold = both(run_cli, committed, monkeypatch, "HEAD")
    assert warm == cold
    assert "id CC-2026-0001 is also used by records/complaints/2026/CC-2026-0001.yaml:" in warm
    assert "repeat complaint: CC-2026-0001" in warm
    assert "does not list CC-2026-0001" in warm or "points to" in warm


def test_a_deleted_record_is_reported_where_it_is_named(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("validate", repo=committed)
    git(committed, "rm", "-q", "records/8d/2026/8D-2026-0001.yaml")
    git(committed, "commit", "-q", "-m", "Remove 8D")
    warm, cold = both(run_cli, committed, monkeypatch, "HEAD~1")
    assert warm == cold
    assert warm.splitlines()[0].startswith(f"{SAMPLE}:")
    assert warm.splitlines()[-1] == "1 record checked, 1 error, 0 warnings"


def test_of_many_complaints_with_one_repeat_key_only_the_next_one_is_read_again(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sample = (committed / SAMPLE).read_text("utf-8")
    folder = committed / "records/complaints/2025"
    folder.mkdir()
    for n in range(1, 31):  # the same customer, part and category, a week apart
        day = f"2025-{1 + (n - 1) // 4:02d}-{1 + 7 * ((n - 1) % 4):02d}"
        text = sample.replace("CC-2026-0001", f"CC-2025-{n:04d}").replace(
            "eightd: 8D-2026-0001\n", "").replace("2026-11-03T09:40", f"{day}T09:40")
        (folder / f"CC-2025-{n:04d}.yaml").write_text(text, "utf-8")
    git(committed, "add", "-A")
    git(committed, "commit", "-q", "-m", "Thirty complaints")
    run_cli("validate", repo=committed)
    edit(folder / "CC-2025-0012.yaml", "2025-03-22T09:40", "2025-08-15T09:40")
    report = changed_since(committed)
    # the changed one, the one that followed it, and the one that follows it now
    assert (report.checked, report.read) == (3, 3)
    warm, cold = both(run_cli, committed, monkeypatch, "HEAD")
    shown = {line.split(":")[0] for line in warm.splitlines()[:-1]}
    # CC-2025-0013 followed it; the sample (2026-11-03) follows it now
    assert "records/complaints/2025/CC-2025-0012.yaml" in shown
    assert shown <= {"records/complaints/2025/CC-2025-0012.yaml",
                     "records/complaints/2025/CC-2025-0013.yaml", SAMPLE}
    # without the cache every complaint of the part is checked; on these three, the same
    assert set(warm.splitlines()[:-1]) == {
        line for line in cold.splitlines()[:-1] if line.split(":")[0] in shown}
    assert "repeat complaint: CC-2025-0030 has the same customer" in warm


def test_a_damaged_or_foreign_cache_is_ignored(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("validate", repo=committed)
    cached = next((committed / ".git" / "qmsdoc").glob("facts-*.marshal"))
    edit(committed / SAMPLE, "status: actions", "status: verifying")
    _, cold = both(run_cli, committed, monkeypatch, "HEAD")
    whole = cached.read_bytes()
    for damaged in (b"", whole[: len(whole) // 2], whole[:-1] + b"\x00", b"\x00" * 64,
                    whole.replace(b"qmsdoc-facts-", b"qmsdoc-facts-9", 1)):
        cached.write_bytes(damaged)
        assert changed_since(committed).read > 2  # the cache was not used
        warm, _ = both(run_cli, committed, monkeypatch, "HEAD")
        assert warm == cold
    # well-formed, but entries of another shape: never trusted, never an error
    key = cached.name.removeprefix("facts-").removesuffix(".marshal")
    full_key = factcache.fingerprint(load(committed, SchemaStore()), SchemaStore())
    assert full_key.startswith(key)
    odd = factcache.FactCache(cached.parent, full_key)
    blobs = git(committed, "ls-tree", "-r", "HEAD", "--", "records").split()[2::4]
    odd.entries = {blob: ("complaint", 7, ((1,),), (), "", "", "", None) for blob in blobs}
    odd.dirty = True
    odd.save()
    warm, _ = both(run_cli, committed, monkeypatch, "HEAD")
    assert warm == cold
    run_cli("validate", repo=committed)  # a whole validate writes it anew
    assert changed_since(committed).read == 2


def test_a_file_planted_at_the_caches_name_reads_as_no_cache(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A FIFO would block a plain read for ever, a link to /dev/zero fill the memory: each
    reads as no cache (as every cache file does, cachefile.py), and a whole validate then
    writes a real cache in its place, never through the link."""
    run_cli("validate", repo=committed)
    cached = next((committed / ".git" / "qmsdoc").glob("facts-*.marshal"))
    edit(committed / SAMPLE, "status: actions", "status: verifying")
    _, cold = both(run_cli, committed, monkeypatch, "HEAD")
    for plant in (os.mkfifo, lambda path: path.symlink_to("/dev/zero")):
        cached.unlink()
        plant(cached)
        assert changed_since(committed).read > 2  # the cache was not used, and no hang
        warm, _ = both(run_cli, committed, monkeypatch, "HEAD")
        assert warm == cold
    run_cli("validate", repo=committed)
    assert cached.is_file() and not cached.is_symlink()
    assert Path("/dev/zero").is_char_device()
    assert changed_since(committed).read == 2


def test_another_configuration_is_another_cache(committed: Path) -> None:
    store = SchemaStore()
    config = load(committed, store)
    one = factcache.FactCache(committed / ".git" / "qmsdoc", factcache.fingerprint(config, store))
    one.entries = {"0" * 40: ()}
    one.dirty = True
    one.save()
    with (committed / "qmsdoc.yaml").open("a", encoding="utf-8") as handle:
        handle.write("\nrepeat:\n  window_days: 30\n")
    other = factcache.fingerprint(load(committed, SchemaStore()), SchemaStore())
    assert factcache.FactCache(committed / ".git" / "qmsdoc", other).entries == {}


def test_a_cache_that_cannot_be_written_costs_only_time(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocker = committed / ".git" / "qmsdoc"
    blocker.write_text("not a folder", "utf-8")
    result = run_cli("validate", repo=committed)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    edit(committed / SAMPLE, "status: actions", "status: verifying")
    warm, cold = both(run_cli, committed, monkeypatch, "HEAD")
    assert warm == cold


def named_validate(repo: Path, *paths: Path) -> ValidationReport:
    store = SchemaStore()
    return validate_repo(repo, load(repo, store), store, list(paths), jobs=1)


def test_named_records_take_the_other_records_facts_from_the_cache(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run_cli("validate", repo=committed)
    report = named_validate(committed, committed / SAMPLE)
    assert (report.checked, report.read) == (1, 1)  # no other file read
    edit(committed / "records/8d/2026/8D-2026-0001.yaml", "[CC-2026-0001]", "[CC-2026-0002]")
    warm = named_validate(committed, committed / SAMPLE)
    assert (warm.checked, warm.read) == (1, 2)  # the 8D changed since HEAD: read for its facts
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    cold = named_validate(committed, committed / SAMPLE)
    assert cold.read > warm.read
    assert [(f.location.path, f.location.line, f.message) for f in warm.findings] == \
        [(f.location.path, f.location.line, f.message) for f in cold.findings]
    assert any("does not list CC-2026-0001" in f.message for f in warm.findings)


def test_render_refuses_the_same_records_with_and_without_the_cache(
        run_cli: Run, committed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Errors between records keep a named record from its form, the cache warm or not."""
    sample = (committed / SAMPLE).read_text("utf-8")
    (committed / "records/complaints/2026/CC-2026-0009.yaml").write_text(sample, "utf-8")
    (committed / "records/complaints/2026/CC-2026-0010.yaml").write_text(
        sample.replace("CC-2026-0001", "CC-2026-0010").replace(
            "received_at: 2026-11-03T09:40", "received_at: 2026-11-20T09:40")
        .replace("eightd: 8D-2026-0001", "eightd: 8D-2026-0404"), "utf-8")
    git(committed, "add", "-A")
    git(committed, "commit", "-q", "-m", "More complaints")
    run_cli("validate", repo=committed)
    edit(committed / "records/8d/2026/8D-2026-0001.yaml", "[CC-2026-0001]", "[CC-2026-0002]")
    names = ("CC-2026-0001", "CC-2026-0009", "CC-2026-0010")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1800000000")
    warm = run_cli("render", "--out", str(tmp_path / "warm"), *names, repo=committed)
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    cold = run_cli("render", "--out", str(tmp_path / "cold"), *names, repo=committed)
    assert (warm.exit_code, warm.stderr) == (cold.exit_code, cold.stderr)  # type: ignore[attr-defined]
    assert warm.exit_code == 1  # type: ignore[attr-defined]
    assert "also used by" in warm.stderr  # type: ignore[attr-defined]
    assert "8D-2026-0404 does not exist" in warm.stderr  # type: ignore[attr-defined]
    assert sorted(p.name for p in (tmp_path / "warm").glob("*.docx")) == \
        sorted(p.name for p in (tmp_path / "cold").glob("*.docx"))
    for form in (tmp_path / "warm").glob("*.docx"):
        assert form.read_bytes() == (tmp_path / "cold" / form.name).read_bytes()
