"""What `qmsdoc notify` writes, from records made here: who gets which reminder (owners,
department heads, nobody), the bots' size limit, and the dry run of a bot."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

Run = Callable[..., Any]
CONFIG = """\
company: {name: 明远精密制造有限公司}
customers: [{code: HXAUTO, name: 华信汽车部件有限公司}]
roster:
  - {key: zhao.lei, name: 赵磊, email: zhao.lei@mingyuan.example, department: sales}
  - {key: wang.fang, name: 王芳, email: wang.fang@mingyuan.example, department: quality, roles: [quality_manager]}
  - {key: qian.hui, name: 钱慧, department: finance}
"""


def complaint(n: int, received_by: str) -> str:
    return (f"kind: complaint\nid: CC-2026-{n:04d}\ntitle: 支架开裂{n}\ncustomer: HXAUTO\n"
            f"received_at: 2026-11-20T09:00:00+08:00\nreceived_by: {received_by}\n"
            "category: quality\nseverity: general\nstatus: registered\n"
            "product: {part_no: P-1, name: 支架}\ndescription: 开裂\n")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QMSDOC_TODAY", raising=False)


def make(repo: Path, write_record: Callable[..., Path], owners: list[str],
         notify: str = "") -> Path:
    write_record(repo, "qmsdoc.yaml", CONFIG + notify)
    for n, owner in enumerate(owners, start=1):
        write_record(repo, f"records/complaints/2026/CC-2026-{n:04d}.yaml",
                     complaint(n, owner))
    return repo


def test_who_gets_what(run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    """zhao.lei owns his; qian.hui has no e-mail; 'nobody' is not in the roster: their
    sales clocks reach the sales head only if there is one (there is none): a note each."""
    make(repo, write_record, ["zhao.lei", "qian.hui", "nobody"],
         "notify:\n  department_heads: {finance: wang.fang}\n")
    result = run_cli("notify", "--today", "2026-11-25", "--dry-run", repo=repo)
    assert result.exit_code == 0, result.stderr
    assert [line for line in result.lines if line.startswith("────")] == [
        "──── email → 赵磊 <zhao.lei@mingyuan.example>",
        "──── email → 王芳 <wang.fang@mingyuan.example>"]
    assert "Subject: 【质量期限提醒·汇总】王芳：3 项已逾期" in result.lines
    assert "1. CC-2026-0002 答复客户(二小时回复)（负责：钱慧（财务部））" in result.lines
    assert [line for line in result.lines if line.startswith("note:")] == [
        "note: CC-2026-0003 complaint-reply: no e-mail reaches its owner (nobody) or the head "
        "of its department",
        "note: CC-2026-0003 complaint-contact: no e-mail reaches its owner (nobody) or the head "
        "of its department",
        "note: CC-2026-0003 complaint-solution: no e-mail reaches its owner (nobody) or the "
        "head of its department"]


def test_a_long_bot_message_is_cut_to_fit(run_cli: Run, repo: Path,
                                          write_record: Callable[..., Path]) -> None:
    make(repo, write_record, ["zhao.lei"] * 30,
         "notify:\n  wecom: {url: 'http://127.0.0.1:9/w'}\n  dingtalk: {url: 'http://127.0.0.1:9/d'}\n")
    result = run_cli("notify", "--today", "2026-11-25", "--dry-run", repo=repo)
    assert result.exit_code == 0, result.stderr
    text = result.output
    wecom = text.split("──── wecom → 企业微信群机器人\n")[1].split("\n\n──── ")[0]
    dingtalk = text.split("──── dingtalk → 钉钉群机器人\n")[1].split("\n\n90 reminder")[0]
    assert len(wecom.encode()) <= 4000 < len(dingtalk.encode()) <= 18000
    shown = sum(1 for line in wecom.splitlines() if line.startswith("- "))
    assert f"……另有 {90 - shown} 项未列出，请运行 qmsdoc due 查看全部。" in wecom.splitlines()
    assert sum(1 for line in dingtalk.splitlines() if line.startswith("- ")) == 90
    assert result.lines[-1].startswith("90 reminder(s) (overdue or due within 3 days): "
                                       "2 messages would be sent")


def test_an_unreadable_record_is_a_warning(run_cli: Run, repo: Path,
                                           write_record: Callable[..., Path]) -> None:
    make(repo, write_record, ["zhao.lei"])
    write_record(repo, "records/complaints/2026/CC-2026-0009.yaml", "kind: complaint\nid: [")
    result = run_cli("notify", "--today", "2026-11-25", "--dry-run", repo=repo)
    assert result.exit_code == 0
    assert result.lines[-1] == ("warning: 1 record file(s) could not be read and were left out "
                                "(their clocks are not reminded); run qmsdoc validate")
    assert result.lines[-2].startswith("3 reminder(s)")


def test_dry_run_on_the_sample_records(run_cli: Run, sample_repo: Path) -> None:
    """No notify: section in the sample qmsdoc.yaml: the e-mails are shown, one per person."""
    result = run_cli("notify", "--today", "2026-11-21", "--dry-run", repo=sample_repo)
    assert result.exit_code == 0, result.stderr
    assert result.lines[:2] == [
        "qmsdoc notify — now 2026-11-21 00:00 +0800 — dry run: nothing is sent",
        "(qmsdoc.yaml configures no notify.email: the messages are shown as they would be sent)"]
    assert [line for line in result.lines if line.startswith(("────", "Subject:"))] == [
        "──── email → 赵磊 <zhao.lei@mingyuan.example>", "Subject: 【质量期限提醒】赵磊：2 项已逾期",
        "──── email → 李明 <li.ming@mingyuan.example>", "Subject: 【质量期限提醒】李明：1 项3天内到期",
        "──── email → 王芳 <wang.fang@mingyuan.example>",
        "Subject: 【质量期限提醒·汇总】王芳：1 项3天内到期"]
    assert result.lines[-1] == ("3 reminder(s) (overdue or due within 3 days): 3 messages would "
                                "be sent; 0 held back (sent within 7 days, see "
                                ".qmsdoc/notify-state.json)")
    assert not (sample_repo / ".qmsdoc").exists()


def test_messages_in_english(run_cli: Run, sample_repo: Path) -> None:
    with (sample_repo / "qmsdoc.yaml").open("a", encoding="utf-8") as config:
        config.write("\nnotify:\n  language: en\n  wecom: {url: 'http://127.0.0.1:9/w'}\n"
                     "  email: {host: 127.0.0.1, from: qms@mingyuan.example}\n")
    result = run_cli("notify", "--today", "2026-11-21", "--dry-run", repo=sample_repo)
    assert result.exit_code == 0, result.stderr
    lines = result.lines
    start = lines.index("──── email → 赵磊 <zhao.lei@mingyuan.example>")
    assert lines[start + 1:start + 17] == [
        "To: zhao.lei@mingyuan.example", "Subject: [Quality deadlines] 赵磊: 2 overdue", "",
        "Dear 赵磊,", "",
        "As of 2026-11-21 00:00, these deadlines of quality records need action.", "",
        "[Yours · overdue (2)]",
        "1. CC-2026-0001 Return visit after the solution is carried out",
        "   Rule: complaint-return-visit  Source: 003 客户投诉处理制度 五.3",
        "   Due: 2026-11-08  13 d late",
        "2. CC-2026-0003 Propose a solution to the complainant",
        "   Rule: complaint-solution  Source: 003 客户投诉处理制度 五.2",
        "   Due: 2026-11-20 16:05  7 h 55 min late", "",
        "— sent by qmsdoc; please do not reply. Enter the completion date in the record and "
        "commit it when done."]
    assert "Subject: [Quality deadlines · summary] 王芳: 1 due within 3 days" in lines
    bot = lines.index("──── wecom → 企业微信群机器人")
    assert lines[bot + 1:bot + 5] == ["### Quality deadlines 2026-11-21 00:00",
                                      "2 overdue, 1 due within 3 days.", "", "**赵磊 (Sales)**"]
