"""`qmsdoc report special-requirements`: the figures recomputed here from the records
(items by customer, category, department and state; processing time; overdue items;
reviews within 10 working days), and the Word form with its frame and charts."""

from __future__ import annotations

from collections import Counter
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
  - {code: LDEV, name: 蓝德电子科技有限公司}
roster:
  - {key: li.ming, name: 李明, department: quality}
"""


def item(item_id: str, category: str, department: str, status: str, due: str,
         completed: str | None = None) -> dict[str, Any]:
    data = {"item_id": item_id, "category": category, "source": "SQM", "requirement": "要求",
            "department": department, "priority": "high", "due": due, "status": status}
    if completed:
        data["completed"] = completed
    return data


def review(received: str, identified: str, trigger: str, items: list[str],
           dates: list[str]) -> dict[str, Any]:
    return {"identifying_department": "quality", "received_at": received,
            "identified_at": identified, "trigger": trigger, "items": items,
            "reviewers": [{"department": "quality", "conclusion": "accepted", "by": "li.ming",
                           "date": d} for d in dates]}


RECORDS = [
    {"kind": "special-requirements", "id": "CSR-HXAUTO", "title": "华信", "customer": "HXAUTO",
     "responsible_department": "quality",
     "items": [item("A1", "product", "quality", "done", "2026-11-10", "2026-11-08"),
               item("A2", "product", "engineering", "done", "2026-11-05", "2026-11-12"),
               item("A3", "environmental", "quality", "in_progress", "2026-11-15"),
               item("A4", "management", "purchasing", "open", "2026-12-20"),
               item("A5", "supplier", "purchasing", "done", "2026-10-31", "2026-10-30")],
     "reviews": [review("2026-10-19", "2026-10-20", "new_product", ["A1", "A2", "A3", "A5"],
                        ["2026-10-21", "2026-10-23"]),
                 review("2026-11-02", "2026-11-03", "spec_change", ["A4"],
                        ["2026-11-10", "2026-11-20"])]},
    {"kind": "special-requirements", "id": "CSR-LDEV", "title": "蓝德", "customer": "LDEV",
     "responsible_department": "quality",
     "items": [item("B1", "product", "quality", "done", "2026-11-30", "2026-11-25"),
               item("B2", "other", "logistics", "open", "2026-11-20")],
     "reviews": [review("2026-11-04", "2026-11-04", "new_customer", ["B1", "B2"],
                        ["2026-11-06", "2026-11-10"])]},
]
AS_OF = date(2026, 12, 1)  # the end of November (--today is later)


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QMSDOC_TODAY", raising=False)


@pytest.fixture
def csr_repo(repo: Path, write_record: Callable[..., Path]) -> Path:
    write_record(repo, "qmsdoc.yaml", CONFIG)
    for data in RECORDS:
        write_record(repo, f"records/special-requirements/{data['id']}.yaml",
                     yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    return repo


def run(run_cli: Run, repo: Path, out: Path, *args: str) -> Any:
    return run_cli("report", "special-requirements", "--out", str(out), "--today", "2026-12-05",
                   *args, repo=repo)


# --- the figures, recomputed from RECORDS ----------------------------------------------------

def all_items() -> list[tuple[str, dict[str, Any]]]:
    return [(r["customer"], i) for r in RECORDS for i in r["items"]]


def identified(item_id: str) -> date:
    return min(date.fromisoformat(v["identified_at"]) for r in RECORDS for v in r["reviews"]
               if item_id in v["items"])


def in_november(text: str | date) -> bool:
    day = date.fromisoformat(text) if isinstance(text, str) else text
    return date(2026, 11, 1) <= day < date(2026, 12, 1)


def weekdays_after(start: str, end: str) -> int:
    """Working days after ``start`` up to ``end``: November 2026 has no public holiday."""
    first, last = date.fromisoformat(start), date.fromisoformat(end)
    return sum(1 for n in range(1, (last - first).days + 1)
               if (first + timedelta(days=n)).weekday() < 5)


def overdue(i: dict[str, Any]) -> bool:
    return i["status"] != "done" and date.fromisoformat(i["due"]) < AS_OF


def test_the_figures_match_the_records(run_cli: Run, csr_repo: Path, tmp_path: Path) -> None:
    result = run(run_cli, csr_repo, tmp_path / "out", "--month", "2026-11", "--format", "xlsx")
    assert (result.exit_code, result.stderr) == (0, "")
    path = tmp_path / "out" / "special-requirements-statistics-2026-11.xlsx"
    assert result.output == f"{path}\n"
    book = load_workbook(path)
    assert book.sheetnames == ["汇总", "明细"]
    found = sections(book["汇总"])
    items = [i for _, i in all_items()]
    states = Counter(i["status"] for i in items)
    done_now = [i for i in items if i.get("completed") and in_november(i["completed"])]
    days = [(date.fromisoformat(i["completed"]) - identified(i["item_id"])).days
            for i in done_now]
    reviews = [v for r in RECORDS for v in r["reviews"] if in_november(v["received_at"])]
    in_time = [v for v in reviews
               if weekdays_after(v["received_at"], max(x["date"] for x in v["reviewers"])) <= 10]
    assert {row[0]: row[1] for row in found["一、概况"][1:]} == {
        "顾客特殊要求清单数": len(RECORDS),
        "要求条目总数": len(items),
        "其中待处理": states["open"], "其中处理中": states["in_progress"],
        "其中已完成": states["done"],
        "本期识别条目": sum(1 for i in items if in_november(identified(i["item_id"]))),
        "本期完成条目": len(done_now),
        "平均处理天数（识别→完成，本期完成条目）": round(sum(days) / len(days), 1),
        "逾期未完成条目（截至统计日）": sum(1 for i in items if overdue(i)),
        "本期评审次数": len(reviews),
        "10个工作日内完成评审": len(in_time),
        "10个工作日内评审率": f"{len(in_time) / len(reviews):.1%} ({len(in_time)}/{len(reviews)})",
    }
    assert (len(done_now), days, len(reviews), len(in_time)) == (3, [19, 23, 21], 2, 1)

    def by(key: Callable[[str, dict[str, Any]], str]) -> dict[str, list[int]]:
        table: dict[str, list[int]] = {}
        for customer, i in all_items():
            row = table.setdefault(key(customer, i), [0, 0, 0, 0, 0])
            row[("open", "in_progress", "done").index(i["status"])] += 1
            row[3] += 1
            row[4] += overdue(i)
        return table

    names = {"HXAUTO": "华信汽车部件有限公司", "LDEV": "蓝德电子科技有限公司"}
    assert {row[0]: row[1:] for row in found["二、按客户"][1:]} == \
        {names[k]: v for k, v in by(lambda c, _: c).items()}
    departments = {"quality": "品质部", "engineering": "技术部", "purchasing": "采购部",
                   "logistics": "储运部"}
    assert {row[0]: row[1:] for row in found["四、按责任部门"][1:]} == \
        {departments[k]: v for k, v in by(lambda _, i: i["department"]).items()}
    assert sum(row[4] for row in found["三、按类别"][1:]) == len(items)

    assert found["五、处理时间（本期完成的条目）"][1:] == [
        ["CSR-HXAUTO", "A1", "华信汽车部件有限公司", "品质部", "2026-10-20", "2026-11-10",
         "2026-11-08", 19, "是"],
        ["CSR-HXAUTO", "A2", "华信汽车部件有限公司", "技术部", "2026-10-20", "2026-11-05",
         "2026-11-12", 23, "否"],
        ["CSR-LDEV", "B1", "蓝德电子科技有限公司", "品质部", "2026-11-04", "2026-11-30",
         "2026-11-25", 21, "是"]]
    assert found["六、逾期未完成条目"][1:] == [
        ["CSR-HXAUTO", "A3", "华信汽车部件有限公司", "品质部", "高", "2026-11-15",
         (AS_OF - date(2026, 11, 15)).days, "处理中"],
        ["CSR-LDEV", "B2", "蓝德电子科技有限公司", "储运部", "高", "2026-11-20",
         (AS_OF - date(2026, 11, 20)).days, "待处理"]]
    assert [row[4:] for row in found[
        "七、评审及时性（收到后10个工作日内，IATF 16949 7.5.3.2.2）"][1:]] == [
        ["2026-11-02", "2026-11-20", weekdays_after("2026-11-02", "2026-11-20"), "否"],
        ["2026-11-04", "2026-11-10", weekdays_after("2026-11-04", "2026-11-10"), "是"]]
    detail = list(book["明细"].iter_rows(values_only=True))
    assert [row[:2] for row in detail[1:]] == [(r["id"], i["item_id"]) for r in RECORDS
                                              for i in r["items"]]


def test_a_quarter_counts_october_too(run_cli: Run, csr_repo: Path, tmp_path: Path) -> None:
    result = run(run_cli, csr_repo, tmp_path / "out", "--quarter", "2026-Q4", "--format", "xlsx")
    assert result.exit_code == 0
    found = sections(load_workbook(
        tmp_path / "out" / "special-requirements-statistics-2026-Q4.xlsx")["汇总"])
    overview = {row[0]: row[1] for row in found["一、概况"][1:]}
    items = [i for _, i in all_items()]
    assert overview["本期完成条目"] == sum(1 for i in items if i.get("completed"))  # A5 too
    assert overview["本期评审次数"] == sum(len(r["reviews"]) for r in RECORDS)
    assert overview["本期识别条目"] == len(items)


@needs_cjk_font
def test_the_word_form_has_the_frame_the_tables_and_two_charts(
        run_cli: Run, csr_repo: Path, tmp_path: Path, docx_text: Callable[[Path], str]) -> None:
    result = run(run_cli, csr_repo, tmp_path / "out", "--month", "2026-11", "--format", "docx")
    assert result.exit_code == 0, result.stderr
    path = tmp_path / "out" / "special-requirements-statistics-2026-11.docx"
    text = docx_text(path).splitlines()
    assert text[0] == "明远精密制造有限公司"
    assert "期间：2026年11月" in text and "顾客特殊要求统计分析表（2026年11月）" in text
    assert "图1 各责任部门顾客特殊要求条目（按状态）" in text
    assert text[-1].startswith("非受控 — 统计报表由 qmsdoc 根据 records/ 中的记录生成")
    doc = Document(str(path))
    assert len(doc.inline_shapes) == 2
    overview = {row.cells[0].text: row.cells[1].text for row in doc.tables[0].rows}
    assert overview["10个工作日内评审率"] == "50.0% (1/2)"
    assert overview["平均处理天数（识别→完成，本期完成条目）"] == "21"
    again = run(run_cli, csr_repo, tmp_path / "again", "--month", "2026-11", "--format", "docx")
    assert again.exit_code == 0
    assert (tmp_path / "again" / path.name).read_bytes() == path.read_bytes()


def test_usage(run_cli: Run, csr_repo: Path, tmp_path: Path) -> None:
    result = run(run_cli, csr_repo, tmp_path / "out", "--month", "2026-11", "--year", "2026")
    assert (result.exit_code, result.stderr) == (
        2, "qmsdoc: give one of --month YYYY-MM, --quarter YYYY-Qn, --year YYYY\n")
    result = run(run_cli, csr_repo, tmp_path / "out", "--quarter", "2026-Q5")
    assert (result.exit_code, result.stderr) == (
        2, "qmsdoc: '2026-Q5' is not a quarter (YYYY-Q1 … YYYY-Q4) between 1900 and 9998\n")
    assert not (tmp_path / "out").exists()
