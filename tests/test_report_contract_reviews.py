"""`qmsdoc report contract-reviews`: the figures recomputed here from the records (by type,
lead time, feedback within 48 h, conditional acceptances and open questions, amendments and
re-reviews), and the Word form."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
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
  - {code: LDEV, name: 蓝德电子科技有限公司}
roster:
  - {key: zhao.lei, name: 赵磊, department: sales}
  - {key: liu.yang, name: 刘洋, department: engineering}
"""
TZ = "+08:00"


def review(department: str, day: str, conclusion: str = "feasible",
           conditions: str = "") -> dict[str, Any]:
    row = {"department": department, "conclusion": conclusion, "reviewer": "zhao.lei",
           "date": day}
    if conditions:
        row["conditions"] = conditions
    return row


def record(rid: str, kind: str, received: str, **extra: Any) -> dict[str, Any]:
    data = {"kind": "contract-review", "id": rid, "title": rid, "customer": "HXAUTO",
            "sales_rep": "zhao.lei", "order_no": f"PO-{rid[-2:]}", "contract_type": kind,
            "received_at": received + TZ, "carrier": "written_contract",
            "items": [{"part_no": "P-1", "name": "支架", "qty": 100, "unit": "件",
                       "delivery_date": "2026-12-20"}],
            "reviews": [], "status": "in_review"}
    data.update(extra)
    return data


RECORDS = [
    record("CR-2026-0101", "regular", "2026-11-02T14:15:00", customer="LDEV",
           reviews=[review("sales", "2026-11-02")], conclusion={"result": "accept"},
           customer_feedback_at="2026-11-03T10:05:00" + TZ, status="customer_confirmed"),
    record("CR-2026-0102", "special", "2026-11-05T09:00:00",
           reviews=[review("engineering", "2026-11-06", "conditional", "基准须经客户书面确认"),
                    review("quality", "2026-11-09", "conditional", "检具11月15日前到厂"),
                    review("sales", "2026-11-06")],
           questions=[{"raised": "2026-11-06", "raised_by": "liu.yang", "question": "基准?",
                       "to_customer": True, "answer": "以视图为准", "resolved": "2026-11-07"},
                      {"raised": "2026-11-06", "raised_by": "liu.yang",
                       "question": "盐雾试验由谁做？", "to_customer": True}],
           conclusion={"result": "accept_with_conditions"},
           customer_feedback_at="2026-11-08T10:00:00" + TZ, status="decided",
           amendments=[{"date": "2026-11-20", "notice_no": "XG-01", "reason": "交期提前",
                        "content": "交期改为12月10日", "notified": ["production"],
                        "re_reviewed": True,
                        "reviews": [review("production", "2026-11-21"),
                                    review("sales", "2026-11-21")]},
                       {"date": "2026-12-02", "reason": "数量", "content": "数量增加",
                        "notified": ["production"], "re_reviewed": False}]),
    record("CR-2026-0103", "new_product", "2026-11-28T16:00:00"),
    record("CR-2026-0104", "temporary", "2026-10-30T10:00:00",
           reviews=[review("sales", "2026-10-30")], conclusion={"result": "accept"},
           customer_feedback_at="2026-10-31T09:00:00" + TZ,
           amendments=[{"date": "2026-11-10", "reason": "包装", "content": "改纸箱",
                        "notified": ["logistics"], "re_reviewed": False}]),
    record("CR-2026-0105", "regular", "2026-11-10T08:00:00",
           reviews=[review("sales", "2026-11-10")], conclusion={"result": "reject"},
           customer_feedback_at="2026-11-12T08:00:30" + TZ),  # 48 h and 30 s: late
]
AS_OF = datetime.fromisoformat("2026-12-01T00:00:00" + TZ)


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QMSDOC_TODAY", raising=False)


@pytest.fixture
def cr_repo(repo: Path, write_record: Callable[..., Path]) -> Path:
    write_record(repo, "qmsdoc.yaml", CONFIG)
    for data in RECORDS:
        write_record(repo, f"records/contract-reviews/2026/{data['id']}.yaml",
                     yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return repo


def run(run_cli: Run, repo: Path, out: Path, *args: str) -> Any:
    return run_cli("report", "contract-reviews", "--out", str(out), "--today", "2026-12-05",
                   *args, repo=repo)


def november() -> list[dict[str, Any]]:
    """Received in November, in the order received."""
    return sorted((r for r in RECORDS if r["received_at"].startswith("2026-11")),
                  key=lambda r: r["received_at"])


def took(r: dict[str, Any]) -> timedelta | None:
    if "customer_feedback_at" not in r:
        return None
    return (datetime.fromisoformat(r["customer_feedback_at"])
            - datetime.fromisoformat(r["received_at"]))


def in_time(r: dict[str, Any]) -> bool:
    spent = took(r)
    return spent is not None and spent <= timedelta(hours=48)


def test_the_figures_match_the_records(run_cli: Run, cr_repo: Path, tmp_path: Path) -> None:
    result = run(run_cli, cr_repo, tmp_path / "out", "--month", "2026-11", "--format", "xlsx")
    assert (result.exit_code, result.stderr) == (0, "")
    book = load_workbook(tmp_path / "out" / "contract-review-statistics-2026-11.xlsx")
    found = sections(book["汇总"])
    cases = november()
    leads = [(max(datetime.fromisoformat(x["date"]) for x in r["reviews"]).date()
              - datetime.fromisoformat(r["received_at"]).date()).days
             for r in cases if r["reviews"]]
    timely = sum(1 for r in cases if in_time(r))
    amended = [a for r in RECORDS for a in r.get("amendments", [])
               if a["date"].startswith("2026-11")]
    results = [r.get("conclusion", {}).get("result") for r in cases]
    assert {row[0]: row[1] for row in found["一、概况"][1:]} == {
        "本期接收的合同评审": len(cases),
        "平均评审周期（天，接收→最后一个部门评审）": round(sum(leads) / len(leads), 1),
        "48小时内反馈顾客": f"{timely / len(cases):.1%} ({timely}/{len(cases)})",
        "尚未反馈顾客": sum(1 for r in cases if "customer_feedback_at" not in r),
        "结论：接受": results.count("accept"),
        "结论：有条件接受": results.count("accept_with_conditions"),
        "结论：不接受": results.count("reject"),
        "未解决的评审问题": sum(1 for r in cases for q in r.get("questions", [])
                             if "resolved" not in q),
        "本期订单修正": len(amended),
        "其中再评审": sum(1 for a in amended if a["re_reviewed"]),
    }
    assert (len(cases), timely, len(amended)) == (4, 1, 2)
    by_type = {row[0]: row[1:] for row in found["二、按合同类别"][1:]}
    assert by_type["常规合同"][:2] == [2, 0] and by_type["常规合同"][2:4] == [1, "50.0% (1/2)"]
    assert by_type["特殊合同"] == [1, 4, 0, "0.0% (0/1)", 1, 0]
    assert by_type["新产品合同"] == [1, None, 0, "0.0% (0/1)", 0, 0]
    assert by_type["临时合同"] == [0, None, 0, None, 0, 0]  # received in October
    feedback = found["三、反馈顾客及时性（48小时内，002 合同评审控制程序 3.d）"][1:]
    expected = []
    for r in cases:
        spent = took(r)
        hours = round(spent.total_seconds() / 3600, 1) if spent is not None else None
        state = ("是" if in_time(r) else "否") if spent is not None else (
            "未反馈·已逾期" if AS_OF - datetime.fromisoformat(r["received_at"])
            > timedelta(hours=48) else "未反馈")
        expected.append([r["id"], hours, state])
    assert [[row[0], row[5], row[6]] for row in feedback] == expected
    assert expected[2:] == [["CR-2026-0105", 48.0, "否"], ["CR-2026-0103", None, "未反馈·已逾期"]]
    assert found["四、有条件接受的合同及其条件"][1:] == [
        ["CR-2026-0102", "华信汽车部件有限公司", "有条件接受", "技术部", "基准须经客户书面确认"],
        ["CR-2026-0102", "华信汽车部件有限公司", "有条件接受", "品质部", "检具11月15日前到厂"]]
    assert found["五、尚未解决的评审问题"][1:] == [
        ["CR-2026-0102", "2026-11-06", "刘洋", "盐雾试验由谁做？", "是"]]
    assert found["六、订单修正与再评审（本期）"][1:] == [
        ["CR-2026-0104", "2026-11-10", None, "包装", "否", 0],
        ["CR-2026-0102", "2026-11-20", "XG-01", "交期提前", "是", 2]]
    detail = list(book["明细"].iter_rows(values_only=True))
    assert [row[0] for row in detail[1:]] == [r["id"] for r in cases]


@needs_cjk_font
def test_the_word_form(run_cli: Run, cr_repo: Path, tmp_path: Path,
                       docx_text: Callable[[Path], str]) -> None:
    result = run(run_cli, cr_repo, tmp_path / "out", "--year", "2026")
    assert result.exit_code == 0, result.stderr
    assert result.output.splitlines() == [
        str(tmp_path / "out" / "contract-review-statistics-2026.xlsx"),
        str(tmp_path / "out" / "contract-review-statistics-2026.docx")]
    path = tmp_path / "out" / "contract-review-statistics-2026.docx"
    text = docx_text(path).splitlines()
    assert "合同评审统计分析表（2026年度）" in text and "期间：2026年度" in text
    doc = Document(str(path))
    assert len(doc.inline_shapes) == 2
    overview = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert overview["本期接收的合同评审"] == str(len(RECORDS))
    assert overview["48小时内反馈顾客"] == "40.0% (2/5)"  # 0101 and 0104 (October)
