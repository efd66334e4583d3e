"""``qmsdoc report 8d``: the 8D reports active in the period (opened before its end, not
closed before its start): the time of each discipline against its clock, the on-time rate,
the open 8Ds by age, and the effectiveness verified for the permanent actions (D5 verified,
D6 validated after implementation) — seed 003 QP-12 §6.1.9, seed 001 §5.1.3.2."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from ..config import Config
from ..deadlines.clocks import MET, MET_LATE, OPEN, OVERDUE, Clock, verdict
from ..i18n import TR_, Texts, tr
from ..records.values import as_date, get, items
from ..schema import SchemaStore
from . import common
from .frame import Report
from .period import Period
from .tables import Cell, Table

KIND = "8d"
FORM = "8d-statistics"
TITLE = TR_("8D报告统计分析表")
STEPS = ("d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7", "d8")
STEP_NAMES = Texts({
    "d0": TR_("D0 紧急反应"), "d1": TR_("D1 成立小组"), "d2": TR_("D2 问题描述"),
    "d3": TR_("D3 临时围堵措施"), "d4": TR_("D4 根本原因"), "d5": TR_("D5 永久纠正措施"),
    "d6": TR_("D6 实施与验证"), "d7": TR_("D7 预防再发生"), "d8": TR_("D8 结案")})
AGES = ((7, TR_("≤7天")), (14, TR_("8–14天")), (30, TR_("15–30天")), (60, TR_("31–60天")),
        (None, TR_(">60天")))
LATE, RUNNING = MET_LATE, OPEN  # the clock states by the names the 8D report uses
RESULTS = Texts({"effective": TR_("有效"), "not_effective": TR_("无效")})


@dataclass(frozen=True)
class EightD:
    id: str
    customer: str
    complaints: str
    opened: date | None
    completed: dict[str, date]  # step → its completion date, where there is one
    closed: date | None  # D8 completed

    def open_at(self, day: date) -> bool:
        return self.opened is not None and self.opened <= day and (
            self.closed is None or self.closed > day)

    def current_step(self, day: date) -> str:
        for step in STEPS:
            done = self.completed.get(step)
            if done is None or done > day:
                return step
        return ""


@dataclass(frozen=True)
class Action:
    eightd: str
    id: str
    description: str
    verified: str  # D5 verification result
    validated: str  # D6 validation result
    validated_on: date | None


def collect(records: list[tuple[str, dict[str, Any]]]) -> tuple[list[EightD], list[Action]]:
    reports, actions = [], []
    for _, data in sorted(records, key=lambda r: str(r[1].get("id", ""))):
        rid = str(data.get("id", ""))
        completed = {s: d for s in STEPS if (d := as_date(get(data, s, "completed")))}
        reports.append(EightD(rid, str(data.get("customer", "")),
                              "、".join(str(c) for c in data.get("complaints") or []),
                              as_date(data.get("opened_at")), completed, completed.get("d8")))
        validations = {str(get(i, "action")): i for _, i in items(data, "d6", "implementations")}
        for _, action in items(data, "d5", "actions"):
            aid = str(get(action, "id") or "")
            check = validations.get(aid)
            actions.append(Action(rid, aid, " ".join(str(get(action, "description") or "")
                                                     .split()),
                                  str(get(action, "verification", "result") or ""),
                                  str(get(check, "validation", "result") or ""),
                                  as_date(get(check, "validation", "date"))))
    return reports, actions


def judged(clock: Clock, as_of: datetime) -> str:
    """The clock's state at ``as_of``: a step completed later is still running then."""
    stopped = clock.stopped and (clock.stop is None or clock.stop.at <= as_of)
    return verdict(clock.due, clock.stop if stopped else None, stopped, as_of)[0]


def compute(records: list[tuple[str, dict[str, Any]]], clocks: list[Clock], config: Config,
            period: Period, as_of: datetime) -> Report:
    every, all_actions = collect(records)
    today = as_of.date()
    last = period.end - timedelta(days=1)
    active = [e for e in every if e.opened is not None and e.opened <= min(last, today)
              and (e.closed is None or e.closed >= period.start)]
    ids = {e.id for e in active}
    opened = {e.id: e.opened for e in active}
    customers = config.customers
    steps: dict[str, list[tuple[Clock, str]]] = {s: [] for s in STEPS}
    for clock in clocks:
        step = clock.rule.id.removeprefix("8d-")
        if clock.record in ids and step in steps:
            steps[step].append((clock, judged(clock, as_of)))
    rows: list[list[Cell]] = []
    totals = {MET: 0, LATE: 0, OVERDUE: 0}
    for step, found in steps.items():
        states = [s for _, s in found]
        counts = {s: states.count(s) for s in (MET, LATE, OVERDUE, RUNNING)}
        for key in totals:
            totals[key] += counts[key]
        used = [(c.stop.day - opened[c.record]).days for c, s in found  # type: ignore[operator]
                if s in (MET, LATE) and c.stop is not None and opened[c.record] is not None]
        judged_n = counts[MET] + counts[LATE] + counts[OVERDUE]
        rows.append([STEP_NAMES[step], len(found), counts[MET], counts[LATE], counts[OVERDUE],
                     counts[RUNNING], common.percent(counts[MET], judged_n), common.mean(used)])
    open_now = [e for e in active if e.open_at(today)]
    overdue_steps = {e.id: [c.rule.id.removeprefix("8d-").upper() for s in STEPS
                            for c, state in steps[s] if c.record == e.id and state == OVERDUE]
                     for e in open_now}
    ages = {e.id: (today - e.opened).days for e in open_now if e.opened is not None}
    closed_now = [e for e in active if e.closed is not None and period.contains(e.closed)]
    actions = [a for a in all_actions if a.eightd in ids]
    validated = [a for a in actions if a.validated]
    judged_total = sum(totals.values())
    overview = Table(tr("一、概况"), [tr("指标"), tr("数值")], [
        [tr("本期涉及的8D报告"), len(active)],
        [tr("其中本期立案"), sum(1 for e in active if e.opened and period.contains(e.opened))],
        [tr("其中本期结案"), len(closed_now)],
        [tr("未结案（截至统计日）"), len(open_now)],
        [tr("平均结案天数（本期结案）"), common.mean([(e.closed - e.opened).days for e in closed_now
                                                  if e.closed and e.opened])],
        [tr("各步骤按期完成率"), common.percent(totals[MET], judged_total)],
        [tr("逾期未完成的步骤"), totals[OVERDUE]],
        [tr("永久纠正措施"), len(actions)],
        [tr("实施后确认有效"), common.percent(
            sum(1 for a in validated if a.validated == "effective"), len(actions))],
    ], {}, (70, 30))
    age_rows: list[list[Cell]] = []
    low = 0
    for high, label in ((high, tr(label)) for high, label in AGES):
        age_rows.append([label, sum(1 for a in ages.values()
                                    if a >= low and (high is None or a <= high))])
        low = (high or 0) + 1
    tables = [
        overview,
        Table(tr("二、各步骤用时及按期情况（对照期限）"),
              [tr("步骤"), tr("期限数"), tr("按期完成"), tr("逾期完成"), tr("逾期未完成"),
               tr("进行中"), tr("按期率"),
               tr("平均用时(天，立案起)")], rows, {}, (22, 9, 10, 10, 11, 9, 16, 13)),
        Table(tr("三、未结案8D（按开立天数）"), [tr("开立天数"), tr("件数")], age_rows, {}, (50,
                                                                           50)),
        Table(tr("四、未结案8D明细"), ["8D", tr("客户"), tr("立案日期"), tr("开立天数"),
                                tr("当前步骤"), tr("逾期步骤")],
              [[e.id, common.name(customers, e.customer), _day(e.opened), ages.get(e.id),
                STEP_NAMES.get(e.current_step(today), "—"),
                "、".join(overdue_steps[e.id]) or None] for e in open_now],
              {}, (15, 22, 13, 10, 20, 20)),
        Table(tr("五、永久纠正措施的效果验证"), ["8D", tr("措施"), tr("内容"), tr("D5验证"),
                                    tr("D6实施后确认"),
                                            tr("确认日期")],
              [[a.eightd, a.id, a.description, RESULTS.get(a.verified, tr("未验证")),
                RESULTS.get(a.validated, tr("未确认")), _day(a.validated_on)] for a in actions],
              {}, (14, 7, 45, 10, 12, 12)),
    ]
    detail = Table(tr("8D明细"), ["8D", tr("客户"), tr("关联投诉"), tr("立案日期"),
                              *[s.upper() for s in STEPS], tr("当前步骤")],
                   [[e.id, common.name(customers, e.customer), e.complaints or None,
                     _day(e.opened), *[_day(e.completed.get(s)) for s in STEPS],
                     STEP_NAMES.get(e.current_step(today), tr("已结案"))] for e in active],
                   {}, tuple([14, 18, 14, 12, *[11] * len(STEPS), 14]))
    return Report(FORM, tr(TITLE), period, as_of, tables, detail, (0, 1, 3, 7, 9, 12, 13))


def _day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def chart_images(report: Report) -> list[tuple[str, bytes]]:
    from . import barcharts

    steps = report.summary[1].rows
    labels = [str(row[0]).split(" ")[0] for row in steps]
    series = [(tr("按期完成"), [int(r[2] or 0) for r in steps]),
              (tr("逾期完成"), [int(r[3] or 0) for r in steps]),
              (tr("逾期未完成"), [int(r[4] or 0) for r in steps]),
              (tr("进行中"), [int(r[5] or 0) for r in steps])]
    ages = report.summary[2].rows
    return [
        (tr("图1 8D各步骤按期情况"), barcharts.stacked(
            labels, series, tr("8D各步骤按期情况"), tr("本期无8D报告"),
            (barcharts.GOOD, barcharts.LATE, barcharts.BAD, barcharts.WAITING))),
        (tr("图2 未结案8D（按开立天数）"), barcharts.stacked(
            [str(r[0]) for r in ages], [(tr("未结案8D"), [int(r[1] or 0) for r in ages])],
            tr("未结案8D（按开立天数）"))),
    ]


def build(repo: Path, config: Config, store: SchemaStore, period: Period,
          now: datetime | str | None, charts: bool) -> tuple[Report, list[str]]:
    records, clocks, moment, unreadable = common.gather(repo, config, KIND, period, now)
    report = compute(records, clocks, config, period, moment)
    if charts:
        report = replace(report, charts=chart_images(report))
    return report, unreadable
