"""Shared fixtures: a records repository in a tmp dir, writing records, running the CLI."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitrepo import COMPLAINT, COMPLAINT_PATH, GitRepo, complaint, make

from qmsdoc import i18n
from qmsdoc.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "records"
# the minimal valid complaint of tests/gitrepo.py, with its id left to fill in
MINIMAL_COMPLAINT = COMPLAINT.replace("{description}", "客户来料检验发现支架开裂。")


@dataclass
class Result:
    exit_code: int
    output: str  # stdout
    stderr: str

    @property
    def lines(self) -> list[str]:
        return self.output.splitlines()


PRINTED_EPOCH = "1796169600"  # 2026-12-02 08:00 +08:00: the print date of every test form
PRINTED = "2026-12-02 08:00 +08:00"


def pytest_configure(config: pytest.Config) -> None:
    """Forms print SOURCE_DATE_EPOCH as their print date: fixed for every test (module
    fixtures included), so that their output is reproducible; so are the messages' language."""
    os.environ["SOURCE_DATE_EPOCH"] = PRINTED_EPOCH
    # no language chosen, whatever the developer's locale (LANG=zh_CN.UTF-8 would choose
    # Chinese): English messages, Chinese reports; the tests of the choice set their own
    os.environ["LC_ALL"] = "C.UTF-8"
    os.environ.pop("QMSDOC_LANG", None)


@pytest.fixture(autouse=True)
def _messages_in_english_again() -> Iterator[None]:
    """A command run in-process in Chinese (`--lang zh`, QMSDOC_LANG) leaves the process's
    language set: each test starts from the default, whatever ran before it."""
    yield
    i18n.use("en")
    i18n.use_report("zh")


@pytest.fixture
def run_cli() -> Callable[..., Result]:
    """Run ``qmsdoc ARGS`` in-process; stdout and stderr apart."""

    def run(*args: str, repo: Path | None = None) -> Result:
        runner = CliRunner()
        full = ["--repo", str(repo), *args] if repo is not None else list(args)
        result = runner.invoke(main, full, catch_exceptions=False)
        return Result(result.exit_code, result.stdout, result.stderr)

    return run


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """An empty records repository (no git)."""
    root = tmp_path / "repo"
    (root / "records").mkdir(parents=True)
    return root


@pytest.fixture
def sample_repo(tmp_path: Path) -> Path:
    """A copy of the bundled sample records and configuration."""
    root = tmp_path / "samples"
    shutil.copytree(SAMPLES, root / "records")
    shutil.copy(ROOT / "qmsdoc.yaml", root / "qmsdoc.yaml")
    return root


@pytest.fixture
def write_record() -> Callable[..., Path]:
    """Write ``text`` (str, or bytes as-is) at ``repo/relpath``."""

    def write(repo: Path, relpath: str, text: str | bytes) -> Path:
        path = repo / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        return path

    return write


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true",
                     help="Rewrite the expected output files of the example corpus.")


# --- forms (issue 3): reading rendered .docx files ------------------------------------------


def _docx_text(path: Path) -> str:
    """Every paragraph of a .docx, opened with python-docx: headers, body (tables included)
    and footers of each section, one line per paragraph."""
    import docx
    from docx.oxml.ns import qn
    from docx.text.paragraph import Paragraph

    document = docx.Document(str(path))

    def paragraphs(element: object) -> list[str]:  # python-docx: <w:br/> reads as a newline
        return [Paragraph(p, None).text for p in element.iter(qn("w:p"))]  # type: ignore

    lines: list[str] = []
    for section in document.sections:
        lines += paragraphs(section.header._element)
    lines += paragraphs(document.element.body)
    for section in document.sections:
        lines += paragraphs(section.footer._element)
    return "\n".join(lines)


@pytest.fixture
def docx_text() -> Callable[[Path], str]:
    """``docx_text(path)``: the text of a rendered form, read back with python-docx."""
    return _docx_text


# --- real git repositories (tests/gitrepo.py) ------------------------------------------------


@pytest.fixture
def git_repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    """A records repository in a real git repo, with the roster's people committing."""
    return make(tmp_path, monkeypatch)


@pytest.fixture
def created(git_repo: GitRepo) -> GitRepo:
    """``git_repo`` with CC-2026-0001 committed by its preparer."""
    git_repo.commit("li.ming", "New complaint CC-2026-0001", {COMPLAINT_PATH: complaint()})
    return git_repo
