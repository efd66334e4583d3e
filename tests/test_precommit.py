"""The shipped pre-commit hook, run by the real pre-commit in a temporary records repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT, ROOT

BIN = Path(sys.executable).parent
PRE_COMMIT = shutil.which("pre-commit", path=str(BIN)) or shutil.which("pre-commit")
pytestmark = [
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
    pytest.mark.skipif(PRE_COMMIT is None, reason="pre-commit is not installed "
                       "(pip install pre-commit, or make test, which installs it)"),
]
RECORD = "records/complaints/2026/CC-2026-0101.yaml"


def run(cwd: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(args), cwd=cwd, env=env, capture_output=True, text=True)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home"),
            "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_AUTHOR_NAME": "李明", "GIT_AUTHOR_EMAIL": "li.ming@example.invalid",
            "GIT_COMMITTER_NAME": "李明", "GIT_COMMITTER_EMAIL": "li.ming@example.invalid"}


@pytest.fixture
def hooks_repo(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    """This project's .pre-commit-hooks.yaml as a hook repository pre-commit can clone."""
    repo = tmp_path / "hooks"
    repo.mkdir()
    shutil.copy(ROOT / ".pre-commit-hooks.yaml", repo / ".pre-commit-hooks.yaml")
    run(repo, "git", "init", "-q", "-b", "main", env=env)
    run(repo, "git", "add", "-A", env=env)
    run(repo, "git", "commit", "-q", "-m", "hooks", env=env)
    rev = run(repo, "git", "rev-parse", "HEAD", env=env).stdout.strip()
    return repo, rev


@pytest.fixture
def records_repo(tmp_path: Path, env: dict[str, str], hooks_repo: tuple[Path, str]) -> Path:
    repo = tmp_path / "records-repo"
    repo.mkdir()
    run(repo, "git", "init", "-q", "-b", "main", env=env)
    hooks, rev = hooks_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks.as_uri()}\n    rev: {rev}\n    hooks:\n"
        "      - id: qmsdoc-validate-system\n", encoding="utf-8")
    installed = run(repo, str(PRE_COMMIT), "install", env=env)
    assert installed.returncode == 0, installed.stderr
    return repo


def commit(repo: Path, text: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    path = repo / RECORD
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    run(repo, "git", "add", "-A", env=env)
    return run(repo, "git", "commit", "-m", "Complaint CC-2026-0101", env=env)


def test_a_bad_record_is_blocked_with_its_line_and_a_good_one_passes(
        records_repo: Path, env: dict[str, str]) -> None:
    bad = MINIMAL_COMPLAINT.format(id="CC-2026-0101").replace(
        "  name: 前保险杠支架\n", "  name: 前保险杠支架\n  qty_defective: -5\n")
    blocked = commit(records_repo, bad, env)
    assert blocked.returncode != 0
    output = blocked.stdout + blocked.stderr
    assert (f"{RECORD}:12:18: error[schema]: /product/qty_defective: -5 is less than the "
            "minimum of 0") in output
    assert "1 record checked, 1 error, 0 warnings" in output
    assert run(records_repo, "git", "rev-list", "--all", env=env).stdout == ""  # nothing committed

    good = commit(records_repo, MINIMAL_COMPLAINT.format(id="CC-2026-0101"), env)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "qmsdoc validate" in good.stdout + good.stderr and "Passed" in good.stdout + good.stderr
    log = run(records_repo, "git", "log", "--format=%s", env=env).stdout.splitlines()
    assert log == ["Complaint CC-2026-0101"]


def test_a_template_with_an_unknown_field_is_blocked(tmp_path: Path, env: dict[str, str],
                                                     hooks_repo: tuple[Path, str]) -> None:
    import docx

    repo = tmp_path / "templates-repo"
    (repo / "records").mkdir(parents=True)
    run(repo, "git", "init", "-q", "-b", "main", env=env)
    hooks, rev = hooks_repo
    (repo / ".pre-commit-config.yaml").write_text(
        f"repos:\n  - repo: {hooks.as_uri()}\n    rev: {rev}\n    hooks:\n"
        "      - id: qmsdoc-template-check-system\n", encoding="utf-8")
    assert run(repo, str(PRE_COMMIT), "install", env=env).returncode == 0
    template = repo / "templates" / "8d.docx"
    template.parent.mkdir()
    template.write_bytes((ROOT / "qmsdoc/builtin/templates/8d.docx").read_bytes())
    document = docx.Document(str(template))
    document.add_paragraph("{{ r.d9 }}")
    document.save(str(template))
    run(repo, "git", "add", "-A", env=env)
    blocked = run(repo, "git", "commit", "-m", "8D form", env=env)
    assert blocked.returncode != 0
    assert ("templates/8d.docx: error: word/document.xml: unknown field 'r.d9' (8d records "
            "have no field 'd9')") in blocked.stdout + blocked.stderr


def test_all_files_fails_on_an_invalid_committed_record(records_repo: Path,
                                                        env: dict[str, str]) -> None:
    """Issue 12: `pre-commit run --all-files` checks what pre-commit selects, not only the
    changes against HEAD (pre-commit.ci and --all-files CI jobs)."""
    path = records_repo / RECORD
    path.parent.mkdir(parents=True)
    path.write_text(MINIMAL_COMPLAINT.replace("CC-2026-0001", "CC-2026-0101")
                    .replace("category: quality", "category: qualty"), encoding="utf-8")
    run(records_repo, "git", "add", "-A", env=env)
    committed = run(records_repo, "git", "commit", "-q", "--no-verify", "-m", "bad", env=env)
    assert committed.returncode == 0, committed.stderr
    result = run(records_repo, str(PRE_COMMIT), "run", "--all-files", env=env)
    assert result.returncode == 1
    assert f"{RECORD}:" in result.stdout and "error[schema]: /category:" in result.stdout
    changed = run(records_repo, str(PRE_COMMIT), "run", "--from-ref", "HEAD~0",
                  "--to-ref", "HEAD", env=env)
    assert changed.returncode == 0  # nothing changed between the two refs
