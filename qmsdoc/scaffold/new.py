"""``qmsdoc new``: allocate the next free id and write a skeleton record, never overwriting."""

from __future__ import annotations

import os
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any

from .. import atomic
from ..config import Config
from ..errors import InitRefused, QmsdocError, UsageError
from ..i18n import _
from ..kinds import BY_NAME, Kind
from ..records.files import RECORDS_DIR
from ..records.yamlload import LoadError, dump, parse
from ..schema import SchemaStore
from .newfields import deref, field_schema, known_customer, place, typed

_SKELETON_DEFAULTS: dict[str, dict[str, Any]] = {
    "complaint": {"status": "registered", "category": "quality", "severity": "general"},
    "contract-review": {"status": "received", "contract_type": "regular",
                        "carrier": "written_contract", "items": [], "reviews": []},
    "special-requirements": {"sources": [], "items": []},
    "8d": {"status": "open", "complaints": [], "format": "vda"},
}


@dataclass(frozen=True)
class Created:
    """A new record, and a note when the other clones could not be asked."""

    path: Path
    note: str = ""


def next_id(repo: Path, kind: Kind, prefix: str, year: int,
            taken: Collection[str] = ()) -> str:
    """The next free id of ``kind`` in ``year``; ``taken`` are ids already given out and
    known to git in any branch or commit (``new`` and ``renumber``: a deleted id is never
    handed out again)."""
    return next_ids(repo, kind, prefix, year, 1, taken)[0]


def next_ids(repo: Path, kind: Kind, prefix: str, year: int, count: int,
             taken: Collection[str] = ()) -> list[str]:
    """The next ``count`` free ids of ``kind`` in ``year``, in order (``import`` allocates a
    run of them before writing any; the folder is read once), above every id in the work
    tree and in ``taken``."""
    pattern = re.compile(rf"^{re.escape(prefix)}-{year}-([0-9]{{4,}})$")
    highest = 0
    base = repo / RECORDS_DIR / kind.folder
    stems = [path.stem for path in base.rglob("*.y*ml")] if base.is_dir() else []
    for stem in [*stems, *taken]:
        match = pattern.match(stem)
        if match:
            highest = max(highest, int(match[1]))
    return [f"{prefix}-{year}-{highest + n:04d}" for n in range(1, count + 1)]


def parse_sets(sets: Sequence[str]) -> list[tuple[list[str], Any, str]]:
    """``FIELD=VALUE`` pairs; FIELD may be dotted (``product.part_no``); VALUE is read as YAML
    scalar (numbers and true/false typed, dates and codes kept as text), and kept as given."""
    result = []
    for item in sets:
        field, sep, raw = item.partition("=")
        if not sep or not field or not re.fullmatch(r"[a-z0-9_]+(\.[a-z0-9_]+)*", field):
            raise UsageError(_("--set {item!r}: expected FIELD=VALUE, e.g. "
                               "product.part_no=0012345").format(item=item))
        if field in ("kind", "id"):
            raise UsageError(_("--set {field}: the kind is the command's argument and the id "
                               "is the next free one; they cannot be set").format(field=field))
        try:
            value = parse(f"v: {raw}".encode()).data["v"] if raw.strip() else ""
        except LoadError:
            value = raw
        if isinstance(value, dict | list):
            value = raw
        result.append((field.split("."), value, raw))
    return result


def skeleton(kind: Kind, rid: str, customer: str | None, store: SchemaStore,
             now: datetime) -> dict[str, Any]:
    """The fields the tool can fill: kind, id, customer, defaults and dates of the required
    ones. The others are left out (``validate`` names each as a required field), never
    written empty: an empty value would be an error of the tool's own making."""
    schema = store.for_kind(kind.name)
    data: dict[str, Any] = {"kind": kind.name, "id": rid}
    defaults = dict(_SKELETON_DEFAULTS.get(kind.name, {}))
    stamp = now.replace(microsecond=0, second=0).isoformat()
    for name in schema.get("required", []):
        node = deref(schema, schema.get("properties", {}).get(name, {}))
        if name in data:
            continue
        if name == "customer":
            if customer:
                data[name] = customer
        elif name in defaults:
            value = defaults.pop(name)
            if value != [] or not node.get("minItems"):  # an empty list that must not be
                data[name] = value
        elif node.get("format") == "date-time":
            data[name] = stamp
        elif node.get("format") == "date":
            data[name] = now.date().isoformat()
    if customer and "customer" not in data:
        data["customer"] = customer
    return data


def to_fill_in(data: dict[str, Any], store: SchemaStore, kind: Kind) -> list[str]:
    """The required fields the skeleton leaves to the user."""
    schema = store.for_kind(kind.name)
    return [name for name in schema.get("required", []) if name not in data]


def create_shared(repo: Path, config: Config, store: SchemaStore, kind_name: str,
                  customer: str | None = None, sets: Sequence[str] = (),
                  now: datetime | None = None) -> Created:
    """``create`` in a repository shared by a team: fetch first (short timeout), then take
    an id free in the work tree, in every local and remote-tracking branch and in history."""
    if kind_name not in BY_NAME:
        raise UsageError(_("unknown kind '{kind_name}' (known: {values})").format(
                             kind_name=kind_name, values=', '.join(BY_NAME)))
    note, taken = known_ids(repo, BY_NAME[kind_name])
    return Created(create(repo, config, store, kind_name, customer, sets, now, taken), note)


def known_ids(repo: Path, kind: Kind, fetch: bool = True) -> tuple[str, set[str]]:
    """Every id of ``kind`` git knows in any branch or commit (after fetching the remotes),
    and a note when the fetch failed."""
    from ..git import log as gitlog
    from ..git import team

    info = gitlog.probe(repo)
    if not info.git:
        return "", set()
    note = team.fetch(info) if fetch else ""
    return note, team.ids_ever(info, kind.folder)


def create(repo: Path, config: Config, store: SchemaStore, kind_name: str,
           customer: str | None = None, sets: Sequence[str] = (),
           now: datetime | None = None, taken: Collection[str] = ()) -> Path:
    """Write a new record with the next free id; returns its path."""
    if kind_name not in BY_NAME:
        raise UsageError(_("unknown kind '{kind_name}' (known: {values})").format(
                             kind_name=kind_name, values=', '.join(BY_NAME)))
    kind = BY_NAME[kind_name]
    now = now or datetime.now(_zone(config))
    schema = store.for_kind(kind.name)
    parsed_sets = [(path, typed(field_schema(schema, path, kind.name), raw, value,
                                ".".join(path)))
                   for path, value, raw in parse_sets(sets)]
    if customer:
        known_customer(customer, config.customers)
    prefix = config.prefix(kind.name)
    if not kind.yearly:
        if not customer:
            raise UsageError(_("{name} records are one per customer: give --customer CODE").format(
                                 name=kind.name))
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9_-]*", customer):
            raise UsageError(_("--customer {customer!r}: use the customer code in capitals, "
                               "e.g. HXAUTO").format(customer=customer))
    for _attempt in range(1000):
        if kind.yearly:
            rid = next_id(repo, kind, prefix, now.year, taken)
            folder = repo / RECORDS_DIR / kind.folder / str(now.year)
        else:
            rid = f"{prefix}-{customer}"
            folder = repo / RECORDS_DIR / kind.folder
        data = skeleton(kind, rid, customer, store, now)
        for path, value in parsed_sets:
            place(data, schema, path, value)
        target = folder / f"{rid}.yaml"
        missing = to_fill_in(data, store, kind)
        note = f"# required, still to fill in: {', '.join(missing)}\n" if missing else ""
        text = _modeline(repo, folder, kind) + dump(data) + note
        if atomic.create(target, text.encode("utf-8")):  # two `new` never share an id
            return target
        if not kind.yearly:
            raise InitRefused(_("{as_posix} already exists; edit it instead").format(
                                  as_posix=target.relative_to(repo).as_posix()))
    raise QmsdocError(_("could not allocate a free id"))  # pragma: no cover


def _zone(config: Config) -> tzinfo:
    """The configured time zone (deadlines.timezone), in which ``new`` stamps its times."""
    from ..deadlines.clocktime import zone

    deadlines = config.data.get("deadlines")
    offset = deadlines.get("timezone") if isinstance(deadlines, dict) else None
    return zone(offset) if isinstance(offset, str) else datetime.now().astimezone().tzinfo \
        or UTC


def _modeline(repo: Path, folder: Path, kind: Kind) -> str:
    """The editor's schema: the one ``qmsdoc init`` wrote for the editor when there is one."""
    from .repo import SCHEMAS_DIR

    target = repo / SCHEMAS_DIR / kind.schema_file
    if not target.is_file():
        target = repo / "schemas" / kind.schema_file
    schema = os.path.relpath(target, folder)
    return f"# yaml-language-server: $schema={Path(schema).as_posix()}\n"


def modeline(repo: Path, folder: Path, kind: Kind) -> str:
    """The schema modeline a record written into ``folder`` starts with (as `new` writes it)."""
    return _modeline(repo, folder, kind)
