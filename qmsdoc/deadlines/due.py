"""``qmsdoc due``: every open deadline clock across the repository, overdue first, grouped
by owner and department (its text and JSON views: ``qmsdoc.views.due``)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

from .. import collector
from ..config import Config, did_you_mean
from ..errors import UsageError
from ..i18n import _
from ..records import cache as recordcache
from ..schema import SchemaStore
from . import rulepaths
from . import rules as clockrules
from .clocks import OVERDUE, Clock, ClockFacts, from_facts
from .facts import Deriver
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
        raise UsageError(_("--today {text}: not a date (YYYY-MM-DD) or date and time "
                           "(YYYY-MM-DDTHH:MM) between 1900 and 9998").format(text=text)) from None
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

    # to_facts(data, record_facts(data, ...)), quicker; with open_only, of the running clocks
    # only, kept apart (a stopped clock stays stopped: the open ones of a record are known
    # whatever the day)
    derive = Deriver(deadlines, people, running_only=open_only)

    def facts(path: str, data: dict[str, Any]) -> ClockFacts:
        return derive(data)

    with collector.paused():
        loaded = recordcache.derived(repo, config.limits,
                                     "clocks-running" if open_only else "clocks",
                                     _fingerprint(config, deadlines, people), facts)
        rules = {rule.id: rule for rule in deadlines.rules}
        memo: dict[Any, Any] = {}
        clocks = [clock for path, facts in loaded.records
                  for clock in from_facts(facts, path, rules, moment, open_only=open_only,
                                          memo=memo)]
    return Clocks(moment, clocks, len(loaded.records), loaded.unreadable)


# How clocks are derived from a record: bump it when that changes within a version (the
# years a clock may start in, say), so that no cache keeps clocks the code no longer makes.
DERIVATION = 2


def _fingerprint(config: Config, deadlines: Deadlines, people: dict[str, str]) -> str:
    """Changes whenever the clocks of the same records could change: rules, calendar, roster,
    the derivation."""
    cal = deadlines.calendar
    text = json.dumps([DERIVATION, config.data.get("deadlines"), config.data.get("calendar"),
                       people,
                       sorted(map(str, cal.holidays)), sorted(map(str, cal.workdays))],
                      sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def due(repo: Path, config: Config, now: datetime | str | None = None, *,
        within_days: float | None = None, owner: str | None = None,
        store: SchemaStore | None = None) -> DueList:
    """The open clocks, filtered; with ``store``, the deadline rules' field paths are first
    checked against the schemas (a misspelt field is a configuration error)."""
    if store is not None:
        rulepaths.check(clockrules.load(config), store)
    found = all_clocks(repo, config, now, open_only=True)
    selected = found.clocks
    if within_days is not None:
        limit = timedelta(days=within_days)
        selected = [c for c in selected if c.state == OVERDUE or c.left <= limit]
    if owner:
        _check_owner(owner, config, found.clocks)
        selected = [c for c in selected if _owned_by(c, owner, config)]
    return DueList(found.now, _ordered(selected, config), found.records, found.unreadable)


def _check_owner(who: str, config: Config, clocks: Iterable[Clock]) -> None:
    """An --owner that names nobody is a usage error: a typo must not read as all clear."""
    known = {*config.roster, *(p.name for p in config.roster.values()),
             *config.departments, *config.departments.values(),
             *(c.owner for c in clocks if c.owner), *(c.department for c in clocks)}
    known.discard("")
    if who not in known:
        raise UsageError(_("--owner {who}: no roster key, name or department is called "
                           "that{did_you_mean}").format(
                             who=who, did_you_mean=did_you_mean(who, sorted(known))))


def _owned_by(clock: Clock, who: str, config: Config) -> bool:
    person = config.roster.get(clock.owner)
    names = {clock.owner, clock.department, config.departments.get(clock.department, "")}
    if person is not None:
        names.add(person.name)
    return who in names


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _ordered(clocks: Iterable[Clock], config: Config) -> list[Clock]:
    """Overdue first, then by department (in the configuration's order), owner, due time,
    record and item. The due time is compared as whole microseconds since 1970: the same
    order as its aware datetime, without a UTC offset looked up at every comparison."""
    rank = {key: i for i, key in enumerate(config.departments)}
    last = len(rank)
    return sorted(clocks, key=lambda c: (c.state != OVERDUE, rank.get(c.department, last),
                                         c.department, c.owner or "\uffff",
                                         (c.due.deadline - _EPOCH) // _MICROSECOND,
                                         c.record, c.item))
