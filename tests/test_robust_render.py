"""Rendering under hostile input (issue 14): damaged pictures, oversized attachments and
company templates that loop, grow or read other templates are stopped with a clear
message; one record that cannot be rendered never costs the others their forms."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT
from test_render_safety import company_template

import qmsdoc.render

Run = Callable[..., object]
PATH = "records/complaints/2026/CC-2026-0001.yaml"
PNG = "records/attachments/CC-2026-0001/photo.png"
SAMPLE_PNG = Path(__file__).resolve().parent.parent / \
    "records/attachments/CC-2026-0001/customer-line-crack-01.png"


def _lines(result: object, stream: str = "output") -> list[str]:
    return str(getattr(result, stream)).splitlines()


def _code(result: object) -> int:
    return int(result.exit_code)  # type: ignore[attr-defined]


def with_photo(record_id: str = "CC-2026-0001", path: str = PNG) -> str:
    return MINIMAL_COMPLAINT.format(id=record_id) + (
        f"attachments:\n  - path: {path}\n    caption: 照片\n    type: photo\n")


def test_a_truncated_png_is_a_warning_and_the_form_shows_it_cannot_be_shown(
        run_cli: Run, repo: Path, write_record: Callable[..., Path],
        docx_text: Callable[[Path], str]) -> None:
    write_record(repo, PATH, with_photo())
    write_record(repo, PNG, SAMPLE_PNG.read_bytes()[:18])
    result = run_cli("validate", repo=repo)
    assert _lines(result) == [
        f"{PATH}:14:11: warning[attachment]: /attachments/0/path: '{PNG}' is a damaged PNG "
        "picture (no valid size in its header); the form shows 图片无法显示 in its place",
        "1 record checked, 0 errors, 1 warning",
    ]
    assert _code(result) == 0
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _code(result) == 0, result.stderr  # type: ignore[attr-defined]
    assert f"[图片无法显示 picture unavailable: {PNG}]" in docx_text(
        repo / "out" / "CC-2026-0001.docx")


def test_a_png_cut_short_after_its_header_is_a_warning(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, with_photo())
    write_record(repo, PNG, SAMPLE_PNG.read_bytes()[:-100])
    assert _lines(run_cli("validate", repo=repo))[0].endswith(
        f"'{PNG}' is a truncated PNG picture (it does not end with its IEND chunk); the form "
        "shows 图片无法显示 in its place")


def test_an_attachment_over_the_size_limit_is_refused_before_it_is_read(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", "limits:\n  max_attachment_bytes: 2048\n")
    write_record(repo, PATH, with_photo())
    write_record(repo, PNG, SAMPLE_PNG.read_bytes())  # 2,373 bytes
    result = run_cli("validate", repo=repo)
    assert _lines(result) == [
        f"{PATH}:14:11: error[attachment]: /attachments/0/path: '{PNG}' is 2,373 bytes; "
        "attachments are limited to 2,048 bytes (limits.max_attachment_bytes in qmsdoc.yaml)",
        "1 record checked, 1 error, 0 warnings",
    ]
    assert _code(result) == 1


def test_the_default_attachment_limit_is_20_mb(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, with_photo(path="records/attachments/big.pdf"))
    (repo / "records/attachments").mkdir(parents=True)
    with (repo / "records/attachments").joinpath("big.pdf").open("wb") as handle:
        handle.truncate(20_000_001)  # sparse: nothing is written or read
    assert _lines(run_cli("validate", repo=repo))[0].endswith(
        "'records/attachments/big.pdf' is 20 MB; attachments are limited to 20 MB "
        "(limits.max_attachment_bytes in qmsdoc.yaml)")


@pytest.mark.parametrize("jobs", ["1", "4"])
def test_a_record_that_cannot_be_rendered_costs_no_other_form(
        jobs: str, run_cli: Run, repo: Path, write_record: Callable[..., Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qmsdoc.render, "PARALLEL_MIN", 2)
    for n in range(1, 9):
        rid = f"CC-2026-{n:04d}"
        write_record(repo, f"records/complaints/2026/{rid}.yaml", MINIMAL_COMPLAINT.format(id=rid))
    company_template(repo, "{{ r.title }}", "{{ r.title }}{{ 1 // (r.id != 'CC-2026-0005') }}")
    result = run_cli("render", "--all", "-j", jobs, "--out", str(repo / "out"), repo=repo)
    assert _lines(result, "stderr") == [
        "qmsdoc: records/complaints/2026/CC-2026-0005.yaml: not rendered: "
        "templates/complaint.docx: word/document.xml: the template failed: "
        "ZeroDivisionError: integer division or modulo by zero",
        "qmsdoc: 1 record not rendered",
    ]
    assert sorted(p.name for p in (repo / "out").iterdir()) == [
        f"CC-2026-{n:04d}.docx" for n in (1, 2, 3, 4, 6, 7, 8)]
    assert _code(result) == 1


@pytest.mark.parametrize(("expression", "message"), [
    ("{{ 'x' * 10**9 }}", "the result of * would have 1,000,000,000 elements (at most "
                          "10,000,000)"),
    ("{{ 'x'.ljust(10**9) }}", "str.ljust wider than 10,000,000 characters"),
    ("{{ range(10**9)|length }}", "the template failed: OverflowError: Range too big. The "
                                  "sandbox blocks ranges larger than MAX_RANGE (100000)."),
    ("{% macro m(n) %}{{ m(n) }}{% endmacro %}{{ m(1) }}",
     "the template calls itself too deeply (a macro that recurses without end?)"),
])
def test_templates_that_would_exhaust_memory_or_stack_fail_their_record(
        expression: str, message: str, run_cli: Run, repo: Path,
        write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", expression)
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _lines(result, "stderr") == [
        f"qmsdoc: {PATH}: not rendered: templates/complaint.docx: word/document.xml: {message}",
        "qmsdoc: 1 record not rendered",
    ]
    assert _code(result) == 1


def test_a_nested_loop_template_is_stopped_by_the_time_limit(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", "limits:\n  template_seconds: 1\n")
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", "{% for i in range(100000) %}"
                     "{% for j in range(100000) %}{% endfor %}{% endfor %}")
    start = time.perf_counter()
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    elapsed = time.perf_counter() - start
    assert _lines(result, "stderr") == [
        "qmsdoc: templates/complaint.docx: word/document.xml: stopped after 1 s rendering "
        "CC-2026-0001 (limits.template_seconds in qmsdoc.yaml); does a loop run over a large "
        "range?"]
    assert _code(result) == 2
    assert elapsed < 4  # the 1 s limit, plus reading the template and the record on a busy machine
    assert not (repo / "out" / "CC-2026-0001.docx").exists()


def test_a_template_writing_too_much_is_stopped_by_the_output_limit(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", "limits:\n  max_form_bytes: 1000000\n")
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}",
                     "{% for i in range(100000) %}{{ 'x' * 100 }}{% endfor %}")
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _lines(result, "stderr") == [
        "qmsdoc: templates/complaint.docx: word/document.xml: stopped rendering CC-2026-0001 "
        "after 1 MB of output (limits.max_form_bytes in qmsdoc.yaml)"]
    assert _code(result) == 2


@pytest.mark.parametrize("statement", [
    "{% include 'other.xml' %}", "{% import 'm.xml' as m %}",
    "{% from 'm.xml' import x %}", "{% extends 'base.xml' %}",
])
def test_include_import_and_extends_are_refused_by_the_lint(
        statement: str, run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", statement)
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    word = statement.split()[1]
    err = _lines(result, "stderr")
    assert len(err) == 1
    assert err[0].startswith("qmsdoc: templates/complaint.docx: word/document.xml: paragraph ")
    assert err[0].endswith(f": '{statement}' is not allowed in a form template: '{word}' would "
                           "read another template; write its content into this one")
    assert _code(result) == 2


def test_a_template_member_is_size_checked_before_it_is_inflated(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    target = company_template(repo, "{{ r.title }}", "{{ r.title }}")
    buffer = io.BytesIO(target.read_bytes())
    with zipfile.ZipFile(buffer, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("word/media/bomb.bin", b"\0" * 60_000_000)
    target.write_bytes(buffer.getvalue())
    assert target.stat().st_size < 1_000_000
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _lines(result, "stderr") == [
        "qmsdoc: templates/complaint.docx: word/media/bomb.bin would inflate to 60 MB; a "
        "template member is limited to 50 MB (limits.max_template_member_bytes in qmsdoc.yaml)"]
    assert _code(result) == 2


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs an address-space limit")
@pytest.mark.parametrize(("expression", "when"), [
    ("{{ 'x'|center(2000000000) }}", "stopped rendering CC-2026-0001: it needed"),
    ("{{ '%2000000000d'|format(1) }}", "stopped rendering CC-2026-0001: it needed"),
    ("{{ r.title|center(2000000000) }}", "stopped rendering CC-2026-0001: it needed"),
])
def test_a_template_needing_too_much_memory_is_stopped(
        expression: str, when: str, run_cli: Run, repo: Path,
        write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", "limits:\n  template_memory_bytes: 200000000\n")
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", expression)
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _lines(result, "stderr") == [
        f"qmsdoc: templates/complaint.docx: word/document.xml: {when} more than 200 MB of "
        "memory (limits.template_memory_bytes in qmsdoc.yaml)"]
    assert _code(result) == 2


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs an address-space limit")
def test_a_template_reaching_the_memory_cap_while_its_output_is_collected_is_stopped(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    """Many small pieces: the cap is reached as the form's output grows, in the template or
    in the list of its pieces; either way the memory message (a time limit far away)."""
    write_record(repo, "qmsdoc.yaml", "limits:\n  template_memory_bytes: 50000000\n"
                                      "  template_seconds: 600\n")
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", "{% for a in range(3000) %}"
                                            "{% for b in range(3000) %}{{ b }}{% endfor %}"
                                            "{% endfor %}")
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert _lines(result, "stderr") == [
        "qmsdoc: templates/complaint.docx: word/document.xml: stopped rendering CC-2026-0001: "
        "it needed more than 50 MB of memory (limits.template_memory_bytes in qmsdoc.yaml)"]
    assert _code(result) == 2


@pytest.mark.parametrize("jobs", ["1", "4"])
@pytest.mark.parametrize(("lang", "why"), [
    ("en", "a folder has that name"), ("zh", None)])
def test_a_folder_at_a_forms_name_costs_no_other_form(
        jobs: str, lang: str, why: str | None, run_cli: Run, repo: Path,
        write_record: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(qmsdoc.render, "PARALLEL_MIN", 2)
    for n in range(1, 9):
        rid = f"CC-2026-{n:04d}"
        write_record(repo, f"records/complaints/2026/{rid}.yaml", MINIMAL_COMPLAINT.format(id=rid))
    out = repo / "out"
    (out / "CC-2026-0002.docx").mkdir(parents=True)
    result = run_cli("--lang", lang, "render", "--all", "-j", jobs, "--out", str(out), repo=repo)
    taken = out / "CC-2026-0002.docx"
    assert _lines(result, "stderr")[0] == (
        f"qmsdoc: records/complaints/2026/CC-2026-0002.yaml: not rendered: "
        f"cannot write {taken}: a folder has that name" if why else
        f"qmsdoc: records/complaints/2026/CC-2026-0002.yaml：未打印：无法写入 {taken}："
        "已有同名的文件夹")
    assert len(_lines(result, "stderr")) == 2
    assert sorted(p.name for p in out.iterdir()) == [
        f"CC-2026-{n:04d}.docx" for n in range(1, 9)]
    assert taken.is_dir() and not any(taken.iterdir())
    assert _code(result) == 1


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("below", ["", "forms"])
def test_an_out_folder_that_is_a_dangling_link_is_said_and_nothing_written(
        lang: str, below: str, run_cli: Run, repo: Path,
        write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    link = repo / "out"
    link.symlink_to(repo / "gone")
    result = run_cli("--lang", lang, "render", "--all", "--out", str(link / below),
                     repo=repo)
    assert _lines(result, "stderr") == [
        f"qmsdoc: {link} is a link to {repo / 'gone'}, which does not exist: nothing can be "
        "written there" if lang == "en" else
        f"qmsdoc: {link} 是指向 {repo / 'gone'} 的链接，而 {repo / 'gone'} 不存在：无法在此写入任何文件"]
    assert _code(result) == 2
    assert not (repo / "gone").exists() and _lines(result) == []
