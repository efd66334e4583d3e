"""One rendering run: templates found, compiled and linted once, then one form per record."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from .. import cachefile, runlimits
from ..config import CONFIG_FILE, Config
from ..doclang import ZH, Lang
from ..errors import QmsdocError, RenderError, TemplateProblem
from ..git import backing
from ..git import log as gitlog
from ..history.revision import RecordState
from ..i18n import _
from ..records import attachments
from ..records.files import Record
from ..schema import SchemaStore
from . import context, lint, tags, templates
from .docx import Compiled, compile_template
from .engine import FormEnvironment, environment
from .frame import PrintMeta, frame, print_time
from .images import Picture, probe
from .labels import labels
from .media import Reader
from .props import DocInfo
from .templatecache import TemplateCache, folded_key
from .templatecache import key as cache_key


class Forms:
    """Renders records of any kind to .docx bytes; templates are compiled on first use.

    With ``fetch`` (``render --at``) the templates come from git, as they were at the
    revision; otherwise from the working tree, and every file a copy is printed from is
    checked to be backed by git (else the copy is 非受控).
    """

    def __init__(self, repo: Path, config: Config, store: SchemaStore,
                 reader: Reader | None = None, fetch: templates.Fetch | None = None) -> None:
        self.repo, self.config, self.store = repo, config, store
        self.env = environment()
        self.reader = reader or PictureReader(
            repo, runlimits.from_config(config.data).max_attachment_bytes)
        self.fetch = fetch
        self._compiled: dict[str, Compiled] = {}
        self._files: dict[str, templates.TemplateFile] = {}
        self._found: dict[str, templates.TemplateFile] = {}  # found before compiled (sources)
        self._backing: dict[str, backing.Backing] = {}
        self._blobs: dict[str, str] = {}  # kind → its template's blob id
        self.printed = print_time()
        self.repeats: Mapping[str, tuple[str, int]] | None = None  # None: not checked
        self.lang: Lang | None = None  # None: each record's (its customer's, the config's)
        self.fold = False  # many forms: the labels written into the templates (see fold)
        self._fingerprint: str | None = None  # of the configuration and schemas

    def template(self, kind: str) -> Compiled:
        """The compiled template of ``kind``; TemplateProblem if it refers to unknown fields."""
        if kind not in self._compiled:
            found = self._found.pop(kind, None) or templates.find(self.repo, self.config, kind,
                                                                  self.fetch)
            cache = self._template_cache(found, kind)
            kept = cache.load()
            compiled = compile_template(found.data, found.source, self.env,
                                        runlimits.from_config(self.config.data), kept)
            if kept is None:  # compiled now: checked now, and kept when it passes
                problems = tags.refused(compiled.sources, self.env, found.source)
                problems += lint.lint(compiled.sources, self.shapes(kind), self.env,
                                      found.source)
                if problems:
                    raise TemplateProblem("\n".join(problems))
                cache.save(compiled.codes)
            if self.fold:
                compiled.fold_labels(self.env, _folded_kept(cache, self.env))
            self._compiled[kind] = compiled
            self._files[kind] = found
            self._blobs[kind] = backing.blob_id(found.data)
        return self._compiled[kind]

    def _template_cache(self, found: templates.TemplateFile, kind: str) -> TemplateCache:
        from ..checks import factcache

        if self._fingerprint is None:
            self._fingerprint = factcache.fingerprint(self.config, self.store)
        return TemplateCache(cachefile.location(self.repo),
                             cache_key(found.data, found.source, kind, self._fingerprint))

    def check_backing(self, records: Iterable[str],
                      known: Mapping[str, backing.Backing] | None = None) -> None:
        """Whether git backs the configuration, the templates and the records (their paths;
        one batch of git calls); a copy printed from anything else is 非受控. ``known``:
        the backing of paths already looked up (``backing_of``; see ``sources``)."""
        paths = list(records)
        paths += [f.path for f in self._files.values() if f.path is not None]
        if self._has_config():
            paths.append(CONFIG_FILE)
        known = known or {}
        paths = [p for p in paths if p not in known]
        self._backing = {**known, **(self.backing_of(paths) if paths else {})}

    def sources(self, kinds: Iterable[str]) -> list[str]:
        """The paths of the files copies of ``kinds`` are printed from besides the records
        (the configuration, the templates found in the repository), for ``backing_of`` to
        look up with the records' before the templates are compiled. A template not found
        is left to ``template``, which says why."""
        paths = [CONFIG_FILE] if self._has_config() else []
        for kind in kinds:
            try:
                found = self._found.get(kind) or templates.find(self.repo, self.config, kind,
                                                                self.fetch)
            except QmsdocError:
                continue
            self._found[kind] = found
            if found.path is not None:
                paths.append(found.path)
        return paths

    def _has_config(self) -> bool:
        return (self.repo / CONFIG_FILE).exists() or (self.repo / CONFIG_FILE).is_symlink()

    def backing_of(self, paths: Iterable[str]) -> dict[str, backing.Backing]:
        """The backing of each path, each on its own (nothing when everything comes from
        git, or nothing is in git: the records' states already say so)."""
        if self.fetch is not None:
            return {}
        info = gitlog.probe(self.repo)
        return backing.check(info, list(paths)) if info.git else {}

    def meta(self, kind: str, record: Record, state: RecordState) -> PrintMeta:
        found = self._files.get(kind)
        files = [CONFIG_FILE] + ([found.path] if found and found.path else [])
        if state.controlled:  # an uncommitted record is already reported by its state
            files.append(record.path)
        unbacked = tuple(b.describe() for f in files
                         if (b := self._backing.get(f)) is not None and not b.backed)
        return PrintMeta(template=found.source if found else "",
                         template_blob=self._blobs.get(kind, "") if found else "",
                         unbacked=unbacked, printed=self.printed)

    def shapes(self, kind: str) -> dict[str, lint.Shape]:
        sample = _sample_state()
        frames = {"form": frame(kind, self.config, sample),
                  "repeat": context.repeat_flag(False),
                  "label": labels(self.store.for_kind(kind), ZH)}
        for key, name in context.EXTRA_FORMS.get(kind, {}).items():
            frames[key] = frame(name, self.config, sample)
        return lint.context_shapes(kind, self.store.for_kind(kind), frames)

    def render(self, record: Record, state: RecordState) -> bytes:
        kind = record.kind
        if kind is None:
            raise RenderError(_("{path}: no record kind").format(path=record.path))
        compiled = self.template(kind)
        repeat = None if self.repeats is None else self.repeats.get(record.id or "", False)
        data = context.build(kind, record.data, state, self.config, self.store.for_kind(kind),
                             self.meta(kind, record, state), repeat, self.language(record))
        return compiled.render(data, self.reader, doc_info(data, state))


    def language(self, record: Record) -> Lang:
        """The language of a record's form: ``render --lang``, else its customer's, else
        the configuration's."""
        if self.lang is not None:
            return self.lang
        customer = record.data.get("customer") if isinstance(record.data, dict) else None
        return self.config.form_language(customer if isinstance(customer, str) else None)


def _folded_kept(cache: TemplateCache, env: FormEnvironment
                 ) -> Callable[[Mapping[str, Any]], TemplateCache | None]:
    """Where a template's parts folded with given labels are kept: beside it, by its key
    and the code that folds them."""
    folder = cache.path.parent if cache.path is not None else None

    def kept(labels: Mapping[str, Any]) -> TemplateCache | None:
        from .fold import code_digest

        key = folded_key(cache.key, labels, code_digest(env))
        return TemplateCache(folder, key, folded=True) if key and folder else None

    return kept


def doc_info(data: Mapping[str, Any], state: RecordState) -> DocInfo:
    form, record = data["form"], data["r"]
    return DocInfo(
        title=f"{form['title']} {form['record_id']}",
        subject=str(record.get("title", "")),
        creator=form["company"]["name"],
        keywords=form["number"],
        description=f"{form['copy']}; commit {form['commit']}; blob {form['blob']}; "
                    f"template {form['template']} {form['template_blob']}",
        version=form["revision"],
        time=context.content_time(state),
    )


class PictureReader:
    """Reads attachment pictures from the working tree, only through the attachment check."""

    def __init__(self, repo: Path, max_bytes: int = attachments.MAX_BYTES) -> None:
        self.repo, self.max_bytes = repo, max_bytes
        self._cache: dict[str, Picture | None] = {}

    def __call__(self, path: str) -> Picture | None:
        if path not in self._cache:
            self._cache[path] = self._load(path)
        return self._cache[path]

    def _load(self, path: str) -> Picture | None:
        real = attachments.resolve(self.repo, path, self.max_bytes)
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

