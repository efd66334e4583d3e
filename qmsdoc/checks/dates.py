"""The dates a record states as facts, found through its kind's schema.

A field whose schema is a date or date-time (``format``) states when something happened —
unless the schema marks it ``x-planned`` (a due date, a requested delivery date): those
are promises about the future. ``facts`` lists the others with their JSON pointer, so that
history can tell whether a released content held a fact dated after its release.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from ..schema import pointer, resolve

MAX_DEPTH = 32


@dataclass(frozen=True)
class Dated:
    """A date or date-time a record states, where it stands (JSON pointer), and its title."""

    where: str
    value: str
    title: str = ""

    def later_than(self, moment: str) -> bool:
        """Whether this fact is dated after ``moment`` (an ISO date-time with offset): a date
        is later when it is a later day in the moment's own time zone."""
        when = _instant(moment)
        if when is None:
            return False
        if len(self.value) == 10:
            try:
                return date.fromisoformat(self.value) > when.date()
            except ValueError:
                return False
        stated = _instant(self.value)
        return stated is not None and stated.tzinfo is not None and stated > when


def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def facts(schema: Mapping[str, Any], data: Any) -> list[Dated]:
    """Every fact date of ``data`` (a record) under its bundled kind ``schema``."""
    return list(_walk(schema, schema, data, [], "", 0))


def _walk(root: Mapping[str, Any], raw: Mapping[str, Any], value: Any,
          path: list[str | int], title: str, depth: int) -> Iterator[Dated]:
    if depth > MAX_DEPTH or value is None:
        return
    node, _ = resolve(root, raw)
    title = str(raw.get("title") or title or node.get("title") or "")
    if node.get("format") in ("date", "date-time"):
        if not node.get("x-planned") and isinstance(value, str | date):
            yield Dated(pointer(path), str(value), title)
        return
    if isinstance(value, dict):
        for key, child in node.get("properties", {}).items():
            if key in value and isinstance(child, dict):
                yield from _walk(root, child, value[key], [*path, key], "", depth + 1)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for index, item in enumerate(value):
            yield from _walk(root, node["items"], item, [*path, index], "", depth + 1)
