"""``qmsdoc report special-requirements``: the customer-specific requirement items by
customer, category, department and state (待处理 / 处理中 / 已完成), their processing time
from identification to completion, the overdue ones, and the reviews done within 10 working
days (IATF 16949 7.5.3.2.2) — seed 002 顾客特殊要求管理程序 §2.5 报告和分析功能.

Items are counted as the records stand; processing times are those of the items completed
in the period, review times those of the reviews received in the period."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..config import Config
from ..i18n import TR_, Texts, tr
from ..records.values import as_date, get, items
from ..schema import SchemaStore
from . import common
from .frame import Report
from .period import Period
from .tables import Cell, Table

KIND = "special-requirements"
FORM = "special-requirements-statistics"
TITLE = TR_("顾客特殊要求统计分析表")
STATES = ("open", "in_progress", "done")
STATE_NAMES = Texts({"open": TR_("待处理"), "in_progress": TR_("处理中"), "done": TR_("已完成")})
REVIEW_DAYS = 10  # working days (IATF 16949 7.5.3.2.2)


@dataclass(frozen=True)
class Item:
    list_id: str
    item_id: str
    customer: str
    category: str
    department: str
    priority: str
    status: str
    identified: date | None  # the first review that lists it
    due: date | None
    completed: date | None

    @property
    def days(self) -> int | None:
        if self.identified is None or self.completed is None:
            return None
        return (self.completed - self.identified).days

    def overdue_days(self, today: date) -> int:
        """Days past due: of an open item at ``today``; of a done one, at its completion."""
        if self.due is None:
            return 0
        end = self.completed if self.status == "done" else today
        if end is None:  # done without a completion date: not late as far as is known
            return 0
        return max((end - self.due).days, 0)


@dataclass(frozen=True)
class Review:
    list_id: str
    number: int  # 1-based
    customer: str
    trigger: str
    department: str
    received: date | None
    finished: date | None  # the last reviewer's date, once every reviewer has one
    working_days: int | None
    due: date | None  # 10 working days after received


def collect(records: list[tuple[str, dict[str, Any]]], calendar: Any) -> tuple[list[Item],
                                                                                list[Review]]:
    found_items: list[Item] = []
    found_reviews: list[Review] = []
    for _, data in sorted(records, key=lambda r: str(r[1].get("id", ""))):
        list_id, customer = str(data.get("id", "")), str(data.get("customer", ""))
        identified: dict[str, date] = {}
        for index, review in items(data, "reviews"):
            day = as_date(get(review, "identified_at")) or as_date(get(review, "received_at"))
            for item_id in get(review, "items") or []:
                if day is not None and (str(item_id) not in identified
                                        or day < identified[str(item_id)]):
                    identified[str(item_id)] = day
            found_reviews.append(_review(list_id, index + 1, customer, review, calendar))
        for _, item in items(data, "items"):
            item_id = str(get(item, "item_id") or "")
            found_items.append(Item(
                list_id, item_id, customer, str(get(item, "category") or ""),
                str(get(item, "department") or data.get("responsible_department") or ""),
                str(get(item, "priority") or ""), str(get(item, "status") or ""),
                identified.get(item_id), as_date(get(item, "due")),
                as_date(get(item, "completed"))))
    return found_items, found_reviews


def _review(list_id: str, number: int, customer: str, review: Any, calendar: Any) -> Review:
    received = as_date(get(review, "received_at")) or as_date(get(review, "identified_at"))
    dates = [as_date(get(r, "date")) for _, r in items(review, "reviewers")]
    known = [d for d in dates if d is not None]
    finished = max(known) if known and len(known) == len(dates) else None
    days = calendar.working_days_between(received, finished) \
        if received is not None and finished is not None else None
    due = calendar.add_working_days(received, REVIEW_DAYS) if received is not None else None
    return Review(list_id, number, customer, str(get(review, "trigger") or ""),
                  str(get(review, "identifying_department") or ""), received, finished, days,
                  due)


def compute(records: list[tuple[str, dict[str, Any]]], config: Config, store: SchemaStore,
            period: Period, as_of: datetime, calendar: Any) -> Report:
    all_items, reviews = collect(records, calendar)
    today = as_of.date()
    customers, departments = config.customers, config.departments
    categories = common.enum_labels(store, KIND, "items", "[]", "category")
    triggers = common.enum_labels(store, KIND, "reviews", "[]", "trigger")
    priorities = common.enum_labels(store, KIND, "items", "[]", "priority")
    overdue = [i for i in all_items if i.status != "done" and i.overdue_days(today) > 0]
    done_now = [i for i in all_items if i.status == "done" and i.completed is not None
                and period.contains(i.completed)]
    identified_now = [i for i in all_items if i.identified and period.contains(i.identified)]
    reviewed = [r for r in reviews if r.received is not None and period.contains(r.received)]
    in_time = [r for r in reviewed if r.working_days is not None
               and r.working_days <= REVIEW_DAYS]
    times = [i.days for i in done_now if i.days is not None]
    states: list[list[Cell]] = [[tr("其中{state_names}").format(state_names=STATE_NAMES[s]),
                                  sum(1 for i in all_items if i.status == s)] for s in STATES]
    overview = Table(tr("一、概况"), [tr("指标"), tr("数值")], [
        [tr("顾客特殊要求清单数"), len(records)],
        [tr("要求条目总数"), len(all_items)],
        *states,
        [tr("本期识别条目"), len(identified_now)],
        [tr("本期完成条目"), len(done_now)],
        [tr("平均处理天数（识别→完成，本期完成条目）"), common.mean(times)],
        [tr("逾期未完成条目（截至统计日）"), len(overdue)],
        [tr("本期评审次数"), len(reviewed)],
        [tr("{review_days}个工作日内完成评审").format(review_days=REVIEW_DAYS), len(in_time)],
        [tr("{review_days}个工作日内评审率").format(review_days=REVIEW_DAYS),
         common.percent(len(in_time), len(reviewed))],
    ], {}, (70, 30))

    def by(title: str, header: str, key: Any, names: dict[str, str]) -> Table:
        rows: list[list[Cell]] = []
        for value in sorted({key(i) for i in all_items}):
            group = [i for i in all_items if key(i) == value]
            rows.append([common.name(names, value),
                         *[sum(1 for i in group if i.status == s) for s in STATES],
                         len(group), sum(1 for i in group if i in overdue)])
        return Table(title, [header, *STATE_NAMES.values(), tr("合计"), tr("逾期")], rows, {},
                     (40, 12, 12, 12, 12, 12))

    tables = [
        overview,
        by(tr("二、按客户"), tr("客户"), lambda i: i.customer, customers),
        by(tr("三、按类别"), tr("类别"), lambda i: i.category, categories),
        by(tr("四、按责任部门"), tr("责任部门"), lambda i: i.department, departments),
        Table(tr("五、处理时间（本期完成的条目）"),
              [tr("清单"), tr("条目"), tr("客户"), tr("责任部门"), tr("识别日期"),
               tr("完成期限"), tr("完成日期"),
               tr("处理天数"),
               tr("按期")],
              [[i.list_id, i.item_id, common.name(customers, i.customer),
                common.name(departments, i.department), _iso(i.identified), _iso(i.due),
                _iso(i.completed), i.days, tr("是") if i.overdue_days(today) == 0 else tr("否")]
               for i in done_now], {}, (16, 9, 20, 11, 12, 12, 12, 9, 7)),
        Table(tr("六、逾期未完成条目"), [tr("清单"), tr("条目"), tr("客户"), tr("责任部门"),
                                tr("优先级"), tr("完成期限"),
                                     tr("逾期天数"), tr("状态")],
              [[i.list_id, i.item_id, common.name(customers, i.customer),
                common.name(departments, i.department), common.name(priorities, i.priority),
                _iso(i.due), i.overdue_days(today), STATE_NAMES.get(i.status, i.status)]
               for i in sorted(overdue, key=lambda i: (i.due or today, i.list_id, i.item_id))],
              {}, (16, 9, 22, 11, 8, 12, 9, 9)),
        Table(tr("七、评审及时性（收到后{review_days}个工作日内，IATF 16949 7.5.3.2.2）").format(
                   review_days=REVIEW_DAYS),
              [tr("清单"), tr("评审"), tr("触发"), tr("识别部门"), tr("收到日期"),
               tr("评审完成"), tr("工作日"),
               tr("按期")],
              [[r.list_id, r.number, common.name(triggers, r.trigger),
                common.name(departments, r.department), _iso(r.received), _iso(r.finished),
                r.working_days, _review_state(r, today)] for r in reviewed],
              {}, (16, 7, 14, 12, 12, 12, 9, 12)),
    ]
    detail = Table(tr("条目明细"), [tr("清单"), tr("条目"), tr("客户"), tr("类别"),
                                tr("责任部门"), tr("优先级"),
                                tr("状态"),
                                tr("识别日期"), tr("完成期限"), tr("完成日期"), tr("处理天数"),
                                tr("逾期天数")],
                   [[i.list_id, i.item_id, common.name(customers, i.customer),
                     common.name(categories, i.category), common.name(departments, i.department),
                     common.name(priorities, i.priority), STATE_NAMES.get(i.status, i.status),
                     _iso(i.identified), _iso(i.due), _iso(i.completed), i.days,
                     i.overdue_days(today)] for i in all_items],
                   {}, (16, 9, 20, 10, 11, 8, 9, 12, 12, 12, 8, 8))
    return Report(FORM, tr(TITLE), period, as_of, tables, detail, (0, 1, 2, 4, 6, 8, 11))


def _review_state(review: Review, today: date) -> str:
    if review.working_days is not None:
        return tr("是") if review.working_days <= REVIEW_DAYS else tr("否")
    if review.due is not None and today > review.due:
        return tr("未完成·已逾期")
    return tr("进行中")


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def chart_images(report_items: list[Item], config: Config) -> list[tuple[str, bytes]]:
    from . import barcharts

    pictures = []
    for caption, field, names in ((tr("图1 各责任部门顾客特殊要求条目（按状态）"), "department",
                                   config.departments),
                                  (tr("图2 各客户顾客特殊要求条目（按状态）"), "customer",
                                   config.customers)):
        keys = [str(getattr(i, field)) for i in report_items]
        values = sorted(set(keys))
        series = [(STATE_NAMES[s], [sum(1 for k, i in zip(keys, report_items, strict=True)
                                        if k == v and i.status == s) for v in values])
                  for s in STATES]
        pictures.append((caption, barcharts.stacked(
            [common.name(names, v) for v in values], series, caption[3:], tr("无顾客特殊要求条目"),
            (barcharts.WAITING, barcharts.LATE, barcharts.GOOD))))
    return pictures


def build(repo: Path, config: Config, store: SchemaStore, period: Period,
          now: datetime | str | None, charts: bool) -> tuple[Report, list[str]]:
    records, _, moment, unreadable = common.gather(repo, config, KIND, period, now)
    calendar = common.calendar(config)
    report = compute(records, config, store, period, moment, calendar)
    if charts:
        found, _ = collect(records, calendar)
        report = replace(report, charts=chart_images(found, config))
    return report, unreadable
