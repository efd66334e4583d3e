"""A record file moved to another folder (the same id): git's log lists the move's two
changes in the order of their paths, the deletion of the old path last when the new path
sorts first. Where the record is now is the file the commit left, whatever that order:
verify, history and the form's status agree on it, with or without the caches."""

from __future__ import annotations

import shutil

import pytest
from gitrepo import COMPLAINT_PATH, GitRepo, complaint
from test_doccontrol_status import render, revision_cell

FLAT = "records/complaints/CC-2026-0001.yaml"  # sorts after COMPLAINT_PATH ("2026/" first)
ORDERS = [(FLAT, COMPLAINT_PATH), (COMPLAINT_PATH, FLAT)]  # moved to a path before, after
UNSIGNED = ("{n} of {n} approval(s) unsigned: names are self-declared (no identity proven; "
            "qmsdoc keys sets up signing)")


def move(repo: GitRepo, first: str, moved: str) -> None:
    (repo.root / moved).parent.mkdir(parents=True, exist_ok=True)
    repo.git("mv", first, moved)
    repo.commit("li.ming", "Moved")


def verify_lines(repo: GitRepo) -> list[str]:
    """verify's lines with --no-cache, from no cache and with the cache it left: the same."""
    runs = [repo.cli("verify", "--no-cache")]
    shutil.rmtree(repo.root / ".git" / "qmsdoc", ignore_errors=True)
    runs += [repo.cli("verify"), repo.cli("verify")]
    assert {(r.exit_code, tuple(r.lines)) for r in runs} == {(0, tuple(runs[0].lines))}
    return runs[0].lines


@pytest.mark.parametrize(("first", "moved"), ORDERS)
def test_a_record_moved_then_approved_is_released_where_it_is(
        git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, first: str, moved: str) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    git_repo.commit("li.ming", "New complaint", {first: complaint()})
    move(git_repo, first, moved)
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    approved = git_repo.approve("sun.li", "approve")
    assert approved.lines[-1] == "CC-2026-0001 is released as revision A"
    assert verify_lines(git_repo) == [
        "2 approval(s) of 1 record(s) checked, 0 violation(s)", UNSIGNED.format(n=2)]
    history = git_repo.cli("history", "CC-2026-0001").lines
    assert history[:2] == ["CC-2026-0001  版次 A  released (已发布)", f"  file   {moved}"]
    assert revision_cell(render(git_repo)) == "A 受控·现行"


@pytest.mark.parametrize(("first", "moved"), ORDERS)
def test_a_released_record_moved_is_a_draft_in_either_order(
        git_repo: GitRepo, monkeypatch: pytest.MonkeyPatch, first: str, moved: str) -> None:
    monkeypatch.delenv("QMSDOC_CACHE_DIR", raising=False)
    git_repo.commit("li.ming", "New complaint", {first: complaint()})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    assert git_repo.approve("sun.li", "approve").exit_code == 0
    move(git_repo, first, moved)
    assert verify_lines(git_repo) == [
        "2 approval(s) of 1 record(s) checked, 0 violation(s)", UNSIGNED.format(n=2)]
    assert revision_cell(render(git_repo)) == "B 草稿"  # a change since A: the move
