"""Issue 16, forms in the reader's language: ``render --lang en|zh-en`` on the demo history
(labels, options, frame and signatures in English; Chinese only where the record has no
English, marked [zh]); an 8D with every English text filled in has no Chinese character at
all, in the .docx and in the PDF; bilingual texts in the schema; ``validate --lang en``;
the language of a customer's forms."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from gitrepo import GitRepo, make
from lxml import etree  # type: ignore[import-untyped]
from test_doccontrol_layout import cli, demo_repo

from qmsdoc.doclang import has_cjk

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SHADED = {"F2F2F2", "D9D9D9"}  # label and title cells
EXAMPLE = Path(__file__).resolve().parent.parent / "qmsdoc" / "builtin" / "example"
DocxText = Callable[[Path], str]


def parts(path: Path) -> Iterator[etree._Element]:
    """The body, headers and footers of a .docx."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.fullmatch(r"word/(document|header\d+|footer\d+)\.xml", name):
                yield etree.fromstring(z.read(name))


def paragraphs(path: Path) -> list[str]:
    """Every paragraph's text (a line break inside a paragraph read as a newline)."""
    found = []
    for root in parts(path):
        for p in root.iter(W + "p"):
            text = "".join("\n" if e.tag == W + "br" else e.text or ""
                           for e in p.iter(W + "t", W + "br"))
            if text.strip():
                found.append(text)
    return found


def label_cells(path: Path) -> list[str]:
    """The text of every shaded (label, heading or title) cell."""
    found = []
    for root in parts(path):
        for cell in root.iter(W + "tc"):
            shading = cell.find(f"{W}tcPr/{W}shd")
            if shading is not None and shading.get(W + "fill") in SHADED:
                found.append("".join(t.text or "" for t in cell.iter(W + "t")))
    return found


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return demo_repo(tmp_path_factory.mktemp("lang") / "repo")


def render(repo: Path, out: Path, *args: str) -> Path:
    code, output = cli(repo, "render", *args, "--out", str(out))
    assert code == 0, output
    return out


@pytest.mark.parametrize("record", ["8D-2026-0001", "CC-2026-0001"])
def test_an_english_form_has_no_chinese_label_and_marks_its_chinese_texts(
        demo: Path, tmp_path: Path, record: str) -> None:
    out = render(demo, tmp_path, record, "--lang", "en")
    form = out / f"{record}.docx"
    labels = label_cells(form)
    assert labels and [t for t in labels if has_cjk(t)] == []
    # Chinese only in a text the record has in Chinese only, and then marked
    unmarked = [p for p in paragraphs(form) if has_cjk(p) and "[zh] " not in p]
    assert unmarked == []
    text = "\n".join(paragraphs(form))
    assert "Mingyuan Precision Manufacturing Co., Ltd." in text
    assert "Huaxin Auto Parts Co., Ltd." in text and "华信" not in text
    assert "Signatures" in text and "Revision history" in text and "Retention: 3 years" in text


@pytest.mark.parametrize("record", ["CC-2026-0002", "CC-2026-0003", "CR-2026-0001",
                                    "CR-2026-0002", "CSR-HXAUTO", "CSR-LDEV"])
def test_every_english_form_marks_the_chinese_it_prints(demo: Path, tmp_path: Path,
                                                       record: str) -> None:
    form = render(demo, tmp_path, record, "--lang", "en") / f"{record}.docx"
    assert [t for t in label_cells(form) if has_cjk(t)] == []
    # the company's form number (HH-RD(营业)-01) is an identifier, the same in every language
    unmarked = [p for p in paragraphs(form)
                if has_cjk(p.replace("HH-RD(营业)-01", "")) and "[zh] " not in p]
    assert unmarked == []


def test_the_english_8d_of_the_demo(demo: Path, tmp_path: Path, docx_text: DocxText) -> None:
    text = docx_text(render(demo, tmp_path, "8D-2026-0001", "--lang", "en") / "8D-2026-0001.docx")
    lines = text.splitlines()
    assert lines[lines.index("Rev.") + 1] == "B Draft"
    assert "DRAFT · not approved · not for use" in lines
    assert "Battery tray mounting bracket cracked at the bend radius (D1–D6)" not in text
    assert "☑ VDA 8D  ☐ Ford G8D  ☐ Customer-specific" in lines
    assert "Fig. 1  Fracture location and bend radius measurement" in lines
    assert "Approved: released for use" in lines and "Li Ming" in lines
    # the only Chinese left: the commit messages of the revision table, marked
    assert [line for line in lines if has_cjk(line)] == [
        "[zh] 8D报告 D1–D4: 小组、问题描述、围堵、根本原因",
        "[zh] 8D报告 D5–D6: 纠正措施及验证; 8D报告 D7: 预防再发生措施"]


def test_the_bilingual_form_carries_both(demo: Path, tmp_path: Path,
                                         docx_text: DocxText) -> None:
    text = docx_text(render(demo, tmp_path, "8D-2026-0001", "--lang", "zh-en")
                     / "8D-2026-0001.docx")
    lines = text.splitlines()
    assert "客户 Customer" in lines
    assert "华信汽车部件有限公司 Huaxin Auto Parts Co., Ltd." in lines
    assert "电池托架安装支架R角开裂" in text and "cracked at the bend radius" in text
    assert "☑ VDA 8D  ☐ 福特G8D Ford G8D  ☐ 客户指定格式 Customer-specific" in lines
    assert "B 草稿 Draft" in lines and "表单编号 Form No." not in lines  # a fitted label
    assert "审批签署  Signatures" in lines


def test_the_chinese_form_is_unchanged_by_the_english_texts(demo: Path, tmp_path: Path,
                                                            docx_text: DocxText) -> None:
    text = docx_text(render(demo, tmp_path, "8D-2026-0001") / "8D-2026-0001.docx")
    assert "电池托架安装支架R角开裂(D1–D6)" not in text  # the title as it is now, in Chinese
    assert "8D主题\n电池托架安装支架R角开裂\n" in text
    assert not re.search(r"[A-Za-z]+ the bend radius", text)


ENGLISH_CONFIG = (EXAMPLE / "qmsdoc.yaml").read_text("utf-8").replace("@mingyuan.example",
                                                                      "@example.com")


@pytest.fixture
def english_8d(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """The sample records with the 8D's English texts, committed with English messages, the
    8D released as A."""
    repo = make(tmp_path, monkeypatch, ENGLISH_CONFIG)
    shutil.copytree(EXAMPLE / "records", repo.root / "records", dirs_exist_ok=True)
    repo.commit("li.ming", "Sample records with the 8D report in English")
    assert repo.approve("wang.fang", "review", record_id="8D-2026-0001").exit_code == 0
    assert repo.approve("sun.li", "approve", record_id="8D-2026-0001").exit_code == 0
    return repo


def test_with_every_english_text_the_english_8d_has_no_chinese_at_all(
        english_8d: GitRepo, docx_text: DocxText) -> None:
    out = english_8d.root / "forms"
    pdf = ["--pdf"] if shutil.which("soffice") or shutil.which("libreoffice") else []
    result = english_8d.cli("render", "8D-2026-0001", "--lang", "en", "--out", str(out), *pdf)
    assert result.exit_code == 0, result.stderr
    text = docx_text(out / "8D-2026-0001.docx")  # body, headers and footers
    assert "A Controlled · current" in text and "Sun Li" in text
    assert [line for line in text.splitlines() if has_cjk(line)] == []
    if not pdf:
        pytest.skip("LibreOffice (soffice) is not installed: the PDF is not checked; run "
                    "scripts/setup-system.sh")
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed; run scripts/setup-system.sh")
    printed = subprocess.run(["pdftotext", "-enc", "UTF-8", str(out / "8D-2026-0001.pdf"), "-"],
                             check=True, capture_output=True).stdout.decode("utf-8")
    assert "Root cause" in printed and "Signatures" in printed
    assert [line for line in printed.splitlines() if has_cjk(line)] == []


def test_validate_warns_where_an_english_form_falls_back_to_chinese(demo: Path) -> None:
    code, output = cli(demo, "validate", str(demo / "records/complaints/2026/CC-2026-0001.yaml"),
                       "--lang", "en")
    lines = output.splitlines()
    assert code == 0
    assert lines[0] == ("records/complaints/2026/CC-2026-0001.yaml:4:8: warning[lang-fallback]: "
                        "/title: no English text: an English form prints the Chinese, marked "
                        "[zh]; write {zh: …, en: …}")
    assert all("warning[lang-fallback]" in line for line in lines[:-1])
    assert re.fullmatch(r"1 record checked, 0 errors, \d+ warnings", lines[-1])
    code, output = cli(demo, "validate", str(demo / "records/8d"), "--lang", "en")
    assert (code, output.splitlines()) == (0, ["1 record checked, 0 errors, 0 warnings"])
    code, output = cli(demo, "validate", str(demo / "records/8d"))
    assert (code, output.splitlines()) == (0, ["1 record checked, 0 errors, 0 warnings"])


BILINGUAL = """\
kind: complaint
id: CC-2026-0001
title:
  zh: 支架开裂
  en: Bracket cracked
customer: HXAUTO
received_at: 2026-11-03T09:40:00+08:00
category: quality
severity: general
status: registered
product:
  part_no: "0012345"
  name: {zh: 前保险杠支架, en: Front bumper bracket}
description: {PLACE}
"""


@pytest.mark.parametrize(("value", "expected"), [
    ("{zh: 开裂, en: Cracked}", None),
    ("{en: Cracked}", None),
    ("{zh: 开裂, fr: Fissuré}",
     "14:23: error[schema]: /description/fr: unknown field 'fr' is not allowed here"),
    ("{zh: '', en: Cracked}", '14:19: error[schema]: /description/zh: "" is empty; fill it in'),
    ("{}", "14:14: error[schema]: /description: {} has less than 1 property"),
    ("12", '14:14: error[schema]: /description: 12 is not of type "string"'),
])
def test_a_text_in_two_languages_is_checked_by_the_schema(
        run_cli: Callable[..., object], repo: Path, write_record: Callable[..., Path],
        value: str, expected: str | None) -> None:
    write_record(repo, "qmsdoc.yaml", "customers:\n  - {code: HXAUTO, name: 华信}\n")
    write_record(repo, "records/complaints/2026/CC-2026-0001.yaml",
                 BILINGUAL.replace("{PLACE}", value))
    result = run_cli("validate", repo=repo)
    lines = result.lines  # type: ignore[attr-defined]
    if expected is None:
        assert lines == ["1 record checked, 0 errors, 0 warnings"]
    else:
        assert lines[0].startswith(f"records/complaints/2026/CC-2026-0001.yaml:{expected}")


def test_a_customer_gets_its_forms_in_its_own_language(
        run_cli: Callable[..., object], repo: Path, write_record: Callable[..., Path],
        docx_text: DocxText) -> None:
    write_record(repo, "qmsdoc.yaml",
                 "customers:\n  - {code: HXAUTO, name: 华信, name_en: Huaxin, language: en}\n")
    write_record(repo, "records/complaints/2026/CC-2026-0001.yaml",
                 BILINGUAL.replace("{PLACE}", "{zh: 开裂, en: Cracked at the bend}"))
    assert run_cli("render", "CC-2026-0001", "--out", str(repo / "out"),
                   repo=repo).exit_code == 0  # type: ignore[attr-defined]
    text = docx_text(repo / "out" / "CC-2026-0001.docx")
    assert "Customer\nHuaxin\n" in text and "Cracked at the bend" in text
    assert run_cli("render", "CC-2026-0001", "--lang", "zh", "--out", str(repo / "out"),
                   repo=repo).exit_code == 0  # type: ignore[attr-defined]
    text = docx_text(repo / "out" / "CC-2026-0001.docx")
    assert "客户\n华信\n" in text and "开裂" in text and "Cracked" not in text


def test_new_sets_a_text_field_to_the_text_given(run_cli: Callable[..., object], repo: Path,
                                                 write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", "customers:\n  - {code: HXAUTO, name: 华信}\n")
    result = run_cli("new", "complaint", "--customer", "HXAUTO", "--set", "title=12345",
                     repo=repo)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    written = (repo / "records/complaints").rglob("*.yaml")
    assert 'title: "12345"' in next(written).read_text("utf-8")
