"""The dates a record states as facts, found through its kind's schema.

A field whose schema is a date or date-time (``format``) states when something happened —
unless the schema marks it ``x-planned`` (a due date, a requested delivery date): those
are promises about the future. ``facts`` lists the others with their JSON pointer, so that
history can tell whether a released content held a fact dated after its release.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
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


def latest(facts: Iterable[Dated]) -> list[Dated]:
    """Of ``facts``, the at most two that decide whether any of them is ``later_than`` a
    moment: the latest day stated as a date, the latest instant stated as a date-time with
    offset (the others are never later than a moment these two are not later than)."""
    day: tuple[date, Dated] | None = None
    instant: tuple[datetime, Dated] | None = None
    for fact in facts:
        if len(fact.value) == 10:
            try:
                stated_day = date.fromisoformat(fact.value)
            except ValueError:
                continue
            if day is None or stated_day > day[0]:
                day = (stated_day, fact)
            continue
        stated = _instant(fact.value)
        if stated is not None and stated.tzinfo is not None \
                and (instant is None or stated > instant[0]):
            instant = (stated, fact)
    return [found[1] for found in (day, instant) if found is not None]


@lru_cache(maxsize=65536)  # verify compares every fact of every released content
def _instant(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None


def facts(schema: Mapping[str, Any], data: Any) -> list[Dated]:
    """Every fact date of ``data`` (a record) under its bundled kind ``schema``."""
    plan = _plan_of(schema)
    found: list[Dated] = []
    if plan is not None:
        _walk(plan, data, "", found)
    return found


@dataclass(frozen=True)
class _Plan:
    """Where a schema (node) can hold fact dates: a date field itself (``title``), or the
    properties and items below it that can. Built once per schema: a record's walk then
    visits only the values on the way to a fact date."""

    date: bool
    title: str = ""
    properties: tuple[tuple[str, _Plan], ...] = ()
    items: _Plan | None = None


_PLANS: dict[int, tuple[Mapping[str, Any], _Plan | None]] = {}


def _plan_of(schema: Mapping[str, Any]) -> _Plan | None:
    hit = _PLANS.get(id(schema))
    if hit is not None and hit[0] is schema:  # the memo holds the schema: its id is its own
        return hit[1]
    if len(_PLANS) > 1000:
        _PLANS.clear()
    plan = _build(schema, schema, 0, {})
    _PLANS[id(schema)] = (schema, plan)
    return plan


def _build(root: Mapping[str, Any], raw: Mapping[str, Any], depth: int,
           memo: dict[tuple[int, int], _Plan | None]) -> _Plan | None:
    """The plan of ``raw`` at ``depth`` (None: no fact date below it)."""
    if depth > MAX_DEPTH:
        return None
    key = (id(raw), depth)
    if key in memo:
        return memo[key]
    memo[key] = None  # a $ref back to itself: nothing more at this depth
    node, _ = resolve(root, raw)
    plan: _Plan | None = None
    if node.get("format") in ("date", "date-time"):
        if not node.get("x-planned"):
            plan = _Plan(True, str(raw.get("title") or node.get("title") or ""))
    else:
        properties = tuple((name, sub) for name, child in node.get("properties", {}).items()
                           if isinstance(child, dict)
                           and (sub := _build(root, child, depth + 1, memo)) is not None)
        items = node.get("items")
        below = _build(root, items, depth + 1, memo) if isinstance(items, dict) else None
        if properties or below is not None:
            plan = _Plan(False, "", properties, below)
    memo[key] = plan
    return plan


def _walk(plan: _Plan, value: Any, where: str, found: list[Dated]) -> None:
    """Add to ``found`` the fact dates below ``value``, which stands at the JSON pointer
    ``where`` ("" the root): each step's pointer is made as the walk goes down
    (``schema.pointer``'s), and the walk is a plain recursion (no generator per value)."""
    if value is None:
        return
    if plan.date:
        if isinstance(value, str | date):
            fact = _new(Dated)  # without the frozen dataclass's __init__: a third of the time
            fact.__dict__.update(where=where or "/", value=str(value), title=plan.title)
            found.append(fact)
        return
    if isinstance(value, dict):
        for key, child in plan.properties:
            if key in value:
                _walk(child, value[key], f"{where}/{_step(key)}", found)
    elif isinstance(value, list) and plan.items is not None:
        for index, item in enumerate(value):
            _walk(plan.items, item, f"{where}/{index}", found)


_new = object.__new__


@lru_cache(maxsize=4096)
def _step(key: str) -> str:
    return pointer([key])[1:]
