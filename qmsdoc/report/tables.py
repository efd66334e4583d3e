"""The report's tables, shared by the Word and Excel writers: titles, headers and cells."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import Config
from ..i18n import TR_, Texts, tr
from .stats import DIMENSIONS, Case, Labels, Statistics

Cell = str | int | float | None
DIMENSION_TITLES = Texts({
    "customer": TR_("二、按客户"), "category": TR_("三、按投诉类别"),
    "subtype": TR_("四、按不符合类型"), "severity": TR_("五、按严重程度"),
    "urgency": TR_("六、按紧急程度"), "root_cause": TR_("七、按原因类别"),
    "department": TR_("八、按责任部门"),
})
DIMENSION_HEADERS = Texts({
    "customer": TR_("客户"), "category": TR_("投诉类别"), "subtype": TR_("不符合类型"),
    "severity": TR_("严重程度"), "urgency": TR_("紧急程度"), "root_cause": TR_("原因类别"),
    "department": TR_("责任部门"),
})
PERCENT, MONEY, DAYS = "0.0%", "#,##0.00", "0.0"


@dataclass(frozen=True)
class Table:
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    formats: dict[int, str] = field(default_factory=dict)  # column → number format
    widths: tuple[int, ...] = ()  # relative column widths in the Word form


def _days(value: float | None) -> Cell:
    return round(value, 1) if value is not None else None


def overview(stats: Statistics) -> Table:
    cases = stats.cases
    rows: list[list[Cell]] = [
        [tr("客户抱怨件数"), len(cases)],
        [tr("其中重大客诉"), sum(1 for c in cases if c.severity == "major")],
        [tr("未结案件数(内部)"), len(stats.open_cases)],
        [tr("有逾期项目的件数"), len(stats.overdue_cases)],
        [tr("重复投诉件数"), len(stats.repeats)],
        [tr("平均结案天数(内部结案)"), _days(stats.average_days_to_close)],
        [tr("平均结案天数(客户确认)"), _days(stats.average_days_to_customer_close)],
        [tr("客户索赔金额(元)"), stats.claimed_total],
        [tr("质量损失费用(元)"), stats.cost_total],
    ]
    return Table(tr("一、概况"), [tr("项目"), tr("数值")], rows, {}, (60, 40))


def counts(stats: Statistics) -> list[Table]:
    tables = []
    for dim in DIMENSIONS:
        rows: list[list[Cell]] = [[r.label, r.count, r.share] for r in stats.counts[dim]]
        tables.append(Table(DIMENSION_TITLES[dim], [DIMENSION_HEADERS[dim], tr("件数"), tr("占比")],
                            rows, {2: PERCENT}, (50, 25, 25)))
    return tables


def costs(stats: Statistics) -> list[Table]:
    by_type: list[list[Cell]] = [[m.label, m.amount] for m in stats.cost_by_type]
    by_type.append([tr("合计"), stats.cost_total])
    allocated = sum(m.amount for m in stats.allocation)
    alloc: list[list[Cell]] = [[m.label, m.amount, m.amount / allocated if allocated else None]
                               for m in stats.allocation]
    if stats.cost_total - allocated > 0.005:
        alloc.append([tr("(未分摊)"), stats.cost_total - allocated, None])
    return [Table(tr("九、质量损失费用(按处理方式)"), [tr("处理方式"), tr("金额(元)")], by_type,
                  {1: MONEY},
                  (60, 40)),
            Table(tr("十、费用分摊(按责任单位)"), [tr("责任单位"), tr("金额(元)"), tr("比例")],
                  alloc,
                  {1: MONEY, 2: PERCENT}, (50, 30, 20))]


def on_time(stats: Statistics) -> Table:
    rows: list[list[Cell]] = [[o.title, o.source, o.met, o.late, o.overdue, o.rate]
                              for o in stats.on_time]
    return Table(tr("十一、期限达成率"), [tr("期限"), tr("依据"), tr("按时完成"), tr("超时完成"),
                                  tr("逾期未完成"),
                                       tr("按时率")], rows, {5: PERCENT}, (30, 34, 9, 9, 9, 9))


def overdue_titles(stats: Statistics, case: Case) -> str:
    titles = {o.rule: o.title for o in stats.on_time}
    return "、".join(titles.get(rule, rule) for rule in case.overdue)


def open_cases(stats: Statistics, config: Config, labels: Labels) -> Table:
    rows: list[list[Cell]] = [
        [c.id, c.received.isoformat(), config.customers.get(c.customer, c.customer), c.title,
         labels.get("status", {}).get(c.status, c.status), overdue_titles(stats, c)]
        for c in stats.cases if c in stats.open_cases or c.overdue]
    return Table(tr("十二、未结案及逾期案件"), [tr("编号"), tr("受理日期"), tr("客户"),
                                     tr("主题"), tr("状态"),
                                           tr("逾期项目")], rows, {}, (15, 13, 17, 27, 9, 19))


def repeats(stats: Statistics, config: Config) -> Table:
    rows: list[list[Cell]] = [[c.id, c.repeat_of, config.customers.get(c.customer, c.customer),
                               c.part_no, c.title] for c in stats.repeats]
    return Table(tr("十三、重复投诉"), [tr("编号"), tr("与之重复"), tr("客户"), tr("料号"),
                                 tr("主题")], rows, {},
                 (16, 16, 20, 14, 34))


def trend(stats: Statistics) -> Table:
    rows: list[list[Cell]] = []
    for month, by_severity in stats.trend:
        row: list[Cell] = [f"{month.year}-{month.month:02d}"]
        row += [by_severity.get(s, 0) for s in ("major", "general", "minor")]
        row.append(sum(by_severity.values()))
        rows.append(row)
    return Table(tr("十四、近12个月趋势"), [tr("月份"), tr("重大"), tr("一般"), tr("轻微"),
                                    tr("合计")], rows)


CASE_HEADERS = [
    TR_("编号"), TR_("受理日期"), TR_("客户"), TR_("主题"), TR_("料号"), TR_("投诉类别"),
    TR_("不符合类型"), TR_("严重程度"), TR_("紧急程度"), TR_("原因类别"), TR_("责任方"),
    TR_("责任部门"), TR_("不良数量"), TR_("客户索赔(元)"), TR_("处理方式"), TR_("费用(元)"),
    TR_("状态"), TR_("内部结案"), TR_("客户结案"), TR_("结案天数"), TR_("重复投诉"),
    TR_("逾期项目")]


def case_rows(stats: Statistics, config: Config, labels: Labels) -> Table:
    def label(dim: str, key: str) -> str:
        return labels.get(dim, {}).get(key, key)

    def row(c: Case) -> list[Cell]:
        return [c.id, c.received.isoformat(), config.customers.get(c.customer, c.customer),
                c.title, c.part_no, label("category", c.category), label("subtype", c.subtype),
                label("severity", c.severity), label("urgency", c.urgency),
                label("root_cause", c.root_cause), label("party", c.party),
                config.departments.get(c.department, c.department), c.qty_defective,
                c.claimed_rmb, label("disposition", c.disposition), c.cost_rmb,
                label("status", c.status),
                c.closed_internal.isoformat() if c.closed_internal else None,
                c.closed_customer.isoformat() if c.closed_customer else None,
                c.days_to_close, c.repeat_of, overdue_titles(stats, c)]

    return Table(tr("十五、案例明细"), [tr(h) for h in CASE_HEADERS], [row(c) for c in stats.cases],
                 {13: MONEY, 15: MONEY})
