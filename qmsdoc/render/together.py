"""Named records checked and rendered in one pass of the worker processes.

With the facts cache warm, the rules between records are judged before any record is read
(``checks.pipeline.between_named``), so a worker can read a record, check it and, when it
is valid, render its form there and then: each record is read once, in one process, its
state is built where its content is, and only the findings and the file written come back.
The findings, the forms and the lines printed are those of checking every record first and
rendering the valid ones after (``render.run``); when the cache cannot say, or a template
of the records' kinds cannot be used, the caller does exactly that.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import atomic, collector, parallel
from ..config import Config
from ..doclang import Lang
from ..errors import QmsdocError, TemplateProblem
from ..findings import Finding
from ..history.revision import RecordState, uncontrolled
from ..history.states import StateBook, state_book
from ..kinds import NAMES
from ..records.files import Record
from ..schema import SchemaStore

if TYPE_CHECKING:
    from ..checks.pipeline import Between
    from .forms import Forms

CHUNK = 25  # small: the two workers end close together
MIN_RECORDS = 200  # below this, one process checks and then renders (render.run)

Progress = Callable[[int], None]


@dataclass(frozen=True)
class Done:
    """One named record: its own findings, and its form written (``path``), not written
    (``error``), not rendered (invalid), or stopped by a template (``problem``)."""

    index: int
    record_path: str
    findings: tuple[Finding, ...]
    rendered: bool = False
    path: str | None = None
    error: str | None = None
    problem: TemplateProblem | None = None


@dataclass(frozen=True)
class Outcome:
    """What the run found: every finding (sorted), and each named record in order."""

    findings: list[Finding]
    done: list[Done]


class _Job:
    """What a forked worker inherits: the checker, the compiled forms, the states' history."""

    def __init__(self, repo: Path, config: Config, store: SchemaStore, forms: object,
                 book: StateBook, targets: list[Path], refused: frozenset[str],
                 out_dir: Path) -> None:
        from ..checks.pipeline import Checker

        self.checker = Checker(repo, config, store)
        self.forms = forms
        self.book = book
        self.targets = targets
        self.refused = refused
        self.out = atomic.Folder(out_dir)
        self.stopped = False

    def one(self, index: int) -> Done:
        checked, record = self.checker.check(self.targets[index], facts=False)  # judged
        for finding in checked.findings:
            finding.location.line  # noqa: B018 - looked up here, where the record is
        if record is None or checked.path in self.refused \
                or any(f.is_error for f in checked.findings):
            return Done(index, checked.path, checked.findings)
        if self.stopped:  # a template stopped the run: the rest is checked, not rendered
            return Done(index, checked.path, checked.findings, rendered=True)
        return self._render(index, record, checked.findings)

    def _render(self, index: int, record: Record, findings: tuple[Finding, ...]) -> Done:
        from . import write_form
        from .forms import Forms

        assert isinstance(self.forms, Forms)
        try:
            path, error = write_form(self.forms, record, self.state(record), self.out)
        except TemplateProblem as problem:
            self.stopped = True
            return Done(index, record.path, findings, rendered=True, problem=problem)
        return Done(index, record.path, findings, rendered=True, path=path, error=error)

    def state(self, record: Record) -> RecordState:
        """As ``states_for`` gives it for the record (by its id, its content at hand). The
        states were taken from git before the record was read: a content that is not HEAD's
        (saved in between) is a modified file, as a run after the edit says."""
        key = record.id or record.stem
        if record.id is None or key not in self.book.files:
            return uncontrolled(key)
        return self.book.state(key, {record.path: record.data}, record.blob)


_JOB: _Job | None = None


def _run(bounds: tuple[int, int]) -> list[Done]:
    assert _JOB is not None
    return [_JOB.one(i) for i in range(*bounds)]


def check_and_render(repo: Path, config: Config, store: SchemaStore,
                     paths: list[Path] | Callable[[], list[Path]],
                     out_dir: Path, jobs: int, lang: Lang | None,
                     progress_factory: Callable[[int], Progress | None] | None = None,
                     ) -> Outcome | None:
    """Check the named records and render the valid ones, in ``jobs`` forked workers; None
    when this way does not apply (few records, no fork, a cold facts cache, a template of
    their kinds that cannot be used): the caller then checks first and renders after.
    ``paths`` may be a function giving them: called once the conditions that cost nothing
    to test (``may_apply``) hold."""
    global _JOB
    if not may_apply(repo, jobs):
        return None
    with collector.paused():  # the preparation's many small values hold no cycles
        prepared = _prepare(repo, config, store, paths, out_dir, lang)
    if prepared is None:
        return None
    forms, book, between = prepared
    refused = frozenset(f.location.path for f in between.findings if f.is_error)
    targets = between.targets
    progress = progress_factory(len(targets)) if progress_factory else None
    ranges = [(start, min(start + CHUNK, len(targets)))
              for start in range(0, len(targets), CHUNK)]
    _JOB = _Job(repo, config, store, forms, book, targets, refused, out_dir)
    done: list[Done] = []
    gc.freeze()  # what the workers inherit is not walked again by their collector
    try:
        for chunk in parallel.run(_run, ranges, jobs, inherit=True):
            done.extend(chunk)
            if progress:
                progress(len(chunk))
    finally:
        gc.unfreeze()
        _JOB = None
    own = [f for d in done for f in d.findings]
    return Outcome(sorted([*own, *between.findings], key=Finding.sort_key), done)


def _prepare(repo: Path, config: Config, store: SchemaStore,
             paths: list[Path] | Callable[[], list[Path]], out_dir: Path, lang: Lang | None
             ) -> tuple[Forms, StateBook, Between] | None:
    """What the workers inherit: the compiled forms, the states' history and the rules
    between records judged; None when the one pass does not apply."""
    from ..checks.pipeline import between_named
    from ..records.files import expand, folder_kind, relative
    from .forms import Forms

    if callable(paths):
        paths = paths()
    if len(paths) < MIN_RECORDS:
        return None
    named = expand(repo, paths)
    rels = [relative(repo, p) for p in named]
    forms = Forms(repo, config, store)
    forms.lang = lang
    forms.fold = True
    # git's answers while the rules between records are judged and the templates compile.
    # A valid record's id is its file's name, so the names say whose states are needed.
    states = parallel.beside(state_book, repo, config, ids={p.stem for p in named})
    named_kinds = sorted({k for rel in rels if (k := folder_kind(rel)) in NAMES})
    backed = parallel.beside(forms.backing_of, [*rels, *forms.sources(named_kinds)])
    try:
        between = between_named(repo, config, store, named, expanded=True)
        if between is None:
            return None
        forms.repeats = between.repeats
        kinds = {folder_kind(rel) for rel in rels} | {f.kind for f in between.facts.values()
                                                     if f is not None}
        for kind in sorted(k for k in kinds if k in NAMES):
            forms.template(kind)  # every template is linted before the first form is written
        # git failing here (a record saved while git hashed it: "short read") is asked again
        # by the usual way, which says what is wrong if it still is
        forms.check_backing((), backed())
        book = states()
    except (QmsdocError, MemoryError):  # said, if it matters, where the valid records are
        # rendered; MemoryError: a thread ran short while a template compiled under the
        # address-space cap (bounded.py), which holds for every thread of the process
        return None
    finally:
        for pending in (states, backed):  # waited for (the usual way asks git again)
            with contextlib.suppress(QmsdocError, MemoryError):
                pending()
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError:  # said where the forms are written, after the findings, as always
        return None
    atomic.sweep(out_dir)  # what a killed run left behind
    return forms, book, between


def may_apply(repo: Path, jobs: int) -> bool:
    """The conditions of the one pass that cost nothing to test (workers, fork, a facts
    cache): tested before the records are looked for."""
    return jobs > 1 and parallel.can_inherit() and _cached(repo)


def _cached(repo: Path) -> bool:
    """Whether a facts cache may be there to judge the rules between records with."""
    from ..checks.factcache import NAME, location

    folder = location(repo)
    return folder is not None and any(folder.glob(f"{NAME}-*.marshal"))


def written(outcome: Outcome) -> Iterator[Done]:
    """The records rendered, in order, up to a template that stopped the run (included)."""
    for done in outcome.done:
        if done.rendered:
            yield done
            if done.problem is not None:
                return
