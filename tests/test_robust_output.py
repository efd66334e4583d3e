"""Untrusted text in every output format (issue 14): a file name or value holding a line
break cannot print a line of its own, so it cannot forge a GitHub annotation."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT

from qmsdoc.views.findings import printable

Run = Callable[..., object]
FORGED = "records/complaints/2026/CC-2026-0001\n::warning file=x::forged.yaml"


def _out(result: object, stream: str = "output") -> str:
    return str(getattr(result, stream))


def test_printable_escapes_line_breaks_and_controls_only() -> None:
    assert printable("支架 A&B: ok") == "支架 A&B: ok"
    assert printable("a\nb\rc\x85d\u2028e\x1b[31mf\u202eg") == \
        "a\\nb\\rc\\x85d\\u2028e\\x1b[31mf\\u202eg"


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_a_file_name_with_a_line_break_cannot_forge_an_annotation(
        fmt: str, run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, FORGED, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    result = run_cli("validate", "--format", fmt, repo=repo)
    out = _out(result)
    assert [line for line in out.splitlines() if line.startswith("::")] == (
        [out.splitlines()[0]] if fmt == "github" else [])
    if fmt == "text":
        assert out.splitlines()[0] == (
            "records/complaints/2026/CC-2026-0001\\n::warning file=x::forged.yaml:2:5: "
            "error[file-name]: /id: file name 'CC-2026-0001\\n::warning file=x::forged' "
            "does not match id 'CC-2026-0001'; name the file CC-2026-0001.yaml")
    elif fmt == "github":
        assert out.splitlines()[0] == (
            "::error file=records/complaints/2026/CC-2026-0001%0A%3A%3Awarning file=x%3A%3A"
            "forged.yaml,line=2,col=5::/id: file name 'CC-2026-0001\\n::warning file=x::"
            "forged' does not match id 'CC-2026-0001'; name the file CC-2026-0001.yaml "
            "[file-name]")
    else:
        assert json.loads(out)["problems"][0]["path"] == FORGED


def test_render_prints_untrusted_names_escaped(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, FORGED, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    result = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert not any(line.startswith("::") for line in _out(result, "stderr").splitlines())
    assert _out(result, "stderr").splitlines()[0].startswith(
        "records/complaints/2026/CC-2026-0001\\n::warning file=x::forged.yaml:2:5: "
        "error[file-name]")


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/null and /dev/full")
def test_an_output_that_is_a_device_is_written_through_not_replaced(
        tmp_path: Path, repo: Path, write_record: Callable[..., Path],
        run_cli: Callable[..., object]) -> None:
    """`--out /dev/stdout` (a link to a pipe or a terminal) or a device is written to, as a
    shell redirection would: replacing it with a regular file (as root, /dev/full itself)
    loses the device and the output, and a full device's error went unnoticed."""
    write_record(repo, "records/complaints/2026/CC-2026-0001.yaml",
                 MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    null, full = tmp_path / "null.csv", tmp_path / "full.csv"
    null.symlink_to("/dev/null")
    full.symlink_to("/dev/full")
    result = run_cli("export", "complaint", "--format", "csv", "--out", str(null), repo=repo)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert null.is_symlink() and null.is_char_device()
    result = run_cli("export", "complaint", "--format", "csv", "--out", str(full), repo=repo)
    assert result.exit_code == 2  # type: ignore[attr-defined]
    assert result.stderr == (  # type: ignore[attr-defined]
        f"qmsdoc: cannot write {full}: No space left on device\n")
    assert full.is_symlink() and full.is_char_device()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["full.csv", "null.csv", "repo"]
