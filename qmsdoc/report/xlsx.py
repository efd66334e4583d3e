"""The statistics as an Excel workbook: one sheet of summaries, one of cases."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from ..config import Config
from ..i18n import tr
from . import tables
from .package import normalized
from .stats import Labels, Statistics
from .tables import Table

FONT = "等线"


def workbook(stats: Statistics, config: Config, labels: Labels, title: str,
             form_number: str) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = tr("汇总")
    company = str(config.company.get("name", ""))
    _heading(summary, [company, f"{title}  {form_number}".strip(),
                       tr("统计期间: {title}    统计截至: {strftime}").format(
                            title=stats.period.title,
                            strftime=stats.as_of.strftime('%Y-%m-%d %H:%M'))])
    row = 5
    for table in [tables.overview(stats), *tables.counts(stats), *tables.costs(stats),
                  tables.on_time(stats), tables.open_cases(stats, config, labels),
                  tables.repeats(stats, config), tables.trend(stats)]:
        row = _table(summary, table, row) + 1
    _widths(summary, [26, 34, 12, 12, 12, 12])
    cases = book.create_sheet(tr("案例明细"))
    table = tables.case_rows(stats, config, labels)
    _table(cases, table, 1, caption=False)
    cases.freeze_panes = "B2"
    cases.auto_filter.ref = f"A1:{_column(len(table.headers))}{max(1, len(table.rows) + 1)}"
    _widths(cases, [14, 11, 22, 36, 11, 10, 11, 9, 9, 11, 8, 9, 9, 12, 12, 12, 11, 11, 11, 9,
                    13, 24])
    stamp = stats.as_of.replace(tzinfo=None)
    book.properties.creator = "qmsdoc"
    book.properties.lastModifiedBy = "qmsdoc"
    book.properties.title = f"{title} {stats.period.label}"
    book.properties.created = stamp
    book.properties.modified = stamp
    buffer = io.BytesIO()
    book.save(buffer)
    return normalized(buffer.getvalue(), modified=stamp)


def _heading(sheet: Any, lines: Iterable[str]) -> None:
    from openpyxl.styles import Font

    for i, text in enumerate(lines, start=1):
        cell = sheet.cell(row=i, column=1, value=text)
        cell.font = Font(name=FONT, bold=i <= 2, size=14 if i == 2 else 11)


def _table(sheet: Any, table: Table, row: int, *, caption: bool = True) -> int:
    """Write ``table`` from ``row``; the next free row."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    if caption:
        sheet.cell(row=row, column=1, value=table.title).font = Font(name=FONT, bold=True)
        row += 1
    for col, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=row, column=col, value=header)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    if not table.rows:
        sheet.cell(row=row + 1, column=1, value=tr("(无)")).font = Font(name=FONT)
        return row + 2
    for values in table.rows:
        row += 1
        for col, value in enumerate(values, start=1):
            cell = sheet.cell(row=row, column=col, value=value)
            cell.font = Font(name=FONT)
            cell.border = border
            if col - 1 in table.formats:
                cell.number_format = table.formats[col - 1]
    return row + 1


def _column(n: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(n))


def _widths(sheet: Any, widths: list[int]) -> None:
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column(i)].width = width
