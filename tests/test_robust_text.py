"""Required text that means something (issue 14): blank-looking values are refused through
the schema, with one finding per problem."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT

from qmsdoc.schema import SchemaStore

Run = Callable[..., object]
PATH = "records/complaints/2026/CC-2026-0001.yaml"
CONFIG = "customers:\n  - {code: HXAUTO, name: 华信汽车部件有限公司}\n"


@pytest.mark.parametrize(("value", "shown"), [
    ('"   "', '"   "'), ('"\u3000"', '"\u3000"'), ('"\u200b\u200b"', '"\u200b\u200b"'),
    ('"\ufeff \t"', '"\ufeff \\t"'),
])
def test_blank_looking_required_text_is_refused(
        value: str, shown: str, run_cli: Run, repo: Path,
        write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001").replace(
        "description: 客户来料检验发现支架开裂。", f"description: {value}"))
    result = run_cli("validate", repo=repo)
    assert str(result.output).splitlines() == [  # type: ignore[attr-defined]
        f"{PATH}:12:14: error[schema]: /description: {shown} is blank (only spaces, U+3000 or "
        "zero-width characters); fill it in",
        "1 record checked, 1 error, 0 warnings",
    ]


def test_an_empty_customer_is_one_finding(run_cli: Run, repo: Path,
                                          write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", CONFIG)
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001").replace(
        "customer: HXAUTO", 'customer: ""'))
    result = run_cli("validate", repo=repo)
    assert str(result.output).splitlines() == [  # type: ignore[attr-defined]
        f'{PATH}:4:11: error[schema]: /customer: "" is empty; fill it in',
        "1 record checked, 1 error, 0 warnings",
    ]


def test_text_with_words_between_blanks_passes(run_cli: Run, repo: Path,
                                               write_record: Callable[..., Path]) -> None:
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001").replace(
        "description: 客户来料检验发现支架开裂。", 'description: "\u3000 开裂 \u200b"'))
    assert str(run_cli("validate", repo=repo).output).splitlines() == [  # type: ignore[attr-defined]
        "1 record checked, 0 errors, 0 warnings"]


def test_the_schema_says_it_so_editors_and_other_validators_agree() -> None:
    defs = SchemaStore().for_kind("complaint")["$defs"]
    assert {"$ref": "#/$defs/defs.plain_text"} in defs["defs.text"]["anyOf"]  # or {zh, en}
    text = defs["defs.plain_text"]
    assert text["minLength"] == 1 and text["pattern"] == "[^\\s\\u200b-\\u200d\\u2060\\ufeff]"
    assert json.dumps(text)  # plain JSON: check-jsonschema and VS Code read the same rule


def test_reopening_gets_hints_that_agree(run_cli: Run, sample_repo: Path) -> None:
    """validate --history on a closed complaint set back to investigating without a reason:
    the history asks for a 'Reason:' line, and the status rules name the same way out."""
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "GIT_AUTHOR_NAME": "李明", "GIT_AUTHOR_EMAIL": "li.ming@example.com",
           "GIT_COMMITTER_NAME": "李明", "GIT_COMMITTER_EMAIL": "li.ming@example.com"}

    def git(*args: str) -> None:
        subprocess.run(["git", "-C", str(sample_repo), *args], env=env, check=True,
                       capture_output=True)

    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", "samples")
    path = sample_repo / "records/complaints/2026/CC-2026-0002.yaml"
    path.write_text(path.read_text("utf-8").replace("status: closed\n", "status: investigating\n"),
                    "utf-8")
    git("commit", "-q", "-am", "reopened")
    result = run_cli("validate", "--history", repo=sample_repo)
    status = [re.sub(r"^.*?warning", "warning", line) for line in
              str(result.output).splitlines()  # type: ignore[attr-defined]
              if "CC-2026-0002" in line and "/status" in line]
    assert any("[state-history]" in line for line in status), status
    assert len(status) > 1 and all("reopening" in line for line in status), status
