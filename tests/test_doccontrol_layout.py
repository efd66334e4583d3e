"""Issue 11 on the demo: every sample form rendered from the example history (real git),
its layout checked in the .docx and, where LibreOffice is installed, in the PDF text —
no date, label or short value broken across lines, rows that never split, header rows
that repeat, each form of a file numbering its own pages, the signature block kept with
the last section, attachments listed where they are shown; and the status of the 8D
report as a draft, its release in force, and that release superseded."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Result
from lxml import etree  # type: ignore[import-untyped]

from qmsdoc.cli import main
from qmsdoc.scaffold import example

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
LABEL_FILL = "F2F2F2"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?: \d{2}:\d{2}(?: \+\d{2}:\d{2})?)?")
FORMS = ["CC-2026-0001", "CC-2026-0002", "CC-2026-0003", "8D-2026-0001", "CR-2026-0001",
         "CR-2026-0002", "CSR-HXAUTO", "CSR-LDEV"]
DocxText = Callable[[Path], str]


def cli(repo: Path, *args: str, who: str = "sun.li",
        at: str = "2026-11-21T09:00:00+08:00") -> tuple[int, str]:
    names = {"sun.li": "孙立", "wang.fang": "王芳"}
    env = {"GIT_AUTHOR_NAME": names[who], "GIT_COMMITTER_NAME": names[who],
           "GIT_AUTHOR_EMAIL": f"{who}@mingyuan.example",
           "GIT_COMMITTER_EMAIL": f"{who}@mingyuan.example",
           "GIT_AUTHOR_DATE": at, "GIT_COMMITTER_DATE": at}
    result = CliRunner(env=env).invoke(main, ["--repo", str(repo), *args],
                                       catch_exceptions=False)
    return result.exit_code, result.stdout + result.stderr


def demo_repo(root: Path) -> Path:
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    root.mkdir(parents=True)
    example.demo_repository(root)
    return root


@pytest.fixture(scope="module")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every sample form of the demo, as .docx (and .pdf when LibreOffice is installed)."""
    repo = demo_repo(tmp_path_factory.mktemp("layout") / "repo")
    out = repo / "forms"
    pdf = ["--pdf"] if shutil.which("soffice") or shutil.which("libreoffice") else []
    code, output = cli(repo, "render", "--all", "--out", str(out), *pdf)
    assert code == 0, output
    return out


def document(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as z:
        return etree.fromstring(z.read("word/document.xml"))


def text_of(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(W + "t")).strip()


def labels(root: etree._Element) -> set[str]:
    """The text of every shaded label or heading cell, paragraph by paragraph."""
    found = set()
    for cell in root.iter(W + "tc"):
        shading = cell.find(f"{W}tcPr/{W}shd")
        if shading is not None and shading.get(W + "fill") == LABEL_FILL:
            found |= {text_of(p) for p in cell.iter(W + "p")} - {""}
    return found


def short_values(root: etree._Element) -> set[str]:
    """Dates, date-times and short values (a conclusion, a name) printed alone in a cell."""
    found = set()
    for cell in root.iter(W + "tc"):
        for p in cell.iter(W + "p"):
            text = text_of(p)
            if DATE.fullmatch(text) or (text and len(text) <= 6 and " " not in text):
                found.add(text)
    return found


def pdf_lines(path: Path) -> list[str]:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; run scripts/setup-system.sh")
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return [re.sub(r"\s+", "", line) for line in out.splitlines()]


def pdf_pages(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                         capture_output=True).stdout.decode("utf-8")
    return [re.sub(r"\s+", "", page) for page in out.split("\f")[:-1]]


def needs_pdf(forms: Path) -> None:
    if not (forms / "CC-2026-0001.pdf").exists():
        pytest.skip("LibreOffice (soffice) is not installed, so the forms have no PDF; run "
                    "scripts/setup-system.sh")


@pytest.mark.parametrize("form", FORMS)
def test_no_date_label_or_short_value_is_broken_across_lines(forms: Path, form: str) -> None:
    needs_pdf(forms)
    root = document(forms / f"{form}.docx")
    lines = pdf_lines(forms / f"{form}.pdf")
    # a label may be printed on two lines only between its Chinese and its English part
    parts = {part for label in labels(root) for part in re.split(r"\s+|(?=[(（])", label) if part}
    broken = sorted(p for p in parts | short_values(root)
                    if not any(re.sub(r"\s+", "", p) in line for line in lines))
    assert broken == [], f"{form}: broken across lines in the PDF: {broken}"


@pytest.mark.parametrize("form", FORMS)
def test_rows_never_split_and_header_rows_repeat(forms: Path, form: str) -> None:
    root = document(forms / f"{form}.docx")
    rows = list(root.iter(W + "tr"))
    assert rows and all(r.find(f"{W}trPr/{W}cantSplit") is not None for r in rows)
    headers = [r for r in rows if r.find(f"{W}trPr/{W}tblHeader") is not None]
    titles = {text_of(r) for r in headers}
    assert any(t.startswith("审批签署") for t in titles)
    assert any(t.startswith("修订履历") for t in titles)


def test_each_form_of_a_file_numbers_its_own_pages(forms: Path) -> None:
    needs_pdf(forms)
    for form in ("CSR-HXAUTO", "CSR-LDEV"):
        pages = pdf_pages(forms / f"{form}.pdf")
        review = [i for i, page in enumerate(pages) if "QD-Q-C04-02" in page]
        assert review and review == list(range(review[0], len(pages)))
        for run in (pages[:review[0]], pages[review[0]:]):
            for number, page in enumerate(run, 1):
                assert f"第{number}页共{len(run)}页" in page, (form, number)


@pytest.mark.parametrize("form", FORMS)
def test_the_signature_block_stays_with_the_last_section(forms: Path, form: str) -> None:
    needs_pdf(forms)
    pages = pdf_pages(forms / f"{form}.pdf")
    signed = [page for page in pages if "审批签署" in page]
    assert signed, form
    for page in signed:  # the last section before it (deadline exceptions, or the review
        before = page[:page.index("审批签署")]  # record's conclusion) is on its page
        assert "期限豁免" in before or "评审结论" in before or "尚无评审记录" in before, form


def test_attachments_are_listed_where_they_are_shown(forms: Path, docx_text: DocxText) -> None:
    text = docx_text(forms / "8D-2026-0001.docx")
    d2 = text.index("D2 附件")
    assert "断裂位置及R角测量照片" in text[d2:text.index("D3 ")]
    # the report has no attachments of its own: no closing "附件 … 无" beside D2's photo
    assert "附件  Attachments" not in text.splitlines()


def test_the_8d_draft_its_release_in_force_and_superseded(tmp_path: Path,
                                                           docx_text: DocxText) -> None:
    repo = demo_repo(tmp_path / "repo")

    def revision(*args: str) -> str:
        out = tmp_path / "out"
        shutil.rmtree(out, ignore_errors=True)
        code, output = cli(repo, "render", "8D-2026-0001", "--out", str(out), *args)
        assert code == 0, output
        lines = docx_text(out / "8D-2026-0001.docx").splitlines()
        return lines[lines.index("版次") + 1]

    assert revision() == "B 草稿"
    assert revision("--released") == "A 受控·现行"
    assert cli(repo, "approve", "8D-2026-0001", "--as", "review", who="wang.fang",
               at="2026-11-21T09:00:00+08:00")[0] == 0
    assert cli(repo, "approve", "8D-2026-0001", "--as", "approve",
               at="2026-11-21T10:00:00+08:00")[0] == 0
    assert revision() == "B 受控·现行"
    assert revision("--released") == "B 受控·现行"
    assert revision("--at", "A") == "A 作废"


def test_the_statistics_report_cites_its_basis_in_chinese(run_cli: Callable[..., Result],
                                                           sample_repo: Path,
                                                           docx_text: DocxText) -> None:
    result = run_cli("report", "complaints", "--month", "2026-11", "--today", "2026-11-21",
                     "--out", str(sample_repo / "out"), repo=sample_repo)
    assert result.exit_code in (0, 1), result.stderr
    text = docx_text(sample_repo / "out" / "complaint-statistics-2026-11.docx")
    assert "依据" in text
    assert "qmsdoc default" not in text and "practice" not in text
