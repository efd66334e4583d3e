"""Rendering is safe: record text is escaped and never re-templated, templates run sandboxed
and strict, and a template naming a field its kind does not have is refused up front."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

from conftest import MINIMAL_COMPLAINT, ROOT

Run = Callable[..., object]
Text = Callable[[Path], str]
PATH = "records/complaints/2026/CC-2026-0001.yaml"


def _out(result: object) -> list[str]:
    return result.output.splitlines()  # type: ignore[attr-defined]


def _err(result: object) -> list[str]:
    return result.stderr.splitlines()  # type: ignore[attr-defined]


def _code(result: object) -> int:
    return result.exit_code  # type: ignore[attr-defined]


TITLE = "{{ label['一、基本信息'] }}"  # a title of the form's language; a company may type its own


def company_template(repo: Path, old: str, new: str, name: str = "complaint.docx",
                     *more: tuple[str, str]) -> Path:
    """A copy of the built-in complaint template with ``old`` replaced in its body."""
    source = ROOT / "templates" / "complaint.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(buffer, "w",
                                                          zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                text = data.decode()
                for before, after in ((old, new), *more):
                    assert before in text, before
                    text = text.replace(before, after, 1)
                data = text.encode()
            dst.writestr(info, data)
    target = repo / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(buffer.getvalue())
    return target


def test_record_text_is_escaped_and_never_templated(
        run_cli: Run, repo: Path, write_record: Callable[..., Path], docx_text: Text) -> None:
    text = (MINIMAL_COMPLAINT.format(id="CC-2026-0001")
            .replace("title: 支架开裂", "title: 'A&B <公司> \"引号\" {{ 7*7 }}'")
            .replace("description: 客户来料检验发现支架开裂。",
                     "description: \"{% for x in range(3) %}{{ x }}{% endfor %} {# c #}\\n"
                     "第二行\\t制表 ]]> &amp; {_{ r.id }_}\""))
    write_record(repo, PATH, text)
    result = run_cli("render", "CC-2026-0001", "--out", str(repo / "out"), repo=repo)
    assert _code(result) == 0, _err(result)
    form = docx_text(repo / "out" / "CC-2026-0001.docx")
    assert 'A&B <公司> "引号" {{ 7*7 }}' in form
    assert "49" not in re.sub(r"[0-9a-f]{40}", "", form)  # the footer's git ids aside
    assert "{% for x in range(3) %}{{ x }}{% endfor %} {# c #}\n第二行\t制表 ]]> &amp; {_{ r.id }_}" \
        in form


def test_unknown_field_in_a_company_template_is_refused_before_rendering(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.product.part_no }}", "{{ r.product.partno }}", "complaint.docx",
                     ("{{ r.title }}", "{{ r.d4.escape_point }} {{ nonsense }}"))
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _code(result) == 2
    assert _err(result) == [
        "qmsdoc: templates/complaint.docx: word/document.xml: unknown field 'r.d4' "
        "(complaint records have no field 'd4')",
        "qmsdoc: templates/complaint.docx: word/document.xml: unknown variable 'nonsense'",
        "qmsdoc: templates/complaint.docx: word/document.xml: unknown field "
        "'r.product.partno' (complaint records have no field 'product.partno')",
    ]
    assert not (repo / "out").exists() or not list((repo / "out").iterdir())


def test_loop_variables_are_checked_against_the_list_items(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ c.qty_nok }}", "{{ c.qty_bad }}")
    result = run_cli("render", "--all", repo=repo)
    assert _code(result) == 2
    assert _err(result) == [
        "qmsdoc: templates/complaint.docx: word/document.xml: unknown field 'c.qty_bad' "
        "(complaint records have no field 'containment[].qty_bad')"]


def test_strict_undefined_at_render_time_names_the_template(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    """What the lint cannot follow (here through a filter) still fails loudly, not blank."""
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", "{{ (r|attr('product')).part_no }}")
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _code(result) == 1
    assert _err(result) == [
        f"qmsdoc: {PATH}: not rendered: templates/complaint.docx: word/document.xml: "
        "'dict object' has no attribute 'product'",
        "qmsdoc: 1 record not rendered",
    ]
    assert not (repo / "out" / "CC-2026-0001.docx").exists()


def test_templates_run_sandboxed(run_cli: Run, repo: Path,
                                 write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", "{{ (r|attr('__class__')).__subclasses__() }}")
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _code(result) == 1
    assert _err(result)[0] == (
        f"qmsdoc: {PATH}: not rendered: templates/complaint.docx: word/document.xml: "
        "access to attribute '__class__' of 'dict' object is unsafe.")


def test_template_syntax_error(run_cli: Run, repo: Path,
                               write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", "{{ r.title ")
    result = run_cli("render", "--all", repo=repo)
    assert _code(result) == 2
    assert _err(result)[0].startswith(
        "qmsdoc: templates/complaint.docx: word/document.xml: template syntax error:")


def test_company_template_overrides_the_built_in_one(
        run_cli: Run, repo: Path, write_record: Callable[..., Path], docx_text: Text) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, TITLE, "一、本公司定制")
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _code(result) == 0
    form = docx_text(repo / "out" / "CC-2026-0001.docx")
    assert "一、本公司定制" in form and "一、基本信息" not in form


def test_configured_template_file(run_cli: Run, repo: Path, write_record: Callable[..., Path],
                                  docx_text: Text) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, TITLE, "一、客诉单2027版", name="complaint-2027.docx")
    (repo / "qmsdoc.yaml").write_text(
        "forms:\n  complaint: {number: QR-047-01, title: 客户抱怨处理单, "
        "template: complaint-2027.docx}\n", encoding="utf-8")
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _code(result) == 0
    assert "一、客诉单2027版" in docx_text(repo / "out" / "CC-2026-0001.docx")
    (repo / "templates" / "complaint-2027.docx").unlink()
    result = run_cli("render", "--all", repo=repo)
    assert _code(result) == 2
    assert _err(result) == ["qmsdoc: qmsdoc.yaml: forms.complaint.template: "
                            "templates/complaint-2027.docx does not exist"]
