"""LibreOffice as the real client: the sample forms convert to PDF with their Chinese labels
and values, and page x / y right. Skipped, saying why, when LibreOffice is not installed
(`scripts/setup-system.sh` installs it)."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., object]
FORMS = ["CC-2026-0001", "8D-2026-0001", "CSR-HXAUTO", "CR-2026-0002"]


def pdf_pages(path: Path) -> list[str]:
    """The text of each page, by poppler's pdftotext (or pypdf when that is what there is)."""
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True,
                              capture_output=True).stdout.decode("utf-8")
        return text.split("\f")[:-1]
    try:
        import pypdf
    except ImportError:
        pytest.skip("neither pdftotext (poppler-utils) nor pypdf is installed: cannot read "
                    "the PDF text; run scripts/setup-system.sh")
    return [page.extract_text() for page in pypdf.PdfReader(str(path)).pages]


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("soffice") is None and shutil.which("libreoffice") is None:
        pytest.skip("LibreOffice (soffice) is not installed, so the forms cannot be checked "
                    "in a real client; run scripts/setup-system.sh (apt-get install "
                    "libreoffice-writer-nogui fonts-noto-cjk)")
    from click.testing import CliRunner
    from conftest import ROOT

    from qmsdoc.cli import main

    repo = tmp_path_factory.mktemp("pdf")
    shutil.copytree(ROOT / "records", repo / "records")
    shutil.copy(ROOT / "qmsdoc.yaml", repo / "qmsdoc.yaml")
    out = repo / "out"
    result = CliRunner().invoke(main, ["--repo", str(repo), "render", *FORMS, "--pdf",
                                       "--out", str(out)])
    assert result.exit_code == 0, result.stderr
    assert result.output.splitlines()[len(FORMS):] == [str(out / f"{f}.pdf") for f in FORMS]
    return out


def _text(pages: list[str]) -> str:
    return re.sub(r"\s+", "", "".join(pages))  # pdftotext spaces CJK text by its layout


def test_complaint_pdf_has_labels_values_and_choices(pdfs: Path) -> None:
    text = _text(pdf_pages(pdfs / "CC-2026-0001.pdf"))
    for expected in ["明远精密制造有限公司", "客户抱怨处理单", "QR-047-01", "CC-2026-0001",
                     "投诉类别", "☑产品质量☐产品交货", "电池托架安装支架(左)", "华信汽车部件有限公司",
                     "不良品清查处理", "纠正措施", "修订履历", "非受控（不在git仓库中）",
                     "A非受控", "非受控仅供参考", "客户线上断裂支架照片"]:
        assert expected in text, expected


def test_page_x_of_y_on_every_page(pdfs: Path) -> None:
    """Each paper form of a file numbers its own pages (issue 11): the customer-specific
    requirements list and its review record (QD-Q-C04-02) are counted apart."""
    for form in FORMS:
        pages = pdf_pages(pdfs / f"{form}.pdf")
        assert len(pages) >= 2, form
        review = [i for i, page in enumerate(pages) if "QD-Q-C04-02" in page]
        runs = [pages[:review[0]], pages[review[0]:]] if review else [pages]
        assert form != "CSR-HXAUTO" or len(runs) == 2
        for run in runs:
            for number, page in enumerate(run, 1):
                assert f"第{number}页共{len(run)}页" in re.sub(r"\s+", "", page), (form, number)


def test_8d_and_special_requirements_pdfs(pdfs: Path) -> None:
    eightd = _text(pdf_pages(pdfs / "8D-2026-0001.pdf"))
    steps = ["D0紧急反应", "D1成立小组", "D2问题描述", "D3临时围堵措施", "D4根本原因分析",
             "D5永久纠正措施", "D6实施与确认", "D7预防再发", "D8结案与表彰"]
    assert [eightd.index(s) for s in steps] == sorted(eightd.index(s) for s in steps)
    assert "为什么会漏装垫片" in eightd
    csr = _text(pdf_pages(pdfs / "CSR-HXAUTO.pdf"))
    assert "顾客特殊要求清单" in csr and "顾客特殊要求评审记录表" in csr
    assert "QD-Q-C04-02" in csr


def test_cjk_text_uses_a_chinese_font(pdfs: Path) -> None:
    if shutil.which("pdffonts") is None:
        pytest.skip("pdffonts (poppler-utils) is not installed; run scripts/setup-system.sh")
    fonts = subprocess.run(["pdffonts", str(pdfs / "CC-2026-0001.pdf")], check=True,
                           capture_output=True, text=True).stdout
    assert "CJK" in fonts or "Sim" in fonts or "Song" in fonts, fonts
