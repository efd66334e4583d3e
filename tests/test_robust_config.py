"""qmsdoc.yaml findings as precise as record findings (issue 14): the offending key's line,
a code, the field and "did you mean", in every --format of validate and in every command."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

Run = Callable[..., object]
CONFIG = """\
company: {name: 测试制造有限公司}
customers:
  - {code: HXAUTO, name: 华信汽车部件有限公司}
severty:
  between: major
limits:
  max_deph: 64
"""
LINES = [
    "qmsdoc.yaml:4:1: error[config]: /severty: unknown field 'severty' is not allowed here; "
    "did you mean 'severity'?",
    "qmsdoc.yaml:7:3: error[config]: /limits/max_deph: unknown field 'max_deph' is not allowed "
    "here; did you mean 'max_depth'?",
]


@pytest.fixture
def broken(repo: Path) -> Path:
    (repo / "qmsdoc.yaml").write_text(CONFIG, encoding="utf-8")
    return repo


def _out(result: object, stream: str = "output") -> list[str]:
    return str(getattr(result, stream)).splitlines()


def test_text(run_cli: Run, broken: Path) -> None:
    result = run_cli("validate", repo=broken)
    assert _out(result) == [*LINES, "0 records checked, 2 errors, 0 warnings"]
    assert result.exit_code == 2  # type: ignore[attr-defined]


def test_github_annotates_the_configuration(run_cli: Run, broken: Path) -> None:
    result = run_cli("validate", "--format", "github", repo=broken)
    assert _out(result) == [
        "::error file=qmsdoc.yaml,line=4,col=1::/severty: unknown field 'severty' is not "
        "allowed here; did you mean 'severity'? [config]",
        "::error file=qmsdoc.yaml,line=7,col=3::/limits/max_deph: unknown field 'max_deph' is "
        "not allowed here; did you mean 'max_depth'? [config]",
        "0 records checked, 2 errors, 0 warnings",
    ]
    assert result.exit_code == 2  # type: ignore[attr-defined]


def test_json(run_cli: Run, broken: Path) -> None:
    result = run_cli("validate", "--format", "json", repo=broken)
    report = json.loads(str(result.output))  # type: ignore[attr-defined]
    assert report["errors"] == 2
    assert [(p["path"], p["line"], p["column"], p["code"], p["field"])
            for p in report["problems"]] == [("qmsdoc.yaml", 4, 1, "config", "/severty"),
                                             ("qmsdoc.yaml", 7, 3, "config",
                                              "/limits/max_deph")]


def test_other_commands_print_the_same_lines(run_cli: Run, broken: Path) -> None:
    result = run_cli("due", repo=broken)
    assert _out(result, "stderr") == [f"qmsdoc: {line}" for line in LINES]
    assert result.exit_code == 2  # type: ignore[attr-defined]


def test_a_syntax_error_in_the_configuration_points_at_its_line(run_cli: Run,
                                                                repo: Path) -> None:
    (repo / "qmsdoc.yaml").write_text('company: {name: "测试\ncustomers: []\nx: 1\n',
                                      encoding="utf-8")
    result = run_cli("validate", "--format", "github", repo=repo)
    assert _out(result)[0].startswith("::error file=qmsdoc.yaml,line=1,col=17::/: YAML syntax "
                                      'error: the quote " opened here is not closed')
    assert result.exit_code == 2  # type: ignore[attr-defined]
