"""Reading record values defensively: a missing step or a value of another type gives None.

The schema reports wrong types; rules and reports only need not to crash on them.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from typing import Any

_DATE = re.compile(r"^([0-9]{4})-([0-9]{2})-([0-9]{2})")


def get(data: Any, *path: str | int) -> Any:
    """The value at ``path``, or None when any step is missing or of another type."""
    node = data
    for part in path:
        if isinstance(part, int):
            if not isinstance(node, list) or not -len(node) <= part < len(node):
                return None
        elif not isinstance(node, dict):
            return None
        node = node[part] if isinstance(part, int) else node.get(part)
    return node


def items(data: Any, *path: str | int) -> list[tuple[int, Any]]:
    value = get(data, *path)
    return list(enumerate(value)) if isinstance(value, list) else []


def as_date(value: Any) -> date | None:
    """The calendar date of a ``YYYY-MM-DD`` date or an ISO date-time (its local date)."""
    if not isinstance(value, str):
        return None
    return _day(value[:10])  # the pattern reads ten characters at most


@lru_cache(maxsize=16384)
def _day(value: str) -> date | None:
    match = _DATE.match(value)
    if not match:
        return None
    try:
        return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None
