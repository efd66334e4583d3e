"""Workflow states the content does not support, reported by `qmsdoc validate`."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

Run = Callable[..., object]
CC2 = "records/complaints/2026/CC-2026-0002.yaml"
CR1 = "records/contract-reviews/2026/CR-2026-0001.yaml"
CR2 = "records/contract-reviews/2026/CR-2026-0002.yaml"
CSR = "records/special-requirements/CSR-HXAUTO.yaml"


def edit(repo: Path, rel: str, old: str, new: str) -> None:
    path = repo / rel
    text = path.read_text("utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def problems(run_cli: Run, repo: Path, code: str) -> list[str]:
    """The lines of one finding code, without line and column: the samples may grow."""
    result = run_cli("validate", repo=repo)
    return [re.sub(r":[0-9]+:[0-9]+: ", ": ", line, count=1)
            for line in result.output.splitlines()  # type: ignore[attr-defined]
            if f"[{code}]" in line]


def test_sample_records_are_consistent(run_cli: Run, sample_repo: Path) -> None:
    result = run_cli("validate", repo=sample_repo)
    assert result.output.splitlines()[-1] == "8 records checked, 0 errors, 0 warnings"  # type: ignore[attr-defined]


def test_customer_closed_without_follow_up_evidence(run_cli: Run, sample_repo: Path) -> None:
    text = (sample_repo / CC2).read_text("utf-8")
    evidence = text[text.index("    evidence:\n      - path: records/attachments/CC-2026-0002/"
                               "follow-up"):text.index("    notes: 结案回访")]
    edit(sample_repo, CC2, evidence, "")
    edit(sample_repo, CC2, "    type: follow_up\n", "    type: other\n")
    assert problems(run_cli, sample_repo, "closure") == [
        f"{CC2}: error[closure]: /closure/customer/evidence: customer-confirmed closure "
        "without follow-up evidence: attach the survey record under /closure/customer/evidence "
        "or log the follow_up communication (谁投诉谁关闭, 001 §5.1.3.3)"]


def test_customer_closure_before_the_three_month_follow_up(run_cli: Run,
                                                          sample_repo: Path) -> None:
    edit(sample_repo, CC2, "    date: 2026-09-15\n    by: zhao.lei",
         "    date: 2026-08-20\n    by: zhao.lei")
    assert problems(run_cli, sample_repo, "closure") == [
        f"{CC2}: warning[closure]: /closure/customer/date: customer-confirmed closure on "
        "2026-08-20 is before the follow-up 3 months after the internal closure (2026-09-15; "
        "001 顾客投诉和售后服务管理程序 §5.1.3.3)"]


def test_customer_closure_recorded_but_status_not_closed(run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, CC2, "status: closed\n", "status: closed_internal\n")
    assert problems(run_cli, sample_repo, "status") == [
        f"{CC2}: warning[status]: /status: status is closed_internal but a customer-confirmed "
        "closure is recorded; set status to closed, or, when reopening, remove "
        "/closure/customer"]


def test_contract_review_state_behind_its_content(run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, CR1, "status: customer_confirmed\n", "status: in_review\n")
    assert problems(run_cli, sample_repo, "status") == [
        f"{CR1}: warning[status]: /status: status is in_review but the record already "
        "shows customer_confirmed; set status to customer_confirmed"]


def test_phone_order_confirmed_without_written_confirmation(run_cli: Run,
                                                           sample_repo: Path) -> None:
    edit(sample_repo, CR1, "written_confirmation:\n  date: 2026-11-03\n  reference: "
         "蓝德传真订单确认 LD-PO-2611-0207(盖章回传)\n", "")
    assert problems(run_cli, sample_repo, "status") == [
        f"{CR1}: error[status]: /written_confirmation: an order by phone_fax needs the "
        "customer's written confirmation (/written_confirmation) before it counts as "
        "confirmed (002)"]


def test_decided_without_any_review_row(run_cli: Run, sample_repo: Path) -> None:
    text = (sample_repo / CR1).read_text("utf-8")
    edit(sample_repo, CR1, text[text.index("reviews:\n"):text.index("conclusion:\n")],
         "reviews: []\n\n")
    edit(sample_repo, CR1, "customer_feedback_at: 2026-11-03T10:05:00+08:00\n"
         "customer_confirmed_at: 2026-11-03T15:40:00+08:00\nstatus: customer_confirmed\n",
         "customer_feedback_at: 2026-11-03T10:05:00+08:00\nstatus: decided\n")
    assert problems(run_cli, sample_repo, "status") == [
        f"{CR1}: error[status]: /reviews: status is decided but no department review is "
        "recorded under /reviews"]


def test_amendment_reopening_review_needs_review_rows(run_cli: Run, sample_repo: Path) -> None:
    text = (sample_repo / CR2).read_text("utf-8")
    start = text.index("    reviews:\n", text.index("amendments:"))
    end = text.index("status:", start)
    edit(sample_repo, CR2, text[start:end], "")
    found = problems(run_cli, sample_repo, "status")
    assert len(found) == 1
    assert found[0].endswith(
        "error[status]: /amendments/0/reviews: amendment XG-2026-031 reopens the review "
        "(re_reviewed: true) but has no review rows; add them or set status to in_review "
        "(now customer_confirmed)")


def test_re_review_before_the_amendment(run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, CR2, "        reviewer: chen.jun\n        date: 2026-11-10\n",
         "        reviewer: chen.jun\n        date: 2026-11-08\n")
    found = problems(run_cli, sample_repo, "date-order")
    assert len(found) == 1
    assert found[0].endswith("error[date-order]: /amendments/0/reviews/0/date: re-review on "
                             "2026-11-08 is before amendment XG-2026-031 (2026-11-09)")


def test_requirement_item_done_without_deployment(run_cli: Run, sample_repo: Path) -> None:
    edit(sample_repo, CSR, "    deployment: [work_instruction]\n    flow_down: false\n"
         "    priority: medium\n    due: 2026-09-30\n",
         "    flow_down: false\n    priority: medium\n    due: 2026-09-30\n")
    found = problems(run_cli, sample_repo, "status")
    assert len(found) == 1
    assert found[0].endswith("error[status]: /items/5/status: item HX-06 is done (已完成) but "
                             "not deployed: list the documents it went into under deployment")
