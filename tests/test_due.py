"""`qmsdoc due`: exact output, ordering, filters, exit codes, JSON, and the record cache."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., object]

CONFIG = """\
roster:
  - {key: zhao.lei, name: 赵磊, department: sales}
  - {key: li.ming, name: 李明, department: quality}
  - {key: liu.yang, name: 刘洋, department: engineering}
"""
COMPLAINT = """\
kind: complaint
id: CC-2026-0101
title: 支架开裂
customer: HXAUTO
status: actions
received_at: 2026-11-18T09:00:00+08:00
received_by: zhao.lei
category: quality
severity: general
communications:
  - {at: "2026-11-18T10:30:00+08:00", by: zhao.lei, type: reply, summary: 已受理}
actions:
  long_term:
    - {description: 修订作业指导书, owner: liu.yang, due: 2026-11-25}
    - {description: 更新控制计划, owner: li.ming, due: 2026-12-20}
"""
REVIEW = """\
kind: contract-review
id: CR-2026-0101
title: 返单
customer: LDEV
sales_rep: zhao.lei
received_at: 2026-11-20T10:00:00+08:00
"""
EIGHTD = """\
kind: 8d
id: 8D-2026-0101
title: 支架开裂
customer: HXAUTO
opened_at: 2026-11-02
status: open
d1: {owner: li.ming, due: 2026-11-03, completed: 2026-11-03, leader: li.ming}
d3: {owner: li.ming, due: 2026-11-03, completed: 2026-11-03}
d4: {owner: liu.yang, due: 2026-11-09, completed: 2026-11-09}
d5: {owner: liu.yang, due: 2026-11-16, completed: 2026-11-16}
d6: {owner: liu.yang, due: 2026-11-16, completed: 2026-11-16}
d7: {owner: liu.yang, due: 2026-11-27}
d8: {owner: li.ming, due: 2026-12-02}
"""


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QMSDOC_TODAY", raising=False)


@pytest.fixture
def due_repo(repo: Path, write_record: Callable[..., Path]) -> Path:
    write_record(repo, "qmsdoc.yaml", CONFIG)
    write_record(repo, "records/complaints/2026/CC-2026-0101.yaml", COMPLAINT)
    write_record(repo, "records/contract-reviews/2026/CR-2026-0101.yaml", REVIEW)
    write_record(repo, "records/8d/2026/8D-2026-0101.yaml", EIGHTD)
    return repo


def out(result: object) -> list[str]:
    return result.output.splitlines()  # type: ignore[attr-defined]


def code(result: object) -> int:
    return result.exit_code  # type: ignore[attr-defined,no-any-return]


EXPECTED = [
    "qmsdoc due — now 2026-11-21 09:00 +0800",
    "",
    "OVERDUE (2)",
    "  赵磊 (zhao.lei) · 销售部",
    "    CC-2026-0101  complaint-contact   due 2026-11-19 09:00  2 d late  与投诉人取得联系 [003 客户投诉处理制度 五.1]",
    "    CC-2026-0101  complaint-solution  due 2026-11-20 09:00  1 d late  提出解决方案并与投诉人沟通 [003 客户投诉处理制度 五.2]",
    "",
    "OPEN (4)",
    "  赵磊 (zhao.lei) · 销售部",
    "    CR-2026-0101  contract-feedback  due 2026-11-22 10:00  in 1 d 1 h  批准的合同反馈顾客 [002 合同评审控制程序 3.d]",
    "  李明 (li.ming) · 品质部",
    "    8D-2026-0101  8d-d8              due 2026-12-02        in 11 d     D8 结案 [qmsdoc 默认（主机厂 8D 惯例）]",
    "  刘洋 (liu.yang) · 技术部",
    "    CC-2026-0101  complaint-action   due 2026-11-25        in 4 d      纠正措施按期完成 [003 QP-12 客户投诉处理作业程序 §6.1.10] · actions.long_term[0] 修订作业指导书",
    "    8D-2026-0101  8d-d7              due 2026-11-27        in 6 d      D7 预防再发生 [qmsdoc 默认（主机厂 8D 惯例）]",
    "",
    "6 open clocks in 3 records: 2 overdue, 4 not yet due",
]


def test_overdue_first_grouped_by_owner_and_department(run_cli: Run, due_repo: Path) -> None:
    result = run_cli("due", "--today", "2026-11-21T09:00", "--within", "14", repo=due_repo)
    assert out(result) == EXPECTED
    assert code(result) == 1


def test_everything_open_without_within(run_cli: Run, due_repo: Path) -> None:
    result = run_cli("due", "--today", "2026-11-21T09:00", repo=due_repo)
    lines = out(result)
    assert ("    CC-2026-0101  complaint-action   due 2026-12-20        in 29 d     "
            "纠正措施按期完成 [003 QP-12 客户投诉处理作业程序 §6.1.10] · actions.long_term[1] "
            "更新控制计划") in lines
    assert lines[-1] == "7 open clocks in 3 records: 2 overdue, 5 not yet due"


def test_owner_filter_and_exit_0_when_nothing_is_overdue(run_cli: Run, due_repo: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_TODAY", "2026-11-21T09:00")
    result = run_cli("due", "--owner", "技术部", repo=due_repo)
    assert code(result) == 0
    assert out(result)[2:] == [
        "OPEN (2)",
        "  刘洋 (liu.yang) · 技术部",
        "    CC-2026-0101  complaint-action  due 2026-11-25  in 4 d  纠正措施按期完成 "
        "[003 QP-12 客户投诉处理作业程序 §6.1.10] · actions.long_term[0] 修订作业指导书",
        "    8D-2026-0101  8d-d7             due 2026-11-27  in 6 d  D7 预防再发生 "
        "[qmsdoc 默认（主机厂 8D 惯例）]",
        "",
        "2 open clocks in 3 records: 0 overdue, 2 not yet due",
    ]
    assert out(run_cli("due", "--owner", "赵磊", repo=due_repo))[-1] == \
        "3 open clocks in 3 records: 2 overdue, 1 not yet due"


def test_json(run_cli: Run, due_repo: Path) -> None:
    result = run_cli("due", "--today", "2026-11-21", "--format", "json", "--within", "2",
                     repo=due_repo)
    data = json.loads(result.output)  # type: ignore[attr-defined]
    assert (data["now"], data["open"], data["overdue"]) == ("2026-11-21T00:00:00+08:00", 3, 2)
    first = data["clocks"][0]
    assert {k: first[k] for k in ("record", "rule", "state", "due", "late_seconds", "owner_name",
                                  "department_name", "within", "source")} == {
        "record": "CC-2026-0101", "rule": "complaint-contact", "state": "overdue",
        "due": "2026-11-19T09:00:00+08:00", "late_seconds": 39 * 3600,
        "owner_name": "赵磊", "department_name": "销售部", "within": "24 hours",
        "source": "003 客户投诉处理制度 五.1"}
    assert [c["rule"] for c in data["clocks"]] == \
        ["complaint-contact", "complaint-solution", "contract-feedback"]


def test_edits_are_seen_through_the_cache(run_cli: Run, due_repo: Path,
                                          write_record: Callable[..., Path]) -> None:
    assert code(run_cli("due", "--today", "2026-11-21T09:00", repo=due_repo)) == 1
    assert list((due_repo.parent / "cache").glob("clocks-*.marshal"))
    fixed = COMPLAINT.replace(
        "type: reply, summary: 已受理}\n",
        "type: reply, summary: 已受理}\n"
        "  - {at: \"2026-11-18T15:00:00+08:00\", by: zhao.lei, type: contact, summary: 联系}\n"
        "  - {at: \"2026-11-19T15:00:00+08:00\", by: zhao.lei, type: solution, summary: 方案}\n"
        "  - {at: \"2026-11-20T15:00:00+08:00\", by: zhao.lei, type: eightd_sent, summary: 8D}\n")
    write_record(due_repo, "records/complaints/2026/CC-2026-0101.yaml", fixed + "# edited\n")
    result = run_cli("due", "--today", "2026-11-21T09:00", repo=due_repo)
    assert code(result) == 0
    assert out(result)[-1] == "5 open clocks in 3 records: 0 overdue, 5 not yet due"


def test_an_edit_that_keeps_size_and_mtime_is_seen(run_cli: Run, due_repo: Path) -> None:
    import os

    path = due_repo / "records/complaints/2026/CC-2026-0101.yaml"
    before = run_cli("due", "--today", "2026-11-21T09:00", "--format", "json", repo=due_repo)
    text = path.read_text("utf-8")
    stat = path.stat()
    edited = text.replace("received_at: 2026-11-18T", "received_at: 2026-11-12T", 1)
    assert edited != text and len(edited) == len(text)
    path.write_text(edited, encoding="utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as cp -p or rsync would
    after = run_cli("due", "--today", "2026-11-21T09:00", "--format", "json", repo=due_repo)
    assert after.output != before.output  # type: ignore[attr-defined]


def test_unreadable_records_are_left_out_with_a_warning(
        run_cli: Run, due_repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(due_repo, "records/complaints/2026/CC-2026-0102.yaml", "kind: [unclosed\n")
    result = run_cli("due", "--today", "2026-11-21T09:00", "--within", "0", repo=due_repo)
    assert out(result)[-1] == ("warning: 1 record file(s) could not be read and were left out; "
                               "run qmsdoc validate")


def test_bad_today_is_a_usage_error(run_cli: Run, due_repo: Path) -> None:
    result = run_cli("due", "--today", "next week", repo=due_repo)
    assert code(result) == 2
    assert result.stderr.strip() == (  # type: ignore[attr-defined]
        "qmsdoc: --today next week: not a date (YYYY-MM-DD) or date and time (YYYY-MM-DDTHH:MM) between 1900 and 9998")


def test_sample_records(run_cli: Run, sample_repo: Path) -> None:
    result = run_cli("due", "--today", "2026-11-21", "--format", "json", repo=sample_repo)
    data = json.loads(result.output)  # type: ignore[attr-defined]
    overdue = [(c["record"], c["rule"]) for c in data["clocks"] if c["state"] == "overdue"]
    assert overdue == [("CC-2026-0001", "complaint-return-visit"),
                       ("CC-2026-0003", "complaint-solution")]
    assert code(result) == 1


@pytest.mark.parametrize("args", [("--within", "nan"), ("--within", "inf"), ("--within", "1e308"),
                                  ("--today", "0001-01-01")])
def test_out_of_range_options_are_usage_errors(run_cli: Callable[..., Any], sample_repo: Path,
                                               args: tuple[str, ...]) -> None:
    result = run_cli("due", *args, repo=sample_repo)
    assert result.exit_code == 2
    assert "internal error" not in result.stderr


def test_a_stated_exception_removes_the_clock(run_cli: Run, due_repo: Path) -> None:
    path = due_repo / "records/complaints/2026/CC-2026-0101.yaml"
    before = run_cli("due", "--today", "2026-11-21T09:00", "--format", "json", repo=due_repo)
    rules = [c["rule"] for c in json.loads(before.output)["clocks"]
             if c["record"] == "CC-2026-0101"]
    assert "complaint-contact" in rules
    path.write_text(path.read_text("utf-8") + (
        "deadline_exceptions:\n"
        "  - {rule: complaint-contact, reason: 客户要求只通过邮件联系, approved_by: zhao.lei,"
        " date: 2026-11-18}\n"), encoding="utf-8")
    after = run_cli("due", "--today", "2026-11-21T09:00", "--format", "json", repo=due_repo)
    assert [c["rule"] for c in json.loads(after.output)["clocks"]
            if c["record"] == "CC-2026-0101"] == [r for r in rules if r != "complaint-contact"]
    assert [line for line in out(run_cli("validate", repo=due_repo))
            if "deadline_exceptions" in line] == []


def test_an_exception_must_name_a_rule_of_its_kind(run_cli: Run, due_repo: Path) -> None:
    path = due_repo / "records/complaints/2026/CC-2026-0101.yaml"
    path.write_text(path.read_text("utf-8") + (
        "deadline_exceptions:\n"
        "  - {rule: 8d-d3, reason: 不适用, approved_by: zhao.lei, date: 2026-11-18}\n"),
        encoding="utf-8")
    result = run_cli("validate", repo=due_repo)
    assert result.exit_code == 1
    assert any("error[exception]: /deadline_exceptions/0/rule: no deadline rule '8d-d3' for a "
               "complaint record (rules: complaint-action, " in line for line in out(result))


def test_the_running_clocks_cache_gives_the_uncached_output(
        run_cli: Run, due_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """due keeps only the running clocks (clocks-running-*), apart from the full clocks
    that reports read; warm, damaged or absent, the output is the same."""
    cache = due_repo.parent / "cache"
    monkeypatch.setenv("QMSDOC_CACHE_DIR", "off")
    args = ("due", "--today", "2026-11-21T09:00", "--format", "json")
    uncached = run_cli(*args, repo=due_repo).output  # type: ignore[attr-defined]
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(cache))
    assert run_cli(*args, repo=due_repo).output == uncached  # type: ignore[attr-defined]
    [written] = cache.glob("clocks-running-*.marshal")
    assert not list(cache.glob("clocks-[0-9a-f]*.marshal"))  # the full clocks: not made here
    assert run_cli(*args, repo=due_repo).output == uncached  # type: ignore[attr-defined]
    for damage in (b"", b"\x00garbage", written.read_bytes()[:100]):
        written.write_bytes(damage)
        assert run_cli(*args, repo=due_repo).output == uncached  # type: ignore[attr-defined]
    assert not [p for p in due_repo.rglob("*.marshal")]  # nothing in the work tree


@pytest.mark.parametrize("received", ["9999-12-31T23:00:00+08:00", "9999-12-31",
                                      "0001-01-01T00:00:00+14:00"])
def test_a_date_at_the_calendars_end_starts_no_clock(run_cli: Run, due_repo: Path,
                                                    received: str) -> None:
    """A typed 9999-12-31 had a deadline after the last day there is: due, the register and
    the reports ended in an internal error (OverflowError). Such a date starts no clock, as
    a text that is no date does not; the record's other clocks run."""
    path = due_repo / "records/complaints/2026/CC-2026-0101.yaml"
    path.write_text(path.read_text("utf-8").replace("2026-11-18T09:00:00+08:00", received),
                    encoding="utf-8")
    result = run_cli("due", "--today", "2026-11-21T09:00", "--within", "14", repo=due_repo)
    assert "internal error" not in result.stderr  # type: ignore[attr-defined]
    lines = out(result)
    assert [line for line in lines if "complaint-contact" in line
            or "complaint-solution" in line] == []  # they start at received_at
    assert EXPECTED[12] in lines  # the action's own due date still counts
    assert lines[-1] == "4 open clocks in 3 records: 0 overdue, 4 not yet due"
    assert code(result) == 0
    export = run_cli("export", "complaints", "--format", "csv", "--out", "-", "--today",
                     "2026-11-21", repo=due_repo)
    assert code(export) == 0
