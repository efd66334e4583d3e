"""A report period: one calendar month (``2026-11``) or one year (``2026``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..errors import UsageError


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive
    label: str  # 2026-11 or 2026

    @classmethod
    def parse(cls, text: str) -> Period:
        # the trend chart looks 11 months back, the period ends a month on: keep both in range
        month = re.fullmatch(r"([0-9]{4})-([0-9]{2})", text)
        if month and 1 <= int(month[2]) <= 12 and 1900 <= int(month[1]) <= 9998:
            start = date(int(month[1]), int(month[2]), 1)
            return cls(start, next_month(start), text)
        if re.fullmatch(r"[0-9]{4}", text) and 1900 <= int(text) <= 9998:
            return cls(date(int(text), 1, 1), date(int(text) + 1, 1, 1), text)
        raise UsageError(f"'{text}' is not a month (YYYY-MM) or a year (YYYY) "
                         "between 1900 and 9998")

    @property
    def is_year(self) -> bool:
        return len(self.label) == 4

    @property
    def title(self) -> str:
        if self.is_year:
            return f"{self.start.year}年度"
        return f"{self.start.year}年{self.start.month}月"

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def trend_months(self) -> list[date]:
        """The 12 months ending with the period's last month (first days)."""
        last = self.end.replace(day=1)
        months = []
        current = last
        for _ in range(12):
            current = previous_month(current)
            months.append(current)
        return months[::-1]


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)
