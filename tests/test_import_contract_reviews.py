"""qmsdoc import contract-reviews: an order-review log with a guessed mapping (--init-map);
the order lines fill the first item, people's names become roster keys."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

import pytest
from conftest import ROOT, Result

Run = Callable[..., Result]
LOG = "订单评审记录.xlsx"
ROWS = [
    ["CR-0301", "2026.3.1", "华信汽车部件有限公司", "PO-88123", "MY-PL-3310", "电池后盖",
     "20,000", "件", "1.36元", datetime(2026, 4, 15), "赵磊"],
    ["CR-0302", "2026/3/4", "蓝德电子科技有限公司", "PO-5521", "MY-ST-2107L", "支架", "5000件",
     "件", 2.5, "2026年4月30日", "赵磊"],
    ["CR-0303", "2026/3/8", "蓝德电子科技有限公司", "PO-5530", "MY-ST-2108", "支架", "若干",
     "件", 2.5, "下月", "周敏"],
]
SECOND = """\
# yaml-language-server: $schema=../../../schemas/contract-review.schema.json
# imported from 订单评审记录.xlsx, sheet 订单评审, row 4
kind: contract-review
id: CR-2026-0002
title: 支架
legacy_no: CR-0302
customer: LDEV
sales_rep: zhao.lei
order_no: PO-5521
received_at: 2026-03-04T00:00:00+08:00
carrier: written_contract
contract_type: regular
items:
- part_no: MY-ST-2107L
  name: 支架
  qty: 5000
  unit: 件
  unit_price_rmb: 2.5
  delivery_date: 2026-04-30
reviews: []
status: received
"""


@pytest.fixture
def orders(repo: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    from openpyxl import Workbook

    shutil.copy(ROOT / "qmsdoc.yaml", repo / "qmsdoc.yaml")
    book = Workbook()
    sheet = book.active
    sheet.title = "订单评审"
    sheet["A1"] = "订单评审记录"
    sheet.merge_cells("A1:K1")
    for col, text in enumerate(["序号", "接单日期", "客户", "订单号", "料号", "品名", "数量",
                                "单位", "单价(元)", "要求交期", "业务员"], start=1):
        sheet.cell(row=2, column=col, value=text)
    for row, values in enumerate(ROWS, start=3):
        for col, value in enumerate(values, start=1):
            sheet.cell(row=row, column=col, value=value)
    book.save(repo / LOG)
    monkeypatch.chdir(repo)
    return repo


def test_import_with_the_guessed_mapping(orders: Path, run_cli: Run) -> None:
    made = run_cli("import", "contract-review", LOG, "--init-map", "--map", "orders.map.yaml",
                   repo=orders)
    assert made.exit_code == 0
    text = (orders / "orders.map.yaml").read_text(encoding="utf-8")
    assert "\n  F: [title, items.0.name]      # 品名 → 主题 / 品名, e.g. 电池后盖\n" in text
    assert "\n  K: sales_rep                  # 业务员 → 业务员, e.g. 赵磊\n" in text
    result = run_cli("import", "contract-reviews", LOG, "--map", "orders.map.yaml", "--write",
                     repo=orders)
    assert (result.exit_code, result.lines) == (1, [
        "订单评审记录.xlsx:订单评审!5:G: error[value]: /items/0/qty: '若干' is not a number",
        "订单评审记录.xlsx:订单评审!5:J: error[value]: /items/0/delivery_date: '下月' is not a "
        "date (write it as 2026-03-05, 2026.3.5, 2026/3/5 or 2026年3月5日)",
        "wrote records/contract-reviews/2026/CR-2026-0001.yaml (row 3, CR-0301)",
        "wrote records/contract-reviews/2026/CR-2026-0002.yaml (row 4, CR-0302)",
        "订单评审记录.xlsx:订单评审: 3 rows read with orders.map.yaml: 2 written, 1 with errors "
        "(not written), 0 already imported"])
    assert (orders / "records/contract-reviews/2026/CR-2026-0002.yaml").read_text(
        encoding="utf-8") == SECOND
    assert run_cli("validate", repo=orders).lines == ["2 records checked, 0 errors, 0 warnings"]
    again = run_cli("import", "contract-reviews", LOG, "--map", "orders.map.yaml", "--write",
                    repo=orders)
    assert again.lines[-1] == ("订单评审记录.xlsx:订单评审: 3 rows read with orders.map.yaml: "
                               "0 written, 1 with errors (not written), 2 already imported")

