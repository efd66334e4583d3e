"""A complaint log kept by hand in Excel, built the way factories keep them: two merged title
rows, a two-row heading (a group heading over 料号/品名/批号), a hidden column, dates as Excel
dates, as serial numbers and as text, amounts with 元 and commas, a multi-line cell, a blank
row, a row without a customer, a row whose category the mapping does not know and a row of
totals under the cases."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

HEADINGS = ["序号", "投诉日期", "客户名称", "产品信息", None, None, "不良描述", "不良数量",
            "投诉类别", "严重程度", "责任部门", "索赔金额", "内部备注"]
SUBHEADINGS = {4: "料号", 5: "品名", 6: "批号"}
ROWS: dict[int, list[object]] = {
    5: ["2026-001", datetime(2026, 3, 2), "华信汽车部件有限公司", "0012345", "前保险杠支架",
        "L260301", "支架焊缝开裂\n客户来料检验发现 3 件", 3, "品质", "一般", "品管部", "1,200元",
        "已电话回复"],
    6: ["2026-002", "2026.3.5", "蓝德电子科技有限公司", 88001, "端子", "L260228",
        "端子镀层起泡", 120, "交期", "严重", "生产部", "15,000.50元", None],
    # row 7 is blank
    8: ["2026-003", "2026年3月9日", None, "0012345", "前保险杠支架", "L260305", "孔位偏移",
        5, "品质", "一般", "品管部", None, None],
    9: ["2026-004", "2026/3/12", "HXAUTO", "0012399", "后支架", "L260310", "外箱破损",
        20, "包装", "一般", "品管部", "300元", None],
    10: ["2026-005", 46099, "华信汽车部件有限公司", "0012345", "前保险杠支架", "L260315",
         "毛刺", 2, "品质", "轻微", "生产部", "800元", None],
    # row 11 is blank; row 12 sums the amounts
    12: ["合计", None, None, None, None, None, None, 150, None, None, None, "17,300.50元", None],
}

MAPPING = """\
# the log of the quality department, sheet 2026年
kind: complaint
sheet: 2026年
header_rows: [3, 4]
columns:
  A: legacy_no
  B: received_at
  C: customer
  D: product.part_no
  E: product.name
  F: product.lot
  G: [title, description]
  H: product.qty_defective
  I: category
  J: severity
  K: responsibility.department
  L: impact.amount_rmb
values:
  category: {品质: quality, 交期: delivery}
  severity: {严重: major, 一般: general}
  responsibility.department: {品管部: quality, 生产部: production}
defaults:
  status: registered
  responsibility.party: internal
  impact.safety: false
  impact.function: false
"""


def build(path: Path) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "2026年"
    sheet["A1"] = "明远精密制造有限公司"
    sheet.merge_cells("A1:M1")
    sheet["A2"] = "客户抱怨异常处理统计表"
    sheet.merge_cells("A2:M2")
    for col, text in enumerate(HEADINGS, start=1):
        if text is not None:
            sheet.cell(row=3, column=col, value=text)
        if col not in SUBHEADINGS:
            sheet.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    sheet.merge_cells("D3:F3")
    for col, text in SUBHEADINGS.items():
        sheet.cell(row=4, column=col, value=text)
    for row, values in ROWS.items():
        for col, value in enumerate(values, start=1):
            if value is not None:
                cell = sheet.cell(row=row, column=col, value=value)
                if isinstance(value, datetime):
                    cell.number_format = "yyyy/m/d"
    sheet.column_dimensions["M"].hidden = True
    book.save(path)
    return path
