"""Templates that document controllers own: export a built-in form, edit it in Word
(python-docx here), check it, render with it; the committed skeletons match the .docx."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import docx
import pytest
from conftest import ROOT, Result

from qmsdoc.render.skeleton import skeleton
from qmsdoc.render.templates import FORMS

Run = Callable[..., Result]
BUILTIN = ROOT / "qmsdoc" / "builtin" / "templates"
LABEL = "{{ label['customer_complaint_no']|fit(25.0) }}"  # 客户投诉单号 on a Chinese form


def _replace_in_cells(path: Path, old: str, new: str) -> None:
    """Change a cell's text as a document controller would in Word."""
    document = docx.Document(str(path))
    hits = 0
    for table in document.tables:
        for row in table.rows:
            for cell in row.cells:
                for paragraph in cell.paragraphs:
                    if old in paragraph.text:
                        text = paragraph.text.replace(old, new)
                        for run in paragraph.runs[1:]:
                            run.text = ""
                        paragraph.runs[0].text = text
                        hits += 1
    assert hits, f"{old!r} is not in {path}"
    document.save(str(path))


def _append(path: Path, text: str) -> None:
    document = docx.Document(str(path))
    document.add_paragraph(text)
    document.save(str(path))


@pytest.mark.parametrize("kind", FORMS)
def test_skeleton_matches_the_template(kind: str, request: pytest.FixtureRequest) -> None:
    committed = BUILTIN / f"{kind}.skeleton.txt"
    actual = skeleton((BUILTIN / f"{kind}.docx").read_bytes())
    if request.config.getoption("--update-golden"):
        committed.write_text(actual, encoding="utf-8")
    assert committed.read_text(encoding="utf-8") == actual, (
        f"{kind}.docx and {committed.name} disagree: review the change, then "
        "pytest --update-golden rewrites the skeleton")


def test_skeleton_shows_an_edit_made_in_word(sample_repo: Path, run_cli: Run) -> None:
    assert run_cli("template", "export", "complaint", repo=sample_repo).exit_code == 0
    exported = sample_repo / "templates" / "complaint.docx"
    before = skeleton(exported.read_bytes())
    assert before == (BUILTIN / "complaint.skeleton.txt").read_text(encoding="utf-8")
    # a label is the tag of the form's language; a company may type its own text instead
    _replace_in_cells(exported, LABEL, "客户单号")
    after = skeleton(exported.read_bytes())
    assert after != before
    assert ("| {{ label['id']|fit(25.0) }} | {{ r.id }} | 客户单号 | "
            "{{ r.customer_complaint_no }} |") in after


def test_export_edit_check_render(sample_repo: Path, run_cli: Run, docx_text: Callable[[Path], str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(sample_repo)
    exported = run_cli("template", "export", "complaint", repo=sample_repo)
    assert (exported.exit_code, exported.lines) == (0, ["templates/complaint.docx"])
    template = sample_repo / "templates" / "complaint.docx"
    _replace_in_cells(template, LABEL, "客户单号")
    _append(template, "内部流转 Internal routing: {{ r.id }} / {{ r.product.part_no }}")
    checked = run_cli("template", "check", repo=sample_repo)
    assert (checked.exit_code, checked.lines) == (
        0, ["1 template checked, 0 errors, 0 warnings"])
    rendered = run_cli("render", "CC-2026-0001", "--out", "forms", repo=sample_repo)
    assert (rendered.exit_code, rendered.lines) == (0, ["forms/CC-2026-0001.docx"])
    text = docx_text(sample_repo / "forms" / "CC-2026-0001.docx")
    assert "客户单号" in text and "客户投诉单号" not in text
    assert "内部流转 Internal routing: CC-2026-0001 / " in text


def test_export_never_overwrites(sample_repo: Path, run_cli: Run) -> None:
    assert run_cli("template", "export", "8d", repo=sample_repo).exit_code == 0
    again = run_cli("template", "export", "8d", repo=sample_repo)
    assert again.exit_code == 2
    assert again.stderr == (f"qmsdoc: {sample_repo / 'templates' / '8d.docx'}: already exists; "
                            "nothing was written\n")


def test_export_to_another_folder(sample_repo: Path, run_cli: Run, tmp_path: Path) -> None:
    out = tmp_path / "drafts"
    result = run_cli("template", "export", "contract-review", "--out", str(out),
                     repo=sample_repo)
    assert result.exit_code == 0
    assert (out / "contract-review.docx").read_bytes() == (
        BUILTIN / "contract-review.docx").read_bytes()
    assert not (sample_repo / "templates").exists()


def test_check_reports_unknown_fields_syntax_and_fields_never_printed(
        sample_repo: Path, run_cli: Run) -> None:
    assert run_cli("template", "export", "complaint", repo=sample_repo).exit_code == 0
    template = sample_repo / "templates" / "complaint.docx"
    _replace_in_cells(template, "{{ r.product.part_no }}", "{{ r.product.partno }}")
    _replace_in_cells(template, "{{ r.customer_complaint_no }}", "—")
    result = run_cli("template", "check", str(template), repo=sample_repo)
    assert result.exit_code == 1
    assert result.lines == [
        "templates/complaint.docx: error: word/document.xml: unknown field 'r.product.partno' "
        "(complaint records have no field 'product.partno')",
        "templates/complaint.docx: warning: never prints complaint field "
        "'customer_complaint_no' (客户投诉单号)",
        "templates/complaint.docx: warning: never prints complaint field 'product.part_no' "
        "(产品 / 料号/型号)",
        "1 template checked, 1 error, 2 warnings",
    ]
    _append(template, "{{ r.id ")
    broken = run_cli("template", "check", str(template), repo=sample_repo)
    assert broken.exit_code == 1
    assert broken.lines[0].startswith(
        "templates/complaint.docx: error: word/document.xml: template syntax error: ")


def test_check_needs_to_know_the_kind(sample_repo: Path, run_cli: Run) -> None:
    (sample_repo / "templates").mkdir()
    (sample_repo / "templates" / "form.docx").write_bytes((BUILTIN / "8d.docx").read_bytes())
    result = run_cli("template", "check", repo=sample_repo)
    assert result.exit_code == 1
    assert result.lines[0] == (
        "templates/form.docx: error: cannot tell which record kind it renders: name it "
        "<kind>.docx (complaint, contract-review, special-requirements, 8d) or name it in "
        "qmsdoc.yaml forms.<kind>.template")


def test_check_with_no_templates(sample_repo: Path, run_cli: Run) -> None:
    result = run_cli("template", "check", repo=sample_repo)
    assert (result.exit_code, result.lines) == (0, ["no templates to check (templates/*.docx)"])


def test_the_pre_commit_hook_checks_templates() -> None:
    import yaml

    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(
        encoding="utf-8"))}
    for name in ("qmsdoc-template-check", "qmsdoc-template-check-system"):
        assert hooks[name]["entry"] == "qmsdoc template check"
        assert hooks[name]["files"] == r"^templates/.*\.docx$"


def _replace_everywhere(path: Path, old: str, new: str) -> None:
    """Change text in the body, header and footer paragraphs and table cells."""
    document = docx.Document(str(path))
    containers = [document]
    for section in document.sections:
        containers += [section.header, section.footer]
    hits = 0
    while containers:
        container = containers.pop()
        for paragraph in container.paragraphs:
            if old in paragraph.text:
                runs = [r for r in paragraph.runs if r.text]
                runs[0].text = paragraph.text.replace(old, new)
                for run in runs[1:]:
                    run.text = ""
                hits += 1
        for table in container.tables:
            containers += [cell for row in table.rows for cell in row.cells]
    assert hits, f"{old!r} is not in {path}"
    document.save(str(path))


def test_the_statistics_report_comes_from_its_template(sample_repo: Path, run_cli: Run,
                                                        tmp_path: Path) -> None:
    assert run_cli("template", "export", "complaint-statistics", repo=sample_repo).exit_code == 0
    template = sample_repo / "templates" / "complaint-statistics.docx"
    _replace_everywhere(template, "期间：", "统计期间 Period: ")
    document = docx.Document(str(template))
    document.add_paragraph("编制 Prepared: ________  批准 Approved: ________  {{ form.number }}")
    document.save(str(template))
    assert run_cli("template", "check", repo=sample_repo).lines == [
        "1 template checked, 0 errors, 0 warnings"]
    out = tmp_path / "out"
    result = run_cli("report", "complaints", "--month", "2026-11", "--format", "docx",
                     "--out", str(out), repo=sample_repo)
    assert result.exit_code == 0, result.stderr
    report = docx.Document(str(out / "complaint-statistics-2026-11.docx"))
    header = report.sections[0].header.tables[0].rows[0].cells
    assert header[2].text == "统计期间 Period: 2026年11月"
    texts = [p.text for p in report.paragraphs]
    assert texts[-1] == "编制 Prepared: ________  批准 Approved: ________  QR-047-03"
    assert texts.index("客户抱怨异常处理统计表（2026年11月）") < texts.index(
        "图1 不符合类型柏拉图（2026年11月）") < len(texts) - 1
    assert [c.text for c in report.tables[0].rows[0].cells] == ["项目", "数值"]


def test_a_statistics_template_prints_only_its_variables(sample_repo: Path, run_cli: Run,
                                                         tmp_path: Path) -> None:
    assert run_cli("template", "export", "complaint-statistics", repo=sample_repo).exit_code == 0
    template = sample_repo / "templates" / "complaint-statistics.docx"
    _replace_everywhere(template, "{{ form.number }}", "{{ form.numero }}")
    _replace_everywhere(template, "{{ report.body }}", "(tables)")
    checked = run_cli("template", "check", repo=sample_repo)
    assert checked.exit_code == 1
    assert checked.lines[:2] == [
        "templates/complaint-statistics.docx: error: unknown variable 'form.numero' (known: "
        "form.company.name, form.company.name_en, form.title, form.title_en, form.number, "
        "form.retention, form.retention_text, form.copy, report.period, report.as_of, "
        "report.body)",
        "templates/complaint-statistics.docx: error: no {{ report.body }} paragraph: where do "
        "the tables and charts go?"]
    result = run_cli("report", "complaints", "--month", "2026-11", "--format", "docx",
                     "--out", str(tmp_path), repo=sample_repo)
    assert result.exit_code == 2
    assert result.stderr.startswith("qmsdoc: templates/complaint-statistics.docx: unknown "
                                    "variable(s) form.numero (known: form.company.name, ")
