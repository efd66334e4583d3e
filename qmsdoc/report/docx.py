"""The statistics as a Word form, rendered from a template that a document controller owns
(built-in ``complaint-statistics.docx``; a repository's ``templates/`` overrides it): its
frame (page, fonts, header with company, form title, form number, period, 版次 and 页次
fields, footer with the copy status and retention) comes from the template, with its
``{{ … }}`` variables filled in; the tables and the charts go where it says
``{{ report.body }}``. Chinese text gets its East Asian font explicitly (``w:eastAsia``).
Deterministic: core properties from the statistics' time and fixed zip entry times.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from docx.enum.text import WD_ALIGN_PARAGRAPH

from ..config import Config
from ..doclang import Wording, marked
from ..errors import ConfigError
from ..i18n import TR_, _, tr
from ..render.frame import retention as retention_in
from ..render.templates import STATISTICS_VARIABLES
from ..render.wording import REPORT as REPORT_WORDS
from . import common, tables
from .common import form_title
from .package import normalized
from .stats import Labels, Statistics
from .tables import Table

LATIN, SONG, HEI = "Times New Roman", "宋体", "黑体"
CENTER = WD_ALIGN_PARAGRAPH.CENTER
CASE_COLUMNS = (0, 1, 2, 3, 7, 16, 15)  # of tables.CASE_HEADERS: a list that fits A4


BODY = "report.body"
_TAG = re.compile(r"\{\{\s*([A-Za-z_.]+)\s*\}\}")
RETENTION = Wording("保存期限", "Retention")
UNCONTROLLED = TR_("非受控 — 统计报表由 qmsdoc 根据 records/ 中的记录生成")


def variables(stats: Statistics, config: Config, form: Mapping[str, Any]) -> dict[str, str]:
    """What a statistics template may print (templates/README.md lists them)."""
    return frame_values(config, form, tr("客户抱怨异常处理统计表"), stats.period.title,
                        stats.as_of.strftime("%Y-%m-%d %H:%M"))


def frame_values(config: Config, form: Mapping[str, Any], default_title: str, period: str,
                 as_of: str) -> dict[str, str]:
    """The statistics template's variables but the body, in the report's language: the
    frame's labels from the forms' wording table (``form.label.*``), the company's and the
    form's English names, the retention in years; a Chinese text without English is marked
    ``[zh]`` in an English report."""
    lang = common.lang()
    labels = {f"form.label.{key}": wording(lang) for key, wording in REPORT_WORDS.items()}
    retention = retention_in(str(form.get("retention", "")), lang,
                             str(form.get("retention_en", "")))
    values = {
        "form.company.name": common.company(config),
        "form.company.name_en": str(config.company.get("name_en", "")),
        "form.title": marked(form_title(form, default_title), lang),
        "form.title_en": str(form.get("title_en", "")),
        "form.number": str(form.get("number", "")),
        "form.retention": retention,
        "form.retention_text": (labels["form.label.space"] + RETENTION(lang)
                                + labels["form.label.colon"] + retention if retention else ""),
        "form.copy": tr(UNCONTROLLED),
        "report.period": period,
        "report.as_of": as_of,
        **labels,
    }
    assert set(values) == set(STATISTICS_VARIABLES) - {BODY}
    return values


def document(stats: Statistics, config: Config, labels: Labels,
             charts: Sequence[tuple[str, bytes]], form: dict[str, Any],
             template: bytes, source: str) -> bytes:
    from docx import Document

    doc = Document(io.BytesIO(template))
    values = variables(stats, config, form)
    marker = _fill(doc, values, source)
    before = set(doc.element.body)
    _table(doc, tables.overview(stats))
    for caption, png in charts:
        _picture(doc, caption, png)
    for table in [*tables.counts(stats), *tables.costs(stats), tables.on_time(stats),
                  tables.open_cases(stats, config, labels), tables.repeats(stats, config),
                  tables.trend(stats)]:
        _table(doc, table)
    _table(doc, _narrow(tables.case_rows(stats, config, labels)))
    _move_before(doc, before, marker)
    return saved(doc, f"{values['form.title']} {stats.period.label}", stats.as_of)


def _paragraphs(doc: Any) -> list[Any]:
    """Every paragraph of the body, the headers and the footers, table cells included."""
    found: list[Any] = []

    def walk(container: Any) -> None:
        found.extend(container.paragraphs)
        for grid in container.tables:
            for row in grid.rows:
                for cell in row.cells:
                    walk(cell)

    walk(doc)
    for section in doc.sections:
        walk(section.header)
        walk(section.footer)
    return found


def _fill(doc: Any, values: Mapping[str, str], source: str) -> Any:
    """Fill the ``{{ variable }}`` tags; the paragraph that holds ``{{ report.body }}``."""
    marker = None
    unknown: list[str] = []
    for paragraph in _paragraphs(doc):
        text = paragraph.text
        if "{{" not in text:
            continue
        names = _TAG.findall(text)
        if BODY in names:
            marker = paragraph
            continue
        unknown += [n for n in names if n not in STATISTICS_VARIABLES and n not in unknown]
        def fill(found: re.Match[str]) -> str:
            return values.get(found.group(1), found.group(0))

        filled = _TAG.sub(fill, text)
        runs = [r for r in paragraph.runs if r.text]
        pieces = [_TAG.sub(fill, r.text) for r in runs]
        if "".join(pieces) == filled:  # each tag within one run: the runs keep their text
            for piece, each in zip(pieces, runs, strict=True):
                if piece != each.text:
                    each.text = piece
            continue
        runs[0].text = filled
        for extra in runs[1:]:
            extra.text = ""
    if unknown:
        raise ConfigError(_("{source}: unknown variable(s) {unknown} (known: {known})").format(
                              source=source, unknown=", ".join(unknown),
                              known=", ".join(STATISTICS_VARIABLES)))
    if marker is None:
        raise ConfigError(_("{source}: no {{{{ {body} }}}} paragraph: where do the tables go?")
                          .format(source=source, body=BODY))
    return marker


def _move_before(doc: Any, before: set[Any], marker: Any) -> None:
    """Move what was added to the body (not in ``before``) to the marker's place."""
    added = [el for el in doc.element.body if el not in before]
    for element in added:
        marker._p.addprevious(element)
    marker._p.getparent().remove(marker._p)


def _narrow(table: Table) -> Table:
    rows = [[row[i] for i in CASE_COLUMNS] for row in table.rows]
    formats = {CASE_COLUMNS.index(c): f for c, f in table.formats.items() if c in CASE_COLUMNS}
    return Table(table.title, [table.headers[i] for i in CASE_COLUMNS], rows, formats,
                 common.widths((15, 11, 17, 31, 8, 8, 10), (14, 13, 15, 22, 10, 15, 11)))


def fonts(doc: Any) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    normal = doc.styles["Normal"]
    normal.font.name = LATIN
    normal.font.size = Pt(10)
    fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), SONG)


def run(paragraph: Any, text: str, *, bold: bool = False, size: float | None = None,
         font: str | None = None) -> Any:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    added = paragraph.add_run(text)
    added.bold = bold
    if size:
        added.font.size = Pt(size)
    if font:
        added.font.name = LATIN
        added._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), font)
    return added


def field(paragraph: Any, code: str) -> None:
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


def _picture(doc: Any, caption: str, png: bytes) -> None:
    from docx.shared import Mm

    doc.add_picture(io.BytesIO(png), width=Mm(160))
    doc.paragraphs[-1].alignment = CENTER
    label = doc.add_paragraph()
    label.alignment = CENTER
    run(label, caption, size=9)


def _table(doc: Any, table: Table) -> None:
    from docx.shared import Mm, Pt

    title = doc.add_paragraph()
    title.paragraph_format.space_before = Pt(10)
    title.paragraph_format.keep_with_next = True
    run(title, table.title, bold=True, font=HEI)
    if not table.rows:
        doc.add_paragraph(tr("(无)"))
        return
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.headers))
    grid.style = "Table Grid"
    if table.widths:
        widths(grid, [Mm(167 * share / sum(table.widths)) for share in table.widths])
    for col, header in enumerate(table.headers):
        cell = grid.rows[0].cells[col]
        run(cell.paragraphs[0], header, bold=True)
        _shade(cell)
    _repeat_header(grid.rows[0])
    for r, values in enumerate(table.rows, start=1):
        for col, value in enumerate(values):
            grid.rows[r].cells[col].paragraphs[0].add_run(_format(value, table.formats.get(col)))


def widths(grid: Any, sizes: Sequence[int]) -> None:
    """Column widths in the table grid (LibreOffice reads these) and in every cell (Word)."""
    grid.autofit = False
    for column, width in zip(grid.columns, sizes, strict=True):
        column.width = width
    for row in grid.rows:
        for cell, width in zip(row.cells, sizes, strict=True):
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


def saved(doc: Any, title: str, as_of: datetime) -> bytes:
    """The document's bytes, the same for the same content: core properties from ``title``
    and ``as_of`` (not the clock), the package normalised."""
    props = doc.core_properties
    stamp = as_of.astimezone(UTC).replace(tzinfo=None)
    props.author = props.last_modified_by = "qmsdoc"
    props.title = title
    props.created = props.modified = stamp
    props.last_printed = stamp
    props.revision = 1
    props.comments = ""
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalized(buffer.getvalue())
