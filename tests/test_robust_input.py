"""Hostile and careless record input (issue 14): every problem is a finding at its line,
never an internal error, and the work stays linear in the size of the file."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT

PATH = "records/complaints/2026/CC-2026-0001.yaml"
RECORD = MINIMAL_COMPLAINT.format(id="CC-2026-0001")


@pytest.mark.parametrize(("char", "message"), [
    ("\x7f", "control character U+007F is not allowed in a record (YAML readers refuse it); "
             "delete it"),
    ("\x80", "control character U+0080 is not allowed in a record (YAML readers refuse it); "
             "delete it"),
    ("\x85", "next line (NEL) character U+0085 is not allowed in a record (YAML reads it as a "
             "line break, editors and git do not); use a plain line break or delete it"),
    ("\u2029", "paragraph separator character U+2029 is not allowed in a record (YAML reads it "
               "as a line break, editors and git do not); use a plain line break or delete it"),
])
def test_del_c1_and_yaml_line_breaks_are_findings_at_their_line(
        char: str, message: str, repo: Path, write_record: Callable[..., Path],
        run_cli: Callable[..., object]) -> None:
    write_record(repo, PATH, RECORD.replace("title: 支架", f"title: 支{char}架"))
    result = run_cli("validate", repo=repo)
    assert result.lines == [  # type: ignore[attr-defined]
        f"{PATH}:3:9: error[control-char]: /: {message}",
        "1 record checked, 1 error, 0 warnings",
    ]
    assert result.exit_code == 1  # type: ignore[attr-defined]


def test_raw_nel_in_a_quoted_value_is_refused_not_read_as_a_space(
        repo: Path, write_record: Callable[..., Path], run_cli: Callable[..., object]) -> None:
    write_record(repo, PATH, RECORD.replace("title: 支架开裂", 'title: "支架\x85开裂"'))
    result = run_cli("validate", repo=repo)
    assert result.lines[0].startswith(  # type: ignore[attr-defined]
        f"{PATH}:3:11: error[control-char]: /: next line (NEL) character U+0085")


CC1 = "records/complaints/2026/CC-2026-0001.yaml"
DEL_LINE = (f"{CC1}:4:8: error[control-char]: /: control character U+007F is not allowed in "
            "a record (YAML readers refuse it); delete it")


@pytest.mark.parametrize(("command", "stream", "expected", "code"), [
    (("due", "--today", "2026-11-20"), "output",
     ["warning: 1 record file(s) could not be read and were left out; run qmsdoc validate"], 0),
    (("report", "complaints", "--month", "2026-11"), "stderr",
     ["qmsdoc: warning: 1 record file(s) left out of the statistics (unreadable, or a "
      "complaint without a valid received_at); run qmsdoc validate:", f"  {CC1}"], 1),
    (("render", "--all"), "stderr", [DEL_LINE, "qmsdoc: 2 records not rendered"], 1),
])
def test_a_del_character_in_one_record_does_not_stop_other_commands(
        command: tuple[str, ...], stream: str, expected: list[str], code: int,
        sample_repo: Path, run_cli: Callable[..., object], tmp_path: Path) -> None:
    first = sample_repo / CC1
    first.write_text(first.read_text("utf-8").replace("title: ", "title: \x7f", 1), "utf-8")
    out = ("--out", str(tmp_path / "out")) if command[0] != "due" else ()
    result = run_cli(*command, *out, repo=sample_repo)
    lines = str(getattr(result, stream)).splitlines()
    assert lines[-len(expected):] == expected
    if command[0] == "render":
        assert DEL_LINE in lines
    assert result.exit_code == code  # type: ignore[attr-defined]


def test_an_unclosed_quote_is_reported_where_it_opens(
        repo: Path, write_record: Callable[..., Path], run_cli: Callable[..., object]) -> None:
    write_record(repo, PATH, RECORD.replace("title: 支架开裂", 'title: "支架开裂'))
    result = run_cli("validate", repo=repo)
    assert result.lines == [  # type: ignore[attr-defined]
        f'{PATH}:3:8: error[yaml]: /: YAML syntax error: the quote " opened here is not closed '
        "on its line; close it (the parser read on to line 10: did not find expected key "
        "(while parsing a block mapping))",
        "1 record checked, 1 error, 0 warnings",
    ]


def test_a_syntax_error_after_a_closed_multiline_quote_is_reported_where_it_is(
        repo: Path, write_record: Callable[..., Path], run_cli: Callable[..., object]) -> None:
    text = RECORD.replace("title: 支架开裂", 'title: "支架\n  开裂"') + "extra: [1, 2\n"
    write_record(repo, PATH, text)
    result = run_cli("validate", repo=repo)
    assert result.lines[0].startswith(f"{PATH}:15:1: error[yaml]: /: YAML syntax error: ")  # type: ignore[attr-defined]


def test_100000_unknown_keys_are_refused_without_a_hang(
        repo: Path, write_record: Callable[..., Path], run_cli: Callable[..., object]) -> None:
    extra = "".join(f"k{i}: 1\n" for i in range(100_000))
    write_record(repo, PATH, RECORD + extra)
    start = time.process_time()  # CPU time: other processes on the machine do not count
    result = run_cli("validate", repo=repo)
    elapsed = time.process_time() - start
    lines = result.lines  # type: ignore[attr-defined]
    assert lines[0] == f"{PATH}:13:1: error[schema]: /k0: unknown field 'k0' is not allowed here"
    assert lines[-2] == (f"{PATH}:63:1: error[schema]: /: 99,950 more unknown fields from here "
                         "on (100,000 in all); remove them")
    assert lines[-1] == "1 record checked, 51 errors, 0 warnings"
    assert elapsed < 10.0  # ~1 s here; a walk quadratic in the keys would take minutes


@pytest.mark.parametrize(("text", "line"), [
    (b"kind: complaint\ni", 2),  # a syntax error at the end of a file without a final newline
    (b"---\n#", 2),  # an empty document after a comment without a final newline
])
def test_a_finding_at_the_end_of_the_file_is_on_its_last_line(
        text: bytes, line: int, repo: Path, write_record: Callable[..., Path],
        run_cli: Callable[..., object]) -> None:
    write_record(repo, PATH, text)
    result = run_cli("validate", "--format", "json", repo=repo)
    lines = {p["line"] for p in json.loads(result.output)["problems"]}  # type: ignore[attr-defined]
    assert lines == {line}


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("args", [("validate",), ("validate", "-j", "2"), ("due",),
                                  ("export", "complaint", "--format", "csv", "--out", "-")])
def test_a_fifo_at_a_records_name_is_a_finding_not_a_hang(
        args: tuple[str, ...], repo: Path, write_record: Callable[..., Path]) -> None:
    """A FIFO left at a record's name (a careless script, an editor's pipe) has no writer:
    opening it to read would wait for ever, and so would the pre-commit hook and CI."""
    write_record(repo, PATH, RECORD)
    os.mkfifo(repo / "records/complaints/2026/CC-2026-0002.yaml")
    done = subprocess.run([sys.executable, "-m", "qmsdoc", "--repo", str(repo), *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, "QMSDOC_CACHE_DIR": "off", "QMSDOC_LANG": "en"})
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    if args[0] == "validate":
        assert done.stdout.splitlines() == [
            "records/complaints/2026/CC-2026-0002.yaml:1:1: error[io]: /: cannot read file: "
            "not a regular file (a FIFO, socket or device)",
            "2 records checked, 1 error, 0 warnings"]
    else:
        assert "1 record file(s) could not be read" in done.stdout + done.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_renumber_beside_a_fifo_names_it_and_writes_nothing(
        repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, RECORD)
    os.mkfifo(repo / "records/complaints/2026/CC-2026-0002.yaml")
    for rid in ("CC-2026-0001", "CC-2026-0002"):
        done = subprocess.run([sys.executable, "-m", "qmsdoc", "--repo", str(repo), "renumber",
                               rid], capture_output=True, text=True, timeout=60,
                              env={**os.environ, "QMSDOC_CACHE_DIR": "off", "QMSDOC_LANG": "en"})
        assert done.returncode == 2, done.stderr
        assert done.stderr == ("qmsdoc: records/complaints/2026/CC-2026-0002.yaml: not a regular "
                               "file (a FIFO, socket or device)\n")
    assert sorted(p.name for p in (repo / "records/complaints/2026").iterdir()) == [
        "CC-2026-0001.yaml", "CC-2026-0002.yaml"]
