"""The register (台账) of a kind: one row per record with the fields a document controller
scans — dates, customer, part, category, severity, status, the next deadline and who owns
it, how late the overdue ones are, the released revision and its approval state."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .. import doclang
from ..config import Config
from ..deadlines.clocks import OVERDUE, Clock
from ..errors import UsageError
from ..i18n import TR_, _, report_language, tr
from ..kinds import Kind
from ..records.values import get
from ..schema import SchemaStore
from .fields import Field, lookup, parse_path

# column kinds: how the workbook formats a value
TEXT, DATE, DATETIME, INTEGER, AMOUNT = "text", "date", "datetime", "integer", "amount"
STATE_LABELS = {"released": TR_("已发布"), "draft": TR_("草稿"), "uncontrolled": TR_("未受控")}
OVERDUE_DAYS = TR_("逾期天数")  # the column the workbook fills in red where a clock is late


@dataclass(frozen=True)
class Column:
    title: str  # Chinese heading (the report catalog's message: ``heading`` translates it)
    type: str  # text, date, datetime, integer, amount
    width: int
    value: Callable[[Entry], Any]

    @property
    def heading(self) -> str:
        """The heading in the register's language (the report's: ``export --lang``)."""
        return tr(self.title)


@dataclass(frozen=True)
class Entry:
    """One record with what the register shows beside its fields."""

    data: dict[str, Any]
    labels: Callable[[str, Any], str]  # (dotted field, code) → label in the language
    clocks: tuple[Clock, ...]  # the record's open clocks, the earliest due first
    owner: str  # who owns the next clock
    revision: str
    state: str
    lang: doclang.Lang = doclang.ZH  # the register's language


@dataclass(frozen=True)
class Register:
    kind: Kind
    title: str  # e.g. 客户抱怨单台账
    columns: tuple[Column, ...]
    rows: list[list[Any]]
    as_of: datetime
    company: str
    left_out: list[str]  # record files of the kind that could not be read


def _field(path: str, kind: str = TEXT) -> Callable[[Entry], Any]:
    steps = parse_path(path)

    def read(entry: Entry) -> Any:
        value = get(entry.data, *steps)
        if doclang.is_bilingual(value):  # Chinese: the record's main language; English: its
            value = doclang.pick(value, entry.lang).text  # English, else the Chinese marked
        if value is None or isinstance(value, dict | list):
            return None
        if kind in (DATE, DATETIME):
            return _when(value, kind)
        if kind in (INTEGER, AMOUNT):
            return value if isinstance(value, int | float) and not isinstance(value, bool) \
                else None
        return entry.labels(path, value)

    return read


def _when(value: Any, kind: str) -> date | datetime | None:
    if not isinstance(value, str):
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if kind == DATE or len(value) == 10:
        return moment.date()
    return moment.replace(tzinfo=None)  # Excel keeps no zone: the record's own local time


def _next_due(entry: Entry) -> date | datetime | None:
    if not entry.clocks:
        return None
    due = entry.clocks[0].due
    return due.day if due.date_only else due.at.replace(tzinfo=None)


def _next_what(entry: Entry) -> str | None:
    if not entry.clocks:
        return None
    clock = entry.clocks[0]
    title = clock.rule.title
    if entry.lang == doclang.EN:
        title = clock.rule.title_en or doclang.marked(title, doclang.EN)
    item = doclang.pick(clock.item, entry.lang).text if clock.item else ""
    return title + (f" · {item}" if item else "")


def _overdue_days(entry: Entry) -> int | None:
    late = [c.late for c in entry.clocks if c.state == OVERDUE]
    return max(late).days if late else None


def _items(entry: Entry) -> list[dict[str, Any]]:
    items = entry.data.get("items")
    return [i for i in items if isinstance(i, dict)] if isinstance(items, list) else []


def _part_numbers(entry: Entry) -> str | None:
    """The first item's part number, and how many items there are (MY-PL-3310 等2项)."""
    items = _items(entry)
    first = items[0].get("part_no") if items else None
    if not isinstance(first, str):
        return None
    return tr("{first} 等{n}项").format(first=first, n=len(items)) if len(items) > 1 else first


def _quantity(entry: Entry) -> int | None:
    """The quantity ordered: the items' sum when they share one unit."""
    items = _items(entry)
    qty = [i.get("qty") for i in items]
    if not items or not all(isinstance(q, int) and not isinstance(q, bool) for q in qty) \
            or len({i.get("unit") for i in items}) != 1:
        return None
    return sum(q for q in qty if isinstance(q, int))


def _first_delivery(entry: Entry) -> date | None:
    """The earliest delivery date asked for."""
    days = [d for i in _items(entry) if isinstance(d := _when(i.get("delivery_date"), DATE),
                                                    date)]
    return min(days) if days else None


def _count(path: str) -> Callable[[Entry], Any]:
    def read(entry: Entry) -> Any:
        items = entry.data.get(path)
        return len(items) if isinstance(items, list) else 0

    return read


def _common_head(kind: Kind) -> list[Column]:
    head = [Column(TR_("编号"), TEXT, 15, lambda e: e.data.get("id"))]
    if kind.yearly and kind.name != "8d":  # the kinds a log is imported into
        head.append(Column(TR_("原台账编号"), TEXT, 11, _field("legacy_no")))
    return head


def _state(entry: Entry) -> str:
    return tr(STATE_LABELS[entry.state]) if entry.state in STATE_LABELS else entry.state


def _common_tail() -> list[Column]:
    return [Column(TR_("负责人"), TEXT, 16, lambda e: e.owner or None),
            Column(TR_("下一期限"), DATETIME, 16, _next_due),
            Column(TR_("期限事项"), TEXT, 24, _next_what),
            Column(OVERDUE_DAYS, INTEGER, 9, _overdue_days),
            Column(TR_("版次"), TEXT, 6, lambda e: e.revision),
            Column(TR_("审批状态"), TEXT, 9, _state)]


COLUMNS: dict[str, list[Column]] = {
    "complaint": [
        Column(TR_("受理日期"), DATETIME, 16, _field("received_at", DATETIME)),
        Column(TR_("客户"), TEXT, 16, _field("customer")),
        Column(TR_("主题"), TEXT, 24, _field("title")),
        Column(TR_("料号"), TEXT, 12, _field("product.part_no")),
        Column(TR_("品名"), TEXT, 16, _field("product.name")),
        Column(TR_("投诉类别"), TEXT, 10, _field("category")),
        Column(TR_("严重程度"), TEXT, 9, _field("severity")),
        Column(TR_("不良数量"), INTEGER, 9, _field("product.qty_defective", INTEGER)),
        Column(TR_("涉及金额(元)"), AMOUNT, 12, _field("impact.amount_rmb", AMOUNT)),
        Column(TR_("责任部门"), TEXT, 10, _field("responsibility.department")),
        Column(TR_("状态"), TEXT, 10, _field("status")),
        Column(TR_("内部结案日期"), DATE, 12, _field("closure.internal.date", DATE)),
        Column(TR_("8D报告"), TEXT, 13, _field("eightd")),
    ],
    "contract-review": [
        Column(TR_("接收日期"), DATETIME, 16, _field("received_at", DATETIME)),
        Column(TR_("客户"), TEXT, 16, _field("customer")),
        Column(TR_("主题"), TEXT, 24, _field("title")),
        Column(TR_("订单号"), TEXT, 12, _field("order_no")),
        Column(TR_("合同类别"), TEXT, 10, _field("contract_type")),
        Column(TR_("料号"), TEXT, 14, _part_numbers),
        Column(TR_("数量"), INTEGER, 9, _quantity),
        Column(TR_("要求交期"), DATE, 12, _first_delivery),
        Column(TR_("评审结论"), TEXT, 12, _field("conclusion.result")),
        Column(TR_("状态"), TEXT, 10, _field("status")),
    ],
    "special-requirements": [
        Column(TR_("客户"), TEXT, 16, _field("customer")),
        Column(TR_("标题"), TEXT, 28, _field("title")),
        Column(TR_("责任部门"), TEXT, 10, _field("responsible_department")),
        Column(TR_("来源文件数"), INTEGER, 10, _count("sources")),
        Column(TR_("条目数"), INTEGER, 8, _count("items")),
    ],
    "8d": [
        Column(TR_("开始日期"), DATE, 12, _field("opened_at", DATE)),
        Column(TR_("客户"), TEXT, 16, _field("customer")),
        Column(TR_("主题"), TEXT, 28, _field("title")),
        Column(TR_("格式"), TEXT, 8, _field("format")),
        Column(TR_("状态"), TEXT, 9, _field("status")),
    ],
}


def columns(kind: Kind) -> tuple[Column, ...]:
    return tuple([*_common_head(kind), *COLUMNS[kind.name], *_common_tail()])


def parse_where(kind: Kind, schema: dict[str, Any], wheres: Sequence[str]
                ) -> list[tuple[Field, str]]:
    """``FIELD=VALUE`` filters; FIELD is a field of the kind (dotted), VALUE its code, its
    Chinese label or its text."""
    result = []
    for item in wheres:
        name, sep, value = item.partition("=")
        found = lookup(schema, parse_path(name)) if sep and name.strip() else None
        if found is None or found.type in ("object", "array"):
            raise UsageError(_("--where {item!r}: expected FIELD=VALUE with a field of a "
                               "{name} record, e.g. status=closed or customer=HXAUTO").format(
                                 item=item, name=kind.name))
        result.append((found, value.strip()))
    return result


def _matches(data: dict[str, Any], wheres: list[tuple[Field, str]]) -> bool:
    for f, wanted in wheres:
        value = get(data, *f.path)
        shown = "" if value is None else str(value).lower() if isinstance(value, bool) \
            else str(value)
        if wanted not in (shown, f.labels.get(shown), f.labels_en.get(shown)) and not (
                f.semantic in ("date", "datetime") and shown.startswith(wanted)):
            return False
    return True


def build(repo: Path, config: Config, store: SchemaStore, kind: Kind,
          wheres: Sequence[str] = (), now: datetime | str | None = None) -> Register:
    """Every readable record of ``kind`` (those matching every ``--where``), by id, in the
    report's language (``i18n.use_report``: Chinese, or English with the English names and
    labels the schemas and qmsdoc.yaml give)."""
    from ..deadlines.due import all_clocks
    from ..history.states import load_states
    from ..records import cache
    from ..records.files import folder_kind

    schema = store.for_kind(kind.name)
    filters = parse_where(kind, schema, wheres)
    loaded = cache.load(repo, config.limits)
    records = sorted((data for path, data in loaded.records
                      if folder_kind(path) == kind.name and isinstance(data, dict)
                      and isinstance(data.get("id"), str) and _matches(data, filters)),
                     key=lambda d: str(d["id"]))
    found = all_clocks(repo, config, now, open_only=True)
    clocks: dict[str, list[Clock]] = {}
    for clock in sorted(found.clocks, key=lambda c: c.due.deadline):
        clocks.setdefault(clock.record, []).append(clock)
    states = load_states(repo, config, ids={str(d["id"]) for d in records}, signatures=False)
    lang = doclang.EN if report_language() == "en" else doclang.ZH
    shown = config.in_english() if lang == doclang.EN else config
    labels = _labeller(schema, shown, lang)
    cols = columns(kind)
    rows = []
    for data in records:
        rid = str(data["id"])
        mine = tuple(clocks.get(rid, ()))
        state = states.get(rid)
        entry = Entry(data, labels, mine,
                      _owner(mine[0], shown, lang) if mine else "",
                      (state.revision if state and state.state == "released" else "—")
                      if state else "—",
                      state.state if state else "uncontrolled", lang)
        rows.append([column.value(entry) for column in cols])
    as_of = found.now.replace(tzinfo=None, microsecond=0)
    left_out = [p for p in loaded.unreadable if folder_kind(p) == kind.name]
    title = tr("{kind}台账").format(kind=kind.title_en if lang == doclang.EN else kind.title)
    company = doclang.marked(str(shown.company.get("name", "")), lang)
    return Register(kind, title, cols, rows, as_of, company, left_out)


def _owner(clock: Clock, config: Config, lang: doclang.Lang) -> str:
    """Who owns the clock: the person's name and the department, whichever are known."""
    person = config.roster.get(clock.owner)
    who = doclang.name(person.name, person.name_en, lang) if person else clock.owner
    department = config.departments.get(clock.department, clock.department)
    return " · ".join(doclang.marked(part, lang) for part in (who, department) if part)


def _labeller(schema: dict[str, Any], config: Config,
              lang: doclang.Lang) -> Callable[[str, Any], str]:
    cache: dict[str, Field | None] = {}
    customers, departments = config.customers, config.departments

    def label(path: str, value: Any) -> str:
        if path not in cache:
            cache[path] = lookup(schema, parse_path(path))
        f = cache[path]
        text = str(value)
        if f is None:
            return text
        if lang == doclang.EN and text in f.labels_en:
            return f.labels_en[text]
        if f.labels and text in f.labels:
            return doclang.marked(f.labels[text], lang)
        if f.semantic == "customer":
            return doclang.marked(customers.get(text, text), lang)
        if f.semantic == "department":
            return doclang.marked(departments.get(text, text), lang)
        return doclang.pick(text, lang).text  # a Chinese text in English: marked [zh]

    return label
