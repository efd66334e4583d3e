"""The statistics report of any kind in the complaint report's controlled frame: a Word
form (header with company, form title and number, period, 版次 and 页次; tables; charts;
footer with the copy status, retention and the time of the figures) and an Excel workbook
(a sheet of summaries, one of details). Deterministic like the complaint report."""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..config import Config
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
    return (str(found.get("title", report.title)), str(found.get("number", "")),
            str(found.get("retention", "")))


def document(report: Report, config: Config) -> bytes:
    from docx import Document
    from docx.shared import Mm

    title, number, retention = form(config, report)
    doc = Document()
    word._fonts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(18)
    section.top_margin, section.bottom_margin = Mm(30), Mm(20)
    _header(section, config, title, number, report.period)
    _footer(section, retention, report.as_of)
    heading = doc.add_paragraph()
    heading.alignment = word.CENTER
    word._run(heading, f"{title}（{report.period.title}）", bold=True, size=16, font=word.HEI)
    word._table(doc, report.summary[0])
    for caption, png in report.charts:
        word._picture(doc, caption, png)
    for table in report.summary[1:]:
        word._table(doc, table)
    word._table(doc, _narrow(report.detail, report.detail_columns))
    props = doc.core_properties
    stamp = report.as_of.astimezone(UTC).replace(tzinfo=None)
    props.author = props.last_modified_by = "qmsdoc"
    props.title = f"{title} {report.period.label}"
    props.created = props.modified = props.last_printed = stamp
    props.revision = 1
    props.comments = ""
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalized(buffer.getvalue())


def _narrow(table: Table, columns: Sequence[int]) -> Table:
    if not columns:
        return table
    rows = [[row[i] for i in columns] for row in table.rows]
    formats = {columns.index(c): f for c, f in table.formats.items() if c in columns}
    widths = tuple(table.widths[i] for i in columns) if table.widths else ()
    return Table(table.title, [table.headers[i] for i in columns], rows, formats, widths)


def _header(section: Any, config: Config, title: str, number: str, period: Period) -> None:
    header = section.header
    first = header.paragraphs[0]
    first.alignment = word.CENTER
    word._run(first, str(config.company.get("name", "")), bold=True, size=14, font=word.HEI)
    width = section.page_width - section.left_margin - section.right_margin
    grid = header.add_table(rows=1, cols=5, width=width)
    grid.style = "Table Grid"
    cells = grid.rows[0].cells
    word._widths(grid, [int(width * share / 100) for share in (32, 20, 20, 10, 18)])
    word._run(cells[0].paragraphs[0], title, bold=True)
    word._run(cells[1].paragraphs[0], f"表单编号：{number}")
    word._run(cells[2].paragraphs[0], f"期间：{period.title}")
    word._run(cells[3].paragraphs[0], "版次：—")
    page = cells[4].paragraphs[0]
    word._run(page, "页次：")
    word._field(page, "PAGE")
    word._run(page, " / ")
    word._field(page, "NUMPAGES")


def _footer(section: Any, retention: str, as_of: datetime) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = word.CENTER
    text = "非受控 — 统计报表由 qmsdoc 根据 records/ 中的记录生成"
    if retention:
        text += f"　保存期限：{retention}"
    text += f"　统计截至：{as_of.strftime('%Y-%m-%d %H:%M')}"
    word._run(paragraph, text, size=8)


def workbook(report: Report, config: Config) -> bytes:
    from openpyxl import Workbook

    title, number, _ = form(config, report)
    book = Workbook()
    summary = book.active
    summary.title = "汇总"
    excel._heading(summary, [str(config.company.get("name", "")), f"{title}  {number}".strip(),
                             f"统计期间: {report.period.title}    统计截至: "
                             f"{report.as_of.strftime('%Y-%m-%d %H:%M')}"])
    row = 5
    for table in report.summary:
        row = excel._table(summary, table, row) + 1
    excel._widths(summary, [30, 16, 14, 14, 14, 14, 14, 14])
    detail = book.create_sheet("明细")
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
    return normalized(excel._fixed_times(buffer.getvalue(), stamp))
