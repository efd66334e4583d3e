"""A record's clock facts as ``qmsdoc due`` caches them, made directly.

``Deriver(deadlines, people)(data)`` equals ``clocks.to_facts(data, clocks.record_facts(data,
...))`` (tests/test_clockfacts.py keeps them equal) without building a Clock per clock. What
the clocks of one record share is looked at once: rules of a kind name the same fields
(``received_at``, ``status: rejected``), so equal paths and conditions of different rules are
one object here, and their values for the record are remembered while it is read. What the
records of a run share is worked out once: a start plus a duration (the working-day walk), a
moment's ISO text, a calendar note. Every moment of a run is in the configured zone
(``clocktime.moment`` converts, ``add`` keeps the start's zone), so equal moments have equal
texts and sums. Whatever may raise on odd values runs in the order ``record_facts`` runs it.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any, NamedTuple, TypeVar

from .clocks import ClockFacts, Row, _calendar_note, _moment, _subject, _text
from .clocktime import Duration, Moment, add
from .fieldpath import Condition, FieldPath
from .rules import DeadlineRule, Deadlines

intern = sys.intern
Paths = tuple[FieldPath, ...]
T = TypeVar("T")


class _Plan(NamedTuple):
    """A rule with its paths and conditions shared with the other rules' equal ones; a
    part is ``free`` when its value does not depend on the list item (all paths from the
    record's top, or a clock of the record itself)."""

    rule: DeadlineRule
    id: str
    start: Paths
    due: Paths
    stop: Paths
    owner: Paths
    department: Paths
    when: Condition | None
    unless: Condition | None
    stop_when: Condition | None
    free: tuple[bool, ...]  # start, due, stop, owner, department, when, unless, stop_when


def _deadline(m: Moment) -> Any:
    return m.deadline


def _from_top(part: Paths | Condition | None) -> bool:
    if part is None:
        return True
    if isinstance(part, Condition):
        return all(path.from_root for group in part.alternatives for path, _w in group)
    return all(path.from_root for path in part)


class Deriver:
    """The clock facts of record after record, under one set of rules and one roster."""

    def __init__(self, deadlines: Deadlines, people: Mapping[str, str]) -> None:
        self._deadlines = deadlines
        self._people = people
        self._kinds: dict[str, tuple[_Plan, ...]] = {}
        self._same: dict[Any, Any] = {}
        self._added: dict[tuple[Moment, int, str], Moment] = {}
        self._iso: dict[Moment, str] = {}
        self._notes: dict[tuple[int, int], str] = {}

    def _plan(self, rule: DeadlineRule) -> _Plan:
        one = self._one
        parts = (one(rule.start), one(rule.due), one(rule.stop), one(rule.owner),
                 one(rule.department))
        conditions = (one(rule.when), one(rule.unless), one(rule.stop_when))
        free = tuple(not rule.each or _from_top(part) for part in (*parts, *conditions))
        return _Plan(rule, intern(rule.id), *parts, *conditions, free)

    def _one(self, part: T) -> T:
        """The one object of all rules' parts equal to ``part``."""
        found: T = self._same.setdefault(part, part)
        return found

    def __call__(self, data: Any) -> ClockFacts:
        if not isinstance(data, dict):
            return ("", "", "", [])
        customer = data.get("customer")
        kind = data.get("kind")
        rows: list[Row] = []
        if isinstance(kind, str):
            plans = self._kinds.get(kind)
            if plans is None:
                plans = self._kinds[kind] = tuple(
                    self._plan(rule) for rule in self._deadlines.for_kind(kind))
            if plans:
                self._rows(plans, customer, data, rows)
        record = data.get("id")
        return (str(record or ""), kind if rows else "",  # type: ignore[return-value]
                customer if isinstance(customer, str) else "", rows)

    def _rows(self, plans: tuple[_Plan, ...], customer: Any, data: dict[str, Any],
              rows: list[Row]) -> None:
        override = self._deadlines.customers.get(customer, {}) \
            if isinstance(customer, str) else {}
        memo: tuple[dict[int, Any], dict[int, Any], dict[int, Any]] = ({}, {}, {})
        for plan in plans:
            rule = plan.rule
            if rule.id in override:
                within = override[rule.id]
                if within is None:
                    continue
            else:
                within = rule.within
            if not rule.each:
                row = self._row(plan, within, data, "", None, data, memo)
                if row is not None:
                    rows.append(row)
                continue
            for each in rule.each:
                for lst in each.values(data, data):
                    if not isinstance(lst, list):
                        continue
                    for index, item in enumerate(lst):
                        row = self._row(plan, within, item, f"{each.text}[{index}]", item,
                                        data, memo)
                        if row is not None:
                            rows.append(row)

    def _row(self, plan: _Plan, within: Duration | None, node: Any, item: str,
             subject_of: Any, data: dict[str, Any],
             memo: tuple[dict[int, Any], dict[int, Any], dict[int, Any]]) -> Row | None:
        """``clocks._clock`` and ``to_facts`` of one clock; ``subject_of`` is the list item
        (None for a clock of the record itself)."""
        exceptions = data.get("deadline_exceptions") or ()
        if exceptions:
            for exception in exceptions:
                if isinstance(exception, dict) and exception.get("rule") == plan.id \
                        and exception.get("item") in (None, item):
                    return None
        free = plan.free
        moments, texts, conditions = memo
        if plan.when is not None and not self._holds(plan.when, node, data, free[5],
                                                     conditions):
            return None
        if plan.unless is not None and self._holds(plan.unless, node, data, free[6],
                                                   conditions):
            return None
        start = self._moment(plan.start, node, data, free[0], moments) if plan.start \
            else None
        candidates = []
        if start is not None and within is not None:
            key = (start, within.amount, within.unit)
            added = self._added.get(key)
            if added is None:
                added = self._added[key] = add(start, within, self._deadlines.calendar)
            candidates.append(added)
        stated = self._moment(plan.due, node, data, free[1], moments) if plan.due else None
        if stated is not None:
            candidates.append(stated)
        if not candidates:
            return None
        due = min(candidates, key=_deadline)
        stop = self._moment(plan.stop, node, data, free[2], moments) if plan.stop else None
        stopped = stop is not None or (plan.stop_when is not None and self._holds(
            plan.stop_when, node, data, free[7], conditions))
        owner = self._text(plan.owner, node, data, free[3], texts) if plan.owner else ""
        department = ((self._text(plan.department, node, data, free[4], texts)
                       if plan.department else "")
                      or self._people.get(owner, "") or plan.rule.default_department)
        note = ""
        if within is not None and start is not None and within.unit == "working_days":
            years = (start.at.year, due.at.year)
            found = self._notes.get(years)
            if found is None:
                found = self._notes[years] = intern(
                    _calendar_note(within, start, due, self._deadlines))
            note = found
        return (plan.id, self._iso_of(due), due.date_only,
                self._iso_of(start) if start is not None else None,
                start.date_only if start else False,
                self._iso_of(stop) if stop is not None else None,
                stop.date_only if stop else False, stopped,
                within.amount if within else None,
                intern(within.unit) if within else None, intern(owner), intern(department),
                item, _subject(subject_of) if subject_of is not None else "", note)

    def _iso_of(self, m: Moment) -> str:
        text = self._iso.get(m)
        if text is None:
            text = self._iso[m] = m.at.isoformat()
        return text

    def _moment(self, specs: Paths, node: Any, data: dict[str, Any], free: bool,
                memo: dict[int, Any]) -> Moment | None:
        if not free:
            return _moment(specs, node, data, self._deadlines)
        key = id(specs)
        if key in memo:
            found: Moment | None = memo[key]
            return found
        found = memo[key] = _moment(specs, node, data, self._deadlines)
        return found

    def _text(self, specs: Paths, node: Any, data: dict[str, Any], free: bool,
              memo: dict[int, Any]) -> str:
        if not free:
            return _text(specs, node, data)
        key = id(specs)
        found = memo.get(key)
        if found is None:
            found = memo[key] = _text(specs, node, data)
        return found

    @staticmethod
    def _holds(condition: Condition, node: Any, data: dict[str, Any], free: bool,
               memo: dict[int, Any]) -> bool:
        if not free:
            return condition.holds(node, data)
        key = id(condition)
        found = memo.get(key)
        if found is None:
            found = memo[key] = condition.holds(node, data)
        return found
