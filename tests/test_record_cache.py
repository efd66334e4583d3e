"""The record cache of read-only commands (records.cache): with no cache to compare with,
whoever reads a file takes its status (the workers, in parallel); with one, the parent
compares every file's status and only the changed files are read. Both give the same
records, the same entries, and a warm run after a cold one reads nothing."""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

import pytest

from qmsdoc import parallel
from qmsdoc.records import cache
from qmsdoc.records.yamlload import Limits


@pytest.fixture
def records(sample_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    folder = sample_repo / "records" / "complaints" / "2026"
    (folder / "broken.yaml").write_text("kind: complaint\nid: [\n", encoding="utf-8")
    (folder / "dangling.yaml").symlink_to("nowhere.yaml")  # cannot be stat'ed: left out
    return sample_repo


def _entries(tmp_path: Path, name: str) -> dict[str, Any]:
    [path] = (tmp_path / "cache").glob(f"{name}-*.marshal")
    entries: dict[str, Any] = marshal.loads(path.read_bytes())["entries"]
    return entries


def _counting() -> tuple[list[str], cache.Derive]:
    seen: list[str] = []

    def derive(path: str, data: dict[str, Any]) -> Any:
        seen.append(path)
        return [path, data.get("id")]

    return seen, derive


@pytest.mark.parametrize("workers", [False, True], ids=["in-process", "workers"])
def test_a_cold_run_takes_each_status_where_it_reads_and_a_warm_run_reads_nothing(
        records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: bool) -> None:
    if workers:
        monkeypatch.setattr(cache, "PARALLEL_MIN_FILES", 2)
        monkeypatch.setattr(cache, "CHUNK", 3)
        monkeypatch.setattr(parallel, "jobs_default", lambda: 2)
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    _seen, derive = _counting()
    uncached = cache.derived(records, Limits(), "test", "t1", derive)
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    cold = cache.derived(records, Limits(), "test", "t1", derive)
    assert cold == uncached
    assert "records/complaints/2026/broken.yaml" in cold.unreadable
    assert all("dangling" not in path for path, _v in cold.records)
    assert "records/complaints/2026/dangling.yaml" not in cold.unreadable
    entries = _entries(tmp_path, "test")
    assert len(entries) == len(cold.records) + len(cold.unreadable) >= 9
    for rel, (size, changed, _value) in entries.items():
        info = os.stat(records / rel)
        assert (size, changed) == (info.st_size, (info.st_mtime_ns, info.st_ctime_ns,
                                                   info.st_ino))
    monkeypatch.setattr(parallel, "jobs_default", lambda: 1)  # derive's calls seen here
    seen, derive = _counting()
    assert cache.derived(records, Limits(), "test", "t1", derive) == cold
    assert seen == []  # nothing read again


def test_only_changed_files_are_read_again_and_give_what_a_cold_run_gives(
        records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "jobs_default", lambda: 1)
    _seen, derive = _counting()
    cache.derived(records, Limits(), "test", "t1", derive)
    path = records / "records" / "complaints" / "2026" / "CC-2026-0001.yaml"
    path.write_text(path.read_text("utf-8") + "# edited\n", encoding="utf-8")
    (records / "records" / "complaints" / "2026" / "broken.yaml").unlink()
    seen, derive = _counting()
    warm = cache.derived(records, Limits(), "test", "t1", derive)
    assert seen == ["records/complaints/2026/CC-2026-0001.yaml"]
    assert warm.unreadable == []
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    assert warm == cache.derived(records, Limits(), "test", "t1", _counting()[1])


@pytest.mark.parametrize("total", [0, 1, 61, 500, 501, 560, 9002])
@pytest.mark.parametrize("jobs", [2, 4])
def test_chunks_cover_every_file_once_in_order_smaller_at_the_end(total: int, jobs: int) -> None:
    spans = cache.spans(total, jobs)
    assert [i for start, end in spans for i in range(start, end)] == list(range(total))
    assert all(0 < end - start <= cache.CHUNK for start, end in spans)
    if total >= jobs * cache.CHUNK:
        assert all(end - start <= cache.CHUNK // 4 for start, end in spans[-4 * jobs:])


def _stat_then_read(repo: Path, limits: Limits) -> list[tuple[str, cache.Status, Any]]:
    """What ``cache._parse`` gave when it stat'ed each file before reading it (the way before
    the reader's own status was taken)."""
    from qmsdoc.records.files import Record, listing, read

    result: list[tuple[str, cache.Status, Any]] = []
    for rel, full in listing(repo):
        try:
            info = os.stat(full)
        except OSError:
            continue
        loaded = read(repo, full, limits)
        result.append((rel, cache._status(info),
                       (loaded.data,) if isinstance(loaded, Record) else None))
    return result


def test_each_status_is_the_one_a_stat_before_reading_gives_whatever_the_file(
        records: Path, tmp_path: Path) -> None:
    """The status taken from the file the reader opened equals ``os.stat``'s for every kind
    of file among the records: readable, broken, too big, a link inside, a link outside, a
    link to nothing (left out), a folder, a FIFO, a file that cannot be opened."""
    folder = records / "records" / "complaints" / "2026"
    outside = tmp_path / "outside.yaml"
    outside.write_text("kind: complaint\nid: X\n", encoding="utf-8")
    (folder / "outside.yaml").symlink_to(outside)
    (folder / "inside.yaml").symlink_to(folder / "CC-2026-0001.yaml")
    (folder / "big.yaml").write_text("kind: complaint\nid: BIG\n" + "# x\n" * 300,
                                     encoding="utf-8")
    (folder / "folder.yaml").mkdir()
    os.mkfifo(folder / "fifo.yaml")
    closed = folder / "closed.yaml"
    closed.write_text("kind: complaint\nid: C\n", encoding="utf-8")
    closed.chmod(0)
    limits = Limits(max_bytes=1000)
    try:
        expected = _stat_then_read(records, limits)
        assert cache._parse(records, cache._files(records), limits) == expected
    finally:
        closed.chmod(0o644)
    paths = [rel for rel, _status, _value in expected]
    assert "records/complaints/2026/dangling.yaml" not in paths
    unreadable = {rel.rsplit("/", 1)[1] for rel, _status, value in expected if value is None}
    assert {"broken.yaml", "big.yaml", "fifo.yaml", "outside.yaml"} <= unreadable
