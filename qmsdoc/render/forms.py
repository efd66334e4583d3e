"""One rendering run: templates found, compiled and linted once, then one form per record."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..config import Config
from ..errors import RenderError, TemplateProblem
from ..history.revision import RecordState
from ..records import attachments
from ..records.files import Record
from ..schema import SchemaStore
from . import context, lint, templates
from .docx import Compiled, compile_template
from .engine import environment
from .images import Picture, probe
from .media import Reader
from .props import DocInfo


class Forms:
    """Renders records of any kind to .docx bytes; templates are compiled on first use."""

    def __init__(self, repo: Path, config: Config, store: SchemaStore,
                 reader: Reader | None = None) -> None:
        self.repo, self.config, self.store = repo, config, store
        self.env = environment()
        self.reader = reader or PictureReader(repo)
        self._compiled: dict[str, Compiled] = {}

    def template(self, kind: str) -> Compiled:
        """The compiled template of ``kind``; TemplateProblem if it refers to unknown fields."""
        if kind not in self._compiled:
            found = templates.find(self.repo, self.config, kind)
            compiled = compile_template(found.data, found.source, self.env)
            problems = lint.lint(compiled.sources, self.shapes(kind), self.env, found.source)
            if problems:
                raise TemplateProblem("\n".join(problems))
            self._compiled[kind] = compiled
        return self._compiled[kind]

    def shapes(self, kind: str) -> dict[str, lint.Shape]:
        sample = _sample_state()
        frames = {"form": context.frame(kind, self.config, sample)}
        for key, name in context.EXTRA_FORMS.get(kind, {}).items():
            frames[key] = context.frame(name, self.config, sample)
        return lint.context_shapes(kind, self.store.for_kind(kind), frames)

    def render(self, record: Record, state: RecordState) -> bytes:
        kind = record.kind
        if kind is None:
            raise RenderError(f"{record.path}: no record kind")
        compiled = self.template(kind)
        data = context.build(kind, record.data, state, self.config, self.store.for_kind(kind))
        return compiled.render(data, self.reader, doc_info(data, state))


def doc_info(data: Mapping[str, Any], state: RecordState) -> DocInfo:
    form, record = data["form"], data["r"]
    return DocInfo(
        title=f"{form['title']} {form['record_id']}",
        subject=str(record.get("title", "")),
        creator=form["company"]["name"],
        keywords=form["number"],
        description=f"{form['copy']}; commit {form['commit']}; blob {form['blob']}",
        version=form["revision"],
        time=context.content_time(state),
    )


class PictureReader:
    """Reads attachment pictures from the working tree, only through the attachment check."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self._cache: dict[str, Picture | None] = {}

    def __call__(self, path: str) -> Picture | None:
        if path not in self._cache:
            self._cache[path] = self._load(path)
        return self._cache[path]

    def _load(self, path: str) -> Picture | None:
        real = attachments.resolve(self.repo, path)
        if real is None:
            return None
        try:
            return probe(real.read_bytes())
        except OSError:
            return None


def _sample_state() -> RecordState:
    """A released state with every part filled, so the lint sees the frame's full shape."""
    from ..git.log import ZERO
    from ..history.revision import Change, Revision, Signature

    sig = Signature("approved", "x", "x", "x", "2000-01-01T00:00:00+00:00", ZERO)
    revision = Revision("A", "2000-01-01T00:00:00+00:00", "x", ZERO, ZERO, sig, sig, sig)
    return RecordState("X", "released", "A", True, ZERO, ZERO, (revision,),
                       (Change(ZERO, "x", "2000-01-01T00:00:00+00:00", "x"),))

