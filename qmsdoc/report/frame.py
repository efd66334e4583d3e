"""The statistics report of any kind in the complaint report's controlled frame: a Word
form rendered from the statistics template (page, fonts, header with company, form title
and number, period, 版次 and 页次; footer with the copy status, retention and the time of
the figures; the tables and charts where it says ``{{ report.body }}``) and an Excel
workbook (a sheet of summaries, one of details). Deterministic like the complaint report."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..config import Config
from ..i18n import tr
from ..render.templates import STATISTICS, TEMPLATES_DIR, TemplateFile, find
from . import common
from . import docx as word
from . import xlsx as excel
from .package import normalized
from .period import Period
from .tables import Table


@dataclass(frozen=True)
class Report:
    form: str  # the forms: key of its number, title and retention
    title: str  # the default title
    period: Period
    as_of: datetime
    summary: list[Table]  # the summary sheet and the body of the Word form
    detail: Table  # the detail sheet (the Word form gets its narrow columns)
    detail_columns: tuple[int, ...] = ()  # of ``detail`` in the Word form (all when empty)
    charts: list[tuple[str, bytes]] = field(default_factory=list)  # caption, PNG


def form(config: Config, report: Report) -> tuple[str, str, str]:
    """(title, form number, retention) as configured under forms:."""
    found = config.form(report.form)
    return (common.form_title(found, report.title), str(found.get("number", "")),
            str(found.get("retention", "")))


def template(repo: Path, config: Config, report: Report) -> TemplateFile:
    """The Word template of the report: ``forms.<form>.template`` or ``templates/<form>.docx``
    when the repository has one, else the statistics template of the complaint report (its
    controlled frame: page, fonts, header and footer)."""
    if config.form(report.form).get("template") or \
            (repo / TEMPLATES_DIR / f"{report.form}.docx").is_file():
        return find(repo, config, report.form)
    return find(repo, config, STATISTICS)


def document(report: Report, config: Config, frame: TemplateFile) -> bytes:
    """The report in the template's frame: its variables filled in, the tables and charts
    where it says ``{{ report.body }}``."""
    from docx import Document

    title = form(config, report)[0]
    doc = Document(io.BytesIO(frame.data))
    values = word.frame_values(config, config.form(report.form), report.title,
                               report.period.title, report.as_of.strftime("%Y-%m-%d %H:%M"))
    marker = word._fill(doc, values, frame.source)
    before = set(doc.element.body)
    word._table(doc, report.summary[0])
    for caption, png in report.charts:
        word._picture(doc, caption, png)
    for table in report.summary[1:]:
        word._table(doc, table)
    word._table(doc, _narrow(report.detail, report.detail_columns))
    word._move_before(doc, before, marker)
    return word.saved(doc, f"{title} {report.period.label}", report.as_of)


def _narrow(table: Table, columns: Sequence[int]) -> Table:
    if not columns:
        return table
    rows = [[row[i] for i in columns] for row in table.rows]
    formats = {columns.index(c): f for c, f in table.formats.items() if c in columns}
    widths = tuple(table.widths[i] for i in columns) if table.widths else ()
    return Table(table.title, [table.headers[i] for i in columns], rows, formats, widths)


def workbook(report: Report, config: Config) -> bytes:
    from openpyxl import Workbook

    title, number, _ = form(config, report)
    book = Workbook()
    summary = book.active
    summary.title = tr("汇总")
    excel._heading(summary, [common.company(config), f"{title}  {number}".strip(),
                             tr("统计期间: {title}    统计截至: {strftime}").format(
                                  title=report.period.title,
                                  strftime=report.as_of.strftime('%Y-%m-%d %H:%M'))])
    row = 5
    for table in report.summary:
        row = excel._table(summary, table, row) + 1
    excel._widths(summary, [30, 16, 14, 14, 14, 14, 14, 14])
    detail = book.create_sheet(tr("明细"))
    excel._table(detail, report.detail, 1, caption=False)
    detail.freeze_panes = "B2"
    detail.auto_filter.ref = (f"A1:{excel._column(len(report.detail.headers))}"
                              f"{max(1, len(report.detail.rows) + 1)}")
    excel._widths(detail, [16] * len(report.detail.headers))
    stamp = report.as_of.replace(tzinfo=None)
    book.properties.creator = book.properties.lastModifiedBy = "qmsdoc"
    book.properties.title = f"{title} {report.period.label}"
    book.properties.created = book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return normalized(buffer.getvalue(), modified=stamp)
