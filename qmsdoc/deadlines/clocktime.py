"""Moments and durations of deadline clocks.

A record gives dates (``2026-11-04``) or timestamps with an offset
(``2026-11-03T09:40:00+08:00``). A deadline on a date lasts until the end of that day in the
configured time zone; a deadline at a time is exact. Comparing a date with a time compares
calendar days: who recorded only the day gets the benefit of the doubt.
"""

from __future__ import annotations

import calendar as _stdcal
import math
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from typing import NamedTuple

from ..errors import ConfigError
from ..i18n import _, language
from .workcal import Calendar

_UNITS = {
    "h": "hours", "hour": "hours", "hours": "hours",
    "d": "days", "day": "days", "days": "days",
    "wd": "working_days", "working day": "working_days", "working days": "working_days",
    "mo": "months", "month": "months", "months": "months",
}
_DURATION = re.compile(r"^([0-9]{1,4}) ?(h|hours?|d|days?|wd|working days?|mo|months?)$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
_OFFSET = re.compile(r"^([+-])([0-9]{2}):([0-9]{2})$")
_LABELS = {"hours": ("小时", "hours"), "days": ("天", "days"),
           "working_days": ("个工作日", "working days"), "months": ("个月", "months")}


def zone(offset: str) -> timezone:
    match = _OFFSET.match(offset)
    if not match:
        raise ConfigError(_("deadlines.timezone: '{offset}' is not a UTC offset like +08:00")
                          .format(offset=offset))
    sign = -1 if match[1] == "-" else 1
    return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3])))


@dataclass(frozen=True)
class Duration:
    amount: int
    unit: str  # hours | days | working_days | months

    @classmethod
    def parse(cls, text: str, where: str = "duration") -> Duration:
        match = _DURATION.match(text.strip())
        if not match:
            raise ConfigError(_("{where}: '{text}' is not a duration such as 2 hours, 3 days, "
                                "10 working days or 3 months").format(where=where, text=text))
        return cls(int(match[1]), _UNITS[match[2]])

    def __str__(self) -> str:
        zh, en = _LABELS[self.unit]
        return f"{self.amount} {en}" if self.amount != 1 else f"1 {en.rstrip('s')}"

    def shown(self) -> str:
        """The duration in the language of the messages: 3 working days, 3个工作日."""
        return self.label_zh if language() == "zh" else str(self)

    @property
    def label_zh(self) -> str:
        return f"{self.amount}{_LABELS[self.unit][0]}"


class Moment(NamedTuple):
    """An instant, remembering whether the record gave only a date. (A named tuple: tens of
    thousands are made per `qmsdoc due`.)"""

    at: datetime  # aware; for a date: its 00:00 in the configured zone
    date_only: bool

    @property
    def day(self) -> date:
        return self.at.date()

    @property
    def deadline(self) -> datetime:
        """When a deadline at this moment has passed: the end of the day for a date."""
        return self.at + timedelta(days=1) if self.date_only else self.at

    def text(self) -> str:
        return self.day.isoformat() if self.date_only else self.at.strftime("%Y-%m-%d %H:%M")

    def iso(self) -> str:
        return self.day.isoformat() if self.date_only else self.at.isoformat()


# The years a clock may start in: a typed 9999-12-31 is not a date a deadline can be counted
# from (it would end after the last day Python's calendar has), so it starts no clock, as a
# text that is no date does not; validate names the record's dates out of order.
FIRST_YEAR, LAST_YEAR = 1000, 9000


def moment(value: object, tz: timezone) -> Moment | None:
    """The Moment of a record value, or None when it is not a date or timestamp."""
    if not isinstance(value, str):
        return None
    return _moment(value, tz)


@lru_cache(maxsize=65536)
def _moment(value: str, tz: timezone) -> Moment | None:
    """``moment`` of a text: the same dates recur across the rules and records of a run."""
    try:
        if _DATE.match(value):
            found = Moment(datetime.combine(date.fromisoformat(value), time(), tz), True)
        else:
            parsed = datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=tz)
            found = Moment(parsed.astimezone(tz), False)
    except (ValueError, OverflowError):  # 0001-01-01T00:00+14:00 is before year 1 in UTC
        return None
    if not FIRST_YEAR <= found.at.year <= LAST_YEAR:
        return None  # no clock can run from it: a deadline would pass the calendar's end
    return found


def add(start: Moment, duration: Duration, cal: Calendar) -> Moment:
    """``start`` + ``duration``; hours after a bare date count whole days."""
    tz = start.at.tzinfo
    if duration.unit == "hours":
        if start.date_only:
            days = math.ceil(duration.amount / 24)
            return Moment(start.at + timedelta(days=days), True)
        return Moment(start.at + timedelta(hours=duration.amount), False)
    if duration.unit == "days":
        return Moment(start.at + timedelta(days=duration.amount), start.date_only)
    if duration.unit == "working_days":
        day = cal.add_working_days(start.day, duration.amount)
        return Moment(datetime.combine(day, time(), tz), True)
    return Moment(_add_months(start.at, duration.amount), start.date_only)


def _add_months(value: datetime, months: int) -> datetime:
    index = value.month - 1 + months
    year, month = value.year + index // 12, index % 12 + 1
    last = _stdcal.monthrange(year, month)[1]
    return value.replace(year=year, month=month, day=min(value.day, last))


def lateness(done: Moment, due: Moment) -> timedelta:
    """How much after ``due`` ``done`` came (zero or negative: on time)."""
    if done.date_only or due.date_only:
        return timedelta(days=(done.day - due.day).days)
    return done.at - due.at


def overdue_by(due: Moment, now: datetime) -> timedelta:
    """How long ``due`` has passed at ``now`` (negative: time left); whole days for a date."""
    if due.date_only:
        return timedelta(days=(now.astimezone(due.at.tzinfo).date() - due.day).days)
    return now - due.at


def span(delta: timedelta) -> str:
    """A short human duration: 3 d 4 h, 5 h 20 min, 45 min."""
    minutes = int(abs(delta).total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days and hours:
        return _("{days} d {hours} h").format(days=days, hours=hours)
    if days:
        return _("{days} d").format(days=days)
    if hours and mins:
        return _("{hours} h {minutes} min").format(hours=hours, minutes=mins)
    if hours:
        return _("{hours} h").format(hours=hours)
    return _("{minutes} min").format(minutes=mins)
