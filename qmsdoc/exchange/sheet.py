"""A worksheet of a hand-kept log read with openpyxl: merged cells spread over their area,
hidden columns known, the header rows joined into one heading per column."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..i18n import _


@dataclass(frozen=True)
class Sheet:
    file: str  # the workbook's name as messages show it
    name: str
    cells: dict[tuple[int, int], Any]  # (row, column) → value; merged areas filled
    max_row: int
    max_column: int
    hidden: frozenset[int] = frozenset()  # hidden column numbers
    merged_rows: dict[int, int] = field(default_factory=dict)  # row → widest merge in it

    def value(self, row: int, column: int) -> Any:
        return self.cells.get((row, column))

    def is_blank(self, row: int, columns: list[int] | None = None) -> bool:
        wanted = columns or range(1, self.max_column + 1)
        return all(_empty(self.value(row, c)) for c in wanted)

    def heading(self, column: int, header_rows: list[int]) -> str:
        """The column's heading: its header cells top to bottom, repeated ones once."""
        parts: list[str] = []
        for row in header_rows:
            value = self.value(row, column)
            label = "" if _empty(value) else " ".join(str(value).split())
            if label and label not in parts:
                parts.append(label)
        return "/".join(parts)

    def where(self, row: int, column: int | None = None) -> str:
        cell = f"{row}:{column_letter(column)}" if column else str(row)
        return f"{self.file}:{self.name}!{cell}"


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def column_letter(column: int) -> str:
    from openpyxl.utils import get_column_letter

    return str(get_column_letter(column))


def column_number(letter: str) -> int:
    from openpyxl.utils import column_index_from_string

    return int(column_index_from_string(letter.upper()))


def read(path: Path, sheet_name: str | None = None) -> Sheet:
    """The named sheet (the first one by default) of the workbook at ``path``."""
    from zipfile import BadZipFile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.is_file():
        raise UsageError(_("{path}: no such file").format(path=path))
    if path.suffix.lower() == ".xls":
        raise UsageError(_("{name}: an Excel 97-2003 workbook (.xls); save it as .xlsx "
                           "(Excel: 另存为 → Excel 工作簿) and import that").format(name=path.name))
    if path.suffix.lower() in (".csv", ".txt"):
        raise UsageError(_("{name}: a text file; open it in Excel and save it as an .xlsx "
                           "workbook, then import that").format(name=path.name))
    try:
        book = load_workbook(path, data_only=True)
    except (BadZipFile, InvalidFileException, KeyError, ValueError, OSError) as exc:
        raise UsageError(_("{name}: not an Excel .xlsx workbook ({problem})").format(
                             name=path.name, problem=exc)) from None
    if sheet_name is None:
        ws = book.worksheets[0]
    elif sheet_name in book.sheetnames:
        ws = book[sheet_name]
    else:
        raise UsageError(_("{name}: no sheet '{sheet_name}' (sheets: {values})").format(
                             name=path.name,
                             sheet_name=sheet_name,
                             values=', '.join(book.sheetnames)))
    cells: dict[tuple[int, int], Any] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                cells[(cell.row, cell.column)] = cell.value
    merged_rows: dict[int, int] = {}
    for area in ws.merged_cells.ranges:
        top = cells.get((area.min_row, area.min_col))
        for r in range(area.min_row, area.max_row + 1):
            width = area.max_col - area.min_col + 1
            merged_rows[r] = max(merged_rows.get(r, 1), width)
            for c in range(area.min_col, area.max_col + 1):
                if top is not None:
                    cells[(r, c)] = top
    hidden = frozenset(
        column_number(letter) for letter, dim in ws.column_dimensions.items()
        if dim.hidden for letter in _span(letter, dim.min, dim.max))
    return Sheet(path.name, ws.title, cells, ws.max_row, ws.max_column, hidden, merged_rows)


def _span(letter: str, first: int | None, last: int | None) -> list[str]:
    """openpyxl groups adjacent columns of the same width as one dimension (min..max)."""
    if first and last and last > first:
        return [column_letter(c) for c in range(first, last + 1)]
    return [letter]


def guess_header_rows(sheet: Sheet) -> list[int]:
    """The header rows: the first row with at least three different labels that is not a
    title merged across the sheet, and the rows below it that still belong to the heading
    (a group heading merged over several columns has its sub-headings on the next row)."""
    width = sheet.max_column
    for row in range(1, min(sheet.max_row, 30) + 1):
        values = {str(sheet.value(row, c)) for c in range(1, width + 1)
                  if not _empty(sheet.value(row, c))}
        if len(values) < 3 or sheet.merged_rows.get(row, 1) >= max(width - 1, 2):
            continue
        rows = [row]
        while sheet.merged_rows.get(rows[-1], 1) > 1 and rows[-1] < sheet.max_row \
                and _all_text(sheet, rows[-1] + 1):
            rows.append(rows[-1] + 1)
        return rows
    raise UsageError(_("{file}:{name}: no row of column headers found in the first 30 rows").format(
                         file=sheet.file, name=sheet.name))


def _all_text(sheet: Sheet, row: int) -> bool:
    values = [sheet.value(row, c) for c in range(1, sheet.max_column + 1)]
    filled = [v for v in values if not _empty(v)]
    return bool(filled) and all(isinstance(v, str) for v in filled)
