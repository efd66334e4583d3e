"""The register as a workbook a document controller files and prints: real dates and
numbers, Chinese headings, frozen heading, filters, A4 landscape with the title rows repeated
on every page; or as CSV (UTF-8 with a byte order mark, which Excel reads as UTF-8)."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any

from .register import AMOUNT, DATE, DATETIME, INTEGER, Register

FONT = "等线"
HEADER_ROW = 3  # rows 1-2: the title and the company with the export time
FORMATS = {DATE: "yyyy-mm-dd", DATETIME: "yyyy-mm-dd hh:mm", INTEGER: "0",
           AMOUNT: "#,##0.00"}


def xlsx(register: Register) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from ..report.package import normalized

    book = Workbook()
    sheet = book.active
    sheet.title = "台账"
    width = len(register.columns)
    last = get_column_letter(width)
    sheet["A1"] = register.title
    sheet["A1"].font = Font(name=FONT, bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.merge_cells(f"A1:{last}1")
    sheet["A2"] = (f"{register.company}    导出时间: "
                   f"{register.as_of.strftime('%Y-%m-%d %H:%M')}    共 {len(register.rows)} 条")
    sheet["A2"].font = Font(name=FONT)
    sheet.merge_cells(f"A2:{last}2")
    thin = Side(style="thin", color="808080")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    late = PatternFill("solid", fgColor="F8CBAD")
    for col, column in enumerate(register.columns, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=col, value=column.title)
        cell.font = Font(name=FONT, bold=True)
        cell.fill = PatternFill("solid", fgColor="D9E1F2")
        cell.border = border
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sheet.column_dimensions[get_column_letter(col)].width = column.width
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
            if column.title == "逾期天数" and value:
                cell.fill = late
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
    sheet.oddFooter.center.text = "第 &P 页 / 共 &N 页"
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
    writer.writerow([c.title for c in register.columns])
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
