"""``qmsdoc due``: every open deadline clock across the repository, overdue first, grouped
by owner and department; and the text and JSON views of that list."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import UsageError
from ..records import cache as recordcache
from . import rules as clockrules
from .clocks import OVERDUE, Clock, Facts, from_facts, record_facts, to_facts
from .clocktime import span
from .rules import Deadlines


@dataclass(frozen=True)
class Clocks:
    """All clocks of a repository at ``now``."""

    now: datetime
    clocks: list[Clock]
    records: int
    unreadable: list[str]


@dataclass(frozen=True)
class DueList:
    now: datetime
    clocks: list[Clock]  # open ones after the filters, in display order
    records: int
    unreadable: list[str]

    @property
    def overdue(self) -> int:
        return sum(1 for c in self.clocks if c.state == OVERDUE)


def parse_now(text: str, tz: timezone) -> datetime:
    """``--today``: a date (its 00:00) or a date and time, in the configured zone by default."""
    try:
        if len(text) == 10:
            value = datetime.combine(date.fromisoformat(text), time(), tz)
        else:
            value = datetime.fromisoformat(text)
        if not 1900 <= value.year <= 9998:
            raise ValueError(text)
    except ValueError:
        raise UsageError(f"--today {text}: not a date (YYYY-MM-DD) or date and time "
                         "(YYYY-MM-DDTHH:MM) between 1900 and 9998") from None
    return value if value.tzinfo else value.replace(tzinfo=tz)


def all_clocks(repo: Path, config: Config, now: datetime | str | None = None, *,
               open_only: bool = False) -> Clocks:
    """Every clock (open, overdue, met, met late) of every record that can be read; only the
    open and overdue ones with ``open_only``."""
    deadlines = clockrules.load(config)
    if now is None:
        moment = datetime.now(deadlines.tz)
    elif isinstance(now, str):
        moment = parse_now(now, deadlines.tz)
    else:
        moment = now
    people = {key: person.department for key, person in config.roster.items()}

    def facts(path: str, data: dict[str, Any]) -> Facts:
        return to_facts(data, record_facts(data, path, deadlines, people))

    loaded = recordcache.derived(repo, config.limits, "clocks",
                                 _fingerprint(config, deadlines, people), facts)
    rules = {rule.id: rule for rule in deadlines.rules}
    clocks = [clock for path, facts in loaded.records
              for clock in from_facts(facts, path, rules, moment, open_only=open_only)]
    return Clocks(moment, clocks, len(loaded.records), loaded.unreadable)


def _fingerprint(config: Config, deadlines: Deadlines, people: dict[str, str]) -> str:
    """Changes whenever the clocks of the same records could change: rules, calendar, roster."""
    cal = deadlines.calendar
    text = json.dumps([config.data.get("deadlines"), config.data.get("calendar"), people,
                       sorted(map(str, cal.holidays)), sorted(map(str, cal.workdays))],
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def due(repo: Path, config: Config, now: datetime | str | None = None, *,
        within_days: float | None = None, owner: str | None = None) -> DueList:
    found = all_clocks(repo, config, now, open_only=True)
    selected = found.clocks
    if within_days is not None:
        limit = timedelta(days=within_days)
        selected = [c for c in selected if c.state == OVERDUE or c.left <= limit]
    if owner:
        selected = [c for c in selected if _owned_by(c, owner, config)]
    return DueList(found.now, _ordered(selected, config), found.records, found.unreadable)


def _owned_by(clock: Clock, who: str, config: Config) -> bool:
    person = config.roster.get(clock.owner)
    names = {clock.owner, clock.department, config.departments.get(clock.department, "")}
    if person is not None:
        names.add(person.name)
    return who in names


def _ordered(clocks: Iterable[Clock], config: Config) -> list[Clock]:
    rank = {key: i for i, key in enumerate(config.departments)}
    last = len(rank)
    return sorted(clocks, key=lambda c: (c.state != OVERDUE, rank.get(c.department, last),
                                         c.department, c.owner or "\uffff", c.due.deadline,
                                         c.record, c.item))


# --- views ---------------------------------------------------------------------------------


def owner_label(clock: Clock, config: Config, departments: dict[str, str] | None = None) -> str:
    person = config.roster.get(clock.owner)
    who = f"{person.name} ({clock.owner})" if person else (clock.owner or "(no owner)")
    departments = config.departments if departments is None else departments
    department = departments.get(clock.department, clock.department)
    return f"{who} · {department}" if department else who


def _what(clock: Clock) -> str:
    text = f"{clock.rule.title} [{clock.rule.source}]"
    if clock.item:
        text += f" · {clock.item}" + (f" {clock.subject}" if clock.subject else "")
    return text


def _when(clock: Clock) -> str:
    if clock.state == OVERDUE:
        return f"{span(clock.late)} late"
    if clock.left <= timedelta(0) or (clock.due.date_only and clock.left < timedelta(days=1)):
        return "due today"
    return f"in {span(clock.left)}"


def as_text(result: DueList, config: Config) -> str:
    lines = [f"qmsdoc due — now {result.now.strftime('%Y-%m-%d %H:%M %z')}"]
    departments = config.departments
    for title, wanted in (("OVERDUE", True), ("OPEN", False)):
        section = [c for c in result.clocks if (c.state == OVERDUE) == wanted]
        if not section:
            continue
        width_id = max(len(c.record) for c in section)
        width_rule = max(len(c.rule.id) for c in section)
        width_due = max(len(c.due.text()) for c in section)
        width_when = max(len(_when(c)) for c in section)
        lines += ["", f"{title} ({len(section)})"]
        group = None
        for clock in section:
            label = owner_label(clock, config, departments)
            if label != group:
                lines.append(f"  {label}")
                group = label
            lines.append(f"    {clock.record:<{width_id}}  {clock.rule.id:<{width_rule}}  "
                         f"due {clock.due.text():<{width_due}}  {_when(clock):<{width_when}}  "
                         f"{_what(clock)}".rstrip())
    lines += ["", summary(result)]
    notes = sorted({f"{c.record} {c.rule.id}: {c.calendar_note}"
                    for c in result.clocks if c.calendar_note})
    lines += [f"note: {n}" for n in notes]
    if result.unreadable:
        lines.append(f"warning: {len(result.unreadable)} record file(s) could not be read and "
                     "were left out; run qmsdoc validate")
    return "\n".join(lines)


def summary(result: DueList) -> str:
    open_ = len(result.clocks)
    word = "clock" if open_ == 1 else "clocks"
    return (f"{open_} open {word} in {result.records} records: {result.overdue} overdue, "
            f"{open_ - result.overdue} not yet due")


def clock_json(clock: Clock, config: Config,
               departments: dict[str, str] | None = None) -> dict[str, Any]:
    person = config.roster.get(clock.owner)
    departments = config.departments if departments is None else departments
    return {
        "record": clock.record, "path": clock.path, "kind": clock.kind,
        "rule": clock.rule.id, "title": clock.rule.title, "title_en": clock.rule.title_en,
        "source": clock.rule.source, "item": clock.item, "subject": clock.subject,
        "customer": clock.customer,
        "owner": clock.owner, "owner_name": person.name if person else clock.owner,
        "department": clock.department,
        "department_name": departments.get(clock.department, clock.department),
        "within": str(clock.within) if clock.within else None,
        "start": clock.start.iso() if clock.start else None,
        "due": clock.due.iso(), "stop": clock.stop.iso() if clock.stop else None,
        "state": clock.state,
        "late_seconds": int(clock.late.total_seconds()),
        "left_seconds": int(clock.left.total_seconds()),
        "calendar_note": clock.calendar_note,
    }


def as_json(result: DueList, config: Config) -> str:
    """One JSON object; each clock on a line of its own (readable, and quick to write for
    tens of thousands of clocks)."""
    head = {"now": result.now.isoformat(), "records": result.records,
            "open": len(result.clocks), "overdue": result.overdue,
            "unreadable": result.unreadable}
    lines = [f"  {json.dumps(k)}: {json.dumps(v, ensure_ascii=False)}," for k, v in head.items()]
    departments = config.departments
    clocks = ",\n".join(f"    {json.dumps(clock_json(c, config, departments), ensure_ascii=False)}"
                         for c in result.clocks)
    return "{\n" + "\n".join(lines) + '\n  "clocks": [' + \
        (f"\n{clocks}\n  ]" if clocks else "]") + "\n}"
