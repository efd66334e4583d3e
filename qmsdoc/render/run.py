"""``qmsdoc render`` as one call: choose the records (named, all, changed since a revision,
or as they were at a revision), check them through the validation pipeline, render the
valid ones, then the PDF copies. The forms are written as the caller iterates."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from ..config import Config
from ..doclang import Lang
from ..errors import TemplateProblem, UsageError
from ..findings import Finding
from ..history.revision import RecordState
from ..i18n import _
from ..records.files import Record
from ..schema import SchemaStore
from .media import Reader
from .templates import Fetch

Progress = Callable[[int], None]


@dataclass(frozen=True)
class RenderRequest:
    targets: tuple[str, ...]  # ids or paths
    out_dir: Path
    all_records: bool = False
    changed_since: str | None = None
    at: str | None = None  # a released revision letter or a git revision
    pdf: bool = False
    jobs: int = 1
    released: bool = False  # each named record's revision in force (its latest release)
    lang: Lang | None = None  # the forms' language (None: each record's customer's, config's)


@dataclass(frozen=True)
class Written:
    """One file written (``path``), or a record that could not be rendered (``error``)."""

    record_path: str
    path: Path | None
    error: str | None = None


@dataclass
class RenderRun:
    findings: list[Finding]  # the errors of the records that are not rendered
    invalid: set[str]
    records: list[Record]
    nothing_changed: bool = False
    failed: int = 0  # records whose form could not be written (counted while iterating)
    bugs: int = 0  # of those, the ones lost to a bug in qmsdoc (exit 3; the others written)
    problem: TemplateProblem | None = None  # a template that cannot be used: nothing written
    files: Iterator[Written] = field(default_factory=lambda: iter(()))

    @property
    def skipped(self) -> int:
        return len(self.invalid) + self.failed

    @property
    def exit_code(self) -> int:
        if self.problem is not None:
            return self.problem.exit_code
        return 3 if self.bugs else 1 if self.skipped else 0


def render(repo: Path, config: Config, store: SchemaStore, request: RenderRequest,
           progress_factory: Callable[[int], Progress | None] | None = None) -> RenderRun:
    """The records the request names, checked; ``files`` renders them when iterated."""
    from . import pdf as lo

    if not request.targets and not request.all_records and request.changed_since is None:
        raise UsageError(_("name the records to render (ids or paths), or use --all or "
                           "--changed-since REF"))
    if request.at is not None and request.released:
        raise UsageError(_("--at and --released both choose the revision; give one of them"))
    if (request.at is not None or request.released) and (request.all_records
                                                         or not request.targets):
        option = "--at" if request.at is not None else "--released"
        raise UsageError(_("{option} renders named records (ids or paths), not --all").format(
                             option=option))
    if request.pdf:
        lo.check_ready()
    from ..atomic import check_folder

    check_folder(request.out_dir)  # before the records are read: nothing is written
    together = _together(repo, config, store, request, progress_factory)
    if together is not None:
        return together
    run, batches = _chosen(repo, config, store, request)
    progress = progress_factory(len(run.records)) if progress_factory else None
    run.files = _write(request, run, _outcomes(repo, store, request, batches, progress))
    return run


def _together(repo: Path, config: Config, store: SchemaStore, request: RenderRequest,
              progress_factory: Callable[[int], Progress | None] | None) -> RenderRun | None:
    """Many named records checked and rendered in one pass of the workers (see together);
    None when that does not apply."""
    from .select import targets as resolve
    from .together import check_and_render, written

    if request.at is not None or request.released or request.changed_since is not None:
        return None
    paths: list[Path] | Callable[[], list[Path]]
    if request.all_records:  # every record file, in the order checking them all has
        from ..records.files import discover

        paths = partial(discover, repo)  # looked for once the cheap conditions hold
    else:
        paths = resolve(repo, request.targets)
    outcome = check_and_render(repo, config, store, paths, request.out_dir, request.jobs,
                               request.lang, progress_factory)
    if outcome is None:
        return None
    errors = [f for f in outcome.findings if f.is_error]
    run = RenderRun(errors, {f.location.path for f in errors}, [])

    def outcomes() -> Iterator[tuple[str, Path | None, str | None]]:
        for done in written(outcome):
            if done.problem is not None:
                raise done.problem
            yield done.record_path, Path(done.path) if done.path else None, done.error

    run.files = _write(request, run, outcomes())
    return run


@dataclass(frozen=True)
class Batch:
    """Records rendered together, with the configuration and templates of one time."""

    records: list[Record]
    states: dict[str, RecordState]
    reader: Reader | None
    config: Config
    fetch: Fetch | None = None  # the repository's files at a past commit (None: work tree)
    repeats: Mapping[str, tuple[str, int]] | None = None  # None: not checked


def _chosen(repo: Path, config: Config, store: SchemaStore, request: RenderRequest
            ) -> tuple[RenderRun, list[Batch]]:
    from ..checks.pipeline import validate_repo
    from . import states_for
    from .select import targets as resolve

    if request.at is not None or request.released:
        return _past(repo, config, store, request)
    if request.changed_since is not None:
        from ..checks.changes import changed_records

        paths = changed_records(repo, request.changed_since)
        if not paths:
            return RenderRun([], set(), [], nothing_changed=True), []
    else:
        paths = [] if request.all_records else resolve(repo, request.targets)
    report = validate_repo(repo, config, store, paths, keep_records=True)
    invalid = report.invalid_paths()
    records = [r for r in report.records if r.path not in invalid]
    findings = [f for f in report.findings if f.is_error]
    batch = Batch(records, states_for(repo, config, records), None, config,
                  repeats=report.repeats)
    return RenderRun(findings, invalid, records), [batch]


def _past(repo: Path, config: Config, store: SchemaStore,
          request: RenderRequest) -> tuple[RenderRun, list[Batch]]:
    """``--at REV`` (one commit for all the named records) or ``--released`` (each record
    at its latest release), with the configuration and templates of that commit."""
    from .at import load_pasts, released_letter, sources_at

    run = RenderRun([], set(), [])
    batches = []
    groups = [(t,) for t in request.targets] if request.released else [request.targets]
    for group in groups:
        rev = released_letter(repo, config, group[0]) if request.released else request.at
        assert rev is not None
        records, states, reader, findings = load_pasts(repo, config, store, group, rev)
        run.findings += findings
        run.invalid |= {f.location.path for f in findings}
        run.records += records
        commit = next((s.commit for s in states.values() if s.commit), None)
        if commit is not None:
            then, fetch = sources_at(repo, store, commit)
            batches.append(Batch(records, states, reader, then, fetch))
    return run, batches


def _outcomes(repo: Path, store: SchemaStore, request: RenderRequest, batches: list[Batch],
              progress: Progress | None) -> Iterator[tuple[str, Path | None, str | None]]:
    from . import render_records

    for b in batches:
        for outcome in render_records(
                repo, b.config, store, b.records, b.states, request.out_dir, reader=b.reader,
                fetch=b.fetch, repeats=b.repeats, progress=progress, jobs=request.jobs,
                lang=request.lang):
            yield outcome.record.path, outcome.path, outcome.error


def _write(request: RenderRequest, run: RenderRun,
           outcomes: Iterator[tuple[str, Path | None, str | None]]) -> Iterator[Written]:
    """Each form as written (record path, file, error), counted into ``run``; then the PDF
    copies. A template problem stops the run (``run.problem``)."""
    from . import INTERNAL
    from . import pdf as lo

    written: list[Path] = []
    try:
        for record_path, path, error in outcomes:
            if path is None:
                run.failed += 1
                run.bugs += error is not None and error.startswith(INTERNAL)
            else:
                written.append(path)
            yield Written(record_path, path, error)
    except TemplateProblem as exc:  # every problem found before any form was written
        run.problem = exc
        return
    if request.pdf and written:
        for path in lo.convert(written, request.out_dir):
            yield Written("", path)
