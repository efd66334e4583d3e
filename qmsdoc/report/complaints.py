"""``qmsdoc report complaints``: read the records, compute the statistics of the period,
draw the charts and write the .docx and .xlsx files."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from pathlib import Path
from typing import Any

from .. import atomic
from ..config import Config
from ..deadlines import due
from ..i18n import report_language, tr
from ..records import cache as recordcache
from ..records.values import as_date
from ..schema import SchemaStore, resolve
from . import charts, common, stats
from .period import Period

FORM = "complaint-statistics"
__all__ = ["Period", "labels", "report", "statistics", "write"]


def labels(store: SchemaStore) -> dict[str, dict[str, str]]:
    """Chinese labels of the complaint enumerations, from the schema in force."""
    schema = store.for_kind("complaint")
    props = schema.get("properties", {})

    def enum(node: dict[str, Any]) -> dict[str, str]:
        return common.labels_of(resolve(schema, node)[0])

    return {
        "category": enum(props.get("category", {})),
        "subtype": enum(props.get("subtype", {})),
        "severity": enum(props.get("severity", {})),
        "urgency": enum(props.get("urgency", {})),
        "status": enum(props.get("status", {})),
        "root_cause": enum(props.get("root_cause", {}).get("properties", {}).get("category", {})),
        "disposition": enum(props.get("disposition", {}).get("properties", {}).get("type", {})),
        "party": enum(props.get("responsibility", {}).get("properties", {}).get("party", {})),
    }


def statistics(repo: Path, config: Config, store: SchemaStore, period: Period,
               now: datetime | str | None = None) -> tuple[stats.Statistics, list[str]]:
    """The statistics, and the record files left out of them: unreadable ones, and
    complaints without a valid ``received_at`` (no month to count them in)."""
    found = due.all_clocks(repo, config, now)
    end = datetime.combine(period.end, time(), found.now.tzinfo)
    as_of = min(found.now, end)
    loaded = recordcache.load(repo, config.limits)
    undated = [rel for rel, data in loaded.records
               if isinstance(data, dict) and data.get("kind") == "complaint"
               and as_date(data.get("received_at")) is None]
    result = stats.compute(loaded.records, found.clocks, config, labels(store), period, as_of)
    return result, sorted([*loaded.unreadable, *undated])


def write(repo: Path, config: Config, store: SchemaStore, period: Period, out: Path, *,
          formats: Sequence[str] = ("docx", "xlsx"), now: datetime | str | None = None,
          ) -> tuple[list[Path], list[str]]:
    """Write the report files into ``out``: their paths, and the record files left out."""
    if "docx" in formats:  # before anything is written: its charts need a Chinese font
        charts.cjk_font()
    result, left_out = statistics(repo, config, store, period, now)
    names = labels(store)
    form = config.form(FORM)
    title = common.form_title(form, tr("客户抱怨异常处理统计表"))
    base = out / f"{FORM}-{period.label}"
    files: dict[Path, bytes] = {}
    if "xlsx" in formats:
        files[base.with_suffix(".xlsx")] = _xlsx(result, config, names, title,
                                                 str(form.get("number", "")))
    if "docx" in formats:
        pictures = [
            (tr("图1 不符合类型柏拉图（{title}）").format(title=period.title),
             charts.pareto(result.pareto,
                           tr("不符合类型柏拉图 {title}").format(title=period.title))),
            (tr("图2 近12个月客户抱怨趋势（按严重程度）"),
             charts.trend(result.trend, tr("近12个月客户抱怨件数"))),
        ]
        from ..render.templates import find
        from .docx import document

        template = find(repo, config, FORM)
        files[base.with_suffix(".docx")] = document(result, config, names, pictures, form,
                                                    template.data, template.source)
    for path, data in files.items():  # every file made before the first is written
        atomic.replace(path, data)
    written = list(files)
    return written, left_out


def _xlsx(result: stats.Statistics, config: Config, names: stats.Labels, title: str,
          number: str) -> bytes:
    from .xlsx import workbook

    return workbook(result, config, names, title, number)


def report(repo: Path, config: Config, store: SchemaStore, out: Path, *, month: str | None,
           year: str | None, quarter: str | None = None, formats: Sequence[str] = (),
           now: datetime | str | None = None) -> tuple[list[Path], list[str]]:
    """``qmsdoc report complaints``: the period from ``--month``, ``--quarter`` or
    ``--year``, the deadline rules checked against the schemas, then :func:`write`."""
    from ..deadlines import rulepaths
    from ..deadlines import rules as clockrules

    period = Period.chosen(month, quarter, year)
    rulepaths.check(clockrules.load(config), store)
    config = config.in_english() if report_language() == "en" else config
    return write(repo, config, store, period, out, formats=formats or ("docx", "xlsx"), now=now)
