"""The records an audit pack holds: those of the kinds in scope in the tree of the commit
it is made from, whose date field falls in the period (kinds without one: every record)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from ..errors import UsageError
from ..git import log as gitlog
from ..git import team
from ..git.log import RepoInfo
from ..i18n import _
from ..records.files import folder_kind
from ..records.yamlload import LoadError, parse


@dataclass(frozen=True)
class Span:
    """From and to, both included (None: open)."""

    start: date | None = None
    end: date | None = None

    def contains(self, day: date | None) -> bool:
        if day is None:
            return self.start is None and self.end is None
        return (self.start is None or day >= self.start) and (self.end is None
                                                             or day <= self.end)

    @property
    def label(self) -> str:
        if self.start is None and self.end is None:
            return "全部 (all dates)"
        first = self.start.isoformat() if self.start else "…"
        last = self.end.isoformat() if self.end else "…"
        return f"{first} 至 {last}"


def span(start: str | None, end: str | None) -> Span:
    """``--from`` and ``--to``: a day (YYYY-MM-DD) or a month (YYYY-MM: from its first day,
    to its last)."""
    first = _day(start, "--from", last=False) if start else None
    last = _day(end, "--to", last=True) if end else None
    if first and last and last < first:
        raise UsageError(_("--to {end} is before --from {start}").format(end=end, start=start))
    return Span(first, last)


def _day(text: str, option: str, last: bool) -> date:
    try:
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
            first = date.fromisoformat(f"{text}-01")
            if not last:
                return first
            following = date(first.year + first.month // 12, first.month % 12 + 1, 1)
            return following - timedelta(days=1)
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            return date.fromisoformat(text)
    except ValueError:
        pass
    raise UsageError(_("{option} {text}: not a date (YYYY-MM-DD) or a month (YYYY-MM)").format(
                         option=option, text=text))


@dataclass(frozen=True)
class Candidate:
    record_id: str
    kind: str
    path: str
    blob: str  # at the commit the pack is made from
    day: date | None  # the value of the kind's date field
    title: str = ""
    undated: bool = False  # its kind has a date field, but the record no valid date in it


def records(info: RepoInfo, commit: str, kinds: list[str], dates: dict[str, str],
            period: Span) -> list[Candidate]:
    """The records of ``kinds`` at ``commit`` in the period, by kind then id. A record whose
    date field holds no valid date is in every period (marked ``undated``): an audit pack
    does not silently leave a record out."""
    found = team.records_at(info, commit)
    chosen = {rid: (path, blob) for rid, (path, blob) in found.items()
              if folder_kind(path) in kinds}
    contents = gitlog.read_blobs(info, sorted({blob for _, blob in chosen.values()}))
    result = []
    for rid, (path, blob) in chosen.items():
        kind = folder_kind(path) or ""
        data = _data(contents.get(blob, b""))
        field = dates.get(kind)
        day = _date_of(data.get(field)) if field else None
        undated = field is not None and day is None  # in every period: never left out unseen
        if field is None or undated or period.contains(day):
            result.append(Candidate(rid, kind, path, blob, day, str(data.get("title", "")),
                                    undated))
    order = {k: i for i, k in enumerate(kinds)}
    return sorted(result, key=lambda c: (order.get(c.kind, 99), c.record_id))


def _data(raw: bytes) -> dict[str, Any]:
    try:
        data = parse(raw).data
    except LoadError:
        return {}
    return data if isinstance(data, dict) else {}


def _date_of(value: Any) -> date | None:
    if isinstance(value, date):
        return value if type(value) is date else date(value.year, value.month, value.day)
    text = str(value or "")
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None
