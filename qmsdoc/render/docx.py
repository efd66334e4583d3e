"""The .docx engine: a template compiled once per run, then rendered per record.

docxtpl's tag clean-up (``patch_xml``: tags split across Word runs, ``{%tr %}`` row
loops, ``{%p %}`` paragraphs, colspan, cell colours) turns each templated part into Jinja2
source once; the compiled Jinja2 templates are reused for every record. A render then
only runs those templates, compresses the parts they produce and copies the template's
other members pre-compressed (see zipout). docxtpl itself re-parses and re-compiles the
whole template on every render: ~90–140 ms per multi-page complaint form against ~2–3 ms
here (bench/bench_render.py).
"""

from __future__ import annotations

import io
import re
import time
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import CodeType
from typing import Any

from jinja2 import Template, TemplateError, TemplateSyntaxError, nodes

from ..errors import RenderError, TemplateProblem
from ..i18n import _
from ..runlimits import RunLimits
from ..runlimits import size as shown_size
from . import bounded, zipout
from .engine import FormEnvironment
from .fit import split_paragraphs
from .media import MediaSession, Reader
from .props import DocInfo, core_xml
from .templatecache import TemplateCache

TEMPLATED = re.compile(r"^word/(document|header\d*|footer\d*|footnotes|endnotes)\.xml$")
_PARAGRAPH = re.compile(r"<w:p([ >])")
_TAG = re.compile(r"\{\{|\{%|\{#")
_TEXT = re.compile(r"<[^>]+>")
CONTENT_TYPES = "[Content_Types].xml"
# where the parts folded with given labels are kept (None: not kept)
Kept = Callable[[Mapping[str, Any]], TemplateCache | None]
CORE = "docProps/core.xml"
_utf8 = str.encode  # UTF-8, strict: as .encode("utf-8"), without parsing arguments per piece


@dataclass
class Compiled:
    """A form template ready to render: Jinja2 templates for its parts, the rest as zip entries."""

    source: str  # how messages name the template file
    order: list[str]
    static: dict[str, zipout.Entry]
    parts: dict[str, Template]
    sources: dict[str, str]  # patched Jinja2 source per part, for the lint
    texts: dict[str, str] = field(default_factory=dict)  # uncompressed rels / content types
    fix_tables: bool = False
    literal_braces: bool = False
    limits: RunLimits = field(default_factory=RunLimits)
    # each templated part's patched source and code (None: no tags), to keep (templatecache)
    codes: dict[str, tuple[str, CodeType | None]] = field(default_factory=dict)
    env: FormEnvironment | None = None  # to fold the labels in (see fold), when set
    # the parts with one language's labels written in, by the labels' mapping
    folded: dict[int, tuple[Mapping[str, Any], dict[str, Template]]] = field(
        default_factory=dict)
    kept: Kept | None = None  # where the folded parts are kept between runs, by the labels
    # each template's text constants as UTF-8, by the template's id (see _constants)
    encoded: dict[int, tuple[Template, dict[str, bytes]]] = field(default_factory=dict)

    def render(self, context: Mapping[str, Any], reader: Reader, info: DocInfo) -> bytes:
        """The .docx bytes of one form."""
        media = MediaSession(reader, self.texts)
        parts = self._parts_for(context.get("label"))
        rendered = {name: zipout.deflate(name, self._finish(pieces, parts[name], name))
                    for name, pieces in self._render_parts(context, media, parts)}
        for name, text in media.changed_texts().items():
            rendered[name] = zipout.deflate(name, text.encode("utf-8"))
        if CORE in self.static:
            rendered[CORE] = zipout.deflate(CORE, core_xml(info).encode("utf-8"))
        entries = [rendered.get(name) or self.static[name] for name in self.order]
        entries += [zipout.deflate(n, t.encode("utf-8")) for n, t in media.new_texts().items()]
        entries += media.entries()
        return zipout.write(entries)

    def fold_labels(self, env: FormEnvironment, kept: Kept | None = None) -> None:
        """Write each language's labels into the parts once (for a run of many forms);
        ``kept`` gives where the parts folded with given labels are kept between runs."""
        self.env = env
        self.kept = kept

    def _parts_for(self, labels: Any) -> dict[str, Template]:
        """The parts to render with ``labels``: with them written in, once folding is on."""
        if self.env is None or not isinstance(labels, dict):
            return self.parts
        cached = self.folded.get(id(labels))
        if cached is None or cached[0] is not labels:
            from .fold import folded

            env = self.env
            store = self.kept(labels) if self.kept is not None else None
            parts = self._kept_folded(store)
            if parts is None:
                codes: dict[str, tuple[str, CodeType | None]] = {}

                def compile_part(tree: nodes.Template, name: str) -> Template:
                    code = _bounded_code(env, tree, self.source, name, self.limits)
                    codes[name] = ("", code)
                    return _from_code(env, code)

                try:
                    parts = folded(env, self.sources, labels, compile_part)
                except (TemplateProblem, TemplateError):  # rendered as it is, then
                    parts = None
                if parts is not None and store is not None:
                    store.save(codes)
            cached = (labels, parts or self.parts)
            self.folded[id(labels)] = cached
        return cached[1]

    def _kept_folded(self, store: TemplateCache | None) -> dict[str, Template] | None:
        """The folded parts kept by an earlier run, when there are all of them."""
        kept = store.load() if store is not None else None
        if kept is None or kept.keys() != self.parts.keys() \
                or any(code is None for _, code in kept.values()):
            return None
        assert self.env is not None
        return {name: _from_code(self.env, code) for name, (_, code) in kept.items()
                if code is not None}

    def _render_parts(self, context: Mapping[str, Any], media: MediaSession,
                      parts: Mapping[str, Template] | None = None
                      ) -> list[tuple[str, list[str]]]:
        """Each templated part's output (the pieces its template yields), within one time
        limit and memory cap for the form."""
        parts = self.parts if parts is None else parts
        deadline = time.monotonic() + self.limits.template_seconds
        done: list[tuple[str, list[str]]] = []
        name = next(iter(parts), "")
        try:
            with bounded.limited(deadline - time.monotonic(), self.limits.template_memory_bytes):
                for name, template in parts.items():
                    done.append((name, self._render_part(
                        name, template, {**context, "image": media.sink(name)}, deadline)))
        except (bounded.OverTime, bounded.OverMemory) as exc:  # between two parts' pieces
            raise self._stopped(name, context, exc) from None
        return done

    def _render_part(self, name: str, template: Template, context: Mapping[str, Any],
                     deadline: float) -> list[str]:
        try:
            xml = bounded.pieces(template, context, deadline, self.limits.max_form_bytes)
        except (bounded.OverTime, bounded.OverSize, bounded.OverMemory) as exc:
            raise self._stopped(name, context, exc) from None
        except TemplateError as exc:
            raise RenderError(f"{self.source}: {name}: {exc.message or exc}") from None
        except RecursionError:
            raise RenderError(_("{source}: {name}: the template calls itself too deeply (a "
                                "macro that recurses without end?)").format(
                                  source=self.source, name=name)) from None
        except (ArithmeticError, LookupError, TypeError, ValueError, MemoryError) as exc:
            # the company's template code failed, not qmsdoc: say which and what
            raise RenderError(_("{source}: {name}: the template failed: {error}: {problem}")
                              .format(source=self.source, name=name,
                                      error=type(exc).__name__, problem=exc)) from None
        return xml

    def _finish(self, pieces: list[str], template: Template, name: str = "") -> bytes:
        """A rendered part's XML made final, as UTF-8 (outside the time limit and memory cap,
        as always). The template's constant text is encoded once (``_constants``: most of a
        part is the template's own XML), only the values of the form are encoded here."""
        if self.literal_braces or self.fix_tables:
            return self._encoded(self._finish_text("".join(pieces)), name)
        encoded = self._constants(template).get
        try:
            data = b"".join([encoded(piece) or _utf8(piece) for piece in pieces])
        except UnicodeEncodeError:  # said as the whole part's encoding says it
            return self._encoded(self._finish_text("".join(pieces)), name)
        return split_paragraphs(data)

    def _encoded(self, xml: str, name: str) -> bytes:
        """A part's final XML as UTF-8; a lone surrogate in it (not a character: a template
        that computes one, a value that holds one) is a RenderError, not a crash."""
        try:
            return xml.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RenderError(
                _("{source}: {name}: the form would hold U+{code}, a lone surrogate: it is "
                  "not a character and no Word document can hold it (the template writes "
                  "it, or a value it prints holds it)").format(
                    source=self.source, name=name,
                    code=f"{ord(xml[exc.start]):04X}")) from None

    def _constants(self, template: Template) -> dict[str, bytes]:
        """The UTF-8 bytes of each text constant of ``template``'s code, made once."""
        found = self.encoded.get(id(template))
        if found is None or found[0] is not template:
            found = (template, constant_bytes(template))
            self.encoded[id(template)] = found
        return found[1]

    def _finish_text(self, xml: str) -> str:
        """A rendered part's XML made final, as text."""
        if self.literal_braces:  # docxtpl's way of writing a literal {{ in a template
            xml = (xml.replace("{_{", "{{").replace("}_}", "}}")
                   .replace("{_%", "{%").replace("%_}", "%}"))
        if self.fix_tables:
            xml = _fix_tables(xml)
        return split_paragraphs(xml)

    def _stopped(self, name: str, context: Mapping[str, Any], exc: Exception) -> TemplateProblem:
        """The message of a part stopped by a limit."""
        if isinstance(exc, bounded.OverTime):
            return TemplateProblem(
                _("{source}: {name}: stopped after {template_seconds:g} s rendering "
                  "{record_id} (limits.template_seconds in qmsdoc.yaml); does a loop run over "
                  "a large range?").format(
                    source=self.source,
                    name=name,
                    template_seconds=self.limits.template_seconds,
                    record_id=_record_id(context)))
        if isinstance(exc, bounded.OverSize):
            return TemplateProblem(
                _("{source}: {name}: stopped rendering {record_id} after {shown_size} of "
                  "output (limits.max_form_bytes in qmsdoc.yaml)").format(
                    source=self.source,
                    name=name,
                    record_id=_record_id(context),
                    shown_size=shown_size(self.limits.max_form_bytes)))
        return TemplateProblem(
            _("{source}: {name}: stopped rendering {record_id}: it needed more than "
              "{shown_size} of memory (limits.template_memory_bytes in qmsdoc.yaml)").format(
                source=self.source,
                name=name,
                record_id=_record_id(context),
                shown_size=shown_size(self.limits.template_memory_bytes)))

def compile_template(data: bytes, source: str, env: FormEnvironment,
                     limits: RunLimits | None = None,
                     kept: Mapping[str, tuple[str, CodeType | None]] | None = None) -> Compiled:
    """Compile the templated parts of the .docx ``data``; ``source`` names it in messages.
    ``kept``: each templated part's patched source and code from an earlier run (see
    templatecache; None for a part without tags), used instead of patching and compiling."""
    limits = limits or RunLimits()
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            infos = [info for info in package.infolist() if not info.is_dir()]
            _check_sizes(infos, source, limits.max_template_member_bytes)
            members = {info.filename: package.read(info) for info in infos}
    except (OSError, zipfile.BadZipFile, KeyError, ValueError, EOFError,
            NotImplementedError, zlib.error) as exc:
        raise TemplateProblem(_("{source}: not a readable .docx file ({problem})").format(
                                  source=source, problem=exc)) from None
    if "word/document.xml" not in members:
        raise TemplateProblem(_("{source}: not a Word document (no word/document.xml)").format(
                                  source=source))
    compiled = Compiled(source, list(members), {}, {}, {}, limits=limits)
    for name, data in members.items():
        if TEMPLATED.match(name):
            text = _decode(data, source, name)
            if kept is not None and name in kept:
                patched, code = kept[name]
            else:
                patched, code = _patch(text), None
                if _TAG.search(patched):
                    code = _bounded_code(env, patched, source, name, limits)
            compiled.codes[name] = (patched, code)
            if code is not None:
                compiled.sources[name] = patched
                compiled.parts[name] = _from_code(env, code)
                compiled.fix_tables |= "{%tc" in text
                compiled.literal_braces |= any(m in patched for m in ("{_", "_}", "%_}"))
                continue
        if name == CONTENT_TYPES or name.endswith(".rels"):
            compiled.texts[name] = _decode(data, source, name)
        compiled.static[name] = zipout.deflate(name, data)
    return compiled


def constant_bytes(template: Template) -> dict[str, bytes]:
    """Each text constant in the code of ``template`` (its render function, blocks and the
    functions within them), by its UTF-8 bytes: what a yield of a constant writes."""
    found: dict[str, bytes] = {}
    codes = [template.root_render_func.__code__,
             *(block.__code__ for block in template.blocks.values())]
    while codes:
        code = codes.pop()
        for const in code.co_consts:
            if isinstance(const, CodeType):
                codes.append(const)
            elif type(const) is str and const not in found:
                try:
                    found[const] = const.encode("utf-8")
                except UnicodeEncodeError:  # encoded (and refused) where it is written
                    continue
    return found


def _check_sizes(infos: list[zipfile.ZipInfo], source: str, limit: int) -> None:
    """Sizes as the zip directory states them, before anything is inflated (zipfile never
    inflates a member beyond its stated size)."""
    for info in infos:
        if info.file_size > limit:
            raise TemplateProblem(
                _("{source}: {member} would inflate to {size}; a template member is limited "
                  "to {limit} (limits.max_template_member_bytes in qmsdoc.yaml)").format(
                    source=source, member=info.filename, size=shown_size(info.file_size),
                    limit=shown_size(limit)))


def _record_id(context: Mapping[str, Any]) -> str:
    form = context.get("form")
    return str(form.get("record_id", "a record")) if isinstance(form, Mapping) else "a record"


def _decode(data: bytes, source: str, name: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise TemplateProblem(_("{source}: {name} is not UTF-8 XML").format(
                                  source=source, name=name)) from None


def _patch(xml: str) -> str:
    from docxtpl import DocxTemplate

    patched: str = DocxTemplate("").patch_xml(xml)
    return patched


def _bounded_compile(env: FormEnvironment, source_xml: str | nodes.Template, source: str,
                     part: str, limits: RunLimits) -> Template:
    return _from_code(env, _bounded_code(env, source_xml, source, part, limits))


def _from_code(env: FormEnvironment, code: CodeType) -> Template:
    """The template of compiled code, as ``env.from_string`` makes it."""
    return env.template_class.from_code(env, code, env.make_globals(None), None)


def _bounded_code(env: FormEnvironment, source_xml: str | nodes.Template, source: str,
                  part: str, limits: RunLimits) -> CodeType:
    try:
        return bounded.compiled(lambda: _compile(env, source_xml, source, part),
                                limits.template_seconds, limits.template_memory_bytes)
    except bounded.OverTime:
        raise TemplateProblem(_("{source}: {part}: compiling it took more than "
                                "{template_seconds:g} s (limits.template_seconds in "
                                "qmsdoc.yaml)").format(
                                  source=source,
                                  part=part,
                                  template_seconds=limits.template_seconds)) from None
    except bounded.OverMemory:
        raise TemplateProblem(_("{source}: {part}: compiling it needed more than {shown_size} "
                                "of memory (limits.template_memory_bytes in qmsdoc.yaml)").format(
                                  source=source,
                                  part=part,
                                  shown_size=shown_size(limits.template_memory_bytes))) from None
    except (ArithmeticError, LookupError, TypeError, ValueError, RecursionError) as exc:
        raise TemplateProblem(_("{source}: {part}: a constant expression of the template "
                                "fails: {name__}: {problem}").format(
                                  source=source,
                                  part=part,
                                  name__=type(exc).__name__,
                                  problem=exc)) from None


def _compile(env: FormEnvironment, source_xml: str | nodes.Template, source: str,
             part: str) -> CodeType:
    try:
        code: CodeType = env.compile(source_xml)
        return code
    except TemplateSyntaxError:
        if not isinstance(source_xml, str):
            raise

    # Again with one paragraph per line, only to say where the error is (docxtpl's trick).
    lined = _PARAGRAPH.sub(r"\n<w:p\1", source_xml)
    try:
        env.from_string(lined)
    except TemplateSyntaxError as exc:
        lines = lined.splitlines()
        near = " ".join(_TEXT.sub("", line) for line in lines[max(exc.lineno - 2, 0):exc.lineno])
        raise TemplateProblem(_("{source}: {part}: template syntax error: {message} (near: "
                                "{value!r})").format(
                                  source=source,
                                  part=part,
                                  message=exc.message,
                                  value=near.strip()[:120])) from None
    raise TemplateProblem(_("{source}: {part}: template syntax error").format(
                              source=source, part=part))  # pragma: no cover


def _fix_tables(xml: str) -> str:
    """Grid columns after ``{%tc %}`` column loops (docxtpl's fix, only when used)."""
    from docxtpl import DocxTemplate
    from lxml import etree  # type: ignore[import-untyped]

    head, sep, _ = xml.partition("<w:document")
    tree = DocxTemplate("").fix_tables(xml[len(head):] if sep else xml)
    body: bytes = etree.tostring(tree, encoding="utf-8")
    return head + body.decode("utf-8")

