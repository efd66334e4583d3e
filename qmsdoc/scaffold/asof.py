"""A record as it could have been written at an earlier moment: what was known then.

The example history commits each record in stages; every stage holds only the facts dated
up to the moment it is committed, so that no released revision states what happened after
its approval (``verify`` reports that as backdating). A fact dated later is removed with
the list entry that holds it (a communication, an action with its verification), or alone
when no list holds it (a completion date). Planned dates are kept: they were known.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..checks.dates import facts


def as_known_at(schema: Mapping[str, Any], data: dict[str, Any], moment: str) -> dict[str, Any]:
    """``data`` without the facts dated after ``moment`` (ISO date-time with offset)."""
    result = copy.deepcopy(data)
    doomed: list[list[str | int]] = []
    for fact in facts(schema, data):
        if fact.later_than(moment):
            path: list[str | int] = [int(p) if p.isdigit() else p
                                     for p in fact.where.strip("/").split("/")]
            cut = max((i for i, p in enumerate(path) if isinstance(p, int)), default=None)
            doomed.append(path[:cut + 1] if cut is not None else path)
    # Deepest and last first, so that removing one entry never shifts another one's index.
    for where in sorted({tuple(p) for p in doomed}, key=_order, reverse=True):
        parent: Any = result
        for part in where[:-1]:
            parent = parent[part]
        del parent[where[-1]]
    return result


def _order(path: tuple[str | int, ...]) -> tuple[tuple[int, str | int], ...]:
    return tuple((0, p) if isinstance(p, int) else (1, p) for p in path)
