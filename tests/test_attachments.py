"""Attachment paths: repository-relative regular files inside the repository, or an error
from `validate`; render never reads one that fails the check."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT
from hypothesis import given, settings
from hypothesis import strategies as st

from qmsdoc.records import attachments
from qmsdoc.records.attachments import Places, problem, resolve
from qmsdoc.render.forms import PictureReader

Run = Callable[..., object]
PATH = "records/complaints/2026/CC-2026-0001.yaml"
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x02\x00\x00\x00\x01\x08\x02\x00\x00"
       b"\x00\x00\x00\x00\x00" b"\x00\x00\x00\x00IEND\xaeB`\x82")  # header and end, no data


def complaint_with(*paths: str) -> str:
    items = "".join(f"  - path: '{p}'\n    caption: 照片{i}\n" for i, p in enumerate(paths))
    return MINIMAL_COMPLAINT.format(id="CC-2026-0001") + "attachments:\n" + items


@pytest.fixture
def tree(repo: Path, tmp_path: Path) -> Path:
    """A repository with a photo, a folder, and symlinks leading in and out."""
    photos = repo / "records" / "attachments"
    photos.mkdir(parents=True)
    (photos / "ok.png").write_bytes(PNG)
    outside = tmp_path / "secret.png"
    outside.write_bytes(PNG)
    os.symlink(outside, photos / "leak.png")
    os.symlink(tmp_path, photos / "outdir")
    os.symlink(photos / "ok.png", photos / "inside.png")
    return repo


def test_problem_messages(tree: Path) -> None:
    cases = {
        "/etc/passwd": "'/etc/passwd' is an absolute path; attachments are paths relative "
                       "to the repository root",
        "\\\\server\\share\\a.png": "'\\\\server\\share\\a.png' is an absolute path; attachments "
                                    "are paths relative to the repository root",
        "C:/photos/a.png": "'C:/photos/a.png' starts with a drive letter; attachments are "
                           "paths relative to the repository root",
        "records\\attachments\\ok.png": "'records\\attachments\\ok.png' contains a backslash; "
                                        "use forward slashes",
        "records/../../etc/passwd": "'records/../../etc/passwd' contains '..'; attachments "
                                    "must stay inside the repository",
        "records/attachments/nope.png": "'records/attachments/nope.png' does not exist",
        "records/attachments": "'records/attachments' is not a regular file",
        "records/attachments/leak.png": "'records/attachments/leak.png' is a symlink leading "
                                        "outside the repository",
        "records/attachments/outdir/secret.png": "'records/attachments/outdir/secret.png' is "
                                                 "a symlink leading outside the repository",
        "records/attachments/ok.png": None,
        "records/attachments/inside.png": None,
    }
    places = Places(tree)  # what validate uses: folders resolved once, one lstat a file
    for path, message in cases.items():
        assert problem(tree, path) == message, path
        assert places.problem(path) == message, path
    for path in ("records/attachments/", "records/attachments/.", "records/attachments/outdir",
                 "records/attachments/outdir/nope.png", "records//attachments/ok.png",
                 "records/./attachments/ok.png", "ok.png", "records/attachments/ok.png/x"):
        assert places.problem(path) == problem(tree, path), path


def test_validate_reports_every_bad_attachment(run_cli: Run, tree: Path,
                                               write_record: Callable[..., Path]) -> None:
    write_record(tree, PATH, complaint_with(
        "records/attachments/ok.png", "/etc/passwd", "../outside.png",
        "records\\attachments\\ok.png", "records/attachments/leak.png",
        "records/attachments/missing.png"))
    result = run_cli("validate", repo=tree)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    lines = [line for line in result.output.splitlines()  # type: ignore[attr-defined]
             if "[attachment]" in line]
    assert lines == [
        f"{PATH}:16:11: error[attachment]: /attachments/1/path: '/etc/passwd' is an absolute "
        "path; attachments are paths relative to the repository root",
        f"{PATH}:18:11: error[attachment]: /attachments/2/path: '../outside.png' contains "
        "'..'; attachments must stay inside the repository",
        f"{PATH}:20:11: error[attachment]: /attachments/3/path: 'records\\attachments\\ok.png' "
        "contains a backslash; use forward slashes",
        f"{PATH}:22:11: error[attachment]: /attachments/4/path: 'records/attachments/leak.png' "
        "is a symlink leading outside the repository",
        f"{PATH}:24:11: error[attachment]: /attachments/5/path: "
        "'records/attachments/missing.png' does not exist",
    ]


def test_nested_attachment_lists_are_checked(run_cli: Run, tree: Path,
                                             write_record: Callable[..., Path]) -> None:
    write_record(tree, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001") + (
        "verification:\n  evidence:\n    - path: records/attachments/leak.png\n"
        "      caption: 化验单\n"))
    result = run_cli("validate", repo=tree)
    assert [line for line in result.output.splitlines()  # type: ignore[attr-defined]
            if "[attachment]" in line] == [
        f"{PATH}:15:13: error[attachment]: /verification/evidence/0/path: "
        "'records/attachments/leak.png' is a symlink leading outside the repository"]


def test_render_refuses_and_never_reads_a_bad_attachment(
        run_cli: Run, tree: Path, write_record: Callable[..., Path]) -> None:
    write_record(tree, PATH, complaint_with("records/attachments/leak.png"))
    result = run_cli("render", "--all", "--out", str(tree / "out"), repo=tree)
    assert result.exit_code == 1  # type: ignore[attr-defined]
    assert not (tree / "out" / "CC-2026-0001.docx").exists()
    reader = PictureReader(tree)
    assert reader("records/attachments/leak.png") is None
    assert reader("/etc/passwd") is None
    assert reader("records/attachments/ok.png") is not None
    assert resolve(tree, "records/attachments/outdir/secret.png") is None


def _every_question(path: str) -> str | None:
    """path_problem's questions, all asked (what it answered before its quick pass)."""
    saved = attachments._PLAIN_PATH
    attachments._PLAIN_PATH = re.compile("(?!)")
    try:
        return attachments.path_problem(path)
    finally:
        attachments._PLAIN_PATH = saved


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=["a", "Z", "0", "_", "-", ".", "/", "\\", ":", "\x01", "\x7f", " ", "图"],
               max_size=12))
def test_the_quick_pass_over_plain_paths_answers_as_every_question(path: str) -> None:
    assert attachments.path_problem(path) == _every_question(path)


@pytest.mark.parametrize("path", ["records/attachments/a.pdf", "a/../b", "../a", "./a", "a/.b",
                                  "C:/x", "/etc/passwd", "a\\b", "a\x01", "a/b/"])
def test_plain_and_odd_paths(path: str) -> None:
    assert attachments.path_problem(path) == _every_question(path)
