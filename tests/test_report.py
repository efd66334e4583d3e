"""`qmsdoc report complaints`: the numbers, recomputed here from the same records, and the
Word and Excel files (frame, charts as pictures, determinism)."""

from __future__ import annotations

import io
import warnings
import zipfile
from collections import Counter
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from docx import Document
from openpyxl import load_workbook

Run = Callable[..., Any]

CONFIG = """\
company: {name: 明远精密制造有限公司}
customers:
  - {code: HXAUTO, name: 华信汽车部件有限公司}
  - {code: LDEV, name: 蓝德电子科技有限公司}
roster:
  - {key: zhao.lei, name: 赵磊, department: sales}
  - {key: li.ming, name: 李明, department: quality}
"""


def complaint(rid: str, received: str, **extra: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "complaint", "id": rid, "title": f"投诉{rid[-2:]}", "customer": "HXAUTO",
        "status": "investigating", "received_at": f"{received}T09:00:00+08:00",
        "received_by": "zhao.lei", "category": "quality", "subtype": "appearance",
        "severity": "general", "urgency": "medium",
        "product": {"part_no": "P-1", "name": "支架", "qty_defective": 10},
        "description": "。",
        "communications": [{"at": f"{received}T10:00:00+08:00", "by": "zhao.lei",
                            "type": "reply", "summary": "已受理"}],
    }
    data.update(extra)
    return data


RECORDS = [
    complaint("CC-2026-0101", "2026-10-20", customer="LDEV", subtype="performance",
              product={"part_no": "P-9", "name": "盖", "qty_defective": 3}),
    # November: four complaints
    complaint("CC-2026-0102", "2026-11-02", severity="major", urgency="high",
              subtype="performance", root_cause={"category": "method"},
              responsibility={"party": "internal", "department": "production"},
              impact={"amount_rmb": 12000},
              disposition={"type": "claim", "cost_rmb": 12000, "allocation": [
                  {"department": "production", "amount_rmb": 9000},
                  {"department": "quality", "amount_rmb": 3000}]},
              closure={"internal": {"date": "2026-11-20", "by": "li.ming"}},
              status="closed_internal"),
    complaint("CC-2026-0103", "2026-11-05", customer="LDEV", subtype="performance",
              product={"part_no": "P-9", "name": "盖", "qty_defective": 5},
              root_cause={"category": "material"},
              disposition={"type": "rework", "cost_rmb": 800.5,
                           "allocation": [{"party": "supplier", "amount_rmb": 800.5}]},
              closure={"internal": {"date": "2026-11-15", "by": "li.ming"}},
              status="closed_internal",
              communications=[{"at": "2026-11-05T12:30:00+08:00", "by": "zhao.lei",
                               "type": "reply", "summary": "迟复"}]),
    complaint("CC-2026-0104", "2026-11-18", urgency="low", severity="minor",
              communications=[]),
    complaint("CC-2026-0105", "2026-11-30", category="delivery", subtype="delivery",
              root_cause={"category": "method"}),
    complaint("CC-2026-0106", "2026-12-01"),
]
EIGHTD = {"kind": "8d", "id": "8D-2026-0102", "title": "8D", "customer": "HXAUTO",
          "complaints": ["CC-2026-0102"], "opened_at": "2026-11-02", "status": "open",
          "d1": {"owner": "li.ming", "due": "2026-11-03", "completed": "2026-11-03"},
          "d2": {"owner": "li.ming", "due": "2026-11-04", "completed": "2026-11-04"},
          "d3": {"owner": "li.ming", "due": "2026-11-03", "completed": "2026-11-05"}}


def _has_cjk_font() -> bool:
    from qmsdoc.fonts import chinese_font

    return chinese_font() is not None


needs_cjk_font = pytest.mark.skipif(not _has_cjk_font(), reason="no CJK font installed "
                                    "(scripts/setup-system.sh installs fonts-noto-cjk)")


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QMSDOC_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("QMSDOC_TODAY", raising=False)


@pytest.fixture
def report_repo(repo: Path, write_record: Callable[..., Path]) -> Path:
    write_record(repo, "qmsdoc.yaml", CONFIG)
    for data in RECORDS:
        write_record(repo, f"records/complaints/2026/{data['id']}.yaml",
                     yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    write_record(repo, "records/8d/2026/8D-2026-0102.yaml",
                 yaml.safe_dump(EIGHTD, allow_unicode=True, sort_keys=False))
    return repo


def run_report(run_cli: Run, repo: Path, out: Path, *args: str) -> Any:
    return run_cli("report", "complaints", "--out", str(out), "--today", "2026-12-05", *args,
                   repo=repo)


def sections(sheet: Any) -> dict[str, list[list[Any]]]:
    """Title → its table rows (header first) in the summary sheet."""
    found: dict[str, list[list[Any]]] = {}
    current: list[list[Any]] | None = None
    width = 0
    for row in sheet.iter_rows(min_row=5, values_only=True):
        if row[0] is None:
            current = None
        elif current is None and all(v is None for v in row[1:]):
            current = found.setdefault(str(row[0]), [])
            width = 0
        elif current is not None:
            if not width:  # the header row gives the table's width
                width = max(i for i, v in enumerate(row) if v is not None) + 1
            current.append(list(row[:width]))
    return found


# --- the numbers, recomputed from RECORDS -----------------------------------------------------


def november() -> list[dict[str, Any]]:
    return [r for r in RECORDS if r["received_at"].startswith("2026-11")]


@needs_cjk_font
def test_summary_numbers_match_the_records(run_cli: Run, report_repo: Path,
                                           tmp_path: Path) -> None:
    result = run_report(run_cli, report_repo, tmp_path / "out", "--month", "2026-11")
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        str(tmp_path / "out" / "complaint-statistics-2026-11.xlsx"),
        str(tmp_path / "out" / "complaint-statistics-2026-11.docx")]
    book = load_workbook(tmp_path / "out" / "complaint-statistics-2026-11.xlsx")
    assert book.sheetnames == ["汇总", "案例明细"]
    found = sections(book["汇总"])
    cases = november()
    overview = {row[0]: row[1] for row in found["一、概况"][1:]}
    closed = [c for c in cases if "closure" in c]
    days = [(date.fromisoformat(c["closure"]["internal"]["date"])
             - date.fromisoformat(c["received_at"][:10])).days for c in closed]
    assert overview == {
        "客户抱怨件数": len(cases),
        "其中重大客诉": sum(c["severity"] == "major" for c in cases),
        "未结案件数(内部)": len(cases) - len(closed),
        "有逾期项目的件数": 3,  # 0102-0104; 0105 came on 30 Nov: its clocks run in December
        "重复投诉件数": 2,  # 0103 repeats 0101 (LDEV, P-9), 0104 repeats 0102 (HXAUTO, P-1)
        "平均结案天数(内部结案)": round(sum(days) / len(days), 1),
        "平均结案天数(客户确认)": None,
        "客户索赔金额(元)": sum(c.get("impact", {}).get("amount_rmb", 0) for c in cases),
        "质量损失费用(元)": sum(c.get("disposition", {}).get("cost_rmb", 0) for c in cases),
    }
    by_customer = Counter(c["customer"] for c in cases)
    assert found["二、按客户"][1:] == [
        ["华信汽车部件有限公司", by_customer["HXAUTO"], by_customer["HXAUTO"] / len(cases)],
        ["蓝德电子科技有限公司", by_customer["LDEV"], by_customer["LDEV"] / len(cases)]]
    severities = Counter(c["severity"] for c in cases)
    assert {row[0]: row[1] for row in found["五、按严重程度"][1:]} == \
        {"重大": severities["major"], "一般": severities["general"], "轻微": severities["minor"]}
    assert {row[0]: row[1] for row in found["七、按原因类别"][1:]} == \
        {"作业方法": 2, "物料": 1, "(未填)": 1}
    assert found["十、费用分摊(按责任单位)"][1:] == [
        ["生产部", 9000, 9000 / 12800.5], ["品质部", 3000, 3000 / 12800.5],
        ["供应商", 800.5, 800.5 / 12800.5]]
    assert found["十三、重复投诉"][1:] == [
        ["CC-2026-0103", "CC-2026-0101", "蓝德电子科技有限公司", "P-9", "投诉03"],
        ["CC-2026-0104", "CC-2026-0102", "华信汽车部件有限公司", "P-1", "投诉04"]]


def test_on_time_rates_of_the_reply_clock(run_cli: Run, report_repo: Path,
                                          tmp_path: Path) -> None:
    run_report(run_cli, report_repo, tmp_path / "out", "--month", "2026-11", "--format", "xlsx")
    book = load_workbook(tmp_path / "out" / "complaint-statistics-2026-11.xlsx")
    rows = {row[0]: row[2:] for row in sections(book["汇总"])["十一、期限达成率"][1:]}
    met = late = overdue = 0
    for case in november():
        replies = [c["at"] for c in case["communications"] if c["type"] == "reply"]
        received = case["received_at"]
        if not replies:
            overdue += 1
        elif replies[0][11:16] <= f"{int(received[11:13]) + 2:02d}{received[13:16]}":
            met += 1
        else:
            late += 1
    assert rows["答复客户(二小时回复)"] == [met, late, overdue, met / (met + late + overdue)]
    assert rows["D3 临时围堵措施"] == [0, 1, 0, 0.0]  # the 8D of a November complaint counts


def test_cases_sheet_lists_the_period_only(run_cli: Run, report_repo: Path,
                                           tmp_path: Path) -> None:
    run_report(run_cli, report_repo, tmp_path / "out", "--month", "2026-11", "--format", "xlsx")
    sheet = load_workbook(tmp_path / "out" / "complaint-statistics-2026-11.xlsx")["案例明细"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "受理日期", "客户", "主题")
    assert [r[0] for r in rows[1:]] == [c["id"] for c in november()]
    first = dict(zip(rows[0], rows[1], strict=True))
    assert (first["严重程度"], first["处理方式"], first["费用(元)"], first["内部结案"],
            first["结案天数"]) == ("重大", "索赔/理赔", 12000, "2026-11-20", 18)


@needs_cjk_font
def test_word_form_has_the_frame_tables_and_both_charts(run_cli: Run, report_repo: Path,
                                                         tmp_path: Path) -> None:
    run_report(run_cli, report_repo, tmp_path / "out", "--month", "2026-11", "--format", "docx")
    path = tmp_path / "out" / "complaint-statistics-2026-11.docx"
    doc = Document(str(path))
    header = doc.sections[0].header
    header_text = header.paragraphs[0].text + " ".join(
        c.text for t in header.tables for c in t.rows[0].cells)
    for expected in ("明远精密制造有限公司", "客户抱怨异常处理统计表", "表单编号：QR-047-03",
                     "期间：2026年11月", "版次", "页次"):
        assert expected in header_text
    header_xml = header._element.xml
    assert "PAGE" in header_xml and "NUMPAGES" in header_xml and "fldChar" in header_xml
    assert "非受控" in doc.sections[0].footer.paragraphs[0].text
    with zipfile.ZipFile(path) as package:
        media = [n for n in package.namelist() if n.startswith("word/media/")]
        assert sorted(media) == ["word/media/image1.png", "word/media/image2.png"]
        assert all(package.read(n).startswith(b"\x89PNG") for n in media)
        assert 'w:eastAsia="宋体"' in package.read("word/styles.xml").decode()
        assert {i.date_time for i in package.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    assert len(doc.inline_shapes) == 2
    texts = [p.text for p in doc.paragraphs]
    assert "图1 不符合类型柏拉图（2026年11月）" in texts
    assert "图2 近12个月客户抱怨趋势（按严重程度）" in texts
    assert doc.core_properties.author == "qmsdoc"
    overview = doc.tables[0]
    assert [c.text for c in overview.rows[1].cells] == ["客户抱怨件数", "4"]


@needs_cjk_font
def test_same_records_give_the_same_bytes(run_cli: Run, report_repo: Path,
                                          tmp_path: Path) -> None:
    for out in ("a", "b"):
        run_report(run_cli, report_repo, tmp_path / out, "--month", "2026-11")
    for suffix in ("docx", "xlsx"):
        name = f"complaint-statistics-2026-11.{suffix}"
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@needs_cjk_font
def test_year_view(run_cli: Run, report_repo: Path, tmp_path: Path) -> None:
    result = run_report(run_cli, report_repo, tmp_path / "out", "--year", "2026")
    assert result.exit_code == 0
    book = load_workbook(tmp_path / "out" / "complaint-statistics-2026.xlsx")
    found = sections(book["汇总"])
    assert found["一、概况"][1] == ["客户抱怨件数", len(RECORDS)]
    trend = {row[0]: row[4] for row in found["十四、近12个月趋势"][1:]}
    assert (trend["2026-01"], trend["2026-10"], trend["2026-11"], trend["2026-12"]) == (0, 1, 4, 1)


@needs_cjk_font
def test_charts_render_chinese_with_a_cjk_font() -> None:
    from qmsdoc.report import charts

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = charts.trend([], "近12个月客户抱怨件数")
    assert png.startswith(b"\x89PNG") and b"tEXtSoftware" not in png
    assert [str(w.message) for w in caught if "missing from" in str(w.message)] == []


@pytest.mark.parametrize(("args", "message"), [
    ((), "qmsdoc: give one of --month YYYY-MM, --quarter YYYY-Qn, --year YYYY"),
    (("--month", "2026-13"), "qmsdoc: '2026-13' is not a month (YYYY-MM) or a year (YYYY) between 1900 and 9998"),
    (("--month", "0001-01"), "qmsdoc: '0001-01' is not a month (YYYY-MM) or a year (YYYY) between 1900 and 9998"),
    (("--year", "9999"), "qmsdoc: '9999' is not a month (YYYY-MM) or a year (YYYY) between 1900 and 9998"),
])
def test_usage_errors(run_cli: Run, report_repo: Path, tmp_path: Path, args: tuple[str, ...],
                      message: str) -> None:
    result = run_report(run_cli, report_repo, tmp_path / "out", *args)
    assert result.exit_code == 2
    assert result.stderr.strip() == message


@needs_cjk_font
def test_sample_month(run_cli: Run, sample_repo: Path, tmp_path: Path) -> None:
    result = run_report(run_cli, sample_repo, tmp_path / "out", "--month", "2026-11")
    assert result.exit_code == 0
    book = load_workbook(io.BytesIO(
        (tmp_path / "out" / "complaint-statistics-2026-11.xlsx").read_bytes()))
    assert [r[0] for r in book["案例明细"].iter_rows(min_row=2, values_only=True)] == \
        ["CC-2026-0001", "CC-2026-0003"]


def test_records_left_out_are_named_and_exit_1(run_cli: Run, report_repo: Path, tmp_path: Path,
                                               write_record: Callable[..., Path]) -> None:
    write_record(report_repo, "records/complaints/2026/CC-2026-0190.yaml",
                 "kind: complaint\nid: CC-2026-0190\nreceived_at: 18.11.2026\n")
    write_record(report_repo, "records/complaints/2026/CC-2026-0191.yaml", "kind: [unclosed\n")
    result = run_report(run_cli, report_repo, tmp_path / "out", "--month", "2026-11")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "qmsdoc: warning: 2 record file(s) left out of the statistics (unreadable, or a "
        "complaint without a valid received_at); run qmsdoc validate:",
        "  records/complaints/2026/CC-2026-0190.yaml",
        "  records/complaints/2026/CC-2026-0191.yaml"]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "complaint-statistics-2026-11.docx", "complaint-statistics-2026-11.xlsx"]
