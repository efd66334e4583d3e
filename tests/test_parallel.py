"""The one process pool: the same results in worker processes started by spawn (as on
Windows) as in this process; work that needs a forked worker runs here instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from qmsdoc import config, parallel
from qmsdoc.checks import pipeline
from qmsdoc.records import cache
from qmsdoc.records.yamlload import Limits
from qmsdoc.schema import SchemaStore


def _square(n: int) -> int:
    return n * n


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_run_keeps_task_order(monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    monkeypatch.setattr(parallel, "START_METHOD", method)
    assert list(parallel.run(_square, range(7), jobs=2)) == [0, 1, 4, 9, 16, 25, 36]


def test_inherited_work_runs_here_without_fork(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "START_METHOD", "spawn")
    seen: list[int] = []

    def closure(n: int) -> int:  # cannot be pickled: only a forked worker could run it
        seen.append(n)
        return -n

    assert list(parallel.run(closure, [1, 2, 3], jobs=4, inherit=True)) == [-1, -2, -3]
    assert seen == [1, 2, 3]


def test_validation_in_spawned_workers_finds_the_same(sample_repo: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    (sample_repo / "records" / "complaints" / "2026" / "broken.yaml").write_text(
        "kind: complaint\nid: [\n", encoding="utf-8")
    store = SchemaStore()
    cfg = config.load(sample_repo, store)
    alone = pipeline.validate_repo(sample_repo, cfg, store, jobs=1)
    monkeypatch.setattr(parallel, "START_METHOD", "spawn")
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(pipeline, "CHUNK", 3)
    spawned = pipeline.validate_repo(sample_repo, cfg, store, jobs=2)
    assert spawned.findings == alone.findings and spawned.errors >= 1
    assert spawned.checked == alone.checked


def test_record_cache_in_spawned_workers(sample_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    alone = cache.load(sample_repo, Limits())
    monkeypatch.setattr(parallel, "START_METHOD", "spawn")
    monkeypatch.setattr(cache, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(cache, "CHUNK", 3)
    monkeypatch.setattr(parallel, "jobs_default", lambda: 2)
    assert cache.load(sample_repo, Limits()) == alone
    assert len(alone.records) >= 8


@pytest.mark.parametrize("total", [0, 1, 49, 400, 401, 450, 9002])
@pytest.mark.parametrize("jobs", [2, 4])
def test_validation_chunks_cover_every_path_once_in_order_smaller_at_the_end(
        total: int, jobs: int) -> None:
    spans = pipeline.spans(total, jobs)
    assert [i for start, end in spans for i in range(start, end)] == list(range(total))
    assert all(0 < end - start <= pipeline.CHUNK for start, end in spans)
    if total >= jobs * pipeline.CHUNK:
        assert all(end - start <= pipeline.CHUNK // 4 for start, end in spans[-4 * jobs:])
