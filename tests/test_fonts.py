"""No Chinese text as boxes: `render --pdf` and `report` find a Chinese font where their
layout program looks (fontconfig, which LibreOffice uses and whose answer the charts load by
path), and without one they refuse with exit 2 and the fix, writing nothing."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from qmsdoc.fonts import chinese_font

Run = Callable[..., Any]
FIX = ("install one (Debian/Ubuntu: apt-get install fonts-noto-cjk; in a qmsdoc checkout: "
       "bash scripts/setup-system.sh)")

needs_fontconfig = pytest.mark.skipif(shutil.which("fc-list") is None,
                                      reason="fontconfig (fc-list) is not installed; "
                                             "scripts/setup-system.sh installs it")


@pytest.fixture
def no_fonts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fontconfig that knows no font at all: a machine without a Chinese font."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(f"<?xml version='1.0'?>\n<fontconfig><cachedir>{tmp_path}/fc-cache"
                    "</cachedir></fontconfig>\n", encoding="utf-8")
    monkeypatch.setenv("FONTCONFIG_FILE", str(conf))


@needs_fontconfig
@pytest.mark.usefixtures("no_fonts")
def test_report_without_a_chinese_font_exits_2_with_the_fix_and_writes_nothing(
        run_cli: Run, sample_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("report", "complaints", "--month", "2026-11", "--out", str(out),
                     repo=sample_repo)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "qmsdoc: no font with Chinese characters is installed: the report's charts would show "
        f"Chinese text as boxes; {FIX}"]
    assert not out.exists()  # not even the workbook, which alone would not need the font


@needs_fontconfig
@pytest.mark.usefixtures("no_fonts")
def test_report_workbook_alone_needs_no_font(run_cli: Run, sample_repo: Path,
                                              tmp_path: Path) -> None:
    result = run_cli("report", "complaints", "--month", "2026-11", "--format", "xlsx",
                     "--out", str(tmp_path / "out"), repo=sample_repo)
    assert result.exit_code == 0, result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["complaint-statistics-2026-11.xlsx"]


@needs_fontconfig
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed; "
                    "scripts/setup-system.sh installs it")
@pytest.mark.usefixtures("no_fonts")
def test_render_pdf_without_a_chinese_font_exits_2_before_rendering(
        run_cli: Run, sample_repo: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli("render", "CC-2026-0001", "--pdf", "--out", str(out), repo=sample_repo)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        "qmsdoc: no font with Chinese characters is installed: the PDF copies (LibreOffice) "
        f"would show Chinese text as boxes; {FIX}"]
    assert not out.exists()


@needs_fontconfig
def test_the_font_fontconfig_gives_for_chinese_is_found() -> None:
    found = chinese_font()
    if found is None:
        pytest.skip("no Chinese font is installed; scripts/setup-system.sh installs "
                    "fonts-noto-cjk")
    assert found.is_file()
    assert found.suffix.lower() in {".ttf", ".otf", ".ttc", ".otc"}
