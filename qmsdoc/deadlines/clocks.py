"""Deadline clocks of one record: which rules apply, when each clock started, when it is due,
whether and when it stopped, who owns it; and, at a given moment, whether it is late.

Pure: record data and configured rules in, Clock values out.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from ..i18n import N_, _
from .clocktime import Duration, Moment, add, lateness, moment, overdue_by
from .fieldpath import FieldPath
from .rules import DeadlineRule, Deadlines

intern = sys.intern
OPEN, OVERDUE, MET, MET_LATE = "open", "overdue", "met", "met_late"
_SUBJECT_KEYS = ("item_id", "description", "requirement", "name")


@dataclass(frozen=True)
class Clock:
    record: str  # the record's id
    path: str  # its file, repository-relative
    kind: str
    rule: DeadlineRule
    due: Moment
    state: str  # open | overdue | met | met_late
    late: timedelta  # overdue: how long past due; met_late: how late it stopped; else zero
    left: timedelta  # open: time left until due; else zero
    start: Moment | None = None
    stop: Moment | None = None
    within: Duration | None = None
    owner: str = ""
    department: str = ""
    item: str = ""  # e.g. actions.long_term[2]
    subject: str = ""  # a short description of the item
    customer: str = ""
    calendar_note: str = ""
    stopped: bool = False  # by a stop date or by the rule's stop_when condition

    @property
    def is_open(self) -> bool:
        return self.state in (OPEN, OVERDUE)


@dataclass(frozen=True)
class _Scope:
    node: Any
    item: str = ""
    subject: str = ""


def record_clocks(data: Any, path: str, deadlines: Deadlines, now: datetime,
                  people: Mapping[str, str]) -> list[Clock]:
    """Every clock of one record at ``now``. ``people`` maps a person key to a department."""
    return [judge(clock, now) for clock in record_facts(data, path, deadlines, people)]


def record_facts(data: Any, path: str, deadlines: Deadlines,
                 people: Mapping[str, str]) -> list[Clock]:
    """The clocks of one record as its content sets them; judge() says where each stands."""
    if not isinstance(data, dict) or not isinstance(data.get("kind"), str):
        return []
    clocks: list[Clock] = []
    for rule in deadlines.for_kind(data["kind"]):
        within, applies = deadlines.within(rule, data.get("customer"))
        if not applies:
            continue
        for scope in _scopes(rule, data):
            clock = _clock(rule, within, scope, data, path, deadlines, people)
            if clock is not None:
                clocks.append(clock)
    return clocks


def verdict(due: Moment, stop: Moment | None, stopped: bool,
            now: datetime) -> tuple[str, timedelta, timedelta]:
    """The one clock judgement: (state, late, left) at ``now``. A stopped clock is met, or
    met late by how much its stop passed the due time; a running one is open with time left,
    or overdue by how much ``now`` passed it."""
    zero = timedelta(0)
    if stopped:
        late = lateness(stop, due) if stop is not None else zero
        return (MET_LATE if late > zero else MET), max(late, zero), zero
    past = overdue_by(due, now)
    return (OVERDUE if past > zero else OPEN), max(past, zero), max(-past, zero)


def judge(clock: Clock, now: datetime) -> Clock:
    """The clock's state at ``now``: met, met late, open or overdue, and by how much."""
    state, late, left = verdict(clock.due, clock.stop, clock.stopped, now)
    return replace(clock, state=state, late=late, left=left)


def _scopes(rule: DeadlineRule, data: dict[str, Any]) -> Iterator[_Scope]:
    if not rule.each:
        yield _Scope(data)
        return
    for each in rule.each:
        for lst in each.values(data, data):
            if not isinstance(lst, list):
                continue
            for index, item in enumerate(lst):
                yield _Scope(item, f"{each.text}[{index}]", _subject(item))


def _subject(item: Any) -> str:
    if not isinstance(item, dict):
        return ""
    for key in _SUBJECT_KEYS:
        value = item.get(key)
        if isinstance(value, str) and value.strip():
            text = " ".join(value.split())
            return text if len(text) <= 28 else text[:27] + "…"
    return ""


def _clock(rule: DeadlineRule, within: Duration | None, scope: _Scope, data: dict[str, Any],
           path: str, deadlines: Deadlines, people: Mapping[str, str]) -> Clock | None:
    node = scope.node
    if _excepted(rule, scope, data):
        return None  # 特殊情况除外: the record states why this clock does not apply
    if rule.when is not None and not rule.when.holds(node, data):
        return None
    if rule.unless is not None and rule.unless.holds(node, data):
        return None
    start = _moment(rule.start, node, data, deadlines)
    candidates = []
    if start is not None and within is not None:
        candidates.append(add(start, within, deadlines.calendar))
    stated = _moment(rule.due, node, data, deadlines)
    if stated is not None:
        candidates.append(stated)
    if not candidates:
        return None  # the clock has not started
    due = min(candidates, key=lambda m: m.deadline)
    stop = _moment(rule.stop, node, data, deadlines)
    stopped = stop is not None or (rule.stop_when is not None and rule.stop_when.holds(node, data))
    owner = _text(rule.owner, node, data)
    department = (_text(rule.department, node, data) or people.get(owner, "")
                  or rule.default_department)
    zero = timedelta(0)
    return Clock(
        record=str(data.get("id", "")), path=path, kind=rule.kind, rule=rule, due=due,
        state="", late=zero, left=zero, start=start, stop=stop, within=within, stopped=stopped,
        owner=owner, department=department, item=scope.item, subject=scope.subject,
        customer=str(data.get("customer") or ""),
        calendar_note=_calendar_note(within, start, due, deadlines),
    )


def _excepted(rule: DeadlineRule, scope: _Scope, data: dict[str, Any]) -> bool:
    for exception in data.get("deadline_exceptions") or ():
        if isinstance(exception, dict) and exception.get("rule") == rule.id \
                and exception.get("item") in (None, scope.item):
            return True
    return False


def _moment(specs: tuple[FieldPath, ...], node: Any, root: Any,
            deadlines: Deadlines) -> Moment | None:
    """The first path that gives a date: its earliest (first:), latest (last:) value, or the
    latest once every value is there (all:)."""
    tz = deadlines.tz
    for spec in specs:
        raw = spec.values(node, root) if spec.pick != "all" else _all(spec, node, root)
        if not raw:
            continue
        if len(raw) == 1:  # the common case: one value, which is the pick if it is a date
            single = moment(raw[0], tz)
            if single is not None:
                return single
            continue
        found = [m for m in (moment(v, tz) for v in raw) if m is not None]
        if spec.pick == "all" and len(found) != len(raw):
            continue
        if found:
            pick = max if spec.pick in ("last", "all") else min
            return pick(found, key=lambda m: m.deadline)
    return None


def _all(spec: FieldPath, node: Any, root: Any) -> list[Any] | None:
    """For ``all:``, the values of every item, None where one is missing; None when no items."""
    last, parent = spec.segments[-1], spec.parent
    parents = parent.values(node, root) if parent is not None \
        else [root if spec.from_root else node]
    items = [p.get(last.key) if isinstance(p, dict) else None for p in parents]
    if not items or any(v is None for v in items):
        return None
    return items


def _text(specs: tuple[FieldPath, ...], node: Any, root: Any) -> str:
    for spec in specs:
        value = spec.first(node, root)
        if isinstance(value, str) and value:
            return value
    return ""


_NOTES = (  # the calendar notes (kept in English in the record cache) as messages show them
    (re.compile(r"no holiday data for (.+): weekends only"),
     N_("no holiday data for {years}: weekends only")),
    (re.compile(r"(.+) holidays are provisional"), N_("{years} holidays are provisional")),
)


def note_shown(note: str) -> str:
    """A clock's calendar note in the language of the messages."""
    for pattern, message in _NOTES:
        match = pattern.fullmatch(note)
        if match:
            return _(message).format(years=match[1])
    return note


def _calendar_note(within: Duration | None, start: Moment | None, due: Moment,
                   deadlines: Deadlines) -> str:
    if within is None or within.unit != "working_days" or start is None:
        return ""
    cal = deadlines.calendar
    years = sorted({start.day.year, due.day.year})
    missing = [y for y in years if y not in cal.years]
    if missing:
        return f"no holiday data for {', '.join(map(str, missing))}: weekends only"
    provisional = [y for y in years if y in cal.provisional]
    if provisional:
        return f"{', '.join(map(str, provisional))} holidays are provisional"
    return ""


# --- plain rows, for the record cache ----------------------------------------------------------

Row = tuple[Any, ...]  # one clock's facts, flat
ClockFacts = tuple[str, str, str, list[Row]]  # record id, kind, customer, its clocks


def _iso(m: Moment | None) -> str | None:
    return m.at.isoformat() if m is not None else None


def _back(text: str, date_only: bool, known: dict[Any, Any]) -> Moment:
    """The Moment of a cached ISO text; ``known`` remembers it for the run."""
    key = (text, date_only)
    found: Moment | None = known.get(key)
    if found is None:
        found = known[key] = Moment(datetime.fromisoformat(text), date_only)
    return found


def to_facts(data: Any, clocks: list[Clock]) -> ClockFacts:
    """A record's clocks as plain values (their state is judged again at each use)."""
    # interned: marshal then writes each repeated name once, and reads it back once
    rows = [(intern(c.rule.id), _iso(c.due), c.due.date_only, _iso(c.start),
             c.start.date_only if c.start else False, _iso(c.stop),
             c.stop.date_only if c.stop else False, c.stopped,
             c.within.amount if c.within else None,
             intern(c.within.unit) if c.within else None, intern(c.owner),
             intern(c.department), c.item, c.subject, intern(c.calendar_note)) for c in clocks]
    record = data.get("id") if isinstance(data, dict) else None
    customer = data.get("customer") if isinstance(data, dict) else None
    kind = clocks[0].kind if clocks else ""
    return (str(record or ""), kind, customer if isinstance(customer, str) else "", rows)


def from_facts(facts: ClockFacts, path: str, rules: Mapping[str, DeadlineRule], now: datetime, *,
               open_only: bool = False, memo: dict[Any, Any] | None = None) -> Iterator[Clock]:
    """The clocks of ``to_facts``, judged at ``now``; with ``open_only`` only the running ones
    (a stopped clock is skipped before anything is built for it). ``memo``: one dict for the
    calls of a run at the same ``now`` (a moment's text is read, and a running clock due then
    judged, once: records share their dates)."""
    record, kind, customer, rows = facts
    known = {} if memo is None else memo
    for row in rows:
        rule = rules.get(row[0])
        if rule is None or (open_only and row[7]):
            continue
        judged = ("running", row[1], row[2])
        found = known.get(judged)
        if found is None:  # the due moment and, were the clock running, its verdict
            due = _back(row[1], row[2], known)
            found = known[judged] = (due, verdict(due, None, False, now))
        due, running = found
        stop = _back(row[5], row[6], known) if row[5] is not None else None
        within = None
        if row[8] is not None:
            within = known.get((row[8], row[9]))
            if within is None:
                within = known[(row[8], row[9])] = Duration(row[8], row[9])
        state, late, left = running if stop is None and not row[7] \
            else verdict(due, stop, row[7], now)
        yield _made({"record": record, "path": path, "kind": kind, "rule": rule, "due": due,
                     "state": state, "late": late, "left": left,
                     "start": _back(row[3], row[4], known) if row[3] is not None else None,
                     "stop": stop,
                     "within": within,
                     "owner": row[10], "department": row[11], "item": row[12],
                     "subject": row[13], "customer": customer, "calendar_note": row[14],
                     "stopped": row[7]})


_new = object.__new__
_set = object.__setattr__


def _made(fields: dict[str, Any]) -> Clock:
    """``Clock(**fields)`` (every field given) without the dataclass's ``__init__``: a frozen
    one sets each field through ``object.__setattr__``, four times the cost of the rest of
    ``from_facts`` for the tens of thousands of clocks of a run."""
    clock: Clock = _new(Clock)
    _set(clock, "__dict__", fields)
    return clock
