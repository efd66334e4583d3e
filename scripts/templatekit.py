"""Layout kit for the default form templates (used by build_templates.py).

Forms are bordered tables of labelled cells, written as WordprocessingML into a python-docx
document; the package is then reduced to what a form needs (a small styles part with the
East Asian font set, a font table that names SimSun/SimHei, no theme, no thumbnail) and
written with fixed zip times so the built templates are reproducible and reviewable.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.oxml import parse_xml
from docx.shared import Mm

from qmsdoc.doclang import has_cjk
from qmsdoc.render.formwords import WORDS
from qmsdoc.schema import resolve

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
NS = f'xmlns:w="{W_NS}"'
TWIPS_PER_MM = 56.6929
LATIN, SONG, HEI = "Times New Roman", "SimSun", "SimHei"  # 宋体, 黑体
SIZE = 18  # half-points: 9 pt (小五) for form text
LABEL_FILL, TITLE_FILL = "F2F2F2", "D9D9D9"
A4 = (210, 297)
MARGINS = {"top": 15, "bottom": 14, "left": 25, "right": 15, "header": 8, "footer": 7}


def out(expr: str) -> str:
    """The Jinja2 tag printing ``expr``."""
    return "{{ " + expr + " }}"


def tw(mm: float) -> int:
    return round(mm * TWIPS_PER_MM)


def esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# --- runs and paragraphs ---------------------------------------------------------------

def run(text: str, *, bold: bool = False, size: int | None = None, hei: bool = False,
        color: str | None = None) -> str:
    props = ""
    if hei:
        props += f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{HEI}"/>'
    if bold:
        props += "<w:b/><w:bCs/>"
    if color:
        props += f'<w:color w:val="{color}"/>'
    if size:
        props += f'<w:sz w:val="{size}"/><w:szCs w:val="{size}"/>'
    rpr = f"<w:rPr>{props}</w:rPr>" if props else ""
    return f'<w:r>{rpr}<w:t xml:space="preserve">{esc(text)}</w:t></w:r>'


def field(code: str, placeholder: str = "1", *, size: int | None = None) -> str:
    """A Word field (PAGE, NUMPAGES, SECTIONPAGES) that Word and LibreOffice compute."""
    rpr = f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>' if size else ""
    return (f'<w:r>{rpr}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{rpr}<w:instrText xml:space="preserve"> {code} </w:instrText></w:r>'
            f'<w:r>{rpr}<w:fldChar w:fldCharType="separate"/></w:r>'
            f"<w:r>{rpr}<w:t>{placeholder}</w:t></w:r>"
            f'<w:r>{rpr}<w:fldChar w:fldCharType="end"/></w:r>')


def para(content: str = "", *, align: str | None = None, keep_next: bool = False,
         before: int = 0, after: int = 0, size: int | None = None) -> str:
    ppr = ""
    if keep_next:
        ppr += "<w:keepNext/>"
    ppr += f'<w:spacing w:before="{before}" w:after="{after}"/>'
    if align:
        ppr += f'<w:jc w:val="{align}"/>'
    if size:
        ppr += f'<w:rPr><w:sz w:val="{size}"/><w:szCs w:val="{size}"/></w:rPr>'
    return f"<w:p><w:pPr>{ppr}</w:pPr>{content}</w:p>"


def lines(text: str, *, bold: bool = False, align: str | None = None, size: int | None = None,
          keep_next: bool = False, hei: bool = False) -> str:
    """One paragraph per line of ``text`` (Jinja tags are text like any other)."""
    return "".join(para(run(line, bold=bold, size=size, hei=hei) if line else "", align=align,
                        keep_next=keep_next, size=size)
                   for line in text.split("\n"))


# --- cells, rows, tables ---------------------------------------------------------------

@dataclass(frozen=True)
class Cell:
    text: str
    span: int = 1
    style: str = "value"  # value, label, head, title, center, tag, photo, small, raw
    vmerge: str = ""  # "restart" on the first of vertically merged cells, "continue" below


def L(text: str, span: int = 1) -> Cell:
    """A label cell (shaded, bold, centred)."""
    return Cell(text, span, "label")


def V(expr: str, span: int = 1) -> Cell:
    """A value cell printing the Jinja2 expression ``expr``."""
    return Cell(out(expr), span, "value")


def X(text: str, span: int = 1, style: str = "value") -> Cell:
    """A cell with literal text and tags, one paragraph per line."""
    return Cell(text, span, style)


def C(expr: str, span: int = 1) -> Cell:
    """A centred value cell."""
    return Cell(out(expr), span, "center")


@dataclass(frozen=True)
class Row:
    cells: Sequence[Cell]
    header: bool = False  # repeated on each page
    keep: bool = False  # keep with the next row
    height: float = 0  # minimum height, mm


def tag_row(tag: str) -> Row:
    """A docxtpl row tag (``{%tr for x in xs %}``): the whole row is replaced by the tag."""
    return Row([Cell("{%tr " + tag + " %}", 99, "tag")])


def title_row(text: str, en: str = "") -> Row:
    """A table's title: the form's wording ``text`` (whose Chinese form shows ``en`` too)."""
    return Row([Cell(word(text, f"{text}  {en}" if en else text), 99, "title")], header=True,
               keep=True)


def head_row(*labels: str) -> Row:
    return Row([Cell(label, 1, "head") for label in labels], header=True, keep=True)


# --- labels: data of the form's language, never literal text -----------------------------

MISSING: list[str] = []
_ONE_TAG = re.compile(r"^\{\{ (.+) \}\}$")


def word(text: str, shown: str = "") -> str:
    """The tag printing the form's own wording ``text`` (qmsdoc/render/formwords.py) in the
    form's language; ``shown``: what the Chinese form prints (checked)."""
    wording = WORDS.get(text)
    if wording is None:
        MISSING.append(text)
    elif shown and wording.zh != shown:
        MISSING.append(f"{text}: prints {wording.zh!r}, not {shown!r}")
    return out(f"label[{text!r}]")


def has_cjk_text(text: str) -> bool:
    """Whether ``text`` has Chinese outside its Jinja2 tags (a label that is not data)."""
    return has_cjk(re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", text))


def label_line(line: str, width: int) -> str:
    """A label cell's line: the form's wording or a label tag, fitted into the cell."""
    if line and "{" not in line and has_cjk(line):
        line = word(line)
    match = _ONE_TAG.match(line)
    if match is None:
        return line
    return out(f"{match[1]}|fit({width / TWIPS_PER_MM:.1f})")


def _cell_xml(cell: Cell, width: int, keep: bool) -> str:
    fill = {"label": LABEL_FILL, "head": LABEL_FILL, "title": TITLE_FILL}.get(cell.style)
    props = f'<w:tcW w:w="{width}" w:type="dxa"/>'
    if cell.span > 1:
        props += f'<w:gridSpan w:val="{cell.span}"/>'
    if cell.vmerge:
        props += ('<w:vMerge w:val="restart"/>' if cell.vmerge == "restart" else "<w:vMerge/>")
    if fill:
        props += f'<w:shd w:val="clear" w:color="auto" w:fill="{fill}"/>'
    props += '<w:vAlign w:val="center"/>'
    if cell.style == "raw":
        body = cell.text
    elif cell.style in ("label", "head"):
        text = "\n".join(label_line(line, width) for line in cell.text.split("\n"))
        body = lines(text, bold=True, align="center", keep_next=keep)
    elif cell.style == "title":
        body = lines(cell.text, bold=True, size=21, keep_next=True, hei=True)
    elif cell.style in ("center", "photo"):
        body = lines(cell.text, align="center", keep_next=keep)
    elif cell.style == "small":
        body = lines(cell.text, size=15, keep_next=keep)
    else:
        body = lines(cell.text, keep_next=keep)
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{body}</w:tc>"


def _row_xml(row: Row, widths: Sequence[int]) -> str:
    cells, col = [], 0
    for cell in row.cells:
        span = min(cell.span, len(widths) - col)
        cells.append(_cell_xml(Cell(cell.text, span, cell.style, cell.vmerge),
                               sum(widths[col:col + span]), row.keep))
        col += span
    if col != len(widths):
        raise ValueError(f"row spans {col} of {len(widths)} columns: {row.cells}")
    props = "<w:cantSplit/>"  # a row never breaks across pages
    if row.header:
        props += "<w:tblHeader/>"
    if row.height:
        props += f'<w:trHeight w:val="{tw(row.height)}"/>'
    return f"<w:tr><w:trPr>{props}</w:trPr>{''.join(cells)}</w:tr>"


def table_xml(widths_mm: Sequence[float], rows: Iterable[Row], *, borders: bool = True) -> str:
    widths = [tw(w) for w in widths_mm]
    line = '<w:{0} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
    border = "".join(line.format(side) for side in
                     ("top", "left", "bottom", "right", "insideH", "insideV"))
    props = (f'<w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
             + (f"<w:tblBorders>{border}</w:tblBorders>" if borders else "")
             + '<w:tblLayout w:type="fixed"/>'
             '<w:tblCellMar><w:top w:w="17" w:type="dxa"/><w:left w:w="68" w:type="dxa"/>'
             '<w:bottom w:w="17" w:type="dxa"/><w:right w:w="68" w:type="dxa"/></w:tblCellMar>'
             '<w:tblLook w:val="0000"/>')
    grid = "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
    body = "".join(_row_xml(r, widths) for r in rows)
    return f"<w:tbl {NS}><w:tblPr>{props}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{body}</w:tbl>"


# --- the document ------------------------------------------------------------------------

class Form:
    """A form template under construction."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.doc = docx.Document()
        body = self.doc.element.body
        for child in list(body):
            if not child.tag.endswith("sectPr"):
                body.remove(child)
        self.width = A4[0] - MARGINS["left"] - MARGINS["right"]
        self._page(self.doc.sections[0], landscape=False)

    def title(self, path: str) -> str:
        """The tag printing the label of a field in the form's language (the schema's
        ``title`` / ``x-title-en``): ``product.part_no`` → ``{{ label['product.part_no'] }}``."""
        node: dict[str, Any] = self.schema
        for part in path.split("."):
            node, _ = resolve(self.schema, node)
            if part == "[]":
                node = node.get("items", {})
                continue
            node = node.get("properties", {}).get(part)
            if node is None:
                raise KeyError(f"no field {path}")
        return out(f"label[{path.replace('.[]', '[]')!r}]")

    def add(self, xml: str) -> None:
        element = parse_xml(xml if "xmlns:w=" in xml.split(">", 1)[0] else
                            xml.replace("<w:p>", f"<w:p {NS}>", 1))
        self.doc.element.body.insert(len(self.doc.element.body) - 1, element)

    def table(self, widths: Sequence[float], rows: Iterable[Row], gap: bool = True) -> None:
        """A table, and a small gap after it; when its last row is kept with what follows,
        so is the gap (an empty paragraph would otherwise end the chain)."""
        rows = list(rows)
        scale = self.width / sum(widths)
        self.add(table_xml([w * scale for w in widths], rows))
        last = next((r for r in reversed(rows) if r.cells and r.cells[0].style != "tag"), None)
        if gap:
            self.add(para(size=8, keep_next=bool(last and last.keep)))

    def paragraph(self, xml: str) -> None:
        self.add(xml)

    def landscape(self) -> None:
        """Turn the current (last) section to A4 landscape."""
        self._page(self.doc.sections[-1], landscape=True)

    def new_section(self, *, landscape: bool, restart: bool = False) -> Any:
        """A new page section; with ``restart`` its page numbers start again at 1 (a second
        form in the same file, whose header counts SECTIONPAGES)."""
        section = self.doc.add_section(WD_SECTION.NEW_PAGE)
        self._page(section, landscape=landscape)
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        if restart:
            sect = section._sectPr
            number = parse_xml(f'<w:pgNumType {NS} w:start="1"/>')
            anchor = sect.find(f"{{{W_NS}}}pgMar")
            (anchor.addnext if anchor is not None else sect.append)(number)
        return section

    def _page(self, section: Any, *, landscape: bool) -> None:
        width, height = (A4[1], A4[0]) if landscape else A4
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = Mm(width), Mm(height)
        section.top_margin, section.bottom_margin = Mm(MARGINS["top"]), Mm(MARGINS["bottom"])
        section.left_margin, section.right_margin = Mm(MARGINS["left"]), Mm(MARGINS["right"])
        section.header_distance = Mm(MARGINS["header"])
        section.footer_distance = Mm(MARGINS["footer"])
        section.gutter = Mm(0)
        self.width = width - MARGINS["left"] - MARGINS["right"]

    def fill(self, part: Any, xml_blocks: Sequence[str]) -> None:
        """Replace a header's or footer's content."""
        element = part._element
        for child in list(element):
            element.remove(child)
        for xml in xml_blocks:
            element.append(parse_xml(xml if xml.startswith("<w:tbl") else
                                     xml.replace("<w:p>", f"<w:p {NS}>", 1)))

    def save(self, path: Path, title: str) -> None:
        parts = [self.doc.element] + [p._element for s in self.doc.sections
                                      for p in (s.header, s.footer)]
        for part in parts:
            text = "".join(t.text or "" for t in part.iter(f"{{{W_NS}}}t"))
            if has_cjk_text(text):
                left = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "|", text).split("|")
                found = sorted({t for t in left if has_cjk(t)})
                MISSING.append(f"{path.name}: literal text, not a label: {found}")
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(package(buffer.getvalue(), title))


# --- the package -------------------------------------------------------------------------

REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
KEEP = re.compile(r"^word/(document|header\d+|footer\d+)\.xml$")


def package(data: bytes, title: str) -> bytes:
    """The python-docx package reduced to what a form needs, with fixed zip times."""
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        parts = {n: z.read(n) for n in z.namelist() if KEEP.match(n)}
        rels = z.read("word/_rels/document.xml.rels").decode()
    kept = re.findall(r'<Relationship [^>]*Type="[^"]*/(?:header|footer)"[^>]*/>', rels)
    doc_rels = (f'<Relationship Id="rIdStyles" Type="{REL}/styles" Target="styles.xml"/>'
                f'<Relationship Id="rIdSettings" Type="{REL}/settings" Target="settings.xml"/>'
                f'<Relationship Id="rIdFonts" Type="{REL}/fontTable" Target="fontTable.xml"/>'
                + "".join(kept))
    overrides = "".join(
        f'<Override PartName="/{name}" ContentType="application/vnd.openxmlformats-'
        f'officedocument.wordprocessingml.{name[5:-4].rstrip("0123456789")}+xml"/>'
        for name in sorted(parts) if not name.endswith("document.xml"))
    members = {
        "[Content_Types].xml": content_types(overrides),
        "_rels/.rels": root_rels(),
        "docProps/app.xml": app_xml(),
        "docProps/core.xml": core_xml(title),
        "word/document.xml": parts["word/document.xml"].decode(),
        "word/_rels/document.xml.rels": _rels(doc_rels),
        "word/styles.xml": styles_xml(),
        "word/settings.xml": settings_xml(),
        "word/fontTable.xml": fonts_xml(),
    }
    for name in sorted(parts):
        if name != "word/document.xml":
            members[name] = parts[name].decode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, (1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    return out.getvalue()


def _rels(body: str) -> str:
    return ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f"{body}</Relationships>")



XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
PKG_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"


def content_types(overrides: str) -> str:
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml"
    package = "application/vnd.openxmlformats-package"
    return (f"{XML_HEAD}<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/"
            'content-types">'
            f'<Default Extension="rels" ContentType="{package}.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Default Extension="png" ContentType="image/png"/>'
            '<Default Extension="jpeg" ContentType="image/jpeg"/>'
            f'<Override PartName="/word/document.xml" ContentType="{main}.document.main+xml"/>'
            f'<Override PartName="/word/styles.xml" ContentType="{main}.styles+xml"/>'
            f'<Override PartName="/word/settings.xml" ContentType="{main}.settings+xml"/>'
            f'<Override PartName="/word/fontTable.xml" ContentType="{main}.fontTable+xml"/>'
            f"{overrides}"
            f'<Override PartName="/docProps/core.xml" ContentType="{package}.core-properties+xml"/>'
            '<Override PartName="/docProps/app.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.extended-properties+xml"/>'
            "</Types>")


def root_rels() -> str:
    return (f'{XML_HEAD}<Relationships xmlns="{PKG_RELS}">'
            f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="word/document.xml"/>'
            '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/'
            'relationships/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>")


def app_xml() -> str:
    return (f"{XML_HEAD}<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/"
            'extended-properties"><Application>qmsdoc</Application><DocSecurity>0</DocSecurity>'
            "</Properties>")


def core_xml(title: str) -> str:
    return (f"{XML_HEAD}<cp:coreProperties xmlns:cp=\"http://schemas.openxmlformats.org/package/"
            '2006/metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f"<dc:title>{esc(title)}</dc:title><dc:creator>qmsdoc</dc:creator>"
            "</cp:coreProperties>")


def settings_xml() -> str:
    return (f"{XML_HEAD}<w:settings {NS}><w:zoom w:percent=\"100\"/>"
            '<w:defaultTabStop w:val="420"/>'
            '<w:characterSpacingControl w:val="compressPunctuation"/>'
            '<w:compat><w:compatSetting w:name="compatibilityMode" '
            'w:uri="http://schemas.microsoft.com/office/word" w:val="15"/></w:compat>'
            '<w:themeFontLang w:val="en-US" w:eastAsia="zh-CN"/></w:settings>')


def fonts_xml() -> str:
    return (f"{XML_HEAD}<w:fonts {NS}>"
            f'<w:font w:name="{SONG}"><w:altName w:val="宋体"/>'
            '<w:panose1 w:val="02010600030101010101"/><w:charset w:val="86"/>'
            '<w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
            f'<w:font w:name="{HEI}"><w:altName w:val="黑体"/>'
            '<w:panose1 w:val="02010609060101010101"/><w:charset w:val="86"/>'
            '<w:family w:val="modern"/><w:pitch w:val="fixed"/></w:font>'
            f'<w:font w:name="{LATIN}"><w:panose1 w:val="02020603050405020304"/>'
            '<w:charset w:val="00"/><w:family w:val="roman"/><w:pitch w:val="variable"/></w:font>'
            "</w:fonts>")


def styles_xml() -> str:
    """Only the styles a form uses. Change the Normal style in Word to change every font."""
    fonts = (f'<w:rFonts w:ascii="{LATIN}" w:hAnsi="{LATIN}" w:eastAsia="{SONG}" '
             f'w:cs="{LATIN}"/>')
    return (f"{XML_HEAD}<w:styles {NS}><w:docDefaults><w:rPrDefault><w:rPr>{fonts}"
            f'<w:sz w:val="{SIZE}"/><w:szCs w:val="{SIZE}"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN" w:bidi="ar-SA"/></w:rPr></w:rPrDefault>'
            '<w:pPrDefault><w:pPr><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault></w:docDefaults>"
            '<w:style w:type="paragraph" w:default="1" w:styleId="Normal"><w:name w:val="Normal"/>'
            f"<w:qFormat/><w:pPr><w:widowControl w:val=\"0\"/></w:pPr><w:rPr>{fonts}"
            f'<w:sz w:val="{SIZE}"/><w:szCs w:val="{SIZE}"/>'
            '<w:lang w:val="en-US" w:eastAsia="zh-CN"/>'
            "</w:rPr></w:style>"
            '<w:style w:type="character" w:default="1" w:styleId="DefaultParagraphFont">'
            '<w:name w:val="Default Paragraph Font"/><w:uiPriority w:val="1"/><w:semiHidden/>'
            "</w:style>"
            '<w:style w:type="table" w:default="1" w:styleId="TableNormal">'
            '<w:name w:val="Normal Table"/><w:semiHidden/><w:tblPr><w:tblInd w:w="0" w:type="dxa"/>'
            '<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/>'
            '<w:bottom w:w="0" w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>'
            "</w:tblPr></w:style>"
            '<w:style w:type="numbering" w:default="1" w:styleId="NoList"><w:name w:val="No List"/>'
            "<w:semiHidden/></w:style>"
            '<w:style w:type="paragraph" w:styleId="Header"><w:name w:val="header"/>'
            '<w:basedOn w:val="Normal"/></w:style>'
            '<w:style w:type="paragraph" w:styleId="Footer"><w:name w:val="footer"/>'
            '<w:basedOn w:val="Normal"/></w:style>'
            "</w:styles>")
