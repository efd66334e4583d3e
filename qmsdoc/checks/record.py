"""Rules one record must satisfy beyond its schema, given the configured policy.

Each rule is a function ``(record, config) -> Iterator[Finding]`` listed in RULES. Rules
read values defensively: a value of the wrong type is the schema's finding, not theirs.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date
from functools import cache
from typing import Any

from ..config import Config
from ..findings import Finding, Location, error, warning
from ..i18n import N_, _
from ..kinds import BY_NAME, NAMES
from ..records.files import Record
from ..records.values import as_date, get, items
from ..records.yamlload import key_finder
from ..schema import CUSTOMER, DEPARTMENT, PERSON, SchemaStore, pointer
from .workflow import check_workflow

Path_ = tuple[str | int, ...]
RecordRule = Callable[[Record, Config], Iterator[Finding]]

def at(record: Record, path: Path_, *, key: bool = False) -> Location:
    """Where ``path`` stands in the record, looked up when a finding is reported."""
    return Location.of(record.path, record.doc.positions(), path, key=key)


# --- identity: id, file name, folder ------------------------------------------------------


def check_identity(record: Record, config: Config) -> Iterator[Finding]:
    kind, rid = record.kind, record.id
    if kind is None or rid is None:
        return  # the schema reports a missing or mistyped kind/id
    if kind not in BY_NAME:
        yield error("kind", "/kind", at(record, ("kind",)),
                    _("unknown kind '{kind}' (known: {known})")
                    .format(kind=kind, known=", ".join(BY_NAME)))
        return
    if record.folder_kind and record.folder_kind != kind:
        folder = BY_NAME[kind].folder
        yield error("folder", "/kind", at(record, ("kind",)),
                    _("a {kind} record belongs under records/{folder}/, not records/{other}/")
                    .format(kind=kind, folder=folder, other=BY_NAME[record.folder_kind].folder))
    if record.stem != rid:
        yield error("file-name", "/id", at(record, ("id",)),
                    _("file name '{name}' does not match id '{id}'; name the file {id}.yaml")
                    .format(name=record.stem, id=rid))
    spec = BY_NAME[kind]
    match = re.match(spec.id_pattern(config.prefix(kind)), rid)
    if not match:
        example = f"{config.prefix(kind)}-2026-0001" if spec.yearly else \
            f"{config.prefix(kind)}-CUSTOMER"
        yield error("id", "/id", at(record, ("id",)),
                    _("id '{id}' does not follow the {kind} pattern (e.g. {example})")
                    .format(id=rid, kind=kind, example=example))
        return
    parts = record.path.split("/")
    if spec.yearly and len(parts) >= 4 and re.fullmatch(r"[0-9]{4}", parts[2]) \
            and parts[2] != match["year"]:
        yield error("folder", "/id", at(record, ("id",)),
                    _("id year {year} does not match its year folder {folder}/")
                    .format(year=match["year"], folder=parts[2]))


# --- references to configured lists: customers, departments, people -----------------------

def check_known_names(record: Record, config: Config,
                      meanings: Mapping[tuple[str, ...], str]) -> Iterator[Finding]:
    """Customer codes, department keys and roster keys, wherever the schema marks a field
    as naming one (``x-meaning`` in defs.schema.json). One walk, only down the fields that
    lead to a marked one; the names are looked up in the configured sets."""
    if _all_known(record, meanings, config):
        return
    known: dict[str, Mapping[str, Any]] = {CUSTOMER: config.customers,
                                           DEPARTMENT: config.departments, PERSON: config.roster}
    for path, meaning, value in _named(record.data, _meaning_tree(meanings), ()):
        names = known.get(meaning)
        if not value.strip() or not names or value in names:
            continue
        if meaning == CUSTOMER:
            yield error("customer", pointer(path), at(record, path),
                        _("unknown customer '{code}' (not in the customers of qmsdoc.yaml)")
                        .format(code=value))
        elif meaning == DEPARTMENT:
            yield error("department", pointer(path), at(record, path),
                        _("unknown department '{key}' (known: {known})")
                        .format(key=value, known=", ".join(names)))
        else:
            yield error("person", pointer(path), at(record, path),
                        _("'{person}' is not in the roster of qmsdoc.yaml").format(person=value))


# A name field's key → the names it accepts wherever it stands, and what finds each such key
# with a text value in the fast path's JSON. None: some name stands in a list of names (no
# key), so the walk decides.
_Gate = tuple[re.Pattern[str], dict[str, frozenset[str]]] | None
_gates: dict[tuple[int, int], tuple[Mapping[tuple[str, ...], str], Config, _Gate]] = {}


def _all_known(record: Record, meanings: Mapping[tuple[str, ...], str], config: Config) -> bool:
    """Whether every text value of every field that names something holds a known name
    (or nothing), judged in one pass over the fast path's JSON: True means the walk would
    find nothing. The pass sees each such key wherever it stands (more than the walk looks
    at), and each value must be known under every meaning its key has."""
    gate = _gate_for(meanings, config)
    if gate is None:
        return False
    finder, accepted = gate
    found = record.doc.texts_at(finder)
    return found is not None and all(value in accepted[key] or not value.strip()
                                     for key, value in found)


def _gate_for(meanings: Mapping[tuple[str, ...], str], config: Config) -> _Gate:
    cached = _gates.get((id(meanings), id(config)))
    if cached is None or cached[0] is not meanings or cached[1] is not config:
        cached = (meanings, config, _gate(meanings, config))
        _gates[(id(meanings), id(config))] = cached
    return cached[2]


def prepare(config: Config, store: SchemaStore) -> None:
    """Make the name checks' finders of every kind before records are read: the loader then
    gathers the texts they look for while it reads (``yamlload.key_finder``)."""
    for kind in NAMES:
        _gate_for(store.meanings(kind), config)


def _gate(meanings: Mapping[tuple[str, ...], str], config: Config) -> _Gate:
    known: dict[str, Mapping[str, Any]] = {CUSTOMER: config.customers,
                                           DEPARTMENT: config.departments, PERSON: config.roster}
    accepted: dict[str, frozenset[str]] = {}
    for path, meaning in meanings.items():
        names = known.get(meaning)
        if not names:
            continue  # money, or nothing configured: nothing to check
        if path[-1] == "[]":
            return None
        key = str(path[-1])
        accepted[key] = accepted.get(key, frozenset(names)) & frozenset(names)
    return key_finder(accepted), accepted


# field → (its meaning or "", the tree below it); "[]" stands for the items of a list
_MeaningTree = dict[str, tuple[str, "_MeaningTree"]]
_trees: dict[int, tuple[Mapping[tuple[str, ...], str], _MeaningTree]] = {}


def _meaning_tree(meanings: Mapping[tuple[str, ...], str]) -> _MeaningTree:
    """The field paths of ``meanings`` as a tree, built once per mapping."""
    cached = _trees.get(id(meanings))
    if cached is not None and cached[0] is meanings:
        return cached[1]
    tree: _MeaningTree = {}
    for path, meaning in meanings.items():
        level = tree
        for depth, part in enumerate(path):
            own, below = level.get(part, ("", {}))
            level[part] = (meaning if depth == len(path) - 1 else own, below)
            level = below
    _trees[id(meanings)] = (meanings, tree)
    return tree


def _named(node: Any, tree: _MeaningTree, path: Path_) -> Iterator[tuple[Path_, str, str]]:
    """(path, meaning, text) of each mapping entry whose field has a meaning and text value."""
    if isinstance(node, dict):
        for key, value in node.items():
            entry = tree.get(key)
            if entry is None:
                continue
            meaning, below = entry
            if meaning and isinstance(value, str):
                yield (*path, key), meaning, value
            if below and isinstance(value, dict | list):
                yield from _named(value, below, (*path, key))
    elif isinstance(node, list):
        entry = tree.get("[]")
        if entry is not None and entry[1]:
            for index, value in enumerate(node):
                yield from _named(value, entry[1], (*path, index))


# --- dates in order ------------------------------------------------------------------------


def _order(record: Record, earlier: Path_, later: Path_, what: str) -> Iterator[Finding]:
    first = as_date(get(record.data, *earlier))
    if first is not None:
        yield from _after(record, first, earlier, later, what)


def _after(record: Record, first: date, earlier: Path_, later: Path_,
           what: str) -> list[Finding]:
    """The finding when the date at ``later`` is before ``first`` (the date at ``earlier``)."""
    second = as_date(get(record.data, *later))
    if second is None or second >= first:
        return []
    return [error("date-order", pointer(later), at(record, later),
                  _("{what} ({date}) is before {earlier} ({earlier_date})").format(
                      what=_(what), date=second, earlier=pointer(earlier), earlier_date=first))]


def check_dates(record: Record, config: Config) -> Iterator[Finding]:
    kind = record.kind
    data = record.data
    if kind == "complaint":
        yield from _complaint_dates(record, data)
    elif kind == "8d":
        yield from _eightd_steps(record)
    elif kind == "contract-review":
        for i, _item in items(data, "reviews"):
            yield from _order(record, ("received_at",), ("reviews", i, "date"), N_("review"))
        yield from _order(record, ("received_at",), ("customer_feedback_at",),
                          N_("customer feedback"))
        yield from _order(record, ("received_at",), ("customer_confirmed_at",),
                          N_("customer confirmation"))
    elif kind == "special-requirements":
        for i, _item in items(data, "reviews"):
            yield from _order(record, ("reviews", i, "received_at"),
                              ("reviews", i, "identified_at"), N_("identification"))


def _complaint_dates(record: Record, data: Any) -> list[Finding]:
    """Every dated step of a complaint on or after its receipt; closures in order.

    The most numerous comparisons of ``validate``, so each is first made on the text: two
    ISO dates compare as their first ten characters do, and a value that is no date has no
    finding; only a value whose text is earlier is read as a date (``_after``)."""
    found: list[Finding] = []
    start_at: Path_ = ("received_at",)
    received = data.get("received_at")
    start = as_date(received)
    since = received[:10] if start is not None else ""

    def early(value: Any) -> bool:
        return isinstance(value, str) and value[:10] < since

    if start is not None:
        for name, field in (("communications", "at"), ("containment", "date")):
            what = N_("communication") if name == "communications" else N_("containment")
            for i, entry in _entries(data.get(name)):
                if early(entry.get(field)):
                    found += _after(record, start, start_at, (name, i, field), what)
        verification = data.get("verification")
        if isinstance(verification, dict) and early(verification.get("verified_at")):
            found += _after(record, start, start_at, ("verification", "verified_at"),
                            N_("verification"))
    actions = data.get("actions")
    for group in ("short_term", "long_term"):
        for i, action in _entries(actions.get(group) if isinstance(actions, dict) else None):
            base = ("actions", group, i)
            done = action.get("done")
            if start is not None and early(done):
                found += _after(record, start, start_at, (*base, "done"), N_("action done"))
            checked = action.get("verification")
            if isinstance(done, str) and isinstance(checked, dict) \
                    and isinstance(checked.get("date"), str) and checked["date"][:10] < done[:10]:
                found += _order(record, (*base, "done"), (*base, "verification", "date"),
                                N_("action verified"))
    closure = data.get("closure")
    internal = closure.get("internal") if isinstance(closure, dict) else None
    closed = internal.get("date") if isinstance(internal, dict) else None
    if start is not None and early(closed):
        found += _after(record, start, start_at, ("closure", "internal", "date"),
                        N_("internal closure"))
    customer = closure.get("customer") if isinstance(closure, dict) else None
    if isinstance(closed, str) and isinstance(customer, dict) \
            and isinstance(customer.get("date"), str) and customer["date"][:10] < closed[:10]:
        found += _order(record, ("closure", "internal", "date"), ("closure", "customer", "date"),
                        N_("customer closure"))
    return found


def _entries(value: Any) -> list[tuple[int, dict[str, Any]]]:
    """The mappings of a list, with their index (anything else has no dates to compare)."""
    if not isinstance(value, list):
        return []
    return [(i, entry) for i, entry in enumerate(value) if isinstance(entry, dict)]


STEPS = tuple(f"d{n}" for n in range(9))


def _eightd_steps(record: Record) -> Iterator[Finding]:
    data = record.data
    previous: tuple[str, date] | None = None
    for step in STEPS:
        done = as_date(get(data, step, "completed"))
        yield from _order(record, ("opened_at",), (step, "completed"),
                          _("{step} completed").format(step=step.upper()))
        if done is None:
            continue
        earlier = [s for s in STEPS[: STEPS.index(step)]
                   if isinstance(get(data, s), dict) and not get(data, s, "completed")]
        if earlier:
            yield error("step-order", pointer((step, "completed")), at(record, (step, "completed")),
                        _("{step} is completed but {earlier} is not; 8D steps complete in order")
                        .format(step=step.upper(), earlier=earlier[0].upper()))
        if previous and done < previous[1]:
            yield error("step-order", pointer((step, "completed")), at(record, (step, "completed")),
                        _("{step} completed {date}, before {previous} ({previous_date})").format(
                            step=step.upper(), date=done, previous=previous[0].upper(),
                            previous_date=previous[1]))
        previous = (step, done)


# --- status consistent with content --------------------------------------------------------

_COMPLAINT_ORDER = BY_NAME["complaint"].states


def _all_actions(data: Any) -> list[tuple[Path_, Any]]:
    return [(("actions", group, i), action)
            for group in ("short_term", "long_term")
            for i, action in items(data, "actions", group)]


def check_status(record: Record, config: Config) -> Iterator[Finding]:
    status = get(record.data, "status")
    if not isinstance(status, str):
        return
    if record.kind == "complaint":
        yield from _complaint_status(record, status)
    elif record.kind == "8d":
        if status == "closed" and not get(record.data, "d8", "completed"):
            yield error("status", "/status", at(record, ("status",)),
                        _("status is closed but D8 is not completed"))
    elif record.kind == "contract-review":
        yield from _contract_status(record, status, config)


def _complaint_status(record: Record, status: str) -> Iterator[Finding]:
    data = record.data
    where = at(record, ("status",))
    if status not in _COMPLAINT_ORDER:
        return
    rank = _COMPLAINT_ORDER.index(status)
    actions = _all_actions(data)
    if rank >= _COMPLAINT_ORDER.index("actions") and not actions:
        yield error("status", "/status", where,
                    _("status is {status} but no corrective action is recorded under /actions")
                    .format(status=status))
    if rank >= _COMPLAINT_ORDER.index("verifying"):
        for path, action in actions:
            if not get(action, "done"):
                yield error("status", pointer((*path, "done")), at(record, path),
                            _("status is {status} but this action has no done date")
                            .format(status=status))
    if rank >= _COMPLAINT_ORDER.index("closed_internal"):
        for path, action in actions:
            result = get(action, "verification", "result")
            if result != "effective":
                yield error("status", pointer((*path, "verification")), at(record, path),
                            _("status is {status} but this action is not verified effective")
                            .format(status=status))
        if not get(data, "closure", "internal"):
            yield error("status", "/closure/internal", at(record, ("closure",)),
                        _("status is {status} but there is no internal closure (QA verification)")
                        .format(status=status))
    if status == "closed" and not get(data, "closure", "customer"):
        yield error("status", "/closure/customer", at(record, ("closure",)),
                    _("status is closed but there is no customer-confirmed closure "
                      "(谁投诉谁关闭: the follow-up with the customer and its evidence)"))
    if rank < _COMPLAINT_ORDER.index("closed_internal") and get(data, "closure", "internal"):
        yield warning("status", "/status", where,
                      _("status is {status} but an internal closure is recorded; set status "
                        "to closed_internal, or, when reopening, remove /closure/internal")
                      .format(status=status))


def _contract_status(record: Record, status: str, config: Config) -> Iterator[Finding]:
    data = record.data
    where = at(record, ("status",))
    if status in ("decided", "customer_confirmed") and not get(data, "conclusion"):
        yield error("status", "/conclusion", where,
                    _("status is {status} but there is no conclusion").format(status=status))
    if status == "customer_confirmed" and not get(data, "customer_confirmed_at"):
        yield error("status", "/customer_confirmed_at", where,
                    _("status is customer_confirmed but customer_confirmed_at is missing"))
    contract_type = get(data, "contract_type")
    if contract_type in config.full_review_types and status in ("decided", "customer_confirmed"):
        present = {d for _key, row in items(data, "reviews")
                   if isinstance(d := get(row, "department"), str)}
        missing = [d for d in config.required_departments if d not in present]
        if missing:
            names = ", ".join(f"{d} ({config.departments.get(d, d)})" for d in missing)
            yield error("review-rows", "/reviews", at(record, ("reviews",)),
                        _("a {type} contract needs a review row from every department; "
                          "missing: {missing}").format(type=contract_type, missing=names))


# --- severity against the configured thresholds --------------------------------------------

_SEVERITY_RANK = {"minor": 0, "general": 1, "major": 2}


def expected_severity(data: Any, config: Config) -> tuple[str, str] | None:
    """The severity the rules require at least, and why; None when nothing forces one."""
    rules = config.severity
    if get(data, "impact", "safety") is True:
        return "major", _("personal safety is affected")
    if get(data, "impact", "function") is True:
        return "major", _("the use function is affected")
    amount = get(data, "impact", "amount_rmb")
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return None
    if amount > rules.major_above_rmb:
        return "major", _("the amount RMB {amount:,.0f} exceeds {limit:,.0f}").format(
            amount=amount, limit=rules.major_above_rmb)
    if amount >= rules.general_below_rmb:
        return rules.between, _(
            "the amount RMB {amount:,.0f} is between {low:,.0f} and {high:,.0f} "
            "(severity.between: {between})").format(
                amount=amount, low=rules.general_below_rmb, high=rules.major_above_rmb,
                between=rules.between)
    return None


def check_severity(record: Record, config: Config) -> Iterator[Finding]:
    if record.kind != "complaint":
        return
    stated = get(record.data, "severity")
    expected = expected_severity(record.data, config)
    if not isinstance(stated, str) or stated not in _SEVERITY_RANK or expected is None:
        return
    level, reason = expected
    if _SEVERITY_RANK[stated] < _SEVERITY_RANK[level]:
        yield error("severity", "/severity", at(record, ("severity",)),
                    _("severity is {stated} but must be {level}: {reason}")
                    .format(stated=stated, level=level, reason=reason))


RULES: tuple[RecordRule, ...] = (
    check_identity,
    check_dates,
    check_status,
    check_severity,
    check_workflow,
)


def run(record: Record, config: Config, store: SchemaStore | None = None) -> list[Finding]:
    """Every per-record rule's findings; field meanings come from ``store`` (the built-in
    schemas when None)."""
    kind = record.kind if record.kind in NAMES else record.folder_kind
    meanings = (store or _builtin_store()).meanings(kind) if kind else {}
    return [*(finding for rule in RULES for finding in rule(record, config)),
            *check_known_names(record, config, meanings)]


@cache
def _builtin_store() -> SchemaStore:
    return SchemaStore()
