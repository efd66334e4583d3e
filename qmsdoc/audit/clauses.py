"""Which record kinds (and fields) serve which clause: the shipped IATF 16949 mapping
(``builtin/audit/clauses.yaml``) with the company's additions from ``audit:`` in
qmsdoc.yaml, and the date field that puts a record of a kind in a period."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..config import Config
from ..errors import UsageError
from ..i18n import _
from ..kinds import NAMES
from ..records.yamlload import parse
from ..resources import builtin


@dataclass(frozen=True)
class Clause:
    number: str
    title: str
    title_en: str
    kinds: tuple[str, ...]
    fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapping:
    clauses: dict[str, Clause]
    dates: dict[str, str]  # kind → the field that dates a record of it


def _shipped() -> dict[str, Any]:
    data = parse(builtin("audit", "clauses.yaml").read_bytes()).data
    return data if isinstance(data, dict) else {}


def mapping(config: Config) -> Mapping:
    """The shipped mapping, each clause of ``audit.clauses`` added or replacing the shipped
    one's kinds, title and fields (the keys it gives), and ``audit.dates`` over the dates."""
    shipped = _shipped()
    audit = config.data.get("audit") or {}
    own = audit.get("clauses") or {} if isinstance(audit, dict) else {}
    clauses: dict[str, Clause] = {}
    for number in sorted({*shipped.get("clauses", {}), *own}, key=_clause_order):
        item = {**(shipped.get("clauses", {}).get(number) or {}), **(own.get(number) or {})}
        clauses[number] = Clause(str(number), str(item.get("title", number)),
                                 str(item.get("title_en", "")),
                                 tuple(str(k) for k in item.get("kinds", [])),
                                 tuple(str(f) for f in item.get("fields", [])))
    dates = {**shipped.get("dates", {}), **(audit.get("dates") or {} if isinstance(audit, dict)
                                              else {})}
    return Mapping(clauses, {str(k): str(v) for k, v in dates.items()})


def _clause_order(number: object) -> tuple[int | str, ...]:
    return tuple(int(p) if p.isdigit() else p for p in str(number).split("."))


def choose(found: Mapping, clauses: Sequence[str],
           kinds: Sequence[str]) -> tuple[list[Clause], list[str]]:
    """The clauses in scope and the record kinds to pack: those of the named clauses (all
    clauses when none is named), narrowed to ``kinds`` when given."""
    unknown = [c for c in clauses if c not in found.clauses]
    if unknown:
        raise UsageError(_("--clause {unknown}: not a clause of the mapping (known: {values}; "
                           "add one under audit: clauses: in qmsdoc.yaml)").format(
                             unknown=unknown[0], values=', '.join(found.clauses)))
    bad = [k for k in kinds if k not in NAMES]
    if bad:
        raise UsageError(_("--kind {bad}: not a record kind ({values})").format(
                             bad=bad[0], values=', '.join(NAMES)))
    chosen = [found.clauses[c] for c in clauses] if clauses else list(found.clauses.values())
    if kinds:
        chosen = [c for c in chosen if set(c.kinds) & set(kinds)]
        if not chosen:
            raise UsageError(_("no clause of {values} covers the kind(s) {values2}").format(
                                 values=', '.join(clauses), values2=', '.join(kinds)))
    wanted = [k for k in NAMES if any(k in c.kinds for c in chosen)]
    if kinds:
        wanted = [k for k in wanted if k in kinds]
    return chosen, wanted
