"""The validation pipeline: read every record, check its schema and rules, then the rules
between records; never stop at the first bad file.

Reading and schema checks dominate the cost; above a few hundred files they run in
worker processes, in chunks, and only each record's small RecordFacts come back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .. import parallel, runlimits
from ..config import Config
from ..findings import Finding, Location, error
from ..i18n import _
from ..kinds import NAMES
from ..records import attachments
from ..records.files import Record, read
from ..schema import SchemaStore
from . import crossref, yaml12
from . import record as checks

PARALLEL_MIN_FILES = 400
CHUNK = 200

Progress = Callable[[int], None]


@dataclass
class ValidationReport:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    # complaint id → (the earlier complaint it repeats, days between): the one repeat rule,
    # printed on the forms (重复发生)
    repeats: dict[str, tuple[str, int]] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.is_error)

    @property
    def warnings(self) -> int:
        return len(self.findings) - self.errors

    def invalid_paths(self) -> set[str]:
        return {f.location.path for f in self.findings if f.is_error}


@dataclass(frozen=True)
class Checked:
    path: str
    findings: tuple[Finding, ...]
    facts: crossref.RecordFacts | None


class Checker:
    """Checks one file at a time against the schemas and per-record rules."""

    def __init__(self, repo: Path, config: Config, store: SchemaStore) -> None:
        self.repo, self.config, self.store = repo, config, store
        self.max_attachment = runlimits.from_config(config.data).max_attachment_bytes
        # folders resolved once per run
        self.places = attachments.Places(repo, self.max_attachment)

    def check(self, path: Path) -> tuple[Checked, Record | None]:
        loaded = read(self.repo, path, self.config.limits)
        if not isinstance(loaded, Record):
            return Checked(loaded.location.path, (loaded,), None), None
        return self.check_record(loaded), loaded

    def check_record(self, loaded: Record) -> Checked:
        """The checks of one record already read (``import`` checks records not yet written
        exactly as ``validate`` checks files)."""
        found: list[Finding] = []
        kind = loaded.kind if loaded.kind in NAMES else loaded.folder_kind
        if kind is None:
            line, column = loaded.doc.position([])
            found.append(error("schema", "/kind", Location(loaded.path, line, column),
                               _("'kind' is a required field (one of: {kinds})")
                               .format(kinds=", ".join(NAMES))))
        else:
            found.extend(self.store.findings(kind, loaded.doc, loaded.path))
        found.extend(checks.run(loaded, self.config, self.store))
        found.extend(yaml12.findings(loaded.path, loaded.doc))
        found.extend(attachments.check(loaded, self.repo, self.max_attachment, self.places))
        return Checked(loaded.path, tuple(found), crossref.facts(loaded))


_worker: Checker | None = None


def _init_worker(repo: Path, config: Config, schema_dir: Path | None) -> None:
    global _worker
    _worker = Checker(repo, config, SchemaStore(schema_dir))


def _check_chunk(paths: Sequence[Path]) -> list[Checked]:
    assert _worker is not None
    return [_worker.check(p)[0] for p in paths]


def validate(
    repo: Path,
    config: Config,
    store: SchemaStore,
    paths: Sequence[Path],
    *,
    context: Sequence[Path] = (),
    keep_records: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> ValidationReport:
    """Check ``paths``; ``context`` files are read only for the rules between records."""
    report = ValidationReport()
    checked: list[Checked] = []
    all_paths = [*paths, *[p for p in context if p not in set(paths)]]
    jobs = jobs or parallel.jobs_default()
    if len(all_paths) >= PARALLEL_MIN_FILES and jobs > 1 and not keep_records:
        checked = _parallel(repo, config, store, all_paths, jobs, progress)
    else:
        checker = Checker(repo, config, store)
        for path in all_paths:
            result, record = checker.check(path)
            checked.append(result)
            if record is not None and keep_records:
                report.records.append(record)
            if progress:
                progress(1)
    targets = {c.path for c in checked[: len(paths)]}
    for result in checked[: len(paths)]:
        report.findings.extend(result.findings)
    all_facts = [c.facts for c in checked if c.facts is not None]
    report.findings.extend(crossref.check(all_facts, config, frozenset(targets)))
    report.repeats = {later.id: (earlier.id, days) for earlier, later, days in crossref.repeats(
        [f for f in all_facts if f.kind == "complaint"],
        lambda f: (f.customer, f.part_no, f.category, f.received, f.id),
        config.repeat_window_days)}
    report.findings.sort(key=Finding.sort_key)
    report.checked = len(paths)
    if keep_records:
        report.records = [r for r in report.records if r.path in targets]
    return report


def _parallel(repo: Path, config: Config, store: SchemaStore, paths: Sequence[Path],
              jobs: int, progress: Progress | None) -> list[Checked]:
    chunks = [paths[i:i + CHUNK] for i in range(0, len(paths), CHUNK)]
    results: list[Checked] = []
    for chunk_result in parallel.run(_check_chunk, chunks, jobs, setup=_init_worker,
                                     setup_args=(repo, config, store.override_dir)):
        results.extend(chunk_result)
        if progress:
            progress(len(chunk_result))
    return results


def validate_repo(
    repo: Path,
    config: Config,
    store: SchemaStore,
    paths: Sequence[Path] = (),
    *,
    changed_since: str | None = None,
    hook: bool = False,
    history: bool = False,
    keep_records: bool = False,
    jobs: int | None = None,
    progress_factory: Callable[[int], Progress | None] | None = None,
) -> ValidationReport:
    """Check the named files (all records when none are named, or those touched since a git
    revision); every record is read for the rules between records."""
    from ..deadlines import rulepaths
    from ..deadlines import rules as clockrules
    from ..records.files import discover, expand
    from .changes import changed_since as git_changed
    from .changes import select

    rulepaths.check(clockrules.load(config), store)  # a misspelt field in a deadline rule

    all_files = discover(repo)
    if hook:  # pre-commit's file selection, the staged changes, and what their rules touch
        from .changes import hook_selection

        selection = hook_selection(repo, all_files, paths)
        targets, context = selection.targets, selection.context
    elif changed_since is not None:
        changed, deleted = git_changed(repo, changed_since)
        if paths:
            wanted = {p.resolve() for p in expand(repo, paths)}
            changed = [p for p in changed if p.resolve() in wanted]
        selection = select(repo, all_files, changed, deleted)
        targets, context = selection.targets, selection.context
    elif paths:
        targets = expand(repo, paths)
        selection = select(repo, all_files, targets, set())
        chosen = set(targets)
        context = [p for p in [*selection.targets, *selection.context] if p not in chosen]
    else:
        targets, context = all_files, []
    progress = progress_factory(len(targets) + len(context)) if progress_factory else None
    report = validate(repo, config, store, targets, context=context, keep_records=keep_records,
                      jobs=jobs, progress=progress)
    if changed_since is not None:  # ids another branch gave to other records
        from .collisions import collisions

        report.findings.extend(collisions(repo, changed_since, changed))
        report.findings.sort(key=Finding.sort_key)
    if history:  # workflow states that went backwards in git without a stated reason
        from ..records.files import display_path
        from . import statehistory

        shown = {display_path(repo, p) for p in targets}
        report.findings.extend(statehistory.findings(repo, shown))
        report.findings.sort(key=Finding.sort_key)
    return report
