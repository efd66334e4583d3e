"""Working days: weekends, public holidays and make-up working days (调休).

The built-in data (``workcal_cn.yaml``) are the State Council's holiday notices for mainland
China; ``qmsdoc.yaml`` may add company days off (``calendar.holidays``), extra working days
(``calendar.workdays``), another weekend, or turn the built-in data off (``builtin: none``).
Named ``workcal`` so as not to shadow the standard library's ``calendar``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from ..errors import ConfigError
from ..i18n import _
from ..records.yamlload import parse
from ..resources import builtin

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
BUILTIN = {"cn": "workcal_cn.yaml"}
_MAX_SPAN = 3660  # a working-day count never needs more than ten years of days


@dataclass(frozen=True)
class Calendar:
    """Which days are worked. ``years`` are those the holiday data cover."""

    weekend: frozenset[int] = frozenset({5, 6})  # date.weekday(): Saturday, Sunday
    holidays: dict[date, str] = field(default_factory=dict)
    workdays: dict[date, str] = field(default_factory=dict)
    years: frozenset[int] = frozenset()
    provisional: frozenset[int] = frozenset()

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() not in self.weekend

    def add_working_days(self, start: date, count: int) -> date:
        """The ``count``-th working day after ``start`` (``start`` itself is day 0)."""
        day = start
        remaining = count
        for _step in range(_MAX_SPAN):
            if remaining <= 0:
                return day
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        raise ConfigError(_("calendar: no working days found; check calendar.weekend"))

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when before)."""
        if end < start:
            return -self.working_days_between(end, start)
        return sum(1 for d in _days(start + timedelta(days=1), end) if self.is_working_day(d))

    def covers(self, day: date) -> bool:
        return day.year in self.years

    def name(self, day: date) -> str:
        return self.workdays.get(day) or self.holidays.get(day) or ""


def _days(first: date, last: date) -> Iterator[date]:
    day = first
    while day <= last:
        yield day
        day += timedelta(days=1)


def parse_days(entry: str, where: str) -> list[date]:
    """``YYYY-MM-DD`` or a range ``FIRST..LAST`` (both included)."""
    first, _dots, last = entry.partition("..")
    try:
        start = date.fromisoformat(first.strip())
        end = date.fromisoformat(last.strip()) if last else start
    except ValueError:
        raise ConfigError(_("{where}: '{entry}' is not a date (YYYY-MM-DD) or a range "
                            "(YYYY-MM-DD..YYYY-MM-DD)").format(where=where, entry=entry)) from None
    if end < start or (end - start).days > 366:
        raise ConfigError(_("{where}: '{entry}' is not a range of at most a year").format(
                              where=where, entry=entry))
    return list(_days(start, end))


def _named(entries: Iterable[Any], where: str) -> dict[date, str]:
    """Entries are dates, ranges, or ``{name, days}`` mappings."""
    result: dict[date, str] = {}
    for entry in entries:
        if isinstance(entry, dict):
            name, days = str(entry.get("name", "")), str(entry.get("days", ""))
        else:
            name, days = "", str(entry)
        for day in parse_days(days, where):
            result[day] = name
    return result


@lru_cache(maxsize=4)
def builtin_data(name: str) -> dict[str, Any]:
    if name not in BUILTIN:
        raise ConfigError(_("calendar.builtin: unknown calendar '{name}' (known: {values}, "
                            "none)").format(name=name, values=', '.join(BUILTIN)))
    raw = builtin(BUILTIN[name]).read_bytes()
    data: dict[str, Any] = parse(raw).data
    return data


def from_config(section: dict[str, Any] | None) -> Calendar:
    """The calendar of a ``calendar:`` configuration section (built-in defaults when None)."""
    section = section or {}
    holidays: dict[date, str] = {}
    workdays: dict[date, str] = {}
    years: set[int] = set()
    provisional: set[int] = set()
    builtin = str(section.get("builtin", "cn"))
    if builtin != "none":
        for year, spec in builtin_data(builtin).get("years", {}).items():
            years.add(int(year))
            if spec.get("status") != "official":
                provisional.add(int(year))
            holidays.update(_named(spec.get("holidays", ()), f"{BUILTIN[builtin]} {year}"))
            workdays.update(_named(spec.get("workdays", ()), f"{BUILTIN[builtin]} {year}"))
    # the repository's own days win over the built-in ones for the same date
    extra_off = _named(section.get("holidays", ()), "calendar.holidays")
    extra_on = _named(section.get("workdays", ()), "calendar.workdays")
    for day, name in extra_off.items():
        workdays.pop(day, None)
        holidays[day] = name or "休息日"
    for day, name in extra_on.items():
        holidays.pop(day, None)
        workdays[day] = name or "工作日"
    weekend = frozenset(WEEKDAYS.index(d) for d in section.get("weekend", ("sat", "sun")))
    return Calendar(weekend, holidays, workdays, frozenset(years), frozenset(provisional))
