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
from ..i18n import _
from ..kinds import Kind
from ..records.values import get
from ..schema import SchemaStore
from .fields import Field, lookup, parse_path

# column kinds: how the workbook formats a value
TEXT, DATE, DATETIME, INTEGER, AMOUNT = "text", "date", "datetime", "integer", "amount"
STATE_LABELS = {"released": "已发布", "draft": "草稿", "uncontrolled": "未受控"}


@dataclass(frozen=True)
class Column:
    title: str  # Chinese heading
    type: str  # text, date, datetime, integer, amount
    width: int
    value: Callable[[Entry], Any]


@dataclass(frozen=True)
class Entry:
    """One record with what the register shows beside its fields."""

    data: dict[str, Any]
    labels: Callable[[str, Any], str]  # (dotted field, code) → Chinese label
    clocks: tuple[Clock, ...]  # the record's open clocks, the earliest due first
    owner: str  # who owns the next clock
    revision: str
    state: str


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
        if doclang.is_bilingual(value):  # the register keeps the record's main language
            value = doclang.main_text(value)
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
    return clock.rule.title + (f" · {clock.item}" if clock.item else "")


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
    return f"{first} 等{len(items)}项" if len(items) > 1 else first


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
    head = [Column("编号", TEXT, 15, lambda e: e.data.get("id"))]
    if kind.yearly and kind.name != "8d":  # the kinds a log is imported into
        head.append(Column("原台账编号", TEXT, 11, _field("legacy_no")))
    return head


def _common_tail() -> list[Column]:
    return [Column("负责人", TEXT, 16, lambda e: e.owner or None),
            Column("下一期限", DATETIME, 16, _next_due),
            Column("期限事项", TEXT, 24, _next_what),
            Column("逾期天数", INTEGER, 9, _overdue_days),
            Column("版次", TEXT, 6, lambda e: e.revision),
            Column("审批状态", TEXT, 9, lambda e: STATE_LABELS.get(e.state, e.state))]


COLUMNS: dict[str, list[Column]] = {
    "complaint": [
        Column("受理日期", DATETIME, 16, _field("received_at", DATETIME)),
        Column("客户", TEXT, 16, _field("customer")),
        Column("主题", TEXT, 24, _field("title")),
        Column("料号", TEXT, 12, _field("product.part_no")),
        Column("品名", TEXT, 16, _field("product.name")),
        Column("投诉类别", TEXT, 10, _field("category")),
        Column("严重程度", TEXT, 9, _field("severity")),
        Column("不良数量", INTEGER, 9, _field("product.qty_defective", INTEGER)),
        Column("涉及金额(元)", AMOUNT, 12, _field("impact.amount_rmb", AMOUNT)),
        Column("责任部门", TEXT, 10, _field("responsibility.department")),
        Column("状态", TEXT, 10, _field("status")),
        Column("内部结案日期", DATE, 12, _field("closure.internal.date", DATE)),
        Column("8D报告", TEXT, 13, _field("eightd")),
    ],
    "contract-review": [
        Column("接收日期", DATETIME, 16, _field("received_at", DATETIME)),
        Column("客户", TEXT, 16, _field("customer")),
        Column("主题", TEXT, 24, _field("title")),
        Column("订单号", TEXT, 12, _field("order_no")),
        Column("合同类别", TEXT, 10, _field("contract_type")),
        Column("料号", TEXT, 14, _part_numbers),
        Column("数量", INTEGER, 9, _quantity),
        Column("要求交期", DATE, 12, _first_delivery),
        Column("评审结论", TEXT, 12, _field("conclusion.result")),
        Column("状态", TEXT, 10, _field("status")),
    ],
    "special-requirements": [
        Column("客户", TEXT, 16, _field("customer")),
        Column("标题", TEXT, 28, _field("title")),
        Column("责任部门", TEXT, 10, _field("responsible_department")),
        Column("来源文件数", INTEGER, 10, _count("sources")),
        Column("条目数", INTEGER, 8, _count("items")),
    ],
    "8d": [
        Column("开始日期", DATE, 12, _field("opened_at", DATE)),
        Column("客户", TEXT, 16, _field("customer")),
        Column("主题", TEXT, 28, _field("title")),
        Column("格式", TEXT, 8, _field("format")),
        Column("状态", TEXT, 9, _field("status")),
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
        if wanted not in (shown, f.labels.get(shown)) and not (
                f.semantic in ("date", "datetime") and shown.startswith(wanted)):
            return False
    return True


def build(repo: Path, config: Config, store: SchemaStore, kind: Kind,
          wheres: Sequence[str] = (), now: datetime | str | None = None) -> Register:
    """Every readable record of ``kind`` (those matching every ``--where``), by id."""
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
    labels = _labeller(schema, config)
    cols = columns(kind)
    rows = []
    for data in records:
        rid = str(data["id"])
        mine = tuple(clocks.get(rid, ()))
        state = states.get(rid)
        entry = Entry(data, labels, mine,
                      _owner(mine[0], config) if mine else "",
                      (state.revision if state and state.state == "released" else "—")
                      if state else "—",
                      state.state if state else "uncontrolled")
        rows.append([column.value(entry) for column in cols])
    as_of = found.now.replace(tzinfo=None, microsecond=0)
    left_out = [p for p in loaded.unreadable if folder_kind(p) == kind.name]
    return Register(kind, f"{kind.title}台账", cols, rows, as_of,
                    str(config.company.get("name", "")), left_out)


def _owner(clock: Clock, config: Config) -> str:
    """Who owns the clock: the person's name and the department, whichever are known."""
    person = config.roster.get(clock.owner)
    who = person.name if person else clock.owner
    department = config.departments.get(clock.department, clock.department)
    return " · ".join(part for part in (who, department) if part)


def _labeller(schema: dict[str, Any], config: Config) -> Callable[[str, Any], str]:
    cache: dict[str, Field | None] = {}
    customers, departments = config.customers, config.departments

    def label(path: str, value: Any) -> str:
        if path not in cache:
            cache[path] = lookup(schema, parse_path(path))
        f = cache[path]
        text = str(value)
        if f is None:
            return text
        if f.labels and text in f.labels:
            return f.labels[text]
        if f.semantic == "customer":
            return customers.get(text, text)
        if f.semantic == "department":
            return departments.get(text, text)
        return text

    return label
