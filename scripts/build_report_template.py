"""Build qmsdoc/builtin/templates/complaint-statistics.docx: the controlled frame of the
statistics report (page, fonts, header with company, form title and number, period, revision
and page fields; footer with the copy status, retention and cut-off; every label a
``form.label.*`` variable, so the report prints it in its language) and the place where the
tables and charts go (``{{ report.body }}``). A document controller edits the result in
Word; this script only makes the first draft.

Usage: python scripts/build_report_template.py
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from docx import Document  # noqa: E402
from docx.shared import Mm  # noqa: E402

from qmsdoc.report.docx import CENTER, HEI, field, fonts, run, widths  # noqa: E402
from qmsdoc.report.package import normalized  # noqa: E402

TARGET = ROOT / "qmsdoc" / "builtin" / "templates" / "complaint-statistics.docx"


def build() -> bytes:
    doc = Document()
    fonts(doc)
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin, section.right_margin = Mm(25), Mm(18)
    section.top_margin, section.bottom_margin = Mm(30), Mm(20)
    header = section.header
    first = header.paragraphs[0]
    first.alignment = CENTER
    run(first, "{{ form.company.name }}", bold=True, size=14, font=HEI)
    width = section.page_width - section.left_margin - section.right_margin
    grid = header.add_table(rows=1, cols=5, width=width)
    grid.style = "Table Grid"
    cells = grid.rows[0].cells
    widths(grid, [int(width * share / 100) for share in (32, 20, 20, 10, 18)])
    run(cells[0].paragraphs[0], "{{ form.title }}", bold=True)
    run(cells[1].paragraphs[0], "{{ form.label.number }}{{ form.label.colon }}{{ form.number }}")
    run(cells[2].paragraphs[0], "{{ form.label.period }}{{ form.label.colon }}{{ report.period }}")
    run(cells[3].paragraphs[0], "{{ form.label.revision }}{{ form.label.colon }}—")
    page = cells[4].paragraphs[0]
    run(page, "{{ form.label.pages }}{{ form.label.colon }}")
    field(page, "PAGE")
    run(page, " / ")
    field(page, "NUMPAGES")
    footer = section.footer.paragraphs[0]
    footer.alignment = CENTER
    run(footer, "{{ form.copy }}{{ form.retention_text }}{{ form.label.space }}"
        "{{ form.label.as_of }}{{ form.label.colon }}{{ report.as_of }}", size=8)
    heading = doc.paragraphs[0] if doc.paragraphs else doc.add_paragraph()
    heading.alignment = CENTER
    run(heading, "{{ form.title }}{{ form.label.open }}{{ report.period }}"
        "{{ form.label.close }}", bold=True, size=16, font=HEI)
    doc.add_paragraph("{{ report.body }}")
    buffer = io.BytesIO()
    doc.save(buffer)
    return normalized(buffer.getvalue())


if __name__ == "__main__":
    TARGET.write_bytes(build())
    print(TARGET.relative_to(ROOT))
