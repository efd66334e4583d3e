"""The statistics as a Word form in the controlled-document frame: header with company, form
title, form number, period, 版次 and 页次 (PAGE / NUMPAGES fields); tables; the charts as
pictures; footer with the copy status and retention. Chinese text gets its East Asian font
explicitly (``w:eastAsia``). Deterministic: core properties from the statistics' time and
fixed zip entry times.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from ..config import Config
from . import tables
from .package import normalized
from .stats import Labels, Statistics
from .tables import Table

LATIN, SONG, HEI = "Times New Roman", "宋体", "黑体"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
CASE_COLUMNS = (0, 1, 2, 3, 7, 16, 15)  # of tables.CASE_HEADERS: a list that fits A4


def document(stats: Statistics, config: Config, labels: Labels,
             charts: Sequence[tuple[str, bytes]], form: dict[str, Any]) -> bytes:
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    _fonts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(18)
    section.top_margin, section.bottom_margin = Mm(30), Mm(20)
    title = str(form.get("title", "客户抱怨异常处理统计表"))
    _header(section, config, title, str(form.get("number", "")), stats)
    _footer(section, str(form.get("retention", "")), stats)
    heading = doc.add_paragraph()
    heading.alignment = CENTER
    _run(heading, f"{title}（{stats.period.title}）", bold=True, size=16, font=HEI)
    _table(doc, tables.overview(stats))
    for caption, png in charts:
        _picture(doc, caption, png)
    for table in [*tables.counts(stats), *tables.costs(stats), tables.on_time(stats),
                  tables.open_cases(stats, config, labels), tables.repeats(stats, config),
                  tables.trend(stats)]:
        _table(doc, table)
    _table(doc, _narrow(tables.case_rows(stats, config, labels)))
    _properties(doc, stats, title)
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalized(buffer.getvalue())


def _narrow(table: Table) -> Table:
    rows = [[row[i] for i in CASE_COLUMNS] for row in table.rows]
    formats = {CASE_COLUMNS.index(c): f for c, f in table.formats.items() if c in CASE_COLUMNS}
    return Table(table.title, [table.headers[i] for i in CASE_COLUMNS], rows, formats,
                 (15, 11, 17, 31, 8, 8, 10))


def _fonts(doc: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(10)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), SONG)


def _run(paragraph: Any, text: str, *, bold: bool = False, size: float | None = None,
         font: str | None = None) -> Any:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run = paragraph.add_run(text)
    run.bold = bold
    if size:
        run.font.size = Pt(size)
    if font:
        run.font.name = LATIN
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return run


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) that Word and LibreOffice update on display."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def char(kind: str) -> None:
        element = OxmlElement("w:fldChar")
        element.set(qn("w:fldCharType"), kind)
        paragraph.add_run()._element.append(element)

    char("begin")
    instr = OxmlElement("w:instrText")
    instr.set(qn("xml:space"), "preserve")
    instr.text = f" {code} "
    paragraph.add_run()._element.append(instr)
    char("separate")
    paragraph.add_run("1")  # shown until the field is updated
    char("end")


def _header(section: Any, config: Config, title: str, number: str, stats: Statistics) -> None:
    header = section.header
    first = header.paragraphs[0]
    first.alignment = CENTER
    _run(first, str(config.company.get("name", "")), bold=True, size=14, font=HEI)
    width = section.page_width - section.left_margin - section.right_margin
    grid = header.add_table(rows=1, cols=5, width=width)
    grid.style = "Table Grid"
    cells = grid.rows[0].cells
    _widths(grid, [int(width * share / 100) for share in (32, 20, 20, 10, 18)])
    _run(cells[0].paragraphs[0], title, bold=True)
    _run(cells[1].paragraphs[0], f"表单编号：{number}")
    _run(cells[2].paragraphs[0], f"期间：{stats.period.title}")
    _run(cells[3].paragraphs[0], "版次：—")
    page = cells[4].paragraphs[0]
    _run(page, "页次：")
    _field(page, "PAGE")
    _run(page, " / ")
    _field(page, "NUMPAGES")


def _footer(section: Any, retention: str, stats: Statistics) -> None:
    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = CENTER
    text = "非受控 — 统计报表由 qmsdoc 根据 records/ 中的记录生成"
    if retention:
        text += f"　保存期限：{retention}"
    text += f"　统计截至：{stats.as_of.strftime('%Y-%m-%d %H:%M')}"
    _run(paragraph, text, size=8)


def _picture(doc: Any, caption: str, png: bytes) -> None:
    from docx.shared import Mm

    doc.add_picture(io.BytesIO(png), width=Mm(160))
    doc.paragraphs[-1].alignment = CENTER
    label = doc.add_paragraph()
    label.alignment = CENTER
    _run(label, caption, size=9)


def _table(doc: Any, table: Table) -> None:
    from docx.shared import Mm, Pt

    title = doc.add_paragraph()
    title.paragraph_format.space_before = Pt(10)
    title.paragraph_format.keep_with_next = True
    _run(title, table.title, bold=True, font=HEI)
    if not table.rows:
        doc.add_paragraph("(无)")
        return
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = "Table Grid"
    if table.widths:
        _widths(grid, [Mm(167 * share / sum(table.widths)) for share in table.widths])
    for col, header in enumerate(table.headers):
        cell = grid.rows[0].cells[col]
        _run(cell.paragraphs[0], header, bold=True)
        _shade(cell)
    _repeat_header(grid.rows[0])
    for r, values in enumerate(table.rows, start=1):
        for col, value in enumerate(values):
            grid.rows[r].cells[col].paragraphs[0].add_run(_format(value, table.formats.get(col)))


def _widths(grid: Any, widths: Sequence[int]) -> None:
    """Column widths in the table grid (LibreOffice reads these) and in every cell (Word)."""
    grid.autofit = False
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for row in grid.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _repeat_header(row: Any) -> None:
    from docx.oxml import OxmlElement

    row._tr.get_or_add_trPr().append(OxmlElement("w:tblHeader"))


def _shade(cell: Any) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:fill"), "D9E1F2")
    cell._tc.get_or_add_tcPr().append(shading)


def _format(value: tables.Cell, fmt: str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and fmt == tables.PERCENT:
        return f"{value:.1%}"
    if isinstance(value, float) and fmt == tables.MONEY:
        return f"{value:,.2f}"
    if isinstance(value, float):
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    return str(value)


def _properties(doc: Any, stats: Statistics, title: str) -> None:
    props = doc.core_properties
    stamp = stats.as_of.astimezone(UTC).replace(tzinfo=None)
    props.author = props.last_modified_by = "qmsdoc"
    props.title = f"{title} {stats.period.label}"
    props.created = props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.comments = ""
