"""`qmsdoc approve` on real git repositories: the approval commit, and every refusal."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from gitrepo import (
    COMPLAINT_PATH,
    CONFIG,
    GitRepo,
    complaint,
    date,
    make,
    public_key,
    released_a,
    ssh_keygen,
)

from qmsdoc.history.policy import revision_label


def refused(result: object, message: str) -> None:
    assert result.exit_code == 1, result  # type: ignore[attr-defined]
    assert result.stderr.splitlines() == [f"qmsdoc: CC-2026-0001: {message}"]  # type: ignore[attr-defined]
    assert result.output == ""  # type: ignore[attr-defined]


def test_approval_commit_changes_no_file_and_carries_the_trailers(created: GitRepo) -> None:
    before = created.head()
    blob = created.blob()
    result = created.approve("wang.fang", "review", "-m", "数据已核对", at=date(3, 9, 30))
    assert result.exit_code == 0, result.stderr
    commit = created.head()
    assert result.lines == [f"王芳 (wang.fang): review (审核) of CC-2026-0001 recorded as commit "
                            f"{commit[:12]} (blob {blob[:12]})"]
    assert created.git("rev-parse", f"{commit}^") == before
    assert created.git("rev-parse", f"{commit}^{{tree}}") == created.git(
        "rev-parse", f"{before}^{{tree}}")
    assert created.git("log", "-1", "--format=%B", commit) == (
        f"Review CC-2026-0001 (review)\n\n数据已核对\n\n"
        f"Approval: review\nRecord: CC-2026-0001\nRecord-Blob: {blob}")
    assert created.git("log", "-1", "--format=%cn <%ce> %cI", commit) == (
        "王芳 <wang.fang@example.com> 2026-11-03T09:30:00+08:00")
    assert created.git("log", "-1", "--format=%(trailers:key=Record-Blob,valueonly)",
                       commit) == blob


def test_staged_changes_never_slip_into_an_approval(created: GitRepo) -> None:
    created.write("notes.txt", "draft notes\n")
    created.git("add", "notes.txt")
    assert created.approve("wang.fang", "review").exit_code == 0
    assert created.git("show", "--format=", "--name-only", "HEAD") == ""
    assert created.git("status", "--porcelain") == "A  notes.txt"


def test_release_is_announced(created: GitRepo) -> None:
    assert created.approve("wang.fang", "review").exit_code == 0
    result = created.approve("sun.li", "approve")
    assert result.exit_code == 0
    assert result.lines[-1] == "CC-2026-0001 is released as revision A"


def test_refuses_an_invalid_record(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint", {
        COMPLAINT_PATH: complaint().replace("category: quality", "category: colour")})
    result = git_repo.approve("wang.fang", "review")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "qmsdoc: CC-2026-0001: the record is invalid (1 error(s), first: "
        f"{COMPLAINT_PATH}:6:11: ")
    assert result.stderr.rstrip().endswith("fix it and run qmsdoc validate")


def test_refuses_uncommitted_changes(created: GitRepo) -> None:
    created.write(COMPLAINT_PATH, complaint("改了但没提交"))
    refused(created.approve("wang.fang", "review"),
            f"{COMPLAINT_PATH} has uncommitted changes; commit them first (an approval binds "
            "committed content)")


def test_refuses_a_record_never_committed(git_repo: GitRepo) -> None:
    git_repo.write(COMPLAINT_PATH, complaint())
    refused(git_repo.approve("wang.fang", "review"),
            f"{COMPLAINT_PATH} has uncommitted changes; commit them first (an approval binds "
            "committed content)")


def test_refuses_a_committer_not_in_the_roster(created: GitRepo) -> None:
    refused(created.approve("mallory", "approve"),
            "the git committer 孙立 <sun.li@evil.example> is not in the roster of qmsdoc.yaml "
            "(set git user.email to your roster e-mail)")


def test_refuses_without_the_role_for_this_kind(created: GitRepo) -> None:
    # zhao.lei may review 8D reports (sales_manager) but not complaints.
    refused(created.approve("zhao.lei", "review"),
            "赵磊 (zhao.lei) has no role that may review complaint records (needs one of: "
            "quality_manager)")
    refused(created.approve("wang.fang", "approve"),
            "王芳 (wang.fang) has no role that may approve complaint records (needs one of: "
            "general_manager)")


def test_refuses_self_approval(created: GitRepo) -> None:
    change = created.commit("wang.fang", "Fix a typo", {COMPLAINT_PATH: complaint("错字已改")})
    refused(created.approve("wang.fang", "review"),
            f"self-approval: 王芳 authored a change since the previous release ({change[:12]} "
            "Fix a typo); 审核人员不应审核其自身工作")


def test_authors_before_the_previous_release_may_review(git_repo: GitRepo) -> None:
    git_repo.commit("wang.fang", "New complaint", {COMPLAINT_PATH: complaint()})
    git_repo.commit("li.ming", "Complete it", {COMPLAINT_PATH: complaint("补充")})
    refused(git_repo.approve("wang.fang", "review"),
            "self-approval: 王芳 authored a change since the previous release ("
            f"{git_repo.git('rev-parse', 'HEAD~')[:12]} New complaint); 审核人员不应审核其自身工作")
    config = CONFIG.replace("roles: [production_manager]",
                            "roles: [production_manager, quality_manager]")
    git_repo.commit("li.ming", "Chen Jun may review complaints", {"qmsdoc.yaml": config})
    # issue 12: the roster is a controlled record; its change counts once approved
    assert git_repo.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0
    assert git_repo.approve("chen.jun", "review").exit_code == 0
    assert git_repo.approve("sun.li", "approve").exit_code == 0
    git_repo.commit("li.ming", "Revise", {COMPLAINT_PATH: complaint("修订")})
    assert git_repo.approve("wang.fang", "review").exit_code == 0  # her change was in A


def test_refuses_approval_before_review(created: GitRepo) -> None:
    refused(created.approve("sun.li", "approve"),
            "approved before the review (审核) this content needs (0 of 1)")


def test_refuses_the_same_person_twice(created: GitRepo) -> None:
    assert created.approve("wang.fang", "review").exit_code == 0
    refused(created.approve("wang.fang", "review"), "王芳 already gave the review of this content")


def test_refuses_review_and_approval_by_one_person(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    repo = make(tmp_path, monkeypatch, CONFIG.replace(
        "roles: [general_manager]", "roles: [general_manager, quality_manager]"))
    repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()})
    assert repo.approve("sun.li", "review").exit_code == 0
    refused(repo.approve("sun.li", "approve"),
            "孙立 already gave the review of this content; review and approval need two "
            "different people")


def test_refuses_a_released_content(created: GitRepo) -> None:
    released_a(created)
    refused(created.approve("sun.li", "approve"),
            "already released as revision A; nothing to approve")


def test_refuses_in_a_shallow_clone(created: GitRepo, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{created.root}",
                    str(clone)], check=True)
    created.root = clone
    refused(created.approve("wang.fang", "review"),
            "this is a shallow clone; the policy needs the full history (git fetch --unshallow)")


def test_usage_errors(created: GitRepo, tmp_path: Path) -> None:
    result = created.approve("wang.fang", "review", record_id="CC-2026-0404")
    assert result.exit_code == 2
    assert "unknown record id 'CC-2026-0404'" in result.stderr
    result = created.cli("approve", "CC-2026-0001", "--as", "sign")
    assert result.exit_code == 2
    plain = tmp_path / "plain"
    (plain / "records/complaints/2026").mkdir(parents=True)
    (plain / COMPLAINT_PATH).write_text(complaint(), encoding="utf-8")
    created.monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path))
    created.root = plain
    result = created.approve("wang.fang", "review")
    assert result.exit_code == 2
    assert result.stderr == "qmsdoc: cannot approve: not in a git repository\n"


def test_sign_makes_an_ssh_signed_approval(created: GitRepo, tmp_path: Path) -> None:
    key = ssh_keygen(tmp_path, "wang.fang")
    created.git("config", "gpg.format", "ssh")
    created.git("config", "user.signingkey", str(key))
    allowed = f"wang.fang@example.com {public_key(key)}\n"
    created.commit("li.ming", "Trust keys", {".qmsdoc/allowed_signers": allowed})
    # the keys file is controlled like the roster: it counts once qmsdoc.yaml is approved
    assert created.approve("sun.li", "approve", record_id="qmsdoc.yaml").exit_code == 0
    assert created.approve("wang.fang", "review", "--sign").exit_code == 0
    assert created.git("cat-file", "commit", "HEAD").count("BEGIN SSH SIGNATURE") == 1
    lines = created.cli("history", "CC-2026-0001").lines
    assert any(line.startswith("  审核 Reviewed   王芳") and line.endswith("  signed")
               for line in lines), lines


def test_require_signed_signs_without_the_flag(tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    key = ssh_keygen(tmp_path, "wang.fang")
    config = CONFIG.replace("roles: [quality_manager]}", "roles: [quality_manager], "
                            f"signing_keys: ['{public_key(key)}']}}")  # issue 13: a trusted key
    repo = make(tmp_path, monkeypatch, config + "approvals: {require_signed: true}\n")
    repo.git("config", "gpg.format", "ssh")
    repo.git("config", "user.signingkey", str(key))
    repo.commit("li.ming", "New complaint", {COMPLAINT_PATH: complaint()})
    assert repo.approve("wang.fang", "review").exit_code == 0
    assert "BEGIN SSH SIGNATURE" in repo.git("cat-file", "commit", "HEAD")


@pytest.mark.parametrize(("scheme", "labels"), [
    ("A", ["A", "B", "Z", "AA", "AB"]),
    ("A/0", ["A/0", "A/1", "A/25", "A/26", "A/27"]),
    ("1.0", ["1.0", "2.0", "26.0", "27.0", "28.0"]),
])
def test_revision_labels(scheme: str, labels: list[str]) -> None:
    assert [revision_label(scheme, i) for i in (0, 1, 25, 26, 27)] == labels


def test_every_command_has_help_with_an_example(git_repo: GitRepo) -> None:
    for command in ("history", "approve", "verify"):
        result = git_repo.cli(command, "--help")
        assert result.exit_code == 0
        assert "Example" in result.output and f"qmsdoc {command}" in result.output


def test_commit_gpgsign_is_honoured(created: GitRepo, tmp_path: Path) -> None:
    key = ssh_keygen(tmp_path, "wang.fang")
    for setting in (("gpg.format", "ssh"), ("user.signingkey", str(key)),
                    ("commit.gpgsign", "true")):
        created.git("config", *setting)
    assert created.approve("wang.fang", "review").exit_code == 0
    assert "BEGIN SSH SIGNATURE" in created.git("cat-file", "commit", "HEAD")
