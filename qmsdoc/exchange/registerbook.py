"""The register as a workbook a document controller files and prints: real dates and
numbers, headings in the register's language (Chinese, or English), frozen heading,
filters, A4 landscape with the title rows repeated on every page; or as CSV (UTF-8 with a
byte order mark, which Excel reads as UTF-8)."""

from __future__ import annotations

import csv
import io
import math
import unicodedata
from datetime import date, datetime
from typing import Any

from ..i18n import tr
from .register import AMOUNT, DATE, DATETIME, INTEGER, OVERDUE_DAYS, Column, Register

FONT = "等线"
HEADER_ROW = 3  # rows 1-2: the title and the company with the export time
FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", INTEGER: "0",
           AMOUNT: "#,##0.00"}
LINE_HEIGHT = 15  # points per line of an 11-point cell
MOST_LINES = 8  # a longer text is cut in print; the cell keeps all of it


def _display(text: str) -> int:
    """How many character widths ``text`` takes: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped cell of ``width`` characters needs for ``value``: neither
    Excel nor LibreOffice grows a row for wrapped text it did not lay out itself."""
    if not isinstance(value, str) or not value:
        return 1
    room = max(width - 1, 1)
    return sum(max(1, math.ceil(_display(line) / room)) for line in value.split("\n"))


def _width(column: Column, values: list[Any]) -> float:
    """The column's width, at least the longest word of its heading and its texts (up to
    20): English wraps between words, never inside one."""
    words = [w for text in (column.heading, *values) if isinstance(text, str)
             for w in text.split()]
    return max(column.width, min(max((_display(w) for w in words), default=0), 20) + 2)


def xlsx(register: Register) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from ..report.package import normalized

    book = Workbook()
    sheet = book.active
    sheet.title = tr("台账")
    width = len(register.columns)
    last = get_column_letter(width)
    sheet["A1"] = register.title
    sheet["A1"].font = Font(name=FONT, bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = tr("{company}    导出时间: {at}    共 {n} 条").format(
        company=register.company, at=register.as_of.strftime("%Y-%m-%d %H:%M"),
        n=len(register.rows))
    sheet["A2"].font = Font(name=FONT)
    sheet.merge_cells(f"A2:{last}2")
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    late = PatternFill("solid", fgColor="F8CBAD")
    widths = [_width(column, [row[col] for row in register.rows])
              for col, column in enumerate(register.columns)]
    for col, column in enumerate(register.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=column.heading)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = widths[col - 1]
    body = Font(name=FONT)
    wrap = Alignment(vertical="top", wrap_text=True)
    for r, values in enumerate(register.rows, start=HEADER_ROW + 1):
        for col, (column, value) in enumerate(zip(register.columns, values, strict=True),
                                              start=1):
            cell = sheet.cell(row=r, column=col, value=value)
            cell.font, cell.border, cell.alignment = body, border, wrap
            if isinstance(value, date) and not isinstance(value, datetime):
                cell.number_format = FORMATS[DATE]
            elif column.type in FORMATS:
                cell.number_format = FORMATS[column.type]
            if column.title == OVERDUE_DAYS and value:
                cell.fill = late
    for r, values in enumerate([[c.heading for c in register.columns], *register.rows],
                               start=HEADER_ROW):
        lines = max(_lines(value, width) for value, width in zip(values, widths, strict=True))
        if lines > 1:
            sheet.row_dimensions[r].height = LINE_HEIGHT * min(lines, MOST_LINES)
    end = HEADER_ROW + max(len(register.rows), 1)
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"
    sheet.auto_filter.ref = f"A{HEADER_ROW}:{last}{end}"
    sheet.print_title_rows = f"1:{HEADER_ROW}"
    setup = sheet.page_setup
    setup.orientation = "landscape"
    setup.paperSize = sheet.PAPERSIZE_A4
    setup.fitToWidth, setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = 0.4
    sheet.oddFooter.center.text = tr("第 &P 页 / 共 &N 页")
    sheet.oddHeader.center.text = register.title
    book.properties.creator = "qmsdoc"
    book.properties.title = register.title
    book.properties.created = book.properties.modified = register.as_of
    buffer = io.BytesIO()
    book.save(buffer)
    return normalized(buffer.getvalue(), modified=register.as_of)


def csv_text(register: Register) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([c.heading for c in register.columns])
    for values in register.rows:
        writer.writerow([_text(v) for v in values])
    return out.getvalue()


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
