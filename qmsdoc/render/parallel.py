"""Rendering many forms in worker processes.

The workers are forked after the templates are compiled and linted, so they inherit the
compiled templates and the records instead of receiving them: a task is only a range of
indexes, and a result only the file written or the error.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from ..history.revision import RecordState
from ..records.files import Record

CHUNK = 50
Result = tuple[int, str | None, str | None]  # index, path written, error


@dataclass(frozen=True)
class Batch:
    records: Sequence[Record]
    states: Sequence[RecordState]
    render: Callable[[Record, RecordState], tuple[str | None, str | None]]


_BATCH: Batch | None = None


def available() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def _render_range(bounds: tuple[int, int]) -> list[Result]:
    assert _BATCH is not None
    batch = _BATCH
    return [(i, *batch.render(batch.records[i], batch.states[i])) for i in range(*bounds)]


def render(batch: Batch, jobs: int) -> Iterator[list[Result]]:
    """Results chunk by chunk, in record order."""
    global _BATCH
    _BATCH = batch
    ranges = [(start, min(start + CHUNK, len(batch.records)))
              for start in range(0, len(batch.records), CHUNK)]
    try:
        with ProcessPoolExecutor(max_workers=jobs,
                                 mp_context=multiprocessing.get_context("fork")) as pool:
            yield from pool.map(_render_range, ranges)
    finally:
        _BATCH = None
