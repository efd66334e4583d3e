"""`qmsdoc report 8d`: the time of each discipline against its clock, the on-time rate, the
open 8Ds by age and the verified effectiveness, recomputed here from the records and the
8D durations of the built-in rules (D3 24 h, D4 7 d, D5–D6 14 d, D7 25 d, D8 30 d from
opening, or the step's own due date when earlier)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook
from test_report import needs_cjk_font, sections

Run = Callable[..., Any]
CONFIG = """\
company: {name: 明远精密制造有限公司}
customers:
  - {code: HXAUTO, name: 华信汽车部件有限公司}
roster:
  - {key: li.ming, name: 李明, department: quality}
"""
STEPS = ["d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8"]
WITHIN = {"d3": 1, "d4": 7, "d5": 14, "d6": 14, "d7": 25, "d8": 30}  # days after opening
NAMES = ["D0 紧急反应", "D1 成立小组", "D2 问题描述", "D3 临时围堵措施", "D4 根本原因",
         "D5 永久纠正措施", "D6 实施与验证", "D7 预防再发生", "D8 结案"]
AS_OF = date(2026, 12, 1)


def eightd(rid: str, opened: str, steps: dict[str, tuple[str | None, str | None]],
           **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"kind": "8d", "id": rid, "title": rid, "customer": "HXAUTO",
                            "opened_at": opened, "status": "open"}
    for step, (due, completed) in steps.items():
        data[step] = {"owner": "li.ming"}
        if due:
            data[step]["due"] = due
        if completed:
            data[step]["completed"] = completed
    data.update(extra)
    return data


RECORDS = [
    eightd("8D-2026-0201", "2026-11-02", {
        "d0": ("2026-11-02", "2026-11-02"), "d1": ("2026-11-03", "2026-11-03"),
        "d2": ("2026-11-04", "2026-11-06"), "d3": ("2026-11-03", "2026-11-03"),
        "d4": ("2026-11-09", "2026-12-03"),  # completed after the month: overdue at its end
    }),
    eightd("8D-2026-0202", "2026-10-01", {s: (None, "2026-10-05") for s in STEPS},
           status="closed"),  # closed before November: not in the report
    eightd("8D-2026-0203", "2026-10-20", {
        "d0": ("2026-10-20", "2026-10-20"), "d1": ("2026-10-21", "2026-10-21"),
        "d2": ("2026-10-22", "2026-10-22"), "d3": (None, "2026-10-21"),
        "d4": (None, "2026-10-26"), "d5": (None, "2026-11-05"), "d6": (None, "2026-11-03"),
        "d7": (None, "2026-11-10"), "d8": (None, "2026-11-15")}, status="closed"),
    eightd("8D-2026-0204", "2026-09-01", {
        "d0": ("2026-09-01", "2026-09-01"), "d3": (None, "2026-09-02")}),
    eightd("8D-2026-0205", "2026-12-03", {"d0": ("2026-12-03", None)}),  # opened later
]
RECORDS[2]["d5"]["actions"] = [
    {"id": "P1", "description": "镶块改为一体式", "owner": "li.ming",
     "verification": {"by": "li.ming", "date": "2026-11-04", "result": "effective"}},
    {"id": "P2", "description": "修订作业指导书", "owner": "li.ming",
     "verification": {"by": "li.ming", "date": "2026-11-04", "result": "not_effective"}}]
RECORDS[2]["d6"]["implementations"] = [
    {"action": "P1", "implemented_on": "2026-11-03",
     "validation": {"by": "li.ming", "date": "2026-11-12", "result": "effective"}}]


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QMSDOC_TODAY", raising=False)


@pytest.fixture
def d8_repo(repo: Path, write_record: Callable[..., Path]) -> Path:
    write_record(repo, "qmsdoc.yaml", CONFIG)
    for data in RECORDS:
        write_record(repo, f"records/8d/2026/{data['id']}.yaml",
                     yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return repo


def run(run_cli: Run, repo: Path, out: Path, *args: str) -> Any:
    return run_cli("report", "8d", "--out", str(out), "--today", "2026-12-05", *args, repo=repo)


# --- recomputed from RECORDS --------------------------------------------------------------------

def day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def active() -> list[dict[str, Any]]:
    """Opened before December, not closed before November."""
    return [r for r in RECORDS if day(r["opened_at"]) < AS_OF and  # type: ignore[operator]
            (day(r.get("d8", {}).get("completed")) or AS_OF) >= date(2026, 11, 1)]


def state(r: dict[str, Any], step: str) -> tuple[str, int | None] | None:
    """(met | late | overdue | open, days from opening to completion) at the end of November."""
    opened = day(r["opened_at"])
    assert opened is not None
    candidates = [d for d in (day(r.get(step, {}).get("due")),
                              opened + timedelta(days=WITHIN[step]) if step in WITHIN else None)
                  if d is not None]
    if not candidates:
        return None
    due = min(candidates)
    done = day(r.get(step, {}).get("completed"))
    if done is not None and done <= AS_OF:
        return ("met" if done <= due else "late"), (done - opened).days
    return ("overdue" if due < AS_OF else "open"), None


def test_the_figures_match_the_records(run_cli: Run, d8_repo: Path, tmp_path: Path) -> None:
    result = run(run_cli, d8_repo, tmp_path / "out", "--month", "2026-11", "--format", "xlsx")
    assert (result.exit_code, result.stderr) == (0, "")
    found = sections(load_workbook(tmp_path / "out" / "8d-statistics-2026-11.xlsx")["汇总"])
    reports = active()
    assert [r["id"] for r in reports] == ["8D-2026-0201", "8D-2026-0203", "8D-2026-0204"]
    rows = []
    totals = {"met": 0, "late": 0, "overdue": 0}
    for step, name in zip(STEPS, NAMES, strict=True):
        states = [s for r in reports if (s := state(r, step)) is not None]
        count = {k: sum(1 for s, _ in states if s == k) for k in ("met", "late", "overdue",
                                                                   "open")}
        for k in totals:
            totals[k] += count[k]
        judged = count["met"] + count["late"] + count["overdue"]
        days = [d for _, d in states if d is not None]
        rows.append([name, len(states), count["met"], count["late"], count["overdue"],
                     count["open"],
                     f"{count['met'] / judged:.1%} ({count['met']}/{judged})" if judged else None,
                     round(sum(days) / len(days), 1) if days else None])
    assert found["二、各步骤用时及按期情况（对照期限）"][1:] == rows
    open_ones = [r for r in reports if not r.get("d8", {}).get("completed")]
    ages = {r["id"]: (AS_OF - day(r["opened_at"])).days for r in open_ones}  # type: ignore
    assert ages == {"8D-2026-0201": 29, "8D-2026-0204": 91}
    assert found["三、未结案8D（按开立天数）"][1:] == [
        ["≤7天", 0], ["8–14天", 0], ["15–30天", 1], ["31–60天", 0], [">60天", 1]]
    assert [row[:4] for row in found["四、未结案8D明细"][1:]] == [
        ["8D-2026-0201", "华信汽车部件有限公司", "2026-11-02", 29],
        ["8D-2026-0204", "华信汽车部件有限公司", "2026-09-01", 91]]
    assert [row[4:] for row in found["四、未结案8D明细"][1:]] == [
        ["D4 根本原因", "D4、D5、D6、D7"], ["D1 成立小组", "D4、D5、D6、D7、D8"]]
    judged_total = sum(totals.values())
    closed = [r for r in reports if r.get("d8", {}).get("completed", "").startswith("2026-11")]
    assert {row[0]: row[1] for row in found["一、概况"][1:]} == {
        "本期涉及的8D报告": len(reports),
        "其中本期立案": sum(1 for r in reports if r["opened_at"].startswith("2026-11")),
        "其中本期结案": len(closed),
        "未结案（截至统计日）": len(open_ones),
        "平均结案天数（本期结案）": float((day(closed[0]["d8"]["completed"])
                                         - day(closed[0]["opened_at"])).days),  # type: ignore
        "各步骤按期完成率": f"{totals['met'] / judged_total:.1%} ({totals['met']}/{judged_total})",
        "逾期未完成的步骤": totals["overdue"],
        "永久纠正措施": 2,
        "实施后确认有效": "50.0% (1/2)",
    }
    assert found["五、永久纠正措施的效果验证"][1:] == [
        ["8D-2026-0203", "P1", "镶块改为一体式", "有效", "有效", "2026-11-12"],
        ["8D-2026-0203", "P2", "修订作业指导书", "无效", "未确认", None]]


@needs_cjk_font
def test_the_word_form(run_cli: Run, d8_repo: Path, tmp_path: Path,
                       docx_text: Callable[[Path], str]) -> None:
    result = run(run_cli, d8_repo, tmp_path / "out", "--month", "2026-11")
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "out" / "8d-statistics-2026-11.docx"
    text = docx_text(path).splitlines()
    assert "8D报告统计分析表（2026年11月）" in text
    assert "图1 8D各步骤按期情况" in text and "图2 未结案8D（按开立天数）" in text
    assert len(Document(str(path)).inline_shapes) == 2


def test_an_unreadable_record_is_named_and_exit_1(run_cli: Run, d8_repo: Path,
                                                  tmp_path: Path) -> None:
    (d8_repo / "records/8d/2026/8D-2026-0299.yaml").write_text("kind: 8d\nid: [", "utf-8")
    result = run(run_cli, d8_repo, tmp_path / "out", "--month", "2026-11", "--format", "xlsx")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "qmsdoc: warning: 1 record file(s) could not be read and were left out of the "
        "statistics; run qmsdoc validate:", "  records/8d/2026/8D-2026-0299.yaml"]
    assert (tmp_path / "out" / "8d-statistics-2026-11.xlsx").is_file()
