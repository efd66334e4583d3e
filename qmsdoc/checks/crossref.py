"""Rules between records: unique ids, references that resolve, repeat complaints.

Each record is first reduced to its RecordFacts (small, picklable: what the rules need and
where it stands in the file), so that records can be read in worker processes and the
rules run once over all of them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from ..config import Config
from ..findings import Finding, Location, error, warning
from ..i18n import _
from ..records.files import Record
from ..records.values import as_date, get, items
from ..schema import pointer
from .record import at


@dataclass(frozen=True)
class Ref:
    """A reference from one record to another record (or to items in it)."""

    field: str
    location: Location
    target_kind: str
    target: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class RecordFacts:
    path: str
    kind: str
    id: str
    id_location: Location
    refs: tuple[Ref, ...] = ()
    item_ids: tuple[str, ...] = ()  # special-requirements: its item ids
    customer: str = ""
    part_no: str = ""
    category: str = ""
    received: date | None = None
    received_location: Location | None = None


def facts(record: Record) -> RecordFacts | None:
    kind, rid = record.kind, record.id
    if kind is None or rid is None:
        return None
    data = record.data
    refs: list[Ref] = []
    if kind == "complaint" and isinstance(get(data, "eightd"), str):
        refs.append(Ref("/eightd", at(record, ("eightd",)), "8d", get(data, "eightd")))
    if kind == "8d":
        for i, cid in items(data, "complaints"):
            if isinstance(cid, str):
                refs.append(Ref(pointer(("complaints", i)), at(record, ("complaints", i)),
                                "complaint", cid))
    if kind == "contract-review":
        for i, ref in items(data, "csr_refs"):
            target = get(ref, "list")
            wanted = tuple(x for _, x in items(ref, "items") if isinstance(x, str))
            if isinstance(target, str):
                refs.append(Ref(pointer(("csr_refs", i, "list")),
                                at(record, ("csr_refs", i, "list")),
                                "special-requirements", target, wanted))
    item_ids = tuple(str(get(item, "item_id")) for _, item in items(data, "items")
                     if isinstance(get(item, "item_id"), str)) if kind == "special-requirements" \
        else ()
    text = {name: get(data, *path) for name, path in
            (("customer", ("customer",)), ("part_no", ("product", "part_no")),
             ("category", ("category",)))}
    return RecordFacts(
        path=record.path, kind=kind, id=rid, id_location=at(record, ("id",)),
        refs=tuple(refs), item_ids=item_ids,
        customer=text["customer"] if isinstance(text["customer"], str) else "",
        part_no=text["part_no"] if isinstance(text["part_no"], str) else "",
        category=text["category"] if isinstance(text["category"], str) else "",
        received=as_date(get(data, "received_at")),
        received_location=at(record, ("received_at",)),
    )


def check(all_facts: Iterable[RecordFacts], config: Config,
          report_on: frozenset[str] | None = None,
          repeated: list[tuple[RecordFacts, RecordFacts, int]] | None = None
          ) -> Iterator[Finding]:
    """Cross-record findings; with ``report_on``, only those located in these paths.
    ``repeated`` is ``complaint_repeats(all_facts, config)`` when the caller has it."""
    facts_list = sorted(all_facts, key=lambda f: f.path)
    if repeated is None:
        repeated = complaint_repeats(facts_list, config)
    found = [*_unique_ids(facts_list), *_references(facts_list), *_repeats(repeated)]
    for finding in found:
        if report_on is None or finding.location.path in report_on:
            yield finding


def _unique_ids(facts_list: list[RecordFacts]) -> Iterator[Finding]:
    first: dict[str, RecordFacts] = {}
    for f in facts_list:
        if f.id in first:
            other = first[f.id]
            yield error("duplicate-id", "/id", f.id_location,
                        _("id {id} is also used by {where}")
                        .format(id=f.id, where=f"{other.path}:{other.id_location.line}"))
        else:
            first[f.id] = f


def _references(facts_list: list[RecordFacts]) -> Iterator[Finding]:
    by_id = {(f.kind, f.id): f for f in facts_list}
    # each record's item ids and targets as sets, built once: lookups stay linear in the
    # number of references however long a record's lists are
    item_sets: dict[int, frozenset[str]] = {}
    target_sets: dict[int, frozenset[str]] = {}
    for f in facts_list:
        for ref in f.refs:
            target = by_id.get((ref.target_kind, ref.target))
            if target is None:
                yield error("reference", ref.field, ref.location,
                            _("{target} does not exist (no {kind} record with this id)")
                            .format(target=ref.target, kind=ref.target_kind))
                continue
            known = item_sets.get(id(target))
            if known is None:
                known = item_sets[id(target)] = frozenset(target.item_ids)
            for item in ref.items:
                if item not in known:
                    yield error("reference", ref.field, ref.location,
                                _("{target} has no item {item}")
                                .format(target=ref.target, item=item))
            back = target_sets.get(id(target))
            if back is None:
                back = target_sets[id(target)] = frozenset(r.target for r in target.refs)
            yield from _reciprocal(f, ref, target, back)


def _reciprocal(source: RecordFacts, ref: Ref, target: RecordFacts,
                targets: frozenset[str]) -> Iterator[Finding]:
    if source.kind == "complaint" and target.kind == "8d":
        if source.id not in targets:
            yield warning("reference", ref.field, ref.location,
                          _("{target} does not list {source} under /complaints")
                          .format(target=target.id, source=source.id))
    elif source.kind == "8d" and target.kind == "complaint":
        back = [r.target for r in target.refs if r.target_kind == "8d"]
        if back and source.id not in back:
            yield warning("reference", ref.field, ref.location,
                          _("{target} points to {other}, not to {source}, under /eightd")
                          .format(target=target.id, other=back[0], source=source.id))


T = TypeVar("T")
RepeatKey = tuple[str, str, str, date | None, str]  # customer, part number, category, received, id


def repeats(complaints: Iterable[T], key: Callable[[T], RepeatKey],
            window_days: int) -> Iterator[tuple[T, T, int]]:
    """(earlier, later, days between) for every complaint that repeats an earlier one: the
    same customer, part number and category, received within ``window_days`` (IATF 16949
    10.2.3). The one repeat rule: validation warns with it, the statistics count it."""
    groups: dict[tuple[str, str, str], list[tuple[date, str, T]]] = defaultdict(list)
    for complaint in complaints:
        customer, part_no, category, received, ident = key(complaint)
        if customer and part_no and category and received:
            groups[(customer, part_no, category)].append((received, ident, complaint))
    for group in groups.values():
        group.sort(key=lambda entry: (entry[0], entry[1]))
        for (first, _a, earlier), (then, _b, later) in zip(group, group[1:], strict=False):
            if (then - first).days <= window_days:
                yield earlier, later, (then - first).days


def complaint_repeats(all_facts: Iterable[RecordFacts], config: Config
                      ) -> list[tuple[RecordFacts, RecordFacts, int]]:
    """``repeats`` of the complaints among ``all_facts`` (in the order of their paths)."""
    complaints = sorted((f for f in all_facts if f.kind == "complaint"), key=lambda f: f.path)
    return list(repeats(complaints,
                        lambda f: (f.customer, f.part_no, f.category, f.received, f.id),
                        config.repeat_window_days))


def _repeats(repeated: list[tuple[RecordFacts, RecordFacts, int]]) -> Iterator[Finding]:
    for earlier, later, days in repeated:
        yield warning("repeat", "/product/part_no",
                      later.received_location or later.id_location,
                      _("repeat complaint: {earlier} has the same customer, part {part} and "
                        "category {category}, {days} days earlier (IATF 16949 10.2.3: check "
                        "the earlier actions)").format(earlier=earlier.id, part=later.part_no,
                                                      category=later.category, days=days))
