"""The forms of the demo repository have the same contents as the renderer they were pinned
with, and the same bytes from one run to the next.

A faster renderer must not change a form: the demo repository (the samples, their git history
with approvals, the templates) is rendered with the print time fixed, one record at a time and
all at once in worker processes, and each file's content digest is held against
tests/examples/forms.sha256. The content digest covers the member names and order, the zip
fields that do not depend on the deflater (times, flags, attributes, CRC, sizes, extra,
comments) and each member's uncompressed bytes: the compressed bytes are ISA-L's where
``isal`` is installed (its code chosen by the CPU), zlib's otherwise, so they are the same
from one run to the next on one machine (held here too), not everywhere. A deliberate change
of a template, a sample or the frame changes the digests: ``pytest tests/test_render_golden.py
--update-golden`` rewrites the file (commit it with the change that explains it).
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Result

from qmsdoc.scaffold import example

PINNED = Path(__file__).parent / "examples" / "forms.sha256"
EPOCH = "1765000000"  # 2025-12-06 05:46 UTC: the print time on every form
NO_ISAL = """\
import importlib.abc
import sys


class _NoIsal(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "isal" or name.startswith("isal."):
            raise ImportError(f"{name} is blocked for this test")
        return None


sys.meta_path.insert(0, _NoIsal())
"""


def content_digest(form: Path) -> str:
    """A .docx package's contents, whatever deflated it: its members in order, each one's
    zip fields except the compressed size and offset, and its uncompressed bytes."""
    digest = hashlib.sha256()
    with zipfile.ZipFile(form) as package:
        digest.update(repr(package.comment).encode())
        for info in package.infolist():
            fields = (info.filename, info.date_time, info.compress_type, info.flag_bits,
                      info.create_system, info.create_version, info.extract_version,
                      info.internal_attr, info.external_attr, info.CRC, info.file_size,
                      info.extra, info.comment)
            digest.update(repr(fields).encode())
            digest.update(hashlib.sha256(package.read(info)).digest())
    return digest.hexdigest()


def _digests(folder: Path) -> str:
    return "".join(f"{content_digest(p)}  {p.name}\n" for p in sorted(folder.glob("*.docx")))


def _bytes(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.docx"))}


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
        "a form's contents changed; if on purpose: pytest tests/test_render_golden.py "
        "--update-golden")


def test_forms_rendered_in_workers_are_the_same_bytes(demo: Path, run_cli: Callable[..., Result],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    from qmsdoc import render

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(render, "PARALLEL_MIN", 2)
    out = demo.parent / "in-workers"
    assert run_cli("render", "--all", "-j", "2", "--out", str(out), repo=demo).exit_code == 0
    assert _digests(out) == PINNED.read_text(encoding="utf-8")


def test_two_renders_on_one_machine_are_the_same_bytes(
        demo: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    first, second = demo.parent / "first", demo.parent / "second"
    for out in (first, second):
        assert run_cli("render", "--all", "-j", "1", "--out", str(out), repo=demo).exit_code == 0
    assert len(_bytes(first)) >= 8 and _bytes(first) == _bytes(second)


def test_without_isal_the_forms_have_the_pinned_contents(demo: Path, tmp_path: Path) -> None:
    """isal is optional: where it cannot be imported, zlib deflates the same contents."""
    blocker = tmp_path / "no-isal"
    blocker.mkdir()
    (blocker / "sitecustomize.py").write_text(NO_ISAL, encoding="utf-8")
    out = tmp_path / "zlib"
    env = {**os.environ, "SOURCE_DATE_EPOCH": EPOCH, "QMSDOC_CACHE_DIR": "off",
           "PYTHONPATH": os.pathsep.join([str(blocker), os.environ.get("PYTHONPATH", "")])}
    check = ("import sys\nfrom qmsdoc.render import zipout\n"
             "sys.exit(zipout.compress is not zipout._zlib_deflate)\n")
    assert subprocess.run([sys.executable, "-c", check], env=env, check=False).returncode == 0
    done = subprocess.run([sys.executable, "-m", "qmsdoc", "render", "--all", "-j", "1",
                           "--out", str(out)], cwd=demo, env=env, capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert _digests(out) == PINNED.read_text(encoding="utf-8")
