"""``qmsdoc import``: every row of a legacy log made into a record, checked exactly as
``validate`` checks a record file, and written (with ``--write``) all or nothing.

Rows whose log number (``legacy_no``) a record of the kind already carries were imported
before and are skipped, so the same log can be imported again without duplicates.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from .. import atomic
from ..checks import crossref
from ..checks.pipeline import Checker
from ..config import Config
from ..errors import QmsdocError, UsageError
from ..findings import Finding, Severity
from ..i18n import _
from ..kinds import Kind
from ..records.files import RECORDS_DIR, Record, folder_kind
from ..records.yamlload import dump, parse
from ..scaffold.new import known_ids, modeline, next_ids
from ..schema import SchemaStore, pointer
from . import mapping as mappings
from . import sheet as sheets
from .lists import group, origin
from .mapping import LEGACY_NO, Mapping, identity
from .rows import Planned, Problem, Translator, build, ordered

TOTALS = frozenset({"合计", "小计", "总计", "合 计", "Total", "TOTAL"})
IMPORT_CODES = frozenset({"mapping", "value"})  # the import's own findings about a cell


@dataclass
class Plan:
    sheet: sheets.Sheet
    mapping: Mapping
    rows: list[Planned]
    written: list[Planned] = field(default_factory=list)

    @property
    def new(self) -> list[Planned]:
        return [r for r in self.rows if r.valid]

    @property
    def invalid(self) -> list[Planned]:
        return [r for r in self.rows if r.problems]

    @property
    def already(self) -> list[Planned]:
        return [r for r in self.rows if r.imported_as]


def plan(repo: Path, config: Config, store: SchemaStore, kind: Kind, log: Path,
         sheet_name: str | None, mapping: Mapping, now: datetime | None = None) -> Plan:
    """What importing ``log`` would do; nothing is written."""
    from ..deadlines.rules import load as load_deadlines

    sheet = sheets.read(log, sheet_name or mapping.sheet)
    header_rows = list(mapping.header_rows) or sheets.guess_header_rows(sheet)
    headings = {c: sheet.heading(c, header_rows) for c in range(1, sheet.max_column + 1)}
    columns = mappings.resolve_columns(mapping, headings)
    translate = Translator(mapping, config, load_deadlines(config).tz)
    schema = store.for_kind(kind.name)
    existing, lists = _existing(repo, config, kind)
    now = now or datetime.now().astimezone()
    planned: list[Planned] = []
    first_seen: dict[str, int] = {}
    mapped = sorted({c for c, _ in columns})
    for number in range(max(header_rows) + 1, sheet.max_row + 1):
        if sheet.is_blank(number, mapped):
            continue
        row = build(sheet, number, columns, mapping, translate)
        if row.log_number(identity(kind)) in TOTALS:  # the sum row under the cases
            continue
        item = Planned(number, row.log_number(identity(kind)), list(row.problems), cells=row.cells,
                       data=row.data)
        planned.append(item)
        _identify(item, kind, existing, lists, first_seen)
    candidates = [p for p in planned if p.imported_as is None]
    heads = candidates if kind.yearly else group(candidates)
    _assign(repo, config, kind, schema, sheet, heads, now)
    _check(repo, config, store, heads)
    valid = _whole(heads)
    if len(valid) < len(heads) and kind.yearly:  # rows left out give up their ids: no gaps
        for item in heads:
            item.record_id = item.path = None
            item.warnings = []
        _assign(repo, config, kind, schema, sheet, valid, now)
        _check(repo, config, store, valid)
    return Plan(sheet, mapping, planned)


def _identify(item: Planned, kind: Kind, existing: dict[str, str], lists: dict[str, str],
              first_seen: dict[str, int]) -> None:
    """Is the row's number there, imported before, or given twice in the log?"""
    where = pointer(identity(kind))
    column = item.cells.get(where)
    customer = item.data.get("customer")
    item.key = f"{customer}/{item.legacy_no}" if not kind.yearly else str(item.legacy_no)
    if item.legacy_no is None:
        item.problems.append(Problem(column, "legacy-no", where,
                                     _("no number in the log's number column: the row could "
                                       "not be recognised when the log is imported again")))
    elif item.key in existing:
        item.imported_as, item.problems = existing[item.key], []
    elif item.key in first_seen:
        item.problems.append(Problem(column, "legacy-no", where,
                                     _("number {legacy_no} is also on row {first_seen}").format(
                                         legacy_no=item.legacy_no,
                                         first_seen=first_seen[item.key])))
    else:
        first_seen[item.key] = item.row
        if isinstance(customer, str) and customer in lists:
            item.problems.append(Problem(
                column, "exists", where, _("{lists} exists without {legacy_no}: add the "
                                           "requirement there (import creates lists; it does "
                                           "not change them)").format(
                                             lists=lists[customer], legacy_no=item.legacy_no)))


def _whole(heads: list[Planned]) -> list[Planned]:
    """The records none of whose rows has an error; the other rows of a record made of
    several rows are told why theirs is not written either."""
    valid = []
    for head in heads:
        rows = head.members or [head]
        bad = [r.row for r in rows if r.problems]
        if not bad:
            valid.append(head)
            continue
        for member in rows:
            if not member.problems:
                member.problems.append(Problem(
                    None, "list", "/", _("{id} is not written: row {rows} of the same list has "
                                         "errors").format(id=head.record_id,
                                                          rows=", ".join(map(str, bad)))))
    return valid


def _assign(repo: Path, config: Config, kind: Kind, schema: dict[str, Any],
            sheet: sheets.Sheet, items: list[Planned], now: datetime) -> None:
    """Give each row the next free id (as `qmsdoc new` allocates them, in the year the case
    was received, in the log's order) and its text."""
    ids = _allocate(repo, config, kind, items, now)
    for item, (record_id, folder) in zip(items, ids, strict=True):
        item.record_id = record_id
        item.path = f"{RECORDS_DIR}/{kind.folder}/{folder}{record_id}.yaml"
        data = ordered({"kind": kind.name, "id": record_id, **item.data}, schema, schema)
        rows = ", ".join(str(m.row) for m in item.members or [item])
        item.text = (modeline(repo, repo / Path(item.path).parent, kind)
                     + f"# imported from {sheet.file}, sheet {sheet.name}, "
                     + f"row{'s' if ',' in rows else ''} {rows}\n" + dump(data))


def _existing(repo: Path, config: Config, kind: Kind) -> tuple[dict[str, str], dict[str, str]]:
    """(log number → id of every record of ``kind`` that carries one; for special-requirements
    customer/item number → list id, and customer → list id)."""
    from ..records import cache
    from ..records.values import items

    found: dict[str, str] = {}
    lists: dict[str, str] = {}
    if not (repo / RECORDS_DIR).is_dir():
        raise UsageError(_("no {records_dir}/ folder in {repo}: is --repo (or the working "
                           "directory) right? `qmsdoc init` creates a records repository").format(
                             records_dir=RECORDS_DIR, repo=repo))
    for path, data in cache.load(repo, config.limits).records:
        if folder_kind(path) != kind.name or not isinstance(data, dict):
            continue
        rid, customer = data.get("id"), data.get("customer")
        if not isinstance(rid, str):
            continue
        if kind.yearly and isinstance(data.get(LEGACY_NO), str):
            found.setdefault(data[LEGACY_NO], rid)
        elif not kind.yearly and isinstance(customer, str):
            lists.setdefault(customer, rid)
            for _i, entry in items(data, "items"):
                if isinstance(entry, dict) and isinstance(entry.get("item_id"), str):
                    found.setdefault(f"{customer}/{entry['item_id']}", rid)
    return found, lists


def _allocate(repo: Path, config: Config, kind: Kind, items: list[Planned], now: datetime
              ) -> list[tuple[str, str]]:
    """(id, the folder below the kind's folder) of each item: CSR-<CUSTOMER>, or the next
    free ids of the year the case was received."""
    prefix = config.prefix(kind.name)
    if not kind.yearly:
        return [(f"{prefix}-{item.data.get('customer') or 'CUSTOMER'}", "") for item in items]
    years = []
    for item in items:
        received = item.data.get("received_at")
        years.append(int(received[:4]) if isinstance(received, str) and received[:4].isdigit()
                     else now.year)
    _, taken = known_ids(repo, kind)  # free across the team: every id git knows, after a fetch
    free = {year: iter(next_ids(repo, kind, prefix, year, years.count(year), taken))
            for year in set(years)}
    return [(next(free[year]), f"{year}/") for year in years]


def _check(repo: Path, config: Config, store: SchemaStore, planned: list[Planned]) -> None:
    """The validation pipeline on every new record, with the repository's records as the
    other side of the rules between records."""
    from ..records.files import discover, read

    checker = Checker(repo, config, store)
    candidates = [p for p in planned if p.path is not None]
    by_path = {p.path: p for p in candidates}
    facts: list[crossref.RecordFacts] = []
    findings: list[Finding] = []
    for item in candidates:
        assert item.path is not None
        record = Record(item.path, folder_kind(item.path), parse(item.text.encode("utf-8")))
        checked = checker.check_record(record)
        findings.extend(checked.findings)
        if checked.facts is not None:
            facts.append(checked.facts)
    for path in discover(repo):
        other = read(repo, path, config.limits)
        found = crossref.facts(other) if isinstance(other, Record) else None
        if found is not None and found.path not in by_path:
            facts.append(found)
    findings.extend(crossref.check(facts, config, frozenset(p for p in by_path if p)))
    for finding in sorted(findings, key=Finding.sort_key):
        item, local = origin(by_path[finding.location.path], finding.field)
        column = _column_of(item.cells, local)
        problem = Problem(column, finding.code, local, finding.message)
        if finding.severity is Severity.ERROR:
            if not _said(item.problems, problem):
                item.problems.append(problem)
        else:
            item.warnings.append(problem)


def _said(problems: list[Problem], new: Problem) -> bool:
    """A cell the import could not read leaves its field empty, which the schema reports
    too: the cell's problem says it once."""
    return any(p.field == new.field and p.code in IMPORT_CODES for p in problems)


def _column_of(cells: dict[str, int], where: str) -> int | None:
    if where in cells:
        return cells[where]
    inside = [p for p in cells if where.startswith(p + "/")]
    return cells[max(inside, key=len)] if inside else None


def write(repo: Path, result: Plan) -> list[Planned]:
    """Write every valid new record, or none: a record that cannot be written (its id taken
    meanwhile, a full disk) removes the ones this run wrote and raises."""
    done: list[Path] = []
    made = {folder for item in result.new if item.path
            for folder in (repo / item.path).parents
            if not folder.exists() and repo / RECORDS_DIR in folder.parents}
    try:
        for item in result.new:
            assert item.path is not None
            target = repo / item.path
            if not atomic.create(target, item.text.encode("utf-8")):
                raise QmsdocError(_("{path} was created meanwhile (by `qmsdoc new`?); nothing "
                                    "was written: run the import again").format(path=item.path))
            done.append(target)
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        for folder in sorted(made, key=lambda f: len(f.parts), reverse=True):
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()  # a year folder this run made, left empty
        raise
    result.written = list(result.new)
    return result.written
