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
