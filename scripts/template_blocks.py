"""Blocks every default form shares: the controlled-document frame (header with 页次 fields,
footer with 受控/非受控 and the commit and blob ids, signature block, 修订履历) and the
attachment, evidence and list tables. Used by build_templates.py.
"""

from __future__ import annotations

from templatekit import (
    C,
    Cell,
    Form,
    L,
    Row,
    V,
    X,
    field,
    head_row,
    out,
    para,
    run,
    table_xml,
    tag_row,
    title_row,
)

# --- the controlled-document frame --------------------------------------------------------

def FL(frame: str, key: str) -> Cell:  # noqa: N802 - a cell maker like L, V, C
    """A label cell printing the frame's label ``key`` (``form.label.number``)."""
    return Cell(out(f"{frame}.label.{key}"), 1, "label")


def header(frame: str = "form", width: float = 170, pages: str = "NUMPAGES") -> list[str]:
    """Company, title, and the information row: form number, record id, 版次 with the copy's
    status, 页次 (``pages``: NUMPAGES, or SECTIONPAGES when a file holds several forms);
    below it the stamp of a copy that is not in force (草稿 / 作废 / 非受控)."""
    f = frame
    page = (para(run(out(f"{f}.label.page_before")) + field("PAGE")
                 + run(out(f"{f}.label.page_between")) + field(pages)
                 + run(out(f"{f}.label.page_after")), align="center"))
    widths = [16, 28, 16, 28, 10, 30, 10, 32]
    info = table_xml([w * width / sum(widths) for w in widths], [Row([
        FL(f, "number"), C(f"{f}.number"), FL(f, "record_id"), C(f"{f}.record_id"),
        FL(f, "revision"), C(f"{f}.revision"), FL(f, "pages"), Cell(page, 1, "raw")])])
    box = ('<w:pBdr>' + "".join(f'<w:{side} w:val="double" w:sz="6" w:space="1" '
                                'w:color="000000"/>' for side in ("top", "left", "bottom",
                                                                   "right"))
           + "</w:pBdr>")
    stamp = para(run(out(f + ".stamp"), bold=True, size=28, hei=True), align="center",
                 before=40).replace("<w:pPr>", f"<w:pPr>{box}", 1)
    return [
        para(run(out(f + ".company.name"), bold=True, size=26, hei=True), align="center"),
        para(run(out(f + ".company.name_en"), size=14), align="center"),
        para(run(out(f + ".title"), bold=True, size=32, hei=True), align="center",
             before=40, after=20),
        para(run(out(f + ".title_en"), size=15), align="center", after=40),
        info,
        para(run("{%p if " + f + ".stamp %}")), stamp, para(run("{%p endif %}")),
        para(size=6),
    ]


def footer(frame: str = "form") -> list[str]:
    """Status, retention, print date; the revision's commit and blob; the template."""
    f = frame
    top = ('<w:pBdr><w:top w:val="single" w:sz="4" w:space="1" w:color="000000"/></w:pBdr>')
    first = para(run(out(f + ".copy"), bold=True, size=16)
                 + run("    " + out(f + ".label.retention") + " " + out(f + ".retention"),
                       size=16)
                 + run("    " + out(f + ".number"), size=16), align="center")
    first = first.replace("<w:pPr>", f"<w:pPr>{top}", 1)
    second = para(run(out(f + ".label.printed") + " " + out(f + ".printed") + " · "
                      + out(f + ".record_id") + " " + out(f + ".label.letter") + " "
                      + out(f + ".letter") + " · commit " + out(f + ".commit")
                      + " · blob " + out(f + ".blob"), size=13, color="404040"),
                  align="center")
    third = para(run(out(f + ".label.template") + " " + out(f + ".template") + " · blob "
                     + out(f + ".template_blob"), size=13, color="404040"), align="center")
    notes = para(run(out(f + ".notes"), size=13, color="404040"), align="center")
    return [first, second, third, para(run("{%p if " + f + ".notes %}")), notes,
            para(run("{%p endif %}"))]


def signatures(form: Form, frame: str = "form") -> None:
    """编制/审核/批准 with the evidence of each signature (name, position, department,
    date-time with its offset, meaning, approval commit, signed or not); kept together and
    with the revision table."""
    s = f"{frame}.signatures"
    roles = ("prepared", "reviewed", "approved")

    def row(key: str) -> Row:
        return Row([FL(frame, key)] + [C(f"{s}.{role}.{key}") for role in roles], keep=True,
                   height=6)

    form.table([30, 47, 47, 46], [
        Row([Cell(out(f"{frame}.label.signatures"), 99, "title")], header=True, keep=True),
        Row([Cell("", 1, "head")] + [Cell(out(f"{frame}.label.{role}"), 1, "head")
                                     for role in roles], keep=True),
        row("name"),
        row("position"),
        row("department"),
        row("at"),
        row("meaning"),
        row("commit"),
        Row([FL(frame, "signed")]
            + [X(out(f"{s}.{r}.signed") + " " + out(f"{s}.{r}.status"), style="center")
               for r in roles], keep=True),
        tag_row(f"if {frame}.draft"),
        Row([X(out(frame + ".draft_mark"), 4, "center")], keep=True),
        tag_row("endif"),
    ])


def revisions(form: Form, frame: str = "form") -> None:
    form.table([16, 20, 62, 24, 24, 24], [
        Row([Cell(out(f"{frame}.label.revisions"), 99, "title")], header=True, keep=True),
        head_row(*(out(f"{frame}.label.rev_{k}") for k in ("letter", "date", "summary",
                                                             "prepared", "reviewed",
                                                             "approved"))),
        tag_row(f"for v in {frame}.revisions"),
        Row([C("v.letter"), C("v.date"), V("v.summary"), C("v.prepared"), C("v.reviewed"),
             C("v.approved")], keep=True),
        tag_row("endfor"),
        tag_row(f"if not {frame}.revisions"),
        Row([X("—", 6, "center")]),
        tag_row("endif"),
    ], gap=False)


# --- shared blocks ---------------------------------------------------------------------------

def attachments(form: Form, expr: str, title: str = "附件", en: str = "Attachments",
                optional: bool = False) -> None:
    """The attachment list with the photos below it; ``optional``: only when there are any."""
    if optional:
        form.paragraph(para(run("{%p if " + expr + " %}")))
    form.table([12, 66, 20, 72], [
        title_row(title, en),
        head_row("序号", "说明", "类别", "文件"),
        tag_row(f"for a in {expr}"),
        Row([C("loop.index"), V("a.caption"), C("a.type"), V("a.path")]),
        tag_row("endfor"),
        tag_row(f"if not {expr}"),
        Row([X(out("label['无']"), 4, "center")]),
        tag_row("endif"),
        tag_row(f"for a in photos({expr})"),
        Row([X("{{ image(a, 120, 80) }}\n{{ label['图'] }}{{ loop.index }}  {{ a.caption }}", 4,
               "photo")]),
        tag_row("endfor"),
    ])
    if optional:
        form.paragraph(para(run("{%p endif %}")))


def evidence(expr: str) -> str:
    """Cell text listing attachments, with their pictures; never leaves the cell empty."""
    return "\n".join([
        "{%p for a in " + expr + " %}",
        "{{ loop.index }}. {% if a.type %}[{{ a.type }}] {% endif %}{{ a.caption }}"
        "{{ label['（'] }}{{ a.path }}{{ label['）'] }}",
        "{%p endfor %}",
        "{%p if not " + expr + " %}",
        "—",
        "{%p endif %}",
        "{%p for a in photos(" + expr + ") %}",
        "{{ image(a, 70, 50) }}",
        "{{ a.caption }}",
        "{%p endfor %}",
    ])


def loop_table(form: Form, title: tuple[str, str], widths: list[float], heads: list[str],
               var: str, expr: str, cells: list[Cell], keep: bool = False) -> None:
    """A titled table with one row per list item, and a dash row when the list is empty;
    ``keep``: every row kept with the next (the table stays with what follows it)."""
    form.table(widths, [
        title_row(*title),
        head_row(*heads),
        tag_row(f"for {var} in {expr}"),
        Row(cells, keep=keep),
        tag_row("endfor"),
        tag_row(f"if not {expr}"),
        Row([X("—", len(widths), "center")], keep=keep),
        tag_row("endif"),
    ])


def wide(form: Form, path: str, expr: str | None = None) -> Row:
    """A label cell and a value cell over the rest of an eight-column row."""
    return Row([L(form.title(path)), V(expr or f"r.{path}", 7)])


def boxes(form: Form, path: str) -> Row:
    return Row([L(form.title(path)), V(f"r.{path}.boxes", 7)])


def step_head(form: Form, key: str, zh: str, en: str) -> list[Row]:
    return [
        title_row(f"{key.upper()} {zh}", en),
        Row([L(form.title(f"{key}.owner")), V(f"r.{key}.owner"), L(form.title(f"{key}.due")),
             V(f"r.{key}.due"), L(form.title(f"{key}.completed")), V(f"r.{key}.completed", 3)]),
    ]


def frame(form: Form, name: str = "form", pages: str = "NUMPAGES") -> None:
    section = form.doc.sections[-1]
    form.fill(section.header, header(name, form.width, pages))
    form.fill(section.footer, footer(name))


def exceptions(form: Form) -> None:
    """期限豁免: deadline clocks the record states do not apply, and why (003 QP-12 §6.1.8)."""
    loop_table(form, ("期限豁免", "Deadline exceptions"), [34, 34, 62, 20, 20],
               [form.title("deadline_exceptions.[].rule"),
                form.title("deadline_exceptions.[].item"),
                form.title("deadline_exceptions.[].reason"),
                form.title("deadline_exceptions.[].approved_by"),
                form.title("deadline_exceptions.[].date")],
               "x", "r.deadline_exceptions",
               [C("x.rule"), C("x.item"), V("x.reason"), C("x.approved_by"), C("x.date")],
               keep=True)  # the last section before the signatures: kept with them
