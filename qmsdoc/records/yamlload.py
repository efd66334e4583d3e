"""Strict YAML loading: UTF-8 only, YAML 1.2 core typing, positions kept, hostile input refused.

The only module that imports yaml. libyaml (``CParser``) composes the node tree; the
values are built here, so that typing follows YAML 1.2 core (``NO``, ``on``, ``0012345``,
``1:20`` and dates stay strings), duplicate keys are caught with both lines, and every
value can be traced back to its line and column. Limits are checked before libyaml
composes anything, because its composer recurses in C and crashes on deep nesting.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from qmsdoc.i18n import N_, _
from qmsdoc.records import fastyaml

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = MiB
    max_depth: int = 64


@dataclass(eq=False)  # not frozen: raising sets __traceback__, also through ``with`` blocks
class LoadError(Exception):
    """A file that cannot be read as a record; ``line``/``column`` are 1-based (0: whole file)."""

    code: str
    message: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        return self.message


Path_ = Sequence[str | int]

_NUMBER_START = frozenset("-+0123456789")
_MAX_INT_DIGITS = 18
_STR = "tag:yaml.org,2002:str"
_INT = "tag:yaml.org,2002:int"
_FLOAT = "tag:yaml.org,2002:float"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"


_PLAIN_NUMBER = re.compile(r"[-+]?(?:0|[1-9][0-9]*)(?:(\.[0-9]+)?([eE][-+]?[0-9]+)?)")
_PLAIN_TAGS = {"true": _BOOL, "True": _BOOL, "TRUE": _BOOL, "false": _BOOL, "False": _BOOL,
               "FALSE": _BOOL, "~": _NULL, "null": _NULL, "Null": _NULL, "NULL": _NULL,
               "": _NULL}


class _Core12Resolver(yaml.resolver.BaseResolver):
    """YAML 1.2 core schema, stricter on numbers: no leading zeros (part numbers stay text).

    ``resolve`` is called for every scalar libyaml composes; it is written out here rather
    than left to PyYAML's table of regular expressions, which costs more than the parse.
    The implicit resolvers registered below say the same for the dumper."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is ScalarNode:
            if not implicit[0]:
                return _STR
            tag = _PLAIN_TAGS.get(value)
            if tag is not None:
                return tag
            if value[:1] in _NUMBER_START:
                match = _PLAIN_NUMBER.fullmatch(value)
                if match:
                    return _FLOAT if match.group(1) or match.group(2) else _INT
            return _STR
        return _SEQ if kind is SequenceNode else _MAP


_Core12Resolver.add_implicit_resolver(
    _BOOL, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)
_Core12Resolver.add_implicit_resolver(
    _INT, re.compile(r"^[-+]?(?:0|[1-9][0-9]*)$"), list("-+0123456789")
)
_Core12Resolver.add_implicit_resolver(
    _FLOAT,
    re.compile(r"^[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?$"),
    list("-+0123456789"),
)
_Core12Resolver.add_implicit_resolver(
    _NULL, re.compile(r"^(?:~|null|Null|NULL|)$"), ["~", "n", "N", ""]
)


if yaml.__with_libyaml__:  # libyaml, in every PyYAML wheel; pure Python is ~7x slower
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    class _Composer(CParser, _Core12Resolver):
        def __init__(self, text: str) -> None:
            CParser.__init__(self, text)
            _Core12Resolver.__init__(self)

    _EventLoader: type = yaml.CSafeLoader
else:  # pragma: no cover

    class _Composer(  # type: ignore[no-redef]
        yaml.reader.Reader, yaml.scanner.Scanner, yaml.parser.Parser, yaml.composer.Composer,
        _Core12Resolver,
    ):
        def __init__(self, text: str) -> None:
            yaml.reader.Reader.__init__(self, text)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            yaml.composer.Composer.__init__(self)
            _Core12Resolver.__init__(self)

    _EventLoader = yaml.SafeLoader


# Tab, LF and CR are the only C0 controls YAML text may hold; Word refuses the rest. DEL and
# the C1 controls stop libyaml's reader; NEL, LS and PS are line breaks to YAML but not to
# editors or git, so lines would be counted differently (and NEL in quotes becomes a space).
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff]")
_BREAKS = {"\x85": N_("next line (NEL)"), "\u2028": N_("line separator"),
           "\u2029": N_("paragraph separator")}
# Anchors, aliases and tags start a token; "R&D" or "M10*1.25" in text need no scan.
_NEEDS_EVENT_SCAN = re.compile(r"(?:^|[\s\[{,])[&*!]|^(?:---|\.\.\.)|^[ -]*\? ", re.M)
_INDENTS = re.compile(r"^ +", re.M)
_DASH_RUNS = re.compile(r"^ *((?:- +)+)", re.M)


def decode(raw: bytes) -> str:
    """UTF-8 text of ``raw`` without BOM and with LF line ends; other encodings are refused."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    utf16 = _utf16_kind(raw)
    if utf16:
        raise LoadError(
            "encoding",
            _("file is not UTF-8: it looks like {encoding} (as Windows Notepad writes "
              "'Unicode'); re-save it as UTF-8").format(encoding=utf16),
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        if _is_gb18030(raw):
            raise LoadError(
                "encoding",
                _("file is not UTF-8: it looks like GBK/GB18030 (the Chinese Windows "
                  "encoding); re-save it as UTF-8"),
                line,
            ) from None
        raise LoadError(
            "encoding",
            _("file is not UTF-8: invalid byte 0x{byte:02x}; re-save it as UTF-8")
            .format(byte=raw[exc.start]),
            line,
        ) from None
    return text.replace("\r\n", "\n") if b"\r" in raw else text


def _utf16_kind(raw: bytes) -> str:
    if raw.startswith(b"\xff\xfe"):
        return "UTF-16 LE"
    if raw.startswith(b"\xfe\xff"):
        return "UTF-16 BE"
    head = raw[:200]
    if len(head) >= 4 and head.count(0) * 3 >= len(head):
        return "UTF-16 LE" if head[1::2].count(0) > head[0::2].count(0) else "UTF-16 BE"
    return ""


def _is_gb18030(raw: bytes) -> bool:
    try:
        raw.decode("gb18030")
    except UnicodeDecodeError:
        return False
    return True


def check_text(text: str, limits: Limits) -> None:
    """Refuse control characters, deep nesting, anchors, aliases, tags and extra documents."""
    bad = _CONTROL.search(text)
    if bad:
        line = text.count("\n", 0, bad.start()) + 1
        column = bad.start() - (text.rfind("\n", 0, bad.start()) + 1) + 1
        raise LoadError("control-char", _control_message(bad.group()), line, column)
    if _depth_bound(text) > limits.max_depth or _NEEDS_EVENT_SCAN.search(text):
        _scan_events(text, limits)


def _control_message(char: str) -> str:
    if char in _BREAKS:
        return _("{name} character U+{code:04X} is not allowed in a record (YAML reads it as "
                 "a line break, editors and git do not); use a plain line break or delete it"
                 ).format(name=_(_BREAKS[char]), code=ord(char))
    why = _("YAML readers refuse it") if "\x7f" <= char <= "\x9f" else \
        _("Word refuses such files")
    return _("control character U+{code:04X} is not allowed in a record ({why}); delete it"
             ).format(code=ord(char), why=why)


def _depth_bound(text: str) -> int:
    """An upper bound of the nesting depth, cheap enough to compute for every file.

    In block style a line opens at most one level per leading ``- `` plus a mapping, and
    its ancestors sit at smaller indents (or the same, for a list under a key: hence the
    factor 2); flow style opens one level per bracket. Explicit ``? `` keys are scanned."""
    brackets = text.count("[") + text.count("{")
    indent = max(map(len, _INDENTS.findall(text)), default=0)
    dashes = max((run.count("-") for run in _DASH_RUNS.findall(text)), default=0)
    return 2 * indent + dashes + brackets + 3


def _scan_events(text: str, limits: Limits) -> None:
    depth = 0
    documents = 0
    try:
        for event in yaml.parse(text, Loader=_EventLoader):
            mark = event.start_mark
            where = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            if isinstance(event, yaml.AliasEvent):
                raise LoadError("yaml", _("alias '*{name}' is not allowed in a record; "
                                          "write the value out").format(name=event.anchor),
                                *where)
            anchor = getattr(event, "anchor", None)
            if anchor is not None:
                raise LoadError("yaml", _("anchor '&{name}' is not allowed in a record; "
                                          "write each value out").format(name=anchor), *where)
            tag = getattr(event, "tag", None)
            if tag is not None and isinstance(event, yaml.NodeEvent):
                raise LoadError("yaml", _("explicit tag '{tag}' is not allowed in a record")
                                .format(tag=_short_tag(tag)), *where)
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise LoadError("yaml", _("a record file holds one YAML document; "
                                              "found a second one"), *where)
            elif isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > limits.max_depth:
                    raise LoadError("limit", too_deep(limits.max_depth),
                                    *where)
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.MarkedYAMLError as exc:
        if "nesting depth" in str(exc.problem):  # libyaml's own bound (PyYAML >= 6.0.3)
            mark = exc.problem_mark
            where = (mark.line + 1, mark.column + 1) if mark else (0, 0)
            raise LoadError("limit", too_deep(limits.max_depth),
                            *where) from None
        raise _syntax_error(exc, text) from None
    except yaml.YAMLError as exc:  # the reader's errors carry no mark
        raise _reader_error(exc, text) from None


def _syntax_error(exc: yaml.MarkedYAMLError, text: str) -> LoadError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or "syntax error"
    if exc.context and "expected a single document" in exc.context:
        problem = _("a record file holds one YAML document; found a second one")
    elif exc.context:
        problem = f"{problem} ({exc.context})"
    if mark is None:
        return LoadError("yaml", _("YAML syntax error: {problem}").format(problem=problem))
    from .yamlhints import unclosed_quote

    opened = unclosed_quote(text, mark.line + 1)
    if opened is not None:
        return LoadError("yaml", _("YAML syntax error: the quote {quote} opened here is not "
                                   "closed on its line; close it (the parser read on to line "
                                   "{line}: {problem})").format(
                                       quote=opened.quote, line=mark.line + 1, problem=problem),
                         opened.line, opened.column)
    line, column = mark.line + 1, mark.column + 1
    last = text.count("\n") + 1
    if line > last:  # libyaml's end of a stream without a final line break
        line, column = last, len(text) - text.rfind("\n")
    return LoadError("yaml", _("YAML syntax error: {problem}").format(problem=problem),
                     line, column)


def _reader_error(exc: yaml.YAMLError, text: str) -> LoadError:
    """Characters the YAML reader refuses (the text check above should have caught them)."""
    position = getattr(exc, "position", None)
    if not isinstance(position, int) or not 0 <= position <= len(text):
        return LoadError("yaml", _("YAML error: {problem}").format(problem=exc))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    reason = getattr(exc, "reason", None) or str(exc)
    return LoadError("yaml", _("YAML error: {problem}").format(problem=reason), line, column)


def compose(text: str) -> Node | None:
    composer = _Composer(text)
    try:
        node: Node | None = composer.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(exc, text) from None
    except yaml.YAMLError as exc:
        raise _reader_error(exc, text) from None
    finally:
        composer.dispose()
    return node


def _mark(node: Node) -> tuple[int, int]:
    return node.start_mark.line + 1, node.start_mark.column + 1


def construct(node: Node) -> Any:
    """Plain Python values (dict, list, str, int, float, bool, None) of a composed node."""
    if isinstance(node, ScalarNode):
        return _scalar(node)
    if isinstance(node, SequenceNode):
        return [construct(child) for child in node.value]
    if isinstance(node, MappingNode):
        return _mapping(node)
    raise LoadError("yaml", "unsupported YAML node", *_mark(node))  # pragma: no cover


def _scalar(node: ScalarNode) -> Any:
    tag, value = node.tag, node.value
    if tag == _STR:
        if node.style == '"':  # escapes (\u0007, \x0c) make what the raw text check cannot see
            _check_escaped(node)
        return value
    if tag == _NULL:
        return None
    if tag == _BOOL:
        return value[0] in "tT"
    if tag == _INT:
        # beyond 64 bits a number is no quantity or amount: keep the text, the schema says why
        return int(value) if len(value.lstrip("+-")) <= _MAX_INT_DIGITS else value
    if tag == _FLOAT:
        number = float(value)
        return number if math.isfinite(number) else value  # 1e999 is not a JSON number
    raise LoadError("yaml", _("explicit tag '{tag}' is not allowed in a record")
                    .format(tag=_short_tag(tag)),
                    *_mark(node))


def _check_escaped(node: ScalarNode) -> None:
    bad = _CONTROL.search(node.value)
    if bad:
        raise LoadError("control-char", _("control character U+{code:04X} (written as an "
                                          "escape) is not allowed in a record (Word refuses "
                                          "such files); delete it").format(code=ord(bad.group())),
                        *_mark(node))


def _mapping(node: MappingNode) -> dict[str, Any]:
    if node.tag != _MAP:
        raise LoadError("yaml", _("explicit tag '{tag}' is not allowed in a record")
                        .format(tag=_short_tag(node.tag)),
                        *_mark(node))
    result: dict[str, Any] = {}
    seen: dict[str, Node] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, ScalarNode):
            raise LoadError("yaml", _("a mapping key must be a plain name, not a list or mapping"),
                            *_mark(key_node))
        key = key_node.value
        if key in seen:
            first = seen[key].start_mark.line + 1
            raise LoadError("duplicate-key", _("duplicate key '{key}' (first defined on line "
                                               "{line}); the later value would silently win")
                            .format(key=key, line=first), *_mark(key_node))
        seen[key] = key_node
        result[key] = construct(value_node)
    return result


def key_finder(keys: Iterable[str]) -> re.Pattern[str]:
    """What ``Document.texts_at`` looks for: text values of these mapping keys. The keys are
    watched from now on: the fast path gathers their texts while it reads a record."""
    global _watched
    wanted = frozenset(keys)
    names = "|".join(re.escape(key) for key in sorted(wanted)) or "(?!)"
    finder = re.compile(f'"({names})": "([^"\\\\\\n]*(?:\\\\.[^"\\\\\\n]*)*)"')
    _finder_keys[finder] = wanted
    if not wanted <= _watched:
        _watched = _watched | wanted
    return finder


_finder_keys: dict[re.Pattern[str], frozenset[str]] = {}
_watched: frozenset[str] = frozenset()  # every key a finder names


class Document:
    """Parsed YAML: its values and the node tree that knows where each value came from.

    A record read by the fast path has no tree until a position is asked for: then libyaml
    composes it from the text, so every position is libyaml's."""

    def __init__(self, data: Any, root: Node | None = None, *, lines: int | None = 0,
                 text: str = "", json: str | bytes | None = None, plain_suspects: bool = True,
                 texts: list[tuple[str, str]] | None = None,
                 watched: frozenset[str] = frozenset()) -> None:
        self.data = data
        self._root = root
        self._text = text
        # the fast path's JSON of the values (None when libyaml read the file): rules look
        # for the few fields they judge in it with one regular expression (UTF-8 bytes until
        # then)
        self._json = json
        # (key, text) of each text value of a ``watched`` key, gathered by the fast path
        # (then ``texts_at`` need not search the JSON for those keys)
        self._texts = texts
        self._watched = watched
        # False: no value a YAML 1.2 core reader types otherwise stands unquoted (fast path)
        self._plain_suspects = plain_suspects
        # key → (key node, value node) of each mapping looked into: a record with many
        # findings in one large mapping costs one pass over it, not one pass per finding
        self._keys: dict[int, dict[str, tuple[Node, Node]]] = {}
        # of the text (None: counted when first asked); an empty value at its very end is
        # marked one line past it
        self._lines = lines
        self._positions: Document | None = None

    @property
    def json(self) -> str | None:
        if isinstance(self._json, bytes):
            self._json = str(self._json, "utf-8")
        return self._json

    @property
    def lines(self) -> int:
        if self._lines is None:
            self._lines = self._text.count("\n") + 1
        return self._lines

    def texts_at(self, finder: re.Pattern[str]) -> list[tuple[str, str]] | None:
        """(key, text) of every text value, anywhere in the values, of a mapping key that
        ``finder`` (made by ``key_finder``) names: one pass over the fast path's JSON. None
        when libyaml read the file: then walk the values."""
        if self._json is None:
            return None
        if self._texts is not None:
            keys = _finder_keys.get(finder)
            if keys is not None and keys <= self._watched:
                return [(key, text) for key, text in self._texts if key in keys]
        return [(key, json.loads(f'"{text}"') if "\\" in text else text)
                for key, text in finder.findall(self.json or "")]

    @property
    def root(self) -> Node:
        if self._root is None:
            root = compose(self._text)
            if root is None:  # pragma: no cover - the fast path reads mappings only
                raise LoadError("empty", _("file is empty; a record starts with 'kind:' and 'id:'"))
            self._root = root
        return self._root

    def positions(self) -> Document:
        """What looks positions up: this document, or (not yet composed) one holding only its
        text, small to send between processes with a finding's location."""
        if self._root is not None or self._positions is not None:
            return self._positions or self
        self._positions = Document(None, lines=self._lines, text=self._text)
        return self._positions

    def position(self, path: Path_, *, key: bool = False) -> tuple[int, int]:
        """Line and column of the value at ``path``; of its key with ``key=True``.

        A path that leads nowhere (a missing key) gives the deepest mapping or list on it.
        """
        node = self.root
        key_node: Node | None = None
        for part in path:
            child = self._child(node, part)
            if child is None:
                return _mark(node)
            key_node, node = child
        line, column = _mark(key_node if key and key_node is not None else node)
        if self.lines and line > self.lines:
            return self.lines, 1
        return line, column

    def plain_texts(self, wanted: Callable[[str], bool]
                    ) -> Iterator[tuple[list[str | int], str, int, int]]:
        """Each value read as text from a plain (unquoted) scalar that ``wanted`` accepts:
        its path, text, line and column. Keys are left out; the walk is iterative and builds
        a path only for the values it yields."""
        if self._root is None and not self._plain_suspects:
            return  # read by the fast path, and no such text stands unquoted in the file
        stack: list[tuple[tuple[str | int, ...], Node]] = [((), self.root)]
        while stack:
            path, node = stack.pop()
            if isinstance(node, SequenceNode):
                children: Iterable[tuple[str | int, Node]] = enumerate(node.value)
            elif isinstance(node, MappingNode):
                children = ((str(k.value), v) for k, v in node.value)
            else:
                continue
            for part, child in children:
                if isinstance(child, ScalarNode):
                    if child.tag == _STR and not child.style and wanted(child.value):
                        yield ([*path, part], child.value, *_mark(child))
                elif isinstance(child, SequenceNode | MappingNode):
                    stack.append(((*path, part), child))

    def _child(self, node: Node, part: str | int) -> tuple[Node | None, Node] | None:
        if isinstance(node, MappingNode):
            keys = self._keys.get(id(node))
            if keys is None:
                keys = {}
                for key_node, value_node in node.value:
                    keys.setdefault(str(key_node.value), (key_node, value_node))
                self._keys[id(node)] = keys
            return keys.get(str(part))
        return _child(node, part)


def too_deep(depth: int) -> str:
    return _("nesting deeper than {depth} levels").format(depth=depth)


def too_big(size: int, limit: int) -> str:
    """The message of a file larger than the limit of a record."""
    return _("file is {size:,} bytes; records are limited to {limit:,} bytes "
             "(limits.max_record_bytes in qmsdoc.yaml)").format(size=size, limit=limit)


def _child(node: Node, part: str | int) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in node.value:
            if key_node.value == str(part):
                return key_node, value_node
        return None
    if isinstance(node, SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
        return None, node.value[part]
    return None


_CONFLICT = re.compile(r"^<{7}( |$)(?=(?:.*\n)*?={7}$)", re.MULTILINE)
CONFLICT_MESSAGE = ("two records got the same id (merge conflict) — keep one and run qmsdoc "
                    "renumber on the other")


def has_conflict_markers(raw: bytes) -> bool:
    """Whether the file holds git's merge-conflict markers (<<<<<<< … ======= … >>>>>>>)."""
    return _CONFLICT.search(raw.decode("utf-8", "replace")) is not None


def parse(raw: bytes, limits: Limits = Limits()) -> Document:
    """Parse one record file's bytes; raises LoadError with a position for anything refused."""
    if len(raw) > limits.max_bytes:
        raise LoadError("limit", too_big(len(raw), limits.max_bytes))
    text = decode(raw)
    if b"<<<<<<<" in raw:  # the same as in the text, found faster in the bytes
        _refuse_conflict_markers(text)
    watched = _watched
    fast = fastyaml.read(raw, text, limits.max_depth, watched)
    if fast is not None:  # an ordinary record: libyaml composes it only if a position is needed
        return Document(fast.data, lines=None, text=text, json=fast.json,
                        plain_suspects=fast.plain_suspects, texts=fast.texts, watched=watched)
    return parse_slow(text, limits)


def _refuse_conflict_markers(text: str) -> None:
    if "<<<<<<<" not in text:  # the regular expression costs six times more
        return
    marker = _CONFLICT.search(text)
    if marker is not None:
        raise LoadError("conflict", _(CONFLICT_MESSAGE), text.count("\n", 0, marker.start()) + 1, 1)


def parse_slow(text: str, limits: Limits = Limits()) -> Document:
    """Parse decoded text through libyaml alone: what ``parse`` does with an unusual file."""
    _refuse_conflict_markers(text)
    check_text(text, limits)
    root = compose(text)
    if root is None:
        raise LoadError("empty", _("file is empty; a record starts with 'kind:' and 'id:'"))
    return Document(construct(root), root, lines=text.count("\n") + 1)


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


class _Dumper(
    yaml.emitter.Emitter, yaml.serializer.Serializer, yaml.representer.SafeRepresenter,
    _Core12Resolver,
):
    """Writes text that reads back unchanged under the YAML 1.2 rules above (so dates and
    part numbers are written plain, not quoted as YAML 1.1 would need)."""

    def __init__(self, stream: Any, **kwargs: Any) -> None:
        yaml.emitter.Emitter.__init__(
            self, stream, canonical=None, indent=None, width=kwargs.get("width"),
            allow_unicode=kwargs.get("allow_unicode"), line_break=None,
        )
        yaml.serializer.Serializer.__init__(self, encoding=None, explicit_start=None,
                                            explicit_end=None, version=None, tags=None)
        yaml.representer.SafeRepresenter.__init__(
            self, default_style=None, default_flow_style=bool(kwargs.get("default_flow_style")),
            sort_keys=kwargs.get("sort_keys", True),
        )
        _Core12Resolver.__init__(self)


def _str_representer(dumper: _Dumper, value: str) -> yaml.ScalarNode:
    from .yamlhints import core_type

    # quoted where a YAML 1.2 reader would not read text back (part_no: "0012346")
    style = "|" if "\n" in value else '"' if core_type(value) else None
    return dumper.represent_scalar(_STR, value, style=style)


_Dumper.add_representer(str, _str_representer)


def dump(data: Any) -> str:
    text: str = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                          default_flow_style=False, width=100)
    return text
