"""Text that is not characters: a git author or committer name whose bytes are not UTF-8
prints as U+FFFD on the form and in the audit pack (git log's bytes are decoded with
surrogateescape, so they reach the printing as lone surrogates); a form template that
writes a lone surrogate is a problem of the template, never an internal error. Real git,
real files."""

from __future__ import annotations

import re
import subprocess
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

import docx
import pytest
from conftest import Result
from gitrepo import example_repository

Run = Callable[..., Result]
CC3 = "records/complaints/2026/CC-2026-0003.yaml"


@pytest.fixture
def example(tmp_path: Path) -> Iterator[Path]:
    """The example repository, git's own configuration shut out."""
    with example_repository(tmp_path) as repo:
        yield repo


def git(repo: Path, *args: str, data: bytes | None = None) -> str:
    return subprocess.run(["git", *args], cwd=repo, input=data, capture_output=True,
                          check=True).stdout.decode().strip()


def commit_by_a_bad_name(repo: Path) -> str:
    """CC-2026-0003's title changed in a commit whose author and committer names hold the
    byte 0xFF (git stores a name's bytes as they are given)."""
    path = repo / CC3
    path.write_text(re.sub(r"(?m)^(title: .*)$", r"\1改", path.read_text(encoding="utf-8")),
                    encoding="utf-8")
    git(repo, "add", CC3)
    raw = (f"tree {git(repo, 'write-tree')}\nparent {git(repo, 'rev-parse', 'HEAD')}\n"
           ).encode() + (b"author bad\xffname <x@y> 1796679900 +0000\n"
                         b"committer c\xffc <x@y> 1796679900 +0000\n\nmsg\n")
    commit = git(repo, "hash-object", "-t", "commit", "-w", "--literally", "--stdin",
                 data=raw)
    git(repo, "update-ref", "HEAD", commit)
    return commit


def test_readable_shows_bytes_that_are_not_utf8_as_git_log_does() -> None:
    from qmsdoc.doclang import readable

    assert readable("赵磊") == "赵磊"
    assert readable(b"bad\xffname".decode("utf-8", "surrogateescape")) == "bad\ufffdname"
    # a truncated three-byte sequence is one replacement, as a UTF-8 terminal shows it
    assert readable(b"a\xe4\xb8b".decode("utf-8", "surrogateescape")) == "a\ufffdb"
    assert readable("a\ud800b") == "a\ufffdb"  # a surrogate that stands for no byte


def test_a_name_that_is_not_utf8_prints_as_u_fffd_on_the_form(
        example: Path, run_cli: Run, docx_text: Callable[[Path], str]) -> None:
    commit_by_a_bad_name(example)
    rendered = run_cli("render", "CC-2026-0003", "--out", str(example / "forms"), repo=example)
    assert (rendered.exit_code, rendered.stderr) == (0, "")
    lines = docx_text(example / "forms" / "CC-2026-0003.docx").splitlines()
    assert [line for line in lines if "\ufffd" in line] == ["赵磊、bad\ufffdname"] * 2
    # the approvals are judged on the names as git stores them: nothing changed there
    checked = run_cli("verify", repo=example)
    assert (checked.exit_code, checked.lines[0]) == (
        0, "24 approval(s) of 8 record(s) checked, 0 violation(s)")


def test_a_name_that_is_not_utf8_prints_as_u_fffd_in_the_audit_pack(
        example: Path, run_cli: Run, tmp_path: Path) -> None:
    commit = commit_by_a_bad_name(example)
    pack = tmp_path / "pack.zip"
    made = run_cli("audit-pack", "--no-pdf", "--out", str(pack), repo=example)
    assert made.exit_code == 0, made.stderr
    with zipfile.ZipFile(pack) as archive:
        texts = {name: archive.read(name).decode("utf-8")  # strict: every text is UTF-8
                 for name in archive.namelist() if name.endswith((".txt", ".json"))}
    history = texts["records/CC-2026-0003/history.txt"].splitlines()
    assert history[-1] == f"  2026-12-07T21:45:00+00:00  bad\ufffdname  msg  {commit[:12]}"
    assert '"author": "bad\ufffdname"' in texts["records/CC-2026-0003/history.json"]


@pytest.fixture
def templated(example: Path, run_cli: Run) -> Callable[[str], Path]:
    """The company's complaint template: the built-in one with a paragraph added."""

    def add(paragraph: str) -> Path:
        assert run_cli("template", "export", "complaint", repo=example).exit_code == 0
        template = example / "templates" / "complaint.docx"
        document = docx.Document(str(template))
        document.add_paragraph(paragraph)
        document.save(str(template))
        return template

    return add


def test_a_template_that_writes_a_lone_surrogate_is_a_template_problem(
        example: Path, run_cli: Run, templated: Callable[[str], Path]) -> None:
    templated('X {{ "\\ud800" }} Y')
    message = ("templates/complaint.docx: word/document.xml: the text '\\ud800' holds U+D800, "
               "a lone surrogate: it is not a character and no Word document can hold it")
    checked = run_cli("template", "check", repo=example)
    assert (checked.exit_code, checked.lines) == (
        1, [message.replace(": word/", ": error: word/", 1),
            "1 template checked, 1 error, 0 warnings"])
    rendered = run_cli("render", "CC-2026-0001", "--out", str(example / "forms"), repo=example)
    assert (rendered.exit_code, rendered.output, rendered.stderr) == (
        2, "", f"qmsdoc: {message}\n")
    assert not (example / "forms").exists()
    chinese = run_cli("--lang", "zh", "template", "check", repo=example)
    assert chinese.lines[0] == (
        "templates/complaint.docx: error: word/document.xml：文本 '\\ud800' 含有 U+D800，这是一个"
        "孤立代理码（lone surrogate），不是字符，Word 文档无法容纳")


def test_a_template_that_computes_a_lone_surrogate_fails_its_record_clearly(
        example: Path, run_cli: Run, templated: Callable[[str], Path]) -> None:
    templated('X {{ "%c" % 55296 }} Y')  # no constant holds it: only rendering finds it
    rendered = run_cli("render", "CC-2026-0001", "--out", str(example / "forms"), repo=example)
    assert (rendered.exit_code, rendered.output, rendered.stderr.splitlines()) == (1, "", [
        "qmsdoc: records/complaints/2026/CC-2026-0001.yaml: not rendered: "
        "templates/complaint.docx: word/document.xml: the form would hold U+D800, a lone "
        "surrogate: it is not a character and no Word document can hold it (the template "
        "writes it, or a value it prints holds it)",
        "qmsdoc: 1 record not rendered"])
    assert list(example.glob("forms/*")) == []  # nothing half-written
