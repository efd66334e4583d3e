"""Issue 11: released contents held against their release, on real git repositories — no
backdating (verify, validate --history), review before commitment for contract reviews
(IATF 16949 8.2.3.1 / 8.2.3.1.1), and the example history that holds only what was known."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from gitrepo import COMPLAINT, COMPLAINT_PATH, GitRepo, date

from qmsdoc.cli import main
from qmsdoc.scaffold import example

CR1 = "records/contract-reviews/2026/CR-2026-0001.yaml"
CR3 = "records/contract-reviews/2026/CR-2026-0003.yaml"
EMAILS = {"zhao.lei": "赵磊", "liu.yang": "刘洋", "sun.li": "孙立"}


def dated(received: str, extra: str = "") -> str:
    """The minimal complaint, received at ``received``, with ``extra`` YAML lines."""
    return COMPLAINT.format(id="CC-2026-0001", description="支架开裂。").replace(
        "2026-11-03T09:40:00+08:00", received) + extra


def test_verify_names_every_backdated_revision(git_repo: GitRepo) -> None:
    # A: received 11-25 but released 11-04; B: a customer communication of 12-01 released
    # 11-12; a planned due date after the release is no fact and is not reported.
    git_repo.commit("li.ming", "New complaint",
                    {COMPLAINT_PATH: dated("2026-11-25T09:40:00+08:00")}, at=date(2, 9))
    git_repo.approve("wang.fang", "review", at=date(3, 9))
    git_repo.approve("sun.li", "approve", at=date(4, 9))
    approve_a = git_repo.head()
    later = ("communications:\n  - at: 2026-12-01T10:00:00+08:00\n    type: reply\n"
             "    by: zhao.lei\n    summary: 答复客户。\n"
             "actions:\n  short_term:\n    - description: 挑选库存\n      owner: li.ming\n"
             "      due: 2026-12-20\n")
    git_repo.commit("li.ming", "Reply", {COMPLAINT_PATH: dated("2026-11-03T09:40:00+08:00",
                                                               later)}, at=date(10, 9))
    git_repo.approve("wang.fang", "review", at=date(11, 9))
    git_repo.approve("sun.li", "approve", at=date(12, 9))
    approve_b = git_repo.head()
    result = git_repo.cli("verify")
    assert result.exit_code == 1
    assert result.lines == [
        f"{approve_a[:12]} CC-2026-0001 revision A: /received_at 2026-11-25T09:40:00+08:00 "
        "(受理时间) in revision A is dated after its release at 2026-11-04T09:00:00+08:00 "
        f"({approve_a[:12]}): backdated content (a released revision may state only what was "
        "known when it was approved)",
        f"{approve_b[:12]} CC-2026-0001 revision B: /communications/0/at "
        "2026-12-01T10:00:00+08:00 (时间) in revision B is dated after its release at "
        f"2026-11-12T09:00:00+08:00 ({approve_b[:12]}): backdated content (a released "
        "revision may state only what was known when it was approved)",
        "4 approval(s) of 1 record(s) checked, 0 violation(s), 2 released content(s) "
        "contradicting their release",
        "4 of 4 approval(s) unsigned: names are self-declared (no identity proven; "
        "qmsdoc keys sets up signing)",  # issue 13: the honest summary
    ]


def test_validate_history_warns_at_the_field(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint",
                    {COMPLAINT_PATH: dated("2026-11-25T09:40:00+08:00")}, at=date(2, 9))
    git_repo.approve("wang.fang", "review", at=date(3, 9))
    git_repo.approve("sun.li", "approve", at=date(4, 9))
    approve_a = git_repo.head()
    result = git_repo.cli("validate", "--history")
    assert result.lines == [
        f"{COMPLAINT_PATH}:5:14: warning[backdated]: /received_at: 2026-11-25T09:40:00+08:00 "
        "(受理时间) in revision A is dated after its release at 2026-11-04T09:00:00+08:00 "
        f"({approve_a[:12]}): backdated content (a released revision may state only what was "
        "known when it was approved)",
        "1 record checked, 0 errors, 1 warning",
    ]
    plain = git_repo.cli("validate")  # without --history git is not read
    assert plain.exit_code == 0 and "backdated" not in plain.output


def test_a_fact_on_the_day_of_release_is_no_backdating(git_repo: GitRepo) -> None:
    git_repo.commit("li.ming", "New complaint",
                    {COMPLAINT_PATH: dated("2026-11-04T08:00:00+08:00")}, at=date(4, 8, 30))
    git_repo.approve("wang.fang", "review", at=date(4, 9))
    git_repo.approve("sun.li", "approve", at=date(4, 10))
    result = git_repo.cli("verify")
    assert (result.exit_code, result.lines) == (
        0, ["2 approval(s) of 1 record(s) checked, 0 violation(s)",
            "2 of 2 approval(s) unsigned: names are self-declared (no identity proven; "
            "qmsdoc keys sets up signing)"])  # issue 13: the honest summary


# --- the example history and contract reviews ---------------------------------------------------


def qmsdoc(repo: Path, *args: str, who: str = "zhao.lei",
           at: str = "2026-11-21T09:00:00+08:00") -> tuple[int, list[str]]:
    identity = {"GIT_AUTHOR_NAME": EMAILS[who], "GIT_AUTHOR_EMAIL": f"{who}@mingyuan.example",
                "GIT_COMMITTER_NAME": EMAILS[who],
                "GIT_COMMITTER_EMAIL": f"{who}@mingyuan.example", "GIT_AUTHOR_DATE": at,
                "GIT_COMMITTER_DATE": at}
    result = CliRunner(env=identity).invoke(main, ["--repo", str(repo), *args],
                                            catch_exceptions=False)
    return result.exit_code, (result.stdout + result.stderr).splitlines()


def commit(repo: Path, rel: str, text: str, who: str, at: str) -> None:
    (repo / rel).write_text(text, encoding="utf-8")
    env = {**os.environ, "GIT_AUTHOR_NAME": EMAILS[who],
           "GIT_AUTHOR_EMAIL": f"{who}@mingyuan.example", "GIT_COMMITTER_NAME": EMAILS[who],
           "GIT_COMMITTER_EMAIL": f"{who}@mingyuan.example", "GIT_AUTHOR_DATE": at,
           "GIT_COMMITTER_DATE": at}
    for args in (["add", rel], ["commit", "-q", "-m", f"{rel} at {at}"]):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example repository of ``make demo`` and ``qmsdoc init --example``."""
    os.environ.setdefault("GIT_CONFIG_NOSYSTEM", "1")
    out = tmp_path_factory.mktemp("demo") / "repo"
    out.mkdir()
    example.demo_repository(out)
    return out


def test_the_example_history_holds_only_what_was_known(demo: Path) -> None:
    assert qmsdoc(demo, "verify") == (
        0, ["24 approval(s) of 8 record(s) checked, 0 violation(s)",
            "24 of 24 approval(s) unsigned: names are self-declared (no identity proven; "
            "qmsdoc keys sets up signing)"])  # issue 13: the honest summary
    assert qmsdoc(demo, "validate", "--history") == (
        0, ["8 records checked, 0 errors, 0 warnings"])


def test_example_revisions_grow_with_what_became_known(demo: Path,
                                                        docx_text: Callable[[Path], str],
                                                        tmp_path: Path) -> None:
    code, _ = qmsdoc(demo, "render", "CC-2026-0001", "--at", "A", "--out", str(tmp_path))
    assert code == 0
    text = docx_text(tmp_path / "CC-2026-0001.docx")
    assert "2026-11-03 10:55" in text  # the first reply, known at A
    assert "2026-11-19" not in text and "2026-11-06" not in text  # later facts are not
    code, _ = qmsdoc(demo, "render", "CR-2026-0002", "--at", "A", "--out", str(tmp_path))
    cr_a = docx_text(tmp_path / "CR-2026-0002.docx")
    assert "订单修正" in cr_a and "XG-2026-031" not in cr_a and "2026-11-09" not in cr_a
    assert "3000" in cr_a and "2026-12-28" in cr_a  # the order as first placed
    assert "先承诺后评审" not in cr_a  # reviewed and approved before the feedback


def cr3_form(demo: Path, out: Path, docx_text: Callable[[Path], str]) -> str:
    code, lines = qmsdoc(demo, "render", "CR-2026-0003", "--out", str(out))
    assert code == 0, lines
    return docx_text(out / "CR-2026-0003.docx")


def test_commitment_before_review_is_an_error_until_a_waiver(
        demo: Path, tmp_path: Path, docx_text: Callable[[Path], str]) -> None:
    text = (demo / CR1).read_text(encoding="utf-8").replace("CR-2026-0001", "CR-2026-0003")
    commit(demo, CR3, text, "zhao.lei", "2026-11-21T09:00:00+08:00")
    code, lines = qmsdoc(demo, "validate", "--history", str(demo / CR3))
    assert code == 1, lines
    assert lines == [
        f"{CR3}:65:23: error[commitment-before-review]: /customer_feedback_at: "
        "2026-11-03T10:05:00+08:00 commits to the customer before any approved review "
        "(IATF 16949 8.2.3.1); record the customer's waiver in customer_waiver if there is one",
        f"{CR3}:66:24: error[commitment-before-review]: /customer_confirmed_at: "
        "2026-11-03T15:40:00+08:00 commits to the customer before any approved review "
        "(IATF 16949 8.2.3.1); record the customer's waiver in customer_waiver if there is one",
        "1 record checked, 2 errors, 0 warnings"]
    assert ("先承诺后评审：反馈顾客 2026-11-03 10:05、顾客确认 2026-11-03 15:40 早于评审批准，"
            "且无顾客授权豁免（IATF 16949 8.2.3.1）") in cr3_form(demo, tmp_path, docx_text)
    assert qmsdoc(demo, "approve", "CR-2026-0003", "--as", "review", who="liu.yang",
                  at="2026-11-21T10:00:00+08:00")[0] == 0
    assert qmsdoc(demo, "approve", "CR-2026-0003", "--as", "approve", who="sun.li",
                  at="2026-11-21T11:00:00+08:00")[0] == 0
    code, lines = qmsdoc(demo, "verify")
    release = subprocess.run(["git", "rev-parse", "HEAD"], cwd=demo, capture_output=True,
                             text=True, check=True).stdout.strip()
    assert code == 1
    assert (f"{release[:12]} CR-2026-0003 revision A: /customer_feedback_at "
            "2026-11-03T10:05:00+08:00 commits to the customer before the review's approval "
            f"at 2026-11-21T11:00:00+08:00 ({release[:12]}) (IATF 16949 8.2.3.1); record the "
            "customer's waiver in customer_waiver if there is one") in lines
    waived = text.replace("status: customer_confirmed",
                          "customer_waiver:\n  reference: 蓝德邮件 2026-11-02 同意返单免正式评审\n"
                          "  date: 2026-11-02\nstatus: customer_confirmed")
    assert ("先承诺后评审：反馈顾客 2026-11-03 10:05、顾客确认 2026-11-03 15:40 早于评审批准"
            "（2026-11-21 11:00），且无顾客授权豁免") in cr3_form(demo, tmp_path, docx_text)
    commit(demo, CR3, waived, "zhao.lei", "2026-11-21T12:00:00+08:00")
    assert qmsdoc(demo, "validate", "--history", str(demo / CR3)) == (
        0, ["1 record checked, 0 errors, 0 warnings"])
    waived_form = cr3_form(demo, tmp_path, docx_text)
    assert "先承诺后评审" not in waived_form and "蓝德邮件 2026-11-02 同意返单免正式评审" in waived_form
