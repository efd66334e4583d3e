"""Workflow states that went backwards in git history: found unless the commit says why."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, GitRepo, complaint

from qmsdoc.checks import statehistory
from qmsdoc.errors import UsageError

CSR_PATH = "records/special-requirements/CSR-HXAUTO.yaml"
CSR = """\
kind: special-requirements
id: CSR-HXAUTO
items:
  - {{item_id: HX-01, status: {first}}}
  - {{item_id: HX-02, status: {second}}}
"""


def at_status(status: str) -> str:
    return complaint().replace("status: registered", f"status: {status}")


def test_a_reopened_complaint_without_a_reason_is_found(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: at_status("registered")})
    git_repo.commit("li.ming", "Actions", {COMPLAINT_PATH: at_status("actions")})
    closed = git_repo.commit("wang.fang", "Closed", {COMPLAINT_PATH: at_status("closed_internal")})
    back = git_repo.commit("li.ming", "Back to actions", {COMPLAINT_PATH: at_status("actions")})
    assert closed != back
    found = statehistory.regressions(git_repo.root)
    assert found == [statehistory.Regression(COMPLAINT_PATH, back, "/status", "closed_internal",
                                             "actions")]
    [finding] = statehistory.findings(git_repo.root)
    assert (finding.location.path, finding.location.line, finding.code) == \
        (COMPLAINT_PATH, 8, "state-history")  # the status line
    assert finding.message == (f"went back from closed_internal to actions in commit "
                               f"{back[:12]} without a stated reason (add a 'Reason:' line to "
                               "the commit message when reopening)")


def test_a_stated_reason_is_enough(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: at_status("closed_internal")})
    git_repo.commit("li.ming", "Reopen\n\nReason: the customer found the crack again on 20 Nov",
                    {COMPLAINT_PATH: at_status("investigating")})
    assert statehistory.regressions(git_repo.root) == []


def test_requirement_items_going_back(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "CSR", {CSR_PATH: CSR.format(first="in_progress", second="open")})
    git_repo.commit("li.ming", "Done", {CSR_PATH: CSR.format(first="done", second="in_progress")})
    back = git_repo.commit("li.ming", "Oops", {CSR_PATH: CSR.format(first="in_progress",
                                                                   second="in_progress")})
    assert statehistory.regressions(git_repo.root) == [
        statehistory.Regression(CSR_PATH, back, "item HX-01", "done", "in_progress")]


def test_without_commits_there_is_nothing_to_check(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert statehistory.regressions(tmp_path) == []


def test_outside_git_there_is_no_silent_pass(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="validate --history needs a git repository"):
        statehistory.regressions(tmp_path)


def test_validate_history_reports_the_regression(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: at_status("actions")})
    back = git_repo.commit("li.ming", "Back", {COMPLAINT_PATH: at_status("investigating")})
    plain = git_repo.cli("validate")
    assert "state-history" not in plain.output
    result = git_repo.cli("validate", "--history")
    assert result.exit_code == 0
    assert (f"{COMPLAINT_PATH}:8:1: warning[state-history]: /status: went back from actions to "
            f"investigating in commit {back[:12]} without a stated reason (add a 'Reason:' line "
            "to the commit message when reopening)") in result.lines
