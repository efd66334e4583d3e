"""The complaint statistics of a period, as plain values (pure: records and clocks in).

Counted are the complaints received in the period. Clocks and open cases are judged as of
the end of the period (or now, if earlier): a clock stopped after that moment counts as
still running then.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from .. import doclang
from ..checks.crossref import RepeatKey, repeats
from ..config import Config
from ..deadlines import rules as clockrules
from ..deadlines.clocks import MET, MET_LATE, OVERDUE, Clock, verdict
from ..i18n import report_language, tr
from ..records.values import as_date, get
from .period import Period

SEVERITIES = ("major", "general", "minor")
CLAIM_TYPES = ("claim",)
REWORK_TYPES = ("rework",)
Labels = Mapping[str, Mapping[str, str]]  # field → code → Chinese label


@dataclass(frozen=True)
class Case:
    id: str
    path: str
    received: date
    title: str
    customer: str
    part_no: str
    category: str
    subtype: str
    severity: str
    urgency: str
    root_cause: str
    department: str  # responsible department
    party: str
    status: str
    qty_defective: int
    claimed_rmb: float  # the customer's claim (impact.amount_rmb)
    cost_rmb: float  # cost of the disposition
    disposition: str
    closed_internal: date | None
    closed_customer: date | None
    repeat_of: str
    overdue: tuple[str, ...]  # rule ids overdue as of the report

    @property
    def days_to_close(self) -> int | None:
        return (self.closed_internal - self.received).days if self.closed_internal else None

    @property
    def days_to_customer_close(self) -> int | None:
        return (self.closed_customer - self.received).days if self.closed_customer else None


@dataclass(frozen=True)
class Count:
    key: str
    label: str
    count: int
    share: float  # of all cases in the period


@dataclass(frozen=True)
class OnTime:
    rule: str
    title: str
    source: str
    met: int
    late: int  # stopped after the due time
    overdue: int  # still running past the due time

    @property
    def judged(self) -> int:
        return self.met + self.late + self.overdue

    @property
    def rate(self) -> float | None:
        return self.met / self.judged if self.judged else None


@dataclass(frozen=True)
class Money:
    key: str
    label: str
    amount: float


@dataclass(frozen=True)
class Statistics:
    period: Period
    as_of: datetime
    cases: list[Case]
    counts: dict[str, list[Count]]  # dimension → rows, most frequent first
    cost_total: float
    claimed_total: float
    cost_by_type: list[Money]
    allocation: list[Money]
    on_time: list[OnTime]
    trend: list[tuple[date, dict[str, int]]]  # month → severity → count
    pareto: list[Count]  # defect types (不符合类型) of the period, most frequent first

    @property
    def open_cases(self) -> list[Case]:
        return [c for c in self.cases if c.closed_internal is None and c.status != "rejected"]

    @property
    def overdue_cases(self) -> list[Case]:
        return [c for c in self.cases if c.overdue]

    @property
    def repeats(self) -> list[Case]:
        return [c for c in self.cases if c.repeat_of]

    @property
    def average_days_to_close(self) -> float | None:
        return _mean(c.days_to_close for c in self.cases)

    @property
    def average_days_to_customer_close(self) -> float | None:
        return _mean(c.days_to_customer_close for c in self.cases)


DIMENSIONS = ("customer", "category", "subtype", "severity", "urgency", "root_cause",
              "department")


def _mean(values: Iterable[int | None]) -> float | None:
    found = [v for v in values if v is not None]
    return sum(found) / len(found) if found else None


def _number(value: Any) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else 0.0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else doclang.main_text(value) \
        if doclang.is_bilingual(value) else ""


def state_at(clock: Clock, as_of: datetime) -> str:
    """The clock's state at ``as_of`` ("" when it had not started): a stop after that moment
    had not happened yet."""
    if clock.start is not None and clock.start.at >= as_of:
        return ""
    stopped = clock.state in (MET, MET_LATE) and (clock.stop is None or clock.stop.at < as_of)
    return verdict(clock.due, clock.stop, stopped, as_of)[0]


def compute(records: list[tuple[str, dict[str, Any]]], clocks: list[Clock], config: Config,
            labels: Labels, period: Period, as_of: datetime) -> Statistics:
    complaints = [(path, data) for path, data in records if data.get("kind") == "complaint"
                  and isinstance(data.get("id"), str) and as_date(data.get("received_at"))]
    in_period = {data["id"] for _, data in complaints
                 if period.contains(as_date(data["received_at"]) or date.min)}
    eightds = {data["id"]: {c for c in data.get("complaints") or [] if isinstance(c, str)}
               for _, data in records
               if data.get("kind") == "8d" and isinstance(data.get("id"), str)}
    relevant = [c for c in clocks if c.record in in_period or (
        c.kind == "8d" and eightds.get(c.record, set()) & in_period)]
    overdue: dict[str, list[str]] = defaultdict(list)
    for clock in relevant:
        if state_at(clock, as_of) == OVERDUE:
            owners = [clock.record] if clock.kind == "complaint" else \
                sorted(eightds.get(clock.record, set()) & in_period)
            for owner in owners:
                overdue[owner].append(clock.rule.id)
    repeats = _repeats(complaints, config.repeat_window_days)
    cases = sorted((_case(path, data, repeats, overdue, as_of) for path, data in complaints
                    if data["id"] in in_period), key=lambda c: (c.received, c.id))
    return Statistics(
        period=period, as_of=as_of, cases=cases,
        counts={dim: _counts(cases, dim, config, labels) for dim in DIMENSIONS},
        cost_total=sum(c.cost_rmb for c in cases),
        claimed_total=sum(c.claimed_rmb for c in cases),
        cost_by_type=_cost_by_type(cases, labels),
        allocation=_allocation([d for _, d in complaints if d["id"] in in_period], config,
                               labels),
        on_time=_on_time(relevant, as_of, [r.id for r in clockrules.load(config).rules]),
        trend=_trend(complaints, period),
        pareto=_counts(cases, "subtype", config, labels),
    )


def _case(path: str, data: dict[str, Any], repeats: dict[str, str],
          overdue: Mapping[str, list[str]], as_of: datetime) -> Case:
    internal = as_date(get(data, "closure", "internal", "date"))
    customer = as_date(get(data, "closure", "customer", "date"))
    cutoff = (as_of - timedelta(microseconds=1)).date()  # the last day that has begun
    return Case(
        id=data["id"], path=path, received=as_date(data["received_at"]) or date.min,
        title=_text(data.get("title")), customer=_text(data.get("customer")),
        part_no=_text(get(data, "product", "part_no")), category=_text(data.get("category")),
        subtype=_text(data.get("subtype")), severity=_text(data.get("severity")),
        urgency=_text(data.get("urgency")), root_cause=_text(get(data, "root_cause", "category")),
        department=_text(get(data, "responsibility", "department")),
        party=_text(get(data, "responsibility", "party")), status=_text(data.get("status")),
        qty_defective=int(_number(get(data, "product", "qty_defective"))),
        claimed_rmb=_number(get(data, "impact", "amount_rmb")),
        cost_rmb=_number(get(data, "disposition", "cost_rmb")),
        disposition=_text(get(data, "disposition", "type")),
        closed_internal=internal if internal and internal <= cutoff else None,
        closed_customer=customer if customer and customer <= cutoff else None,
        repeat_of=repeats.get(data["id"], ""),
        overdue=tuple(sorted(set(overdue.get(data["id"], ())))),
    )


def _repeats(complaints: list[tuple[str, dict[str, Any]]], window: int) -> dict[str, str]:
    """Complaint id → the earlier one it repeats, by validation's repeat rule."""
    def key(entry: tuple[str, dict[str, Any]]) -> RepeatKey:
        data = entry[1]
        return (_text(data.get("customer")), _text(get(data, "product", "part_no")),
                _text(data.get("category")), as_date(data.get("received_at")), str(data["id"]))

    return {later[1]["id"]: earlier[1]["id"]
            for earlier, later, _ in repeats(complaints, key, window)}


def _label(dim: str, key: str, config: Config, labels: Labels) -> str:
    if not key:
        return tr("(未填)")
    if dim == "customer":
        return config.customers.get(key, key)
    if dim == "department":
        return config.departments.get(key, key)
    return labels.get(dim, {}).get(key, key)


def _counts(cases: list[Case], dim: str, config: Config, labels: Labels) -> list[Count]:
    counter = Counter(getattr(c, dim) for c in cases)
    total = len(cases) or 1
    order = list(labels.get(dim, {}))
    rows = [Count(key, _label(dim, key, config, labels), n, n / total)
            for key, n in counter.items()]
    rank = {k: i for i, k in enumerate(order)}
    return sorted(rows, key=lambda r: (-r.count, rank.get(r.key, len(rank)), r.key))


def _cost_by_type(cases: list[Case], labels: Labels) -> list[Money]:
    totals: dict[str, float] = defaultdict(float)
    for case in cases:
        if case.cost_rmb:
            totals[case.disposition] += case.cost_rmb
    names = labels.get("disposition", {})
    return sorted((Money(k, names.get(k, k or tr("(未填)")), v) for k, v in totals.items()),
                  key=lambda m: (-m.amount, m.key))


def _allocation(complaints: list[dict[str, Any]], config: Config, labels: Labels) -> list[Money]:
    totals: dict[str, float] = defaultdict(float)
    for data in complaints:
        for row in get(data, "disposition", "allocation") or []:
            if not isinstance(row, dict):
                continue
            key = _text(row.get("department")) or f"party:{_text(row.get('party'))}"
            totals[key] += _number(row.get("amount_rmb"))
    parties = labels.get("party", {})
    rows = [Money(k, parties.get(k[6:], k[6:]) if k.startswith("party:")
                  else config.departments.get(k, k), v) for k, v in totals.items()]
    return sorted(rows, key=lambda m: (-m.amount, m.key))


def _on_time(clocks: list[Clock], as_of: datetime, rule_order: list[str]) -> list[OnTime]:
    tally: dict[str, Counter[str]] = defaultdict(Counter)
    rules = {}
    for clock in clocks:
        tally[clock.rule.id][state_at(clock, as_of)] += 1
        rules[clock.rule.id] = clock.rule
    order = sorted(rules, key=lambda r: (rule_order.index(r) if r in rule_order else 999, r))
    english = report_language() == "en"
    return [OnTime(r, rules[r].title_en or rules[r].title if english else rules[r].title,
                   rules[r].source, tally[r][MET], tally[r][MET_LATE],
                   tally[r][OVERDUE]) for r in order]


def _trend(complaints: list[tuple[str, dict[str, Any]]],
           period: Period) -> list[tuple[date, dict[str, int]]]:
    months = period.trend_months()
    table: dict[date, Counter[str]] = {m: Counter() for m in months}
    for _, data in complaints:
        day = as_date(data["received_at"])
        if day is None:
            continue
        month = day.replace(day=1)
        if month in table:
            table[month][_text(data.get("severity")) or "unknown"] += 1
    return [(m, dict(table[m])) for m in months]
