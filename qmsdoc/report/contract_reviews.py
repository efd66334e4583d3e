"""``qmsdoc report contract-reviews``: the contract reviews received in the period by type
(常规 / 特殊 / 新产品 / 临时), their review lead time, the feedback to the customer within
48 hours (seed 002 合同评审控制程序 3.d), conditional acceptances with their conditions and
the questions still open, and the amendments (订单修正) with their re-reviews."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import Config
from ..i18n import TR_, tr
from ..records.values import as_date, get, items
from ..schema import SchemaStore
from . import common
from .frame import Report
from .period import Period
from .tables import Cell, Table

KIND = "contract-review"
FORM = "contract-review-statistics"
TITLE = TR_("合同评审统计分析表")
TYPES = ("regular", "special", "new_product", "temporary")
FEEDBACK_HOURS = 48


@dataclass(frozen=True)
class Review:
    id: str
    customer: str
    order_no: str
    type: str
    received: datetime | None
    reviewed: date | None  # the last department review
    feedback: datetime | None
    result: str  # accept | accept_with_conditions | reject | ""
    status: str
    conditions: list[tuple[str, str]]  # (department, conditions) of conditional rows
    open_questions: list[tuple[date | None, str, str, bool]]  # raised, by, question, to customer
    # date, notice no., reason, re-reviewed, re-review rows
    amendments: list[tuple[date | None, str, str, bool, int]]

    @property
    def lead_days(self) -> int | None:
        if self.received is None or self.reviewed is None:
            return None
        return (self.reviewed - self.received.date()).days

    @property
    def feedback_hours(self) -> float | None:
        if self.received is None or self.feedback is None:
            return None
        return round((self.feedback - self.received).total_seconds() / 3600, 1)

    def in_time(self) -> bool:
        if self.received is None or self.feedback is None:
            return False
        return self.feedback - self.received <= timedelta(hours=FEEDBACK_HOURS)

    def feedback_state(self, as_of: datetime) -> str:
        if self.feedback_hours is not None:
            return tr("是") if self.in_time() else tr("否")
        if self.received is not None and as_of - self.received > timedelta(hours=FEEDBACK_HOURS):
            return tr("未反馈·已逾期")
        return tr("未反馈")


def _datetime(value: Any, tz: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=tz)


def collect(records: list[tuple[str, dict[str, Any]]], tz: Any) -> list[Review]:
    found = []
    for _, data in records:
        dates = [as_date(get(r, "date")) for _, r in items(data, "reviews")]
        known = [d for d in dates if d is not None]
        found.append(Review(
            str(data.get("id", "")), str(data.get("customer", "")),
            str(data.get("order_no") or data.get("contract_no") or ""),
            str(data.get("contract_type", "")), _datetime(data.get("received_at"), tz),
            max(known) if known else None, _datetime(data.get("customer_feedback_at"), tz),
            str(get(data, "conclusion", "result") or ""), str(data.get("status", "")),
            [(str(get(r, "department") or ""), " ".join(str(get(r, "conditions") or "").split()))
             for _, r in items(data, "reviews") if get(r, "conclusion") == "conditional"],
            [(as_date(get(q, "raised")), str(get(q, "raised_by") or ""),
              " ".join(str(get(q, "question") or "").split()), get(q, "to_customer") is True)
             for _, q in items(data, "questions") if not get(q, "resolved")],
            [(as_date(get(a, "date")), str(get(a, "notice_no") or ""),
              " ".join(str(get(a, "reason") or "").split()), get(a, "re_reviewed") is True,
              len(get(a, "reviews") or []))
             for _, a in items(data, "amendments")]))
    return sorted(found, key=lambda r: (r.received or datetime.max.replace(tzinfo=tz), r.id))


def compute(records: list[tuple[str, dict[str, Any]]], config: Config, store: SchemaStore,
            period: Period, as_of: datetime) -> Report:
    every = collect(records, as_of.tzinfo)
    reviews = [r for r in every if r.received is not None and period.contains(r.received.date())]
    customers, departments = config.customers, config.departments
    types = common.enum_labels(store, KIND, "contract_type")
    results = common.enum_labels(store, KIND, "conclusion", "result")
    statuses = common.enum_labels(store, KIND, "status")
    amended = sorted(((r, a) for r in every for a in r.amendments
                      if a[0] is not None and period.contains(a[0])),
                     key=lambda found: (found[1][0] or period.start, found[0].id))
    leads = [r.lead_days for r in reviews if r.lead_days is not None]
    answered = [r for r in reviews if r.feedback_hours is not None]
    in_time = [r for r in reviews if r.in_time()]
    conclusions: list[list[Cell]] = [
        [tr("结论：{get}").format(get=results.get(key, key)),
         sum(1 for r in reviews if r.result == key)]
        for key in ("accept", "accept_with_conditions", "reject")]
    overview = Table(tr("一、概况"), [tr("指标"), tr("数值")], [
        [tr("本期接收的合同评审"), len(reviews)],
        [tr("平均评审周期（天，接收→最后一个部门评审）"), common.mean(leads)],
        [tr("{feedback_hours}小时内反馈顾客").format(feedback_hours=FEEDBACK_HOURS),
         common.percent(len(in_time), len(reviews))],
        [tr("尚未反馈顾客"), len(reviews) - len(answered)],
        *conclusions,
        [tr("未解决的评审问题"), sum(len(r.open_questions) for r in reviews)],
        [tr("本期订单修正"), len(amended)],
        [tr("其中再评审"), sum(1 for _, a in amended if a[3])],
    ], {}, (70, 30))
    by_type: list[list[Cell]] = []
    for key in [*TYPES, *sorted({r.type for r in reviews} - set(TYPES))]:
        group = [r for r in reviews if r.type == key]
        group_leads = [r.lead_days for r in group if r.lead_days is not None]
        by_type.append([common.name(types, key), len(group), common.mean(group_leads),
                        sum(1 for r in group if r.in_time()),
                        common.percent(sum(1 for r in group if r.in_time()), len(group)),
                        sum(1 for r in group if r.result == "accept_with_conditions"),
                        sum(1 for r in group if r.result == "reject")])
    tables = [
        overview,
        Table(tr("二、按合同类别"), [tr("合同类别"), tr("件数"), tr("平均评审周期(天)"),
                                 tr("{hours}小时内反馈").format(hours=FEEDBACK_HOURS),
                                 tr("反馈及时率"), tr("有条件接受"), tr("不接受")], by_type, {},
              (20, 10, 16, 14, 16, 12, 12)),
        Table(tr("三、反馈顾客及时性（{feedback_hours}小时内，002 合同评审控制程序 3.d）").format(
                   feedback_hours=FEEDBACK_HOURS),
              [tr("记录"), tr("客户"), tr("合同类别"), tr("接收时间"), tr("反馈时间"),
               tr("用时(小时)"),
               tr("{feedback_hours}小时内").format(feedback_hours=FEEDBACK_HOURS)],
              [[r.id, common.name(customers, r.customer), common.name(types, r.type),
                _stamp(r.received), _stamp(r.feedback), r.feedback_hours,
                r.feedback_state(as_of)] for r in reviews], {}, (14, 20, 11, 16, 16, 9, 11)),
        Table(tr("四、有条件接受的合同及其条件"), [tr("记录"), tr("客户"), tr("结论"),
                                     tr("评审部门"), tr("条件")],
              [[r.id, common.name(customers, r.customer), common.name(results, r.result),
                common.name(departments, dept), text]
               for r in reviews if r.result == "accept_with_conditions" or r.conditions
               for dept, text in (r.conditions or [("", "")])], {}, (14, 18, 12, 10, 46)),
        Table(tr("五、尚未解决的评审问题"), [tr("记录"), tr("提出日期"), tr("提出人"),
                                  tr("问题"), tr("需顾客答复")],
              [[r.id, _day(q[0]), _person(config, q[1]), q[2], tr("是") if q[3] else tr("否")]
               for r in reviews for q in r.open_questions], {}, (14, 12, 10, 54, 10)),
        Table(tr("六、订单修正与再评审（本期）"), [tr("记录"), tr("修正日期"), tr("通知单号"),
                                     tr("修正原因"), tr("再评审"),
                                           tr("再评审部门数")],
              [[r.id, _day(a[0]), a[1] or None, a[2], tr("是") if a[3] else tr("否"), a[4]]
               for r, a in amended], {}, (14, 12, 14, 40, 8, 12)),
    ]
    detail = Table(tr("合同评审明细"), [tr("记录"), tr("客户"), tr("订单号"), tr("合同类别"),
                                  tr("接收时间"), tr("评审完成"),
                                    tr("评审周期(天)"), tr("反馈时间"), tr("反馈用时(小时)"),
                                    tr("{hours}小时内").format(hours=FEEDBACK_HOURS),
                                    tr("结论"), tr("修正次数"), tr("状态")],
                   [[r.id, common.name(customers, r.customer), r.order_no or None,
                     common.name(types, r.type), _stamp(r.received), _day(r.reviewed),
                     r.lead_days, _stamp(r.feedback), r.feedback_hours, r.feedback_state(as_of),
                     common.name(results, r.result) if r.result else None, len(r.amendments),
                     common.name(statuses, r.status)] for r in reviews],
                   {}, (14, 18, 16, 10, 16, 12, 8, 16, 8, 10, 10, 6, 10))
    return Report(FORM, tr(TITLE), period, as_of, tables, detail, (0, 1, 3, 4, 6, 9, 10))


def _stamp(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%d %H:%M") if value else None


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def _person(config: Config, key: str) -> str | None:
    person = config.roster.get(key)
    return person.name if person else (key or None)


def chart_images(report: Report) -> list[tuple[str, bytes]]:
    from . import barcharts

    by_type = report.summary[1]
    shown = [row for row in by_type.rows if row[1]]
    labels = [str(row[0]) for row in shown]
    total = [int(row[1] or 0) for row in shown]
    timely = [int(row[3] or 0) for row in shown]
    conditional = [int(row[5] or 0) for row in shown]
    rejected = [int(row[6] or 0) for row in shown]
    return [
        (tr("图1 各类合同评审件数及48小时内反馈"), barcharts.stacked(labels, [
            (tr("48小时内反馈"), timely),
            (tr("超过48小时或未反馈"), [t - n for t, n in zip(total, timely, strict=True)])],
            tr("合同评审件数（按类别）"), tr("本期无合同评审"), (barcharts.GOOD, barcharts.BAD))),
        (tr("图2 各类合同的评审结论"), barcharts.stacked(labels, [
            (tr("接受"), [t - c - r for t, c, r in zip(total, conditional, rejected, strict=True)]),
            (tr("有条件接受"), conditional), (tr("不接受"), rejected)],
            tr("评审结论（按类别）"), tr("本期无合同评审"),
            (barcharts.GOOD, barcharts.LATE, barcharts.BAD))),
    ]


def build(repo: Path, config: Config, store: SchemaStore, period: Period,
          now: datetime | str | None, charts: bool) -> tuple[Report, list[str]]:
    records, _, moment, unreadable = common.gather(repo, config, KIND, period, now)
    report = compute(records, config, store, period, moment)
    if charts:
        report = replace(report, charts=chart_images(report))
    return report, unreadable
