"""A report period: one calendar month (``2026-11``), one quarter (``2026-Q4``) or one year
(``2026``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from ..errors import UsageError
from ..i18n import _, tr


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
        raise UsageError(_("'{text}' is not a month (YYYY-MM) or a year (YYYY) between 1900 "
                           "and 9998").format(text=text))

    @classmethod
    def quarter(cls, text: str) -> Period:
        """``2026-Q4``: October to December 2026."""
        found = re.fullmatch(r"([0-9]{4})-[Qq]([1-4])", text)
        if not found or not 1900 <= int(found[1]) <= 9998:
            raise UsageError(_("'{text}' is not a quarter (YYYY-Q1 … YYYY-Q4) between 1900 "
                               "and 9998").format(text=text))
        start = date(int(found[1]), 3 * int(found[2]) - 2, 1)
        return cls(start, next_month(next_month(next_month(start))), f"{found[1]}-Q{found[2]}")

    @classmethod
    def chosen(cls, month: str | None, quarter: str | None, year: str | None) -> Period:
        """The period of ``--month``, ``--quarter`` or ``--year``: exactly one is given."""
        given = [v for v in (month, quarter, year) if v]
        if len(given) != 1:
            raise UsageError(_("give one of --month YYYY-MM, --quarter YYYY-Qn, --year YYYY"))
        return cls.quarter(quarter) if quarter else cls.parse(given[0])

    @property
    def is_year(self) -> bool:
        return len(self.label) == 4

    @property
    def is_quarter(self) -> bool:
        return "Q" in self.label

    @property
    def title(self) -> str:
        if self.is_year:
            return tr("{year}年度").format(year=self.start.year)
        if self.is_quarter:
            return tr("{year}年第{label}季度").format(year=self.start.year, label=self.label[-1])
        return tr("{year}年{month}月").format(year=self.start.year, month=self.start.month)

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end

    def trend_months(self) -> list[date]:
        """The 12 months ending with the period's last month (first days)."""
        last = self.end.replace(day=1)
        months = []
        current = last
        for _month in range(12):
            current = previous_month(current)
            months.append(current)
        return months[::-1]


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def previous_month(day: date) -> date:
    return date(day.year - (day.month == 1), (day.month - 2) % 12 + 1, 1)
