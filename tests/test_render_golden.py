"""The forms of the demo repository are the same bytes as the renderer they were pinned with.

A faster renderer must not change one byte of a form: the demo repository (the samples, their
git history with approvals, the templates) is rendered with the print time fixed, one record
at a time and all at once in worker processes, and each file's SHA-256 is held against
tests/examples/forms.sha256. A deliberate change of a template, a sample or the frame changes
them: ``pytest tests/test_render_golden.py --update-golden`` rewrites the file (commit it with
the change that explains it).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result

from qmsdoc.scaffold import example

PINNED = Path(__file__).parent / "examples" / "forms.sha256"
EPOCH = "1765000000"  # 2025-12-06 05:46 UTC: the print time on every form


def _digests(folder: Path) -> str:
    return "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
                   for p in sorted(folder.glob("*.docx")))


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("golden") / "demo-repo"
    root.mkdir()
    example.demo_repository(root)
    return root


def test_demo_forms_are_the_pinned_bytes(demo: Path, run_cli: Callable[..., Result],
                                         monkeypatch: pytest.MonkeyPatch,
                                         request: pytest.FixtureRequest) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    out = demo.parent / "one-by-one"
    assert run_cli("render", "--all", "-j", "1", "--out", str(out), repo=demo).exit_code == 0
    actual = _digests(out)
    assert actual.count("\n") >= 8
    if request.config.getoption("--update-golden"):
        PINNED.write_text(actual, encoding="utf-8")
    assert actual == PINNED.read_text(encoding="utf-8"), (
        "a form's bytes changed; if on purpose: pytest tests/test_render_golden.py "
        "--update-golden")


def test_forms_rendered_in_workers_are_the_same_bytes(demo: Path, run_cli: Callable[..., Result],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from qmsdoc import render

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(render, "PARALLEL_MIN", 2)
    out = demo.parent / "in-workers"
    assert run_cli("render", "--all", "-j", "2", "--out", str(out), repo=demo).exit_code == 0
    assert _digests(out) == PINNED.read_text(encoding="utf-8")
