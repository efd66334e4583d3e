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
from ..kinds import Kind
from ..records.files import RECORDS_DIR, Record, folder_kind
from ..records.yamlload import dump, parse
from ..scaffold.new import modeline, next_id
from ..schema import SchemaStore
from . import mapping as mappings
from . import sheet as sheets
from .mapping import LEGACY_NO, Mapping
from .rows import Problem, Translator, build, ordered

TOTALS = frozenset({"合计", "小计", "总计", "合 计", "Total", "TOTAL"})


@dataclass
class Planned:
    """One row of the log and what the import makes of it."""

    row: int
    legacy_no: str | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    record_id: str | None = None
    path: str | None = None  # repository-relative, where the record will be written
    text: str = ""
    imported_as: str | None = None  # the record that already carries this log number
    cells: dict[str, int] = field(default_factory=dict)  # field pointer → column
    data: dict[str, Any] = field(default_factory=dict)  # the record without kind and id

    @property
    def valid(self) -> bool:
        return self.imported_as is None and not self.problems and self.path is not None


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
    existing = _existing(repo, config, kind)
    now = now or datetime.now().astimezone()
    planned: list[Planned] = []
    first_seen: dict[str, int] = {}
    mapped = sorted({c for c, _ in columns})
    for number in range(max(header_rows) + 1, sheet.max_row + 1):
        if sheet.is_blank(number, mapped):
            continue
        row = build(sheet, number, columns, mapping, translate)
        if row.legacy_no() in TOTALS:  # the sum row under the cases
            continue
        item = Planned(number, row.legacy_no(), list(row.problems), cells=row.cells)
        planned.append(item)
        legacy_column = row.cells.get("/" + LEGACY_NO)
        if item.legacy_no is None:
            item.problems.append(Problem(legacy_column, "legacy-no", "/" + LEGACY_NO,
                                         "no number in the log's number column: the row could "
                                         "not be recognised when the log is imported again"))
        elif item.legacy_no in existing:
            item.imported_as, item.problems = existing[item.legacy_no], []
            continue
        elif item.legacy_no in first_seen:
            item.problems.append(Problem(legacy_column, "legacy-no", "/" + LEGACY_NO,
                                         f"number {item.legacy_no} is also on row "
                                         f"{first_seen[item.legacy_no]}"))
        else:
            first_seen[item.legacy_no] = number
        item.data = row.data
    candidates = [p for p in planned if p.imported_as is None]
    _assign(repo, config, kind, schema, sheet, candidates, now)
    _check(repo, config, store, candidates)
    valid = [p for p in candidates if not p.problems]
    if len(valid) < len(candidates):  # the rows left out give up their ids: no gaps
        for item in candidates:
            item.record_id = item.path = None
            item.warnings = []
        _assign(repo, config, kind, schema, sheet, valid, now)
        _check(repo, config, store, valid)
    return Plan(sheet, mapping, planned)


def _assign(repo: Path, config: Config, kind: Kind, schema: dict[str, Any],
            sheet: sheets.Sheet, items: list[Planned], now: datetime) -> None:
    """Give each row the next free id (the one `qmsdoc new` would give) and its text."""
    taken: list[str] = []
    for item in items:
        record_id, folder = _allocate(repo, config, kind, item.data, now, taken)
        taken.append(record_id)
        item.record_id = record_id
        item.path = f"{RECORDS_DIR}/{kind.folder}/{folder}{record_id}.yaml"
        data = ordered({"kind": kind.name, "id": record_id, **item.data}, schema, schema)
        item.text = (modeline(repo, repo / Path(item.path).parent, kind)
                     + f"# imported from {sheet.file}, sheet {sheet.name}, row {item.row}\n"
                     + dump(data))


def _existing(repo: Path, config: Config, kind: Kind) -> dict[str, str]:
    """log number → id of every record of ``kind`` that carries one."""
    from ..records import cache

    found: dict[str, str] = {}
    if not (repo / RECORDS_DIR).is_dir():
        raise UsageError(f"no {RECORDS_DIR}/ folder in {repo}: is --repo (or the working "
                         "directory) right? `qmsdoc init` creates a records repository")
    for path, data in cache.load(repo, config.limits).records:
        if folder_kind(path) == kind.name and isinstance(data, dict):
            number, rid = data.get(LEGACY_NO), data.get("id")
            if isinstance(number, str) and isinstance(rid, str):
                found.setdefault(number, rid)
    return found


def _allocate(repo: Path, config: Config, kind: Kind, data: dict[str, Any], now: datetime,
              taken: list[str]) -> tuple[str, str]:
    """(id, the folder below the kind's folder): the year of the record's receipt."""
    prefix = config.prefix(kind.name)
    if not kind.yearly:
        customer = str(data.get("customer", "")) or "CUSTOMER"
        return f"{prefix}-{customer}", ""
    received = data.get("received_at")
    year = int(received[:4]) if isinstance(received, str) and received[:4].isdigit() \
        else now.year
    return next_id(repo, kind, prefix, year, taken), f"{year}/"


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
        item = by_path[finding.location.path]
        column = _column_of(item.cells, finding.field)
        problem = Problem(column, finding.code, finding.field, finding.message)
        if finding.severity is Severity.ERROR:
            if not _said(item.problems, problem):
                item.problems.append(problem)
        else:
            item.warnings.append(problem)


def _said(problems: list[Problem], new: Problem) -> bool:
    """A value the import already refused is also missing for the schema: say it once."""
    return any(p.field == new.field for p in problems)


def _column_of(cells: dict[str, int], where: str) -> int | None:
    if where in cells:
        return cells[where]
    inside = [p for p in cells if where.startswith(p + "/")]
    return cells[max(inside, key=len)] if inside else None


def write(repo: Path, result: Plan) -> list[Planned]:
    """Write every valid new record, or none: a record that cannot be written (its id taken
    meanwhile, a full disk) removes the ones this run wrote and raises."""
    done: list[Path] = []
    try:
        for item in result.new:
            assert item.path is not None
            target = repo / item.path
            if not atomic.create(target, item.text.encode("utf-8")):
                raise QmsdocError(f"{item.path} was created meanwhile (by `qmsdoc new`?); "
                                  "nothing was written: run the import again")
            done.append(target)
    except BaseException:
        for path in done:
            path.unlink(missing_ok=True)
        raise
    result.written = list(result.new)
    return result.written
