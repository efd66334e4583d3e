"""Rendering many forms in worker processes.

The workers are forked after the templates are compiled and linted, so they inherit the
compiled templates and the records instead of receiving them: a task is only a range of
indexes, and a result only the file written or the error. Where fork does not exist the
forms are rendered in this process (see ``qmsdoc.parallel``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from .. import parallel
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
    return parallel.can_inherit()


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
        yield from parallel.run(_render_range, ranges, jobs, inherit=True)
    finally:
        _BATCH = None
