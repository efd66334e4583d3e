"""Controlled Word forms: records rendered through .docx templates (and PDF via LibreOffice).

``render_records`` is the entry point; the revision state of each record (版次, signatures,
revision table, controlled or not) comes in as a RecordState per record id, so the same
call renders the working tree or a record as it was at another revision.

May import the top-level modules, ``records``, ``git``, ``checks`` and ``history`` (the
revision state printed on a form); the template engine (Jinja2, docxtpl, python-docx,
lxml) is imported only here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .. import atomic
from ..config import Config
from ..doclang import Lang
from ..errors import QmsdocError, RenderError, TemplateProblem
from ..history.revision import RecordState, uncontrolled
from ..records.files import Record
from ..schema import SchemaStore

if TYPE_CHECKING:  # the engine (Jinja2, lxml, ...) is imported when a form is rendered
    from .forms import Forms
    from .media import Reader
    from .templates import Fetch

__all__ = ["Outcome", "RenderError", "TemplateProblem", "render_records", "states_for"]

Progress = Callable[[int], None]
PARALLEL_MIN = 200  # below this, starting workers costs more than it saves
FOLD_MIN = 20  # from this many forms, the labels are written into the templates once
INTERNAL = "internal error (a bug in qmsdoc)"


@dataclass(frozen=True)
class RenderOutcome:
    """What became of one record: the file written, or why not."""

    record: Record
    path: Path | None
    error: str | None = None

    @property
    def is_bug(self) -> bool:
        """Not rendered because of a bug in qmsdoc (exit 3), not because of the input."""
        return self.error is not None and self.error.startswith(INTERNAL)


def states_for(repo: Path, config: Config, records: Iterable[Record]) -> dict[str, RecordState]:
    """The revision state of each record, by id, from one pass over the git history: what
    the forms' frames print (a record outside git is an uncontrolled draft)."""
    from ..history.states import load_states

    records = list(records)
    return load_states(repo, config, ids={r.id for r in records if r.id is not None},
                       read={r.path: r.data for r in records},
                       blobs={r.path: r.blob for r in records if r.blob})


def write_form(forms: Forms, record: Record, state: RecordState,
               out: atomic.Folder) -> tuple[str | None, str | None]:
    """``<out>/<id>.docx`` of one record: (the path written, None), or (None, why not).
    A template that cannot be used raises TemplateProblem (no form is to be written)."""
    try:
        data = forms.render(record, state)
    except TemplateProblem:
        raise
    except QmsdocError as exc:
        return None, str(exc)
    except Exception as exc:  # noqa: BLE001 - one form lost to a bug; the others are written
        return None, f"{INTERNAL}: {type(exc).__name__}: {exc}"
    try:
        return str(out.replace(f"{record.id or record.stem}.docx", data)), None
    except atomic.NameTaken as exc:  # that one form: the others are written
        return None, str(exc)


def render_records(
    repo: Path,
    config: Config,
    store: SchemaStore,
    records: Iterable[Record],
    states: Mapping[str, RecordState],
    out_dir: Path,
    *,
    reader: Reader | None = None,
    fetch: Fetch | None = None,
    repeats: Mapping[str, tuple[str, int]] | None = None,
    progress: Progress | None = None,
    jobs: int = 1,
    lang: Lang | None = None,
) -> Iterator[RenderOutcome]:
    """Render each record to ``out_dir/<id>.docx``; yields as each file is written.

    Templates are compiled and linted before the first form is written (a template
    problem raises TemplateProblem); a record that fails to render is reported and
    skipped. With ``jobs`` > 1 and many records, forms are rendered in worker processes.
    ``lang``: the forms' language (None: each record's, from its customer or the config).
    """
    from . import parallel
    from .forms import Forms

    forms = Forms(repo, config, store, reader, fetch)
    forms.repeats = repeats
    forms.lang = lang
    records = list(records)
    forms.fold = len(records) >= FOLD_MIN
    for kind in sorted({r.kind for r in records if r.kind}):
        forms.template(kind)  # every template is linted before the first form is written
    forms.check_backing([r.path for r in records])
    atomic.check_folder(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    atomic.sweep(out_dir)  # what a killed run left behind
    out = atomic.Folder(out_dir)

    def one(record: Record, state: RecordState) -> tuple[str | None, str | None]:
        return write_form(forms, record, state, out)

    ordered = [states.get(r.id or r.stem) or uncontrolled(r.id or r.stem) for r in records]
    if jobs > 1 and len(records) >= PARALLEL_MIN and parallel.available():
        for chunk in parallel.render(parallel.Batch(records, ordered, one), jobs):
            for index, path, error in chunk:
                yield RenderOutcome(records[index], Path(path) if path else None, error)
            if progress:
                progress(len(chunk))
        return
    for record, state in zip(records, ordered, strict=True):
        path, error = one(record, state)
        yield RenderOutcome(record, Path(path) if path else None, error)
        if progress:
            progress(1)
