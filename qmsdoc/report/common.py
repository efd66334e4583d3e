"""What the reports of special requirements, contract reviews and 8D share: the moment the
figures stand at, the records of one kind, the Chinese labels of an enumeration, rates."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, time
from pathlib import Path
from typing import Any

from ..config import Config
from ..deadlines import due
from ..deadlines import rules as clockrules
from ..deadlines.clocks import Clock
from ..i18n import report_language, tr
from ..records import cache as recordcache
from ..schema import SchemaStore, resolve
from .period import Period


def as_of(period: Period, now: datetime) -> datetime:
    """The end of the period, or now if earlier."""
    return min(now, datetime.combine(period.end, time(), now.tzinfo))


def gather(repo: Path, config: Config, kind: str, period: Period,
           now: datetime | str | None) -> tuple[list[tuple[str, dict[str, Any]]], list[Clock],
                                                datetime, list[str]]:
    """The records of ``kind`` (path, data), every clock of that kind, the moment the figures
    stand at, and the record files that could not be read."""
    found = due.all_clocks(repo, config, now)
    loaded = recordcache.load(repo, config.limits)
    records = [(rel, data) for rel, data in loaded.records
               if isinstance(data, dict) and data.get("kind") == kind]
    clocks = [c for c in found.clocks if c.kind == kind]
    return records, clocks, as_of(period, found.now), sorted(loaded.unreadable)


def calendar(config: Config) -> Any:
    return clockrules.load(config).calendar


def enum_labels(store: SchemaStore, kind: str, *path: str) -> dict[str, str]:
    """The x-enum-labels of the property at ``path`` (through properties and items)."""
    schema = store.for_kind(kind)
    node: dict[str, Any] = schema
    for step in path:
        node = resolve(schema, node)[0]
        node = node.get("items", {}) if step == "[]" else \
            node.get("properties", {}).get(step, {})
    return labels_of(resolve(schema, node)[0])


def labels_of(node: dict[str, Any]) -> dict[str, str]:
    """The labels of an enumeration's codes in the report's language: ``x-enum-labels``, or
    in English ``x-enum-labels-en`` (the Chinese label where it has none)."""
    labels: dict[str, str] = dict(node.get("x-enum-labels", {}))
    if report_language() == "en":
        labels.update(node.get("x-enum-labels-en", {}))
    return labels


def form_title(form: Mapping[str, Any], default: str) -> str:
    """The form's title (forms.<name>.title in qmsdoc.yaml), in English its title_en."""
    title = form.get("title_en") if report_language() == "en" else None
    return str(title or form.get("title") or default)


def rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def percent(part: int, whole: int) -> str | None:
    """66.7% (2/3) in the overview tables; None (shown as —) when there is nothing to count."""
    return f"{part / whole:.1%} ({part}/{whole})" if whole else None


def mean(values: list[int] | list[float]) -> float | None:
    return round(sum(values) / len(values), 1) if values else None


def name(names: dict[str, str], key: str) -> str:
    return names.get(key, key) if key else tr("(未填)")
