"""Workflow states the record's content must support, beyond ``checks.check_status``.

complaint: registered → investigating → actions → verifying → closed_internal → closed
(customer-confirmed after the 3-month follow-up, 谁投诉谁关闭, seed 001 §5.1.3.3);
contract review: received → in_review → decided → customer_confirmed, an amendment with
re-review reopening the review (002, 004 §4.1.10); special-requirement items:
open 待处理 → in_progress 处理中 → done 已完成, done only once deployed (002 QD-Q-C04).
8D steps completing in order are checked by ``checks.check_dates``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..config import Config
from ..deadlines.clocktime import add, moment
from ..deadlines.rules import Deadlines
from ..deadlines.rules import load as load_deadlines
from ..errors import QmsdocError
from ..findings import Finding, Location, error, warning
from ..i18n import _
from ..kinds import BY_NAME
from ..records.files import Record
from ..records.values import as_date, get, items
from ..schema import pointer

Path_ = tuple[str | int, ...]
_CONTRACT_ORDER = BY_NAME["contract-review"].states
_WRITTEN_LATER = ("oral", "phone_fax")  # 002: oral and phone orders confirmed in writing


def _at(record: Record, path: Path_) -> Location:
    return Location.of(record.path, record.doc.positions(), path)


def check_workflow(record: Record, config: Config) -> Iterator[Finding]:
    if record.kind == "complaint":
        yield from _complaint(record, config)
    elif record.kind == "contract-review":
        yield from _contract(record)
    elif record.kind == "special-requirements":
        yield from _requirement_items(record)
    yield from _exceptions(record, config)


def _exceptions(record: Record, config: Config) -> Iterator[Finding]:
    """A deadline exception must name a rule that applies to this kind of record."""
    exceptions = items(record.data, "deadline_exceptions")
    if not exceptions:  # the common case: nothing to look up
        return
    deadlines = _deadlines(config)
    if deadlines is None or not isinstance(record.kind, str):
        return
    known = sorted(r.id for r in deadlines.for_kind(record.kind))
    for i, exception in exceptions:
        rule = get(exception, "rule")
        if isinstance(rule, str) and rule not in known:
            path = ("deadline_exceptions", i, "rule")
            yield error("exception", pointer(path), _at(record, path),
                        _("no deadline rule '{rule}' for a {kind} record (rules: {rules})")
                        .format(rule=rule, kind=record.kind,
                                rules=", ".join(known) or _("none")))


# --- complaint: two-stage closure ------------------------------------------------------------


def _complaint(record: Record, config: Config) -> Iterator[Finding]:
    data = record.data
    status = get(data, "status")
    customer = get(data, "closure", "customer")
    if not isinstance(customer, dict):
        return
    where = ("closure", "customer")
    if status not in ("closed", "rejected"):
        yield warning("status", "/status", _at(record, ("status",)),
                      _("status is {status} but a customer-confirmed closure is recorded; "
                        "set status to closed, or, when reopening, remove /closure/customer")
                      .format(status=status))
    follow_ups = [c for _i, c in items(data, "communications") if get(c, "type") == "follow_up"]
    if not get(customer, "evidence") and not follow_ups:
        yield error("closure", pointer((*where, "evidence")), _at(record, where),
                    _("customer-confirmed closure without follow-up evidence: attach the survey "
                    "record under /closure/customer/evidence or log the follow_up communication "
                    "(谁投诉谁关闭, 001 §5.1.3.3)"))
    yield from _closed_too_early(record, config)


def _closed_too_early(record: Record, config: Config) -> Iterator[Finding]:
    deadlines = _deadlines(config)
    rule = deadlines.rule("complaint-follow-up") if deadlines else None
    if deadlines is None or rule is None or rule.within is None:
        return
    data = record.data
    start = moment(get(data, "closure", "internal", "date"), deadlines.tz)
    closed = moment(get(data, "closure", "customer", "date"), deadlines.tz)
    within, applies = deadlines.within(rule, get(data, "customer"))
    if start is None or closed is None or within is None or not applies:
        return
    earliest = add(start, within, deadlines.calendar)
    if closed.day < earliest.day:
        path = ("closure", "customer", "date")
        yield warning("closure", pointer(path), _at(record, path),
                      _("customer-confirmed closure on {date} is before the follow-up {within} "
                        "after the internal closure ({earliest}; {source})").format(
                          date=closed.day, within=within.shown(), earliest=earliest.day,
                          source=rule.source))


_memo: list[tuple[Config, Deadlines | None]] = []


def _deadlines(config: Config) -> Deadlines | None:
    """The configured rules, read once per configuration (validate calls this per record)."""
    if _memo and _memo[0][0] is config:
        return _memo[0][1]
    try:
        deadlines: Deadlines | None = load_deadlines(config)
    except QmsdocError:
        deadlines = None  # a bad deadlines section is reported by `due`, not by every record
    _memo[:] = [(config, deadlines)]
    return deadlines


# --- contract review ---------------------------------------------------------------------------


def _contract(record: Record) -> Iterator[Finding]:
    data = record.data
    status = get(data, "status")
    if status not in _CONTRACT_ORDER:
        return
    rank = _CONTRACT_ORDER.index(status)
    where = _at(record, ("status",))
    if rank >= _CONTRACT_ORDER.index("decided") and not items(data, "reviews"):
        yield error("status", "/reviews", where,
                    _("status is {status} but no department review is recorded under /reviews")
                    .format(status=status))
    ahead = _furthest_supported(data)
    if ahead > rank:
        yield warning("status", "/status", where,
                      _("status is {status} but the record already shows {ahead}; "
                        "set status to {ahead}").format(status=status,
                                                         ahead=_CONTRACT_ORDER[ahead]))
    if status == "customer_confirmed" and get(data, "carrier") in _WRITTEN_LATER \
            and not get(data, "written_confirmation"):
        yield error("status", "/written_confirmation", where,
                    _("an order by {carrier} needs the customer's written confirmation "
                      "(/written_confirmation) before it counts as confirmed (002)")
                    .format(carrier=get(data, "carrier")))
    yield from _amendments(record, status, rank)


def _furthest_supported(data: Any) -> int:
    if get(data, "customer_confirmed_at"):
        return _CONTRACT_ORDER.index("customer_confirmed")
    if get(data, "conclusion", "result"):
        return _CONTRACT_ORDER.index("decided")
    if items(data, "reviews"):
        return _CONTRACT_ORDER.index("in_review")
    return 0


def _amendments(record: Record, status: str, rank: int) -> Iterator[Finding]:
    for i, amendment in items(record.data, "amendments"):
        if get(amendment, "re_reviewed") is not True:
            continue
        base: Path_ = ("amendments", i)
        rows = items(amendment, "reviews")
        name = get(amendment, "notice_no") or f"#{i + 1}"
        if not rows and rank >= _CONTRACT_ORDER.index("decided"):
            yield error("status", pointer((*base, "reviews")), _at(record, base),
                        _("amendment {name} reopens the review (re_reviewed: true) but has no "
                          "review rows; add them or set status to in_review (now {status})")
                        .format(name=name, status=status))
        changed = as_date(get(amendment, "date"))
        for j, row in rows:
            reviewed = as_date(get(row, "date"))
            if changed and reviewed and reviewed < changed:
                path = (*base, "reviews", j, "date")
                yield error("date-order", pointer(path), _at(record, path),
                            _("re-review on {date} is before amendment {name} ({changed})")
                            .format(date=reviewed, name=name, changed=changed))


# --- special-requirement items -------------------------------------------------------------------


def _requirement_items(record: Record) -> Iterator[Finding]:
    for i, item in items(record.data, "items"):
        if get(item, "status") == "done" and not get(item, "deployment"):
            path = ("items", i, "status")
            yield error("status", pointer(path), _at(record, path),
                        _("item {item} is done (已完成) but not deployed: "
                          "list the documents it went into under deployment")
                        .format(item=get(item, "item_id") or i + 1))
