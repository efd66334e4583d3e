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

With ``running_only`` (``qmsdoc due``: only running clocks are shown, and a stopped clock
stays stopped whatever the day) a clock is dropped as soon as its stop is found, before its
start, due time and the rest are worked out: the facts are ``running(to_facts(...))``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping
from typing import Any, NamedTuple, TypeVar

from .clocks import ClockFacts, Row, _calendar_note, _moment, _subject, _text
from .clocktime import Duration, Moment, add, moment
from .fieldpath import Condition, FieldPath, scalar_text
from .rules import DeadlineRule, Deadlines

intern = sys.intern
Paths = tuple[FieldPath, ...]
T = TypeVar("T")
_UNKNOWN = object()


Get = Callable[[Any, dict[str, Any], dict[Any, Any]], Any]  # (node, record, memo) → a value


class _Plan(NamedTuple):
    """A rule with its paths and conditions shared with the other rules' equal ones (as
    getters); a part is ``free`` when its value does not depend on the list item (all
    paths from the record's top, or a clock of the record itself)."""

    rule: DeadlineRule
    id: str
    start: Get | None
    due: Get | None
    stop: Get | None
    owner: Get | None
    department: Get | None
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

    def __init__(self, deadlines: Deadlines, people: Mapping[str, str], *,
                 running_only: bool = False) -> None:
        self._deadlines = deadlines
        self._running_only = running_only
        self._people = people
        self._kinds: dict[str, tuple[_Plan, ...]] = {}
        self._same: dict[Any, Any] = {}
        self._getters: dict[tuple[int, str], Get] = {}
        self._moments: dict[str, object] = {}  # a text → its Moment, or None
        self._added: dict[tuple[Moment, int, str], Moment] = {}
        self._iso: dict[Moment, str] = {}
        self._notes: dict[tuple[int, int], str] = {}

    def _plan(self, rule: DeadlineRule) -> _Plan:
        one = self._one
        paths = (one(rule.start), one(rule.due), one(rule.stop), one(rule.owner),
                 one(rule.department))
        conditions = (one(rule.when), one(rule.unless), one(rule.stop_when))
        free = tuple(not rule.each or _from_top(part) for part in (*paths, *conditions))
        start, due, stop = (self._getter(p, self._moment_getter) for p in paths[:3])
        owner, department = (self._getter(p, self._text_getter) for p in paths[3:])
        return _Plan(rule, intern(rule.id), start, due, stop, owner, department, *conditions,
                     free)

    def _one(self, part: T) -> T:
        """The one object of all rules' parts equal to ``part``."""
        found: T = self._same.setdefault(part, part)
        return found

    def _getter(self, paths: Paths, make: Callable[[Paths], Get]) -> Get | None:
        """One getter per (paths, kind of value): its identity keys the record's memo."""
        if not paths:
            return None
        key = (id(paths), make.__name__)
        found = self._getters.get(key)
        if found is None:
            found = self._getters[key] = make(paths)
        return found

    def _moment_getter(self, paths: Paths) -> Get:
        """``clocks._moment`` of these paths, each text's moment remembered for the run;
        plain keys taking the first value (the common case) and one filtered list
        (``communications[type=reply].at``: the list indexed once per record) read here."""
        deadlines = self._deadlines
        known = self._moments
        tz = deadlines.tz

        def moment_of(value: Any) -> Moment | None:
            if not isinstance(value, str):
                return None
            found = known.get(value, _UNKNOWN)
            if found is _UNKNOWN:
                found = known[value] = moment(value, tz)
            return found  # type: ignore[return-value]

        if all(p.pick == "first" and p.keys is not None for p in paths):
            plain = tuple((p.from_root, p.keys or ()) for p in paths)

            def first(node: Any, data: dict[str, Any], memo: dict[Any, Any]) -> Moment | None:
                for from_root, keys in plain:
                    value = data if from_root else node
                    for key in keys:
                        value = value.get(key) if isinstance(value, dict) else None
                    found = moment_of(value)
                    if found is not None:
                        return found
                return None

            return first
        if any(p.pick == "all" or (p.keys is None and _filter_at(p) is None) for p in paths):
            return lambda node, data, memo: _moment(paths, node, data, deadlines)
        readers = tuple((_reader(p), p.pick) for p in paths)

        def picked(node: Any, data: dict[str, Any], memo: dict[Any, Any]) -> Moment | None:
            for read, pick in readers:  # as clocks._moment
                raw = read(node, data, memo)
                if not raw:
                    continue
                if len(raw) == 1:
                    single = moment_of(raw[0])
                    if single is not None:
                        return single
                    continue
                found = [m for m in map(moment_of, raw) if m is not None]
                if found:
                    return (max if pick == "last" else min)(found, key=_deadline)
            return None

        return picked

    @staticmethod
    def _text_getter(paths: Paths) -> Get:
        """``clocks._text`` of these paths; those of plain keys read here."""
        if not all(p.keys is not None for p in paths):
            return lambda node, data, memo: _text(paths, node, data)
        plain = tuple((p.from_root, p.keys or ()) for p in paths)

        def get(node: Any, data: dict[str, Any], memo: dict[Any, Any]) -> str:
            for from_root, keys in plain:
                value = data if from_root else node
                for key in keys:
                    value = value.get(key) if isinstance(value, dict) else None
                if isinstance(value, str) and value:
                    return value
            return ""

        return get

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
        exceptions = data.get("deadline_exceptions") or ()
        memo: dict[Any, Any] = {}  # id(getter or condition) → its value; lists' indexes
        for plan in plans:
            rule = plan.rule
            if rule.id in override:
                within = override[rule.id]
                if within is None:
                    continue
            else:
                within = rule.within
            if not rule.each:
                row = self._row(plan, within, data, "", None, data, exceptions, memo)
                if row is not None:
                    rows.append(row)
                continue
            for each in rule.each:
                for lst in each.values(data, data):
                    if not isinstance(lst, list):
                        continue
                    for index, item in enumerate(lst):
                        row = self._row(plan, within, item, f"{each.text}[{index}]", item,
                                        data, exceptions, memo)
                        if row is not None:
                            rows.append(row)

    def _row(self, plan: _Plan, within: Duration | None, node: Any, item: str,
             subject_of: Any, data: dict[str, Any], exceptions: Any,
             memo: dict[Any, Any]) -> Row | None:
        """``clocks._clock`` and ``to_facts`` of one clock; ``subject_of`` is the list item
        (None for a clock of the record itself)."""
        if exceptions:
            for exception in exceptions:
                if isinstance(exception, dict) and exception.get("rule") == plan.id \
                        and exception.get("item") in (None, item):
                    return None
        free = plan.free
        if plan.when is not None and not _holds(plan.when, node, data, free[5], memo):
            return None
        if plan.unless is not None and _holds(plan.unless, node, data, free[6], memo):
            return None
        if self._running_only and (
                (plan.stop is not None and _get(plan.stop, node, data, free[2], memo) is not None)
                or (plan.stop_when is not None and _holds(plan.stop_when, node, data, free[7],
                                                          memo))):
            return None  # stopped: nothing more to know of it
        start: Moment | None = _get(plan.start, node, data, free[0], memo) \
            if plan.start is not None else None
        candidates = []
        if start is not None and within is not None:
            key = (start, within.amount, within.unit)
            added = self._added.get(key)
            if added is None:
                added = self._added[key] = add(start, within, self._deadlines.calendar)
            candidates.append(added)
        stated: Moment | None = _get(plan.due, node, data, free[1], memo) \
            if plan.due is not None else None
        if stated is not None:
            candidates.append(stated)
        if not candidates:
            return None
        due = min(candidates, key=_deadline)
        stop: Moment | None = _get(plan.stop, node, data, free[2], memo) \
            if plan.stop is not None else None
        stopped = stop is not None or (plan.stop_when is not None and _holds(
            plan.stop_when, node, data, free[7], memo))
        owner: str = _get(plan.owner, node, data, free[3], memo) \
            if plan.owner is not None else ""
        department = ((_get(plan.department, node, data, free[4], memo)
                       if plan.department is not None else "")
                      or self._people.get(owner, "") or plan.rule.default_department)
        note = ""
        if within is not None and start is not None and within.unit == "working_days":
            years = (start.at.year, due.at.year)
            found = self._notes.get(years)
            if found is None:
                found = self._notes[years] = intern(
                    _calendar_note(within, start, due, self._deadlines))
            note = found
        iso = self._iso
        due_iso = iso.get(due) or self._iso_of(due)
        start_iso = (iso.get(start) or self._iso_of(start)) if start is not None else None
        stop_iso = (iso.get(stop) or self._iso_of(stop)) if stop is not None else None
        return (plan.id, due_iso, due.date_only, start_iso,
                start.date_only if start else False, stop_iso,
                stop.date_only if stop else False, stopped,
                within.amount if within else None,
                intern(within.unit) if within else None, intern(owner), intern(department),
                item, _subject(subject_of) if subject_of is not None else "", note)

    def _iso_of(self, m: Moment) -> str:
        text = self._iso[m] = m.at.isoformat()
        return text


def _get(getter: Get, node: Any, data: dict[str, Any], free: bool,
         memo: dict[Any, Any]) -> Any:
    """``getter(node, data)``, remembered for the record when ``free``."""
    if not free:
        return getter(node, data, memo)
    key = id(getter)
    if key in memo:
        return memo[key]
    found = memo[key] = getter(node, data, memo)
    return found


def _holds(condition: Condition, node: Any, data: dict[str, Any], free: bool,
           memo: dict[Any, Any]) -> bool:
    if not free:
        return condition.holds(node, data)
    key = id(condition)
    found = memo.get(key)
    if found is None:
        found = memo[key] = condition.holds(node, data)
    return found


def _filter_at(path: FieldPath) -> int | None:
    """Where the one filtered list of a path is (``list[field=a|b]`` or ``[field=@x]``),
    when every other step is a plain key; else None."""
    filtered = [i for i, seg in enumerate(path.segments) if seg.each]
    if len(filtered) != 1 or not path.segments[filtered[0]].field:
        return None
    return filtered[0]


def _reader(path: FieldPath) -> Get:
    """``path.values`` for plain keys or one filtered list; the list is indexed by its items'
    field once per record (several rules look in ``communications`` for different types)."""
    at = _filter_at(path)
    if at is None:
        return lambda node, data, memo: path.values(node, data)
    head = tuple(seg.key for seg in path.segments[:at])
    seg = path.segments[at]
    tail = tuple(seg.key for seg in path.segments[at + 1:])
    from_root, key, field, values, ref = path.from_root, seg.key, seg.field, seg.values, seg.ref

    def read(node: Any, data: dict[str, Any], memo: dict[Any, Any]) -> list[Any]:
        value = data if from_root else node
        for step in head:
            value = value.get(step) if isinstance(value, dict) else None
        items = value.get(key) if isinstance(value, dict) else None
        if not isinstance(items, list):
            return []
        wanted = values if ref is None else tuple(scalar_text(v) for v in ref.values(data, data))
        index_key = (id(items), field)
        index: dict[str, list[int]] | None = memo.get(index_key)
        if index is None:
            index = memo[index_key] = {}
            for position, item in enumerate(items):
                if isinstance(item, dict):
                    text = item.get(field)
                    index.setdefault(text if isinstance(text, str) else scalar_text(text),
                                     []).append(position)
        if len(wanted) == 1:
            positions: Iterable[int] = index.get(wanted[0], ())
        else:
            positions = sorted({p for w in wanted for p in index.get(w, ())})
        found = []
        for position in positions:
            value = items[position]
            for step in tail:
                value = value.get(step) if isinstance(value, dict) else None
            if value is not None:
                found.append(value)
        return found

    return read


def running(facts: ClockFacts) -> ClockFacts:
    """``facts`` with only the clocks that have not stopped (what ``running_only`` gives)."""
    record, kind, customer, rows = facts
    left = [row for row in rows if not row[7]]
    return (record, kind if left else "", customer, left)
