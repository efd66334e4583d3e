"""Issue 12 point 3 and 4, issue 11 point 2: the roster and the approval policy as a
controlled record, roster integrity, and revision letters that stay once released."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from gitrepo import COMPLAINT_PATH, CONFIG, PEOPLE, GitRepo, complaint, make, released_a

from qmsdoc import config as qconfig
from qmsdoc.errors import ConfigError


def violation(commit: str, action: str, who: str, problem: str,
              record_id: str = "CC-2026-0001") -> str:
    return f"{commit[:12]} {record_id} {action} by {who}: {problem}"


UNSIGNED = ("names are self-declared (no identity proven; qmsdoc keys sets up signing)")


def grant(repo: GitRepo, who: str, old: str, new: str, message: str = "Roster change") -> str:
    text = (repo.root / "qmsdoc.yaml").read_text(encoding="utf-8")
    assert old in text
    return repo.commit(who, message, {"qmsdoc.yaml": text.replace(old, new)})


def test_a_self_granted_role_does_not_count(created: GitRepo) -> None:
    change = grant(created, "li.ming", "roles: [quality_engineer]",
                   "roles: [quality_engineer, quality_manager]", "Li Ming reviews complaints")
    created.git("commit", "-q", "--allow-empty", "-m", "x", who="zhao.lei")
    # approve judges by the roster in force: li.ming's own grant is pending
    refused = created.approve("li.ming", "review")
    assert (refused.exit_code, refused.stderr) == (1, (
        "qmsdoc: CC-2026-0001: 李明 (li.ming) has no role that may review complaint records "
        "(needs one of: quality_manager)\n"))
    forged = created.forge("li.ming", "review")
    result = created.cli("verify")
    assert (result.exit_code, result.lines) == (1, [
        f"qmsdoc.yaml: a change of its roster/roles/departments/approvals since {change[:12]} "
        "is pending approval (qmsdoc approve qmsdoc.yaml --as approve); until then the last "
        "approved configuration is in force",
        violation(forged, "review", "李明 <li.ming@example.com>",
                  "李明 (li.ming) has no role that may review complaint records (needs one of: "
                  "quality_manager)"),
        "1 approval(s) of 1 record(s) checked, 1 violation(s)",
        f"1 of 1 approval(s) unsigned: {UNSIGNED}",
    ])
    assert created.cli("history", "CC-2026-0001").lines[-1] == f"note: {result.lines[0]}"
    # he cannot approve his own roster change either
    own = created.approve("li.ming", "approve", record_id="qmsdoc.yaml")
    assert own.stderr == ("qmsdoc: qmsdoc.yaml: 李明 (li.ming) has no role that may approve "
                          "config records (needs one of: general_manager, "
                          "management_representative, document_control)\n")


def test_an_approved_roster_change_counts_from_its_approval(created: GitRepo) -> None:
    grant(created, "li.ming", "roles: [production_manager]",
          "roles: [production_manager, quality_manager]", "Chen Jun reviews complaints")
    assert created.approve("chen.jun", "review").exit_code == 1  # not yet approved
    done = created.approve("sun.li", "approve", record_id="qmsdoc.yaml")
    assert done.exit_code == 0, done.stderr
    assert done.lines[0].startswith("孙立 (sun.li): approve (批准) of qmsdoc.yaml recorded as ")
    again = created.approve("sun.li", "approve", record_id="qmsdoc.yaml")
    assert again.stderr == ("qmsdoc: qmsdoc.yaml: nothing to approve: the roster and approvals "
                            "of qmsdoc.yaml are the ones in force\n")
    assert created.approve("chen.jun", "review").exit_code == 0
    assert created.approve("sun.li", "approve").exit_code == 0
    result = created.cli("verify")
    assert result.lines == ["3 approval(s) of 1 record(s) checked, 0 violation(s)",
                            f"3 of 3 approval(s) unsigned: {UNSIGNED}"]


def test_a_change_of_other_sections_needs_no_approval(created: GitRepo) -> None:
    grant(created, "li.ming", "company: {name: 测试制造有限公司}", "company: {name: 测试二厂}")
    result = created.cli("verify")
    assert result.lines == ["0 approval(s) of 1 record(s) checked, 0 violation(s)"]


def test_a_second_identity_in_the_roster_is_reported(created: GitRepo) -> None:
    grant(created, "li.ming", "  - {key: chen.jun",
          "  - {key: sun.li2, name: 孙立, email: sun.li@evil.example, department: gm_office, "
          "roles: [general_manager]}\n  - {key: chen.jun")
    assert created.approve("wang.fang", "review").exit_code == 0
    forged = created.forge("mallory", "approve")  # 孙立 <sun.li@evil.example>
    result = created.cli("verify")
    assert result.exit_code == 1
    assert result.lines[1] == violation(
        forged, "approve", "孙立 <sun.li@evil.example>",
        "the committer 孙立 <sun.li@evil.example> is not in the roster")
    assert created.cli("history", "CC-2026-0001").lines[0] == (
        "CC-2026-0001  版次 A  draft (草稿)")


def test_a_relaxed_policy_on_a_branch_is_reported(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make(tmp_path, monkeypatch, CONFIG + "approvals: {require_signed: true}\n")
    repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()})
    repo.git("switch", "-q", "-c", "relax")
    grant(repo, "li.ming", "require_signed: true", "require_signed: false")
    review = repo.forge("wang.fang", "review")
    approval = repo.forge("sun.li", "approve")
    result = repo.cli("verify")
    assert result.exit_code == 1
    assert result.lines[1:3] == [
        violation(review, "review", "王芳 <wang.fang@example.com>",
                  "the commit is not signed (signatures are required)"),
        violation(approval, "approve", "孙立 <sun.li@example.com>",
                  "the commit is not signed (signatures are required)"),
    ]
    assert result.lines[0].startswith("qmsdoc.yaml: a change of its roster")


def test_switching_on_require_signed_keeps_released_letters(git_repo: GitRepo) -> None:
    released_a(git_repo)
    git_repo.commit("li.ming", "Revise", {COMPLAINT_PATH: complaint("修订")})
    assert git_repo.approve("wang.fang", "review").exit_code == 0
    assert git_repo.approve("sun.li", "approve").exit_code == 0
    config = (git_repo.root / "qmsdoc.yaml").read_text(encoding="utf-8")
    git_repo.commit("li.ming", "Require signatures",
                    {"qmsdoc.yaml": config + "approvals: {require_signed: true}\n"})
    assert git_repo.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0
    lines = git_repo.cli("history", "CC-2026-0001").lines
    assert lines[0] == "CC-2026-0001  版次 B  released (已发布)"
    assert [line.split()[1] for line in lines if line.startswith("revision ")] == ["A", "B"]
    # the next change needs signatures: an unsigned approval does not release C
    git_repo.commit("li.ming", "Revise again", {COMPLAINT_PATH: complaint("再修订")})
    git_repo.forge("wang.fang", "review")
    assert git_repo.cli("history", "CC-2026-0001").lines[0] == (
        "CC-2026-0001  版次 C  draft (草稿)")


def test_roster_integrity(tmp_path: Path) -> None:
    (tmp_path / "qmsdoc.yaml").write_text(
        "roster:\n"
        "  - {key: a, name: 甲, email: A@x.example, department: qualty, roles: [qualty_manager]}\n"
        "  - {key: b, name: 乙, email: b@x.example, emails: [a@X.example]}\n"
        "approvals:\n  matrix:\n    complaint:\n      review: {roles: [quality_manger]}\n",
        encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        qconfig.load(tmp_path)
    assert str(caught.value).splitlines() == [
        "qmsdoc.yaml: roster: a: unknown department 'qualty' (did you mean 'quality'?)",
        "qmsdoc.yaml: roster: a: unknown role 'qualty_manager' (did you mean "
        "'quality_manager'?) (roles: lists the roles)",
        "qmsdoc.yaml: roster: the e-mail a@X.example belongs to 'a' and to 'b'; an e-mail "
        "identifies one person",
        "qmsdoc.yaml: approvals.matrix.complaint.review: unknown role 'quality_manger' "
        "(did you mean 'quality_manager'?)",
    ]


def test_aliases_are_one_person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = CONFIG.replace(
        "email: wang.fang@example.com,",
        "email: wang.fang@example.com, emails: [Wang.Fang@Gmail.example],")
    repo = make(tmp_path, monkeypatch, config)
    PEOPLE["wang.alias"] = ("王芳", "wang.fang@gmail.example")
    try:
        repo.commit("wang.alias", "New complaint", {COMPLAINT_PATH: complaint()})
        result = repo.approve("wang.fang", "review")
        assert result.stderr.startswith(
            "qmsdoc: CC-2026-0001: self-approval: 王芳 authored a change since the previous "
            "release")
    finally:
        del PEOPLE["wang.alias"]
    loaded = qconfig.load(repo.root)
    person = loaded.person_by_email("WANG.FANG@gmail.EXAMPLE")
    assert person is not None and person.key == "wang.fang"


def test_the_ci_verify_step_of_init_catches_a_branch_that_switches_off_signatures(
        run_cli: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from qmsdoc.resources import builtin

    workflow = builtin("scaffold/github-workflow.yml").read_text(encoding="utf-8")
    commands = [next(line.strip()[len("run: "):] for line in step.splitlines()
                     if line.strip().startswith("run: "))
                for step in workflow.split("- name: Verify the approvals")[1:]]
    assert commands == ["qmsdoc verify", 'qmsdoc verify --branch-of "origin/$BASE"']
    repo = make(tmp_path, monkeypatch, CONFIG + "approvals: {require_signed: true}\n")
    repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()})
    repo.git("switch", "-q", "-c", "feature")
    grant(repo, "li.ming", "require_signed: true", "require_signed: false")
    repo.forge("wang.fang", "review")
    repo.forge("sun.li", "approve")
    for command in commands:  # the pull request's step too: the base branch is main
        result = repo.cli(*command.replace('"origin/$BASE"', "main").split()[1:])
        assert result.exit_code == 1
        assert sum("the commit is not signed (signatures are required)" in line
                   for line in result.lines) == 2


def test_a_pending_roster_change_is_noted_on_the_form_in_chinese(
        created: GitRepo, docx_text: Callable[[Path], str]) -> None:
    grant(created, "li.ming", "roles: [quality_engineer]",
          "roles: [quality_engineer, quality_manager]", "Li Ming reviews complaints")
    out = created.root / "out"
    assert created.cli("render", "CC-2026-0001", "--out", str(out)).exit_code == 0
    text = docx_text(out / "CC-2026-0001.docx")
    assert ("qmsdoc.yaml 的人员名册/角色/部门/审批规则有未经批准的修改，批准前不生效，"
            "本表按最近一次批准的配置判定") in text
    assert "pending approval" not in text  # no English tool text on a Chinese form
