"""Exit codes as documented (issue 14): environment errors exit 2 with one clear line, and
configured limits cannot push the work past Python's own bounds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT

Run = Callable[..., object]
PATH = "records/complaints/2026/CC-2026-0001.yaml"


def _err(result: object) -> list[str]:
    return str(result.stderr).splitlines()  # type: ignore[attr-defined]


def _code(result: object) -> int:
    return int(result.exit_code)  # type: ignore[attr-defined]


@pytest.fixture
def without_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "no-git-here"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))


@pytest.mark.parametrize(("args", "needs"), [
    (("validate", "--history"), "validate --history"),
    (("validate", "--changed-since", "HEAD"), "--changed-since"),
])
def test_git_missing_is_an_environment_error_not_a_silent_pass(
        args: tuple[str, ...], needs: str, run_cli: Run, repo: Path,
        write_record: Callable[..., Path], without_git: None) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    result = run_cli(*args, repo=repo)
    assert _err(result) == [f"qmsdoc: git is not installed; {needs} needs it"]
    assert _code(result) == 2


def test_init_refusing_to_overwrite_exits_2(run_cli: Run, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "qmsdoc.yaml").write_text("company: {name: 明远}\n", encoding="utf-8")
    result = run_cli("init", repo=root)
    assert _code(result) == 2
    assert _err(result)[0].startswith(f"qmsdoc: {root}: 1 file(s) already exist; nothing was "
                                      "written")


def test_a_depth_limit_beyond_the_recursion_bound_is_refused(
        run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", "limits:\n  max_depth: 1000\n")
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    result = run_cli("validate", repo=repo)
    assert str(result.output).splitlines()[0] == (  # type: ignore[attr-defined]
        "qmsdoc.yaml:2:14: error[config]: /limits/max_depth: 1000 is greater than the maximum "
        "of 200")
    assert _code(result) == 2


@pytest.mark.parametrize("depth", [150, 199, 300, 900])
def test_deep_nesting_under_the_highest_limit_is_a_finding_never_a_crash(
        depth: int, run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", "limits:\n  max_depth: 200\n")
    flow = "extra: " + "[" * depth + "]" * depth + "\n"
    block = "extra2:\n" + "".join("  " * i + f"k{i}:\n" for i in range(1, depth)) + \
        "  " * depth + "v: 1\n"
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001") + flow + block)
    result = run_cli("validate", repo=repo)
    lines = str(result.output).splitlines()  # type: ignore[attr-defined]
    assert _code(result) == 1
    if depth < 200:
        assert lines[0].endswith("/extra: unknown field 'extra' is not allowed here")
    else:
        assert lines[0].endswith("error[limit]: /: nesting deeper than 200 levels")


def test_new_refusing_to_overwrite_exits_2(run_cli: Run, repo: Path) -> None:
    assert _code(run_cli("new", "special-requirements", "--customer", "LDEV", repo=repo)) == 0
    again = run_cli("new", "special-requirements", "--customer", "LDEV", repo=repo)
    assert _err(again) == ["qmsdoc: records/special-requirements/CSR-LDEV.yaml already exists; "
                           "edit it instead"]
    assert _code(again) == 2


def test_an_output_that_cannot_hold_chinese_is_not_an_internal_error(sample_repo: Path) -> None:
    """stdout in latin-1 (PYTHONIOENCODING, a cp1252 file on Windows): what it cannot hold is
    escaped, as on stderr; before, the first Chinese line was an internal error (exit 3)."""
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "qmsdoc", "--repo", str(sample_repo),
                           "--lang", "zh", "validate"], capture_output=True, timeout=120,
                          env={**os.environ, "PYTHONIOENCODING": "latin-1",
                               "QMSDOC_CACHE_DIR": "off"})
    assert done.returncode == 0, done.stderr
    assert done.stdout == (b"\\u5df2\\u68c0\\u67e5 8 \\u6761\\u8bb0\\u5f55\\uff1a0 \\u4e2a\\u9519"
                           b"\\u8bef\\uff0c0 \\u4e2a\\u8b66\\u544a\n")
