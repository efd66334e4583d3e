"""The one process pool: the same results in worker processes started by spawn (as on
Windows) as in this process; work that needs a forked worker runs here instead."""

from __future__ import annotations

import gc
import pickle
from pathlib import Path

import pytest

from qmsdoc import config, parallel
from qmsdoc.checks import factcache, pipeline
from qmsdoc.findings import Location
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


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_rules_between_records_from_workers_name_the_lines_of_the_files(
        sample_repo: Path, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    """A worker sends its facts' locations pointing at the file, not at its text: a rule
    between records still names each line (a duplicate id three lines down, a reference to
    no record), as in this process."""
    folder = sample_repo / "records" / "complaints" / "2026"
    first = (folder / "CC-2026-0001.yaml").read_text(encoding="utf-8")
    (folder / "CC-2026-0009.yaml").write_text("# a copy\n\n\n" + first, encoding="utf-8")
    second = folder / "CC-2026-0002.yaml"
    second.write_text(second.read_text(encoding="utf-8") + "eightd: 8D-2026-0999\n",
                      encoding="utf-8")
    store = SchemaStore()
    cfg = config.load(sample_repo, store)
    alone = pipeline.validate_repo(sample_repo, cfg, store, jobs=1)
    monkeypatch.setattr(parallel, "START_METHOD", method)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(pipeline, "CHUNK", 3)
    pooled = pipeline.validate_repo(sample_repo, cfg, store, jobs=2)
    shown = [(f.code, f.location.path, f.location.line, f.location.column, f.message)
             for f in pooled.findings]
    assert shown == [(f.code, f.location.path, f.location.line, f.location.column, f.message)
                     for f in alone.findings]
    codes = {(code, path.rsplit("/", 1)[-1], line) for code, path, line, _c, _m in shown}
    assert ("duplicate-id", "CC-2026-0009.yaml", first.split("\n").index(
        next(line for line in first.split("\n") if line.startswith("id:"))) + 4) in codes
    assert any(code == "reference" and path.endswith("CC-2026-0002.yaml")
               for code, path, _l in codes)


def test_what_a_worker_sends_holds_no_record_text(sample_repo: Path) -> None:
    store = SchemaStore()
    checker = pipeline.Checker(sample_repo, config.load(sample_repo, store), store)
    path = sample_repo / "records" / "complaints" / "2026" / "CC-2026-0001.yaml"
    sent = pipeline._portable(checker.check(str(path))[0], checker)
    assert sent.facts is not None and sent.facts.received_location is not None
    assert len(pickle.dumps(sent)) < path.stat().st_size / 4
    assert pickle.loads(pickle.dumps(sent)).facts.id_location.line == 3


def test_a_location_looked_up_elsewhere_keeps_a_known_position() -> None:
    class Source:
        def __init__(self, line: int) -> None:
            self.line = line

        def position(self, path: list[str | int], *, key: bool = False) -> tuple[int, int]:
            return self.line, len(path)

    known = Location("a.yaml", 3, 4)
    known.look_up_in(Source(9))
    assert (known.line, known.column) == (3, 4)
    later = Location.of("a.yaml", Source(5), ("id",))
    later.look_up_in(Source(7))
    assert (later.line, later.column) == (7, 1)
    done = Location.of("a.yaml", Source(5), ("id",))
    assert done.line == 5
    done.look_up_in(Source(8))  # already looked up: stays
    assert (done.line, done.column) == (5, 1)


def test_pooled_run_fills_the_facts_cache_as_one_worker_does(
        sample_repo: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The facts go into the cache as each chunk arrives: the same entries as a run in this
    process, and the collector is running again afterwards."""
    store = SchemaStore()
    cfg = config.load(sample_repo, store)
    kept = {}
    for jobs in (1, 2):
        monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / f"cache-{jobs}"))
        monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 2)
        monkeypatch.setattr(pipeline, "CHUNK", 3)
        report = pipeline.validate_repo(sample_repo, cfg, store, jobs=jobs)
        assert gc.isenabled() and report.checked >= 8
        cache = factcache.FactCache(tmp_path / f"cache-{jobs}", factcache.fingerprint(cfg, store))
        kept[jobs] = cache.entries
    assert kept[1] == kept[2] and len(kept[1]) >= 8


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


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_forked_workers_keep_the_parents_schemas_and_spawned_ones_make_their_own(
        sample_repo: Path, monkeypatch: pytest.MonkeyPatch, method: str) -> None:
    """A forked worker checks with the schemas the parent bundled (not bundled and compiled
    again in each worker): a mark put into the parent's bundled schema shows in the
    workers' findings as in this process's; a spawned worker reads the schemas afresh."""
    store = SchemaStore()
    cfg = config.load(sample_repo, store)
    store.for_kind("complaint")["required"].append("zz_mark")
    alone = pipeline.validate_repo(sample_repo, cfg, store, jobs=1)
    monkeypatch.setattr(parallel, "START_METHOD", method)
    monkeypatch.setattr(pipeline, "PARALLEL_MIN_FILES", 2)
    monkeypatch.setattr(pipeline, "CHUNK", 3)
    pooled = pipeline.validate_repo(sample_repo, cfg, store, jobs=2)
    marked = [f for f in pooled.findings if "zz_mark" in f.message]
    if method == "fork":
        assert pooled.findings == alone.findings and marked
    else:
        assert not marked and pooled.findings == [
            f for f in alone.findings if "zz_mark" not in f.message]
    assert pipeline._inherited is None  # lent only while the pool starts
