"""qmsdoc import special-requirements: a list is one record per customer, each row of the log
one of its requirements; a finding points at the row of the requirement it is about, and a
list is written whole or not at all."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import ROOT, Result

Run = Callable[..., Result]
LOG = "顾客特殊要求清单.xlsx"
W = f"{LOG}:顾客特殊要求"
HEADINGS = ["客户", "条目编号", "类别", "来源类别", "来源文件", "文件编号", "接收日期", "条款",
            "要求内容", "适用产品", "责任部门", "处理状态"]
HX = "华信汽车部件有限公司"
LD = "蓝德电子科技有限公司"
ROWS = [
    [HX, "HX-01", "产品", "顾客特殊要求手册", "华信汽车供应商质量手册", "HX-SQM-001", "2026.8.17",
     "5.3", "关键尺寸 CPK≥1.67", "全部产品", "品质部", "处理中"],
    [HX, "HX-02", "环保", "环保协议", "环保协议(禁用及限用物质)", "HX-EHS-2023-07", "2026/8/17",
     "3.1", "符合 RoHS 及客户禁用物质清单", "MY-ST-2107L、MY-ST-2107R", "技术部", "处理中"],
    [HX, "HX-03", "管理", "顾客特殊要求手册", "华信汽车供应商质量手册", "HX-SQM-001", "2026.8.17",
     "7.2", "变更须提前 90 天书面通知", "全部产品", "品质部", "待处理"],
    [LD, "LD-01", "管理", "质量协议", "供应商质量协议", "LD-QA-01", "2026年9月1日", "4.2",
     "8D 报告 10 天内提交", "全部产品", "品质部", "待处理"],
    [LD, "LD-02", "包装", "质量协议", "供应商质量协议", "LD-QA-01", "2026年9月1日", "6.1",
     "防静电包装", "全部产品", "储运部", "待处理"],
]
HXAUTO = """\
# yaml-language-server: $schema=../../schemas/special-requirements.schema.json
# imported from 顾客特殊要求清单.xlsx, sheet 顾客特殊要求, rows 3, 4, 5
kind: special-requirements
id: CSR-HXAUTO
title: 顾客特殊要求清单
customer: HXAUTO
sources:
- type: csr_manual
  name: 华信汽车供应商质量手册
  number: HX-SQM-001
  received: 2026-08-17
- type: environmental_agreement
  name: 环保协议(禁用及限用物质)
  number: HX-EHS-2023-07
  received: 2026-08-17
items:
- item_id: HX-01
  category: product
  source: HX-SQM-001
  clause: "5.3"
  requirement: 关键尺寸 CPK≥1.67
  products: all
  department: quality
  status: in_progress
- item_id: HX-02
  category: environmental
  source: HX-EHS-2023-07
  clause: "3.1"
  requirement: 符合 RoHS 及客户禁用物质清单
  products:
  - MY-ST-2107L
  - MY-ST-2107R
  department: engineering
  status: in_progress
- item_id: HX-03
  category: management
  source: HX-SQM-001
  clause: "7.2"
  requirement: 变更须提前 90 天书面通知
  products: all
  department: quality
  status: open
"""


def _save(repo: Path, rows: list[list[object]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "顾客特殊要求"
    sheet["A1"] = "顾客特殊要求清单(汇总)"
    sheet.merge_cells("A1:L1")
    for col, text in enumerate(HEADINGS, start=1):
        sheet.cell(row=2, column=col, value=text)
    for row, values in enumerate(rows, start=3):
        for col, value in enumerate(values, start=1):
            sheet.cell(row=row, column=col, value=value)
    book.save(repo / LOG)


@pytest.fixture
def requirements(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copy(ROOT / "qmsdoc.yaml", repo / "qmsdoc.yaml")
    _save(repo, ROWS)
    monkeypatch.chdir(repo)
    return repo


def _import(run_cli: Run, repo: Path) -> Result:
    return run_cli("import", "special-requirements", LOG, "--map", "csr.map.yaml", "--write",
                   repo=repo)


def test_one_list_per_customer(requirements: Path, run_cli: Run) -> None:
    made = run_cli("import", "special-requirements", LOG, "--init-map", "--map", "csr.map.yaml",
                   repo=requirements)
    assert made.exit_code == 0
    text = (requirements / "csr.map.yaml").read_text(encoding="utf-8")
    for line in ["  B: items.0.item_id            # 条目编号 → 条目编号, e.g. HX-01",
                 "  F: [sources.0.number, items.0.source] # 文件编号 → 文件编号 / 来源文件编号, "
                 "e.g. HX-SQM-001",
                 "  J: items.0.products           # 适用产品 → 适用产品, e.g. 全部产品",
                 "    # 包装: ?   (not guessed)", "    管理: management"]:
        assert f"\n{line}\n" in text, line
    result = _import(run_cli, requirements)
    assert (result.exit_code, result.lines) == (1, [
        f"{W}!6: error[list]: /: CSR-LDEV is not written: row 7 of the same list has errors",
        f"{W}!7:C: error[mapping]: /items/0/category: '包装' is not in values.items.0.category "
        "of csr.map.yaml (产品, 环保, 管理); add it there",
        "wrote records/special-requirements/CSR-HXAUTO.yaml (rows 3, 4, 5: HX-01, HX-02, HX-03)",
        f"{W}: 5 rows read with csr.map.yaml: 1 written, 2 with errors (not written), 0 already "
        "imported"])
    assert (requirements / "records/special-requirements/CSR-HXAUTO.yaml").read_text(
        encoding="utf-8") == HXAUTO
    assert run_cli("validate", repo=requirements).lines == [
        "1 record checked, 0 errors, 0 warnings"]
    again = _import(run_cli, requirements)
    assert again.lines[-1] == (f"{W}: 5 rows read with csr.map.yaml: 0 written, 2 with errors "
                               "(not written), 3 already imported")


def test_a_finding_points_at_the_row_of_its_requirement(requirements: Path,
                                                        run_cli: Run) -> None:
    rows = [list(r) for r in ROWS[:3]]
    rows[1][11] = "已完成"  # done, but the log does not say where it was deployed
    _save(requirements, rows)
    run_cli("import", "special-requirements", LOG, "--init-map", "--map", "csr.map.yaml",
            repo=requirements)
    result = _import(run_cli, requirements)
    assert result.lines == [
        f"{W}!3: error[list]: /: CSR-HXAUTO is not written: row 4 of the same list has errors",
        f"{W}!4:L: error[status]: /items/0/status: item HX-02 is done (已完成) but not deployed: "
        "list the documents it went into under deployment",
        f"{W}!5: error[list]: /: CSR-HXAUTO is not written: row 4 of the same list has errors",
        f"{W}: 3 rows read with csr.map.yaml: 0 written, 3 with errors (not written), 0 already "
        "imported"]
    assert not (requirements / "records" / "special-requirements").exists()


def test_a_new_requirement_for_an_existing_list(requirements: Path, run_cli: Run) -> None:
    run_cli("import", "special-requirements", LOG, "--init-map", "--map", "csr.map.yaml",
            repo=requirements)
    _import(run_cli, requirements)
    _save(requirements, [*ROWS, [HX, "HX-04", "产品", "顾客特殊要求手册", "华信汽车供应商质量手册",
                                 "HX-SQM-001", "2026.8.17", "8.1", "首件送检", "全部产品",
                                 "品质部", "待处理"]])
    result = _import(run_cli, requirements)
    assert f"{W}!8:B: error[exists]: /items/0/item_id: CSR-HXAUTO exists without HX-04: add the " \
           "requirement there (import creates lists; it does not change them)" in result.lines
