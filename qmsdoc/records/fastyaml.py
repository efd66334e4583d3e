"""The records loader's fast path: rapidyaml parses, libyaml decides whatever is unusual.

Only ``yamlload.parse`` calls this module (tests/test_architecture.py keeps both YAML parsers
behind the records loader). ``load`` returns the values of an ordinary record, exactly as
``yamlload`` would build them, or ``None``: then yamlload takes the file through libyaml,
which gives every finding with its line and column. So a finding is never made here, and
for a valid record no position is needed until a rule reports one (``Document.root`` is
composed by libyaml on demand).

rapidyaml parses the text into its C++ tree and writes it out as JSON, which orjson reads
in C when the values are certainly what the standard library's reader with the hooks below
builds (else that reader does). The typing of YAML 1.2 core that yamlload applies agrees with
rapidyaml's JSON for plain scalars except where this module looks (``True``, ``~``,
``NULL``, numbers that rapidyaml quoted); such a file goes to libyaml. Anything that could
hold a finding goes there too, found in one pass over the text: control characters, tabs,
NEL/LS/PS, backslash escapes, a BOM; document markers and directives; anchors, aliases and
tags (looked for in rapidyaml's node flags when ``&``, ``*`` or ``!`` occur at all); a
duplicate key; nesting deeper than the limit. rapidyaml's own errors (syntax, and nesting
beyond 64 levels in its emitter) raise C++ exceptions: caught, the file goes to libyaml;
rapidyaml's message for them, which it writes to stderr, is left out (see _quiet_stderr).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

try:
    import ryml
except ImportError:  # pragma: no cover - a dependency; without it, libyaml does it all
    ryml = None
_orjson: Any
try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - a dependency; without it, the standard library reads
    _orjson = None
orjson = _orjson

# one pass over the text: whatever libyaml alone may judge (C0 and C1 controls with tab,
# DEL, backslash escapes, LS/PS, BOM and non-characters)
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\\\\\u2028\u2029\ufeff\ufffe\uffff]")
# _UNUSUAL's characters found in three passes that cost less than its one (a character class
# tested at every character): the ASCII ones in the UTF-8 bytes, by deleting every other
# byte; the C1 controls as their UTF-8 (a lead byte 0xC2 is never a continuation byte);
# the five others in the text
_ASCII_UNUSUAL = bytes([*range(0x0A), *range(0x0B, 0x20), 0x7F, 0x5C])
_ALL_BUT_ASCII_UNUSUAL = bytes(b for b in range(256) if b not in _ASCII_UNUSUAL)
_C1_UTF8 = re.compile(b"\xc2[\x80-\x9f]")
_DOCUMENT_MARKS = re.compile(r"\n(?:---|\.\.\.|%)")  # one pass: a third of three finds
# a JSON string that yamlload's YAML 1.2 core typing would not keep a string, were it plain
# (the lookahead lets the scan drop a string at its first character: ~9x faster)
_NOT_PLAIN_TEXT = re.compile(r'"(?=[-+0-9TFN~])(?:True|TRUE|False|FALSE|~|Null|NULL|'
                             r'[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"')
# a JSON string that a YAML 1.2 core reader (yaml12's yamlhints.core_type) would not read as
# text, were it plain: a superset of _NOT_PLAIN_TEXT, found in one pass
_CORE_BODY = (r'([-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|'
              r'[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|'
              r'[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|true|True|TRUE|false|False|'
              r'FALSE|null|Null|NULL|~|)')
_CORE_TYPED = re.compile(r'"(?=[-+.0-9tTfFnN~"])' + _CORE_BODY + '"')
# the same strings as values (without the quotes), and the first characters they can have
_CORE_TEXT = re.compile(_CORE_BODY)
_CORE_STARTS = frozenset("-+.0123456789tTfFnN~") | {""}
_MAX_INT_DIGITS = 18

_stderr_lock = threading.Lock()
_sink: int | None = None  # where fd 2 points while rapidyaml runs


class _Unusual(Exception):
    """Raised inside the JSON reader: this file goes to libyaml."""


def _unusual(source: bytes, text: str) -> bool:
    """Whether ``text`` holds a character of ``_UNUSUAL``; ``source`` is its UTF-8."""
    return (bool(source.translate(None, _ALL_BUT_ASCII_UNUSUAL))
            or _C1_UTF8.search(source) is not None or "\u2028" in text or "\u2029" in text
            or "\ufeff" in text or "\ufffe" in text or "\uffff" in text)


def available() -> bool:
    return ryml is not None


@dataclass(frozen=True)
class Read:
    """What the fast path read: the values, rapidyaml's JSON of them (rules look into it
    with one regular-expression pass instead of walking the values), and whether a string
    that a YAML 1.2 core reader would type otherwise may stand unquoted in the text.
    ``texts``: (key, text) of every text value of a ``watched`` key, in the order of the
    text, found while the values were counted; None when they were not (then the JSON is
    searched)."""

    data: dict[str, Any]
    json: str | bytes  # bytes: UTF-8, decoded only if the JSON is searched
    plain_suspects: bool
    texts: list[tuple[str, str]] | None = None


def load(raw: bytes, text: str, max_depth: int) -> dict[str, Any] | None:
    """The values of ``text`` (the decoded ``raw``), or None to let libyaml read it."""
    found = read(raw, text, max_depth)
    return None if found is None else found.data


def read(raw: bytes, text: str, max_depth: int, watched: frozenset[str] = frozenset()
         ) -> Read | None:
    """What ``load`` reads, with rapidyaml's JSON; None to let libyaml read the file. The
    text values of ``watched`` keys are gathered on the way (``Read.texts``)."""
    if ryml is None or not text:
        return None
    source = raw if len(raw) == len(text) or b"\r" not in raw else text.encode("utf-8")
    if source.startswith(b"\xef\xbb\xbf"):
        source = text.encode("utf-8")
    if _unusual(source, text):
        return None
    if text.startswith(("---", "...", "%")) or _DOCUMENT_MARKS.search(text) is not None:
        return None
    if _reserved_at_token_start(text) or _odd_block_header(text):
        return None
    flags_needed = "&" in text or "*" in text or "!" in text
    found = _emit(source, flags_needed)
    if found is None:
        return None
    encoded, nodes = found
    if not encoded.startswith(b"{"):
        return None
    quick = _quick_values(encoded, nodes, max_depth, watched)  # an empty key: None
    if quick is not None:
        data, census = quick
        suspects = census.plain_suspects(text)
        return None if suspects is None else Read(data, encoded, suspects, census.texts)
    if b'"":' in encoded:
        return None  # an empty key: libyaml may see a syntax error
    try:
        emitted = str(encoded, "utf-8")
    except UnicodeDecodeError:  # pragma: no cover - rapidyaml writes what it read
        return None
    suspects = _plain_suspects(emitted, text)
    if suspects is None:
        return None
    try:
        data = json.loads(emitted, object_pairs_hook=_mapping, parse_int=_int,
                          parse_float=_float, parse_constant=_constant)
    except (_Unusual, ValueError, RecursionError):
        return None
    if not isinstance(data, dict):
        return None
    if emitted.count("{") + emitted.count("[") > max_depth and _depth(data) > max_depth:
        return None
    return Read(data, emitted, suspects)


def _plain_suspects(emitted: str, text: str) -> bool | None:
    """One pass over the strings of ``emitted`` that a YAML 1.2 core reader types as a
    number, boolean or null when written plain. None: one of them is not quoted everywhere
    in the text and yamlload would type it otherwise too (libyaml reads the file). True: one
    may stand unquoted (the yaml12 rule then looks at the node tree). A plain scalar appears
    in the text as its value unquoted; when every occurrence of the value stands between
    quotes, each scalar holding it was quoted (part numbers "4699651")."""
    return _judged(match.group(1) for match in _CORE_TYPED.finditer(emitted))(text)


def _judged(values: Iterable[str]) -> Callable[[str], bool | None]:
    """``_plain_suspects`` of these core-typed strings, given the text."""

    def judge(text: str) -> bool | None:
        suspects = False
        for value in values:
            if _always_quoted(value, text):
                continue
            if _NOT_PLAIN_TEXT.fullmatch(f'"{value}"'):
                return None
            suspects = True
        return suspects

    return judge


def _always_quoted(value: str, text: str) -> bool:
    """Whether ``value`` occurs in ``text`` and each occurrence stands between quotes: the
    occurrences (counted without overlap) as many as those of ``"value"`` and ``'value'``.

    A value found once is judged by its two neighbours, in one pass over the text instead
    of three: a core-typed value holds no quote, so each ``"value"`` holds an occurrence
    of the value, and with a single occurrence the counts agree exactly when its
    neighbours are the same quote."""
    at = text.find(value)
    if at == -1:
        return False
    end = at + len(value)
    if value and at > 0 and text.find(value, end) == -1:
        quote = text[at - 1]
        return quote in "\"'" and text[end:end + 1] == quote
    found = text.count(value)
    return found == text.count(f'"{value}"') + text.count(f"'{value}'")


# a block scalar's header as libyaml reads it: indentation (1-9) and chomping in either order,
# then nothing, or blanks and a comment; rapidyaml passes over what follows (">-2.0")
_BLOCK_HEADER = re.compile(r"(?:[1-9][-+]?|[-+][1-9]?)?(?:[ ]+(?:#.*)?)?")


def _odd_block_header(text: str) -> bool:
    """A ``|`` or ``>`` after a blank or at a line's start followed by what cannot end a
    block scalar's header (inside plain text too: libyaml then decides)."""
    for char in "|>":
        at = text.find(char)
        while at != -1:
            if at == 0 or text[at - 1] in " \n":
                end = text.find("\n", at)
                if _BLOCK_HEADER.fullmatch(text, at + 1, end if end != -1 else len(text)) is None:
                    return True
            at = text.find(char, at + 1)
    return False


def _reserved_at_token_start(text: str) -> bool:
    """An indicator that cannot start a plain scalar in libyaml (rapidyaml may take it)."""
    for char in "@`%,]}":
        at = text.find(char)
        while at != -1:
            if at == 0 or text[at - 1] in " \n[{,:-?":
                return True
            at = text.find(char, at + 1)
    return False


# a number written "0.…" or "-0.…" (also "0.25e1", which rapidyaml writes for ".25e1"), found
# where a number may start (in a text too: then the standard library's reader decides, which
# sees each number's own text); the literal first makes the search ~7x cheaper
_ZERO_POINT = re.compile(rb"0\.(?:(?<=[\[, ]0\.)|(?<=[\[, ]-0\.))")


def _quick_values(encoded: bytes, nodes: int, max_depth: int,
                  watched: frozenset[str]) -> tuple[dict[str, Any], _Census] | None:
    """The values of rapidyaml's JSON as orjson reads them, when they are certainly what
    the standard library's reader below builds with its hooks; None to let that reader
    decide. orjson keeps the last of duplicate keys and reads every number itself, so the
    values are counted against rapidyaml's nodes (one fewer: a duplicate key), and a number
    that the hooks would judge by its text (``0.5``, ``1.0``, ``0.25e1``, 19 digits) sends
    the file there; so do nesting deeper than the limit and an empty key (looked up in each
    mapping: cheaper than a search of the JSON). The count also gathers what the JSON
    passes would find (core-typed strings, the texts of watched keys)."""
    if orjson is None:
        return None
    try:
        data = orjson.loads(encoded)
    except orjson.JSONDecodeError:
        return None
    if type(data) is not dict:
        return None
    census = _Census(max_depth, watched) if watched else _Unwatched(max_depth, watched)
    try:
        counted = census.mapping(data, 1)
    except _Unusual:
        return None
    if counted + 1 != nodes:
        return None  # a duplicate key (or a tree of another shape): the hooks decide
    if census.floats and _ZERO_POINT.search(encoded) is not None:
        return None
    return data, census


_BIG = 10**_MAX_INT_DIGITS
_typed: dict[str, bool] = {}  # _core_typed's answers (dates and numbers recur across records)


def _core_typed(value: str) -> bool:
    known = _typed.get(value)
    if known is None:
        if len(_typed) >= 65536:
            _typed.clear()
        known = _typed[value] = _CORE_TEXT.fullmatch(value) is not None
    return known


class _Census:
    """Counts the values below a mapping or list (each entry and item once); raises
    _Unusual at a number the hooks would read otherwise or at nesting beyond the limit.
    On the way: the strings a YAML 1.2 core reader would type (what ``_plain_suspects``
    finds in the JSON, keys aside: they stay text on both paths) and (key, text) of each
    text value of a watched key (what ``Document.texts_at`` finds in the JSON)."""

    __slots__ = ("max_depth", "watched", "floats", "core", "texts")

    def __init__(self, max_depth: int, watched: frozenset[str]) -> None:
        self.max_depth = max_depth
        self.watched = watched
        self.floats = False
        self.core: list[str] = []
        self.texts: list[tuple[str, str]] = []

    def plain_suspects(self, text: str) -> bool | None:
        return _judged(self.core)(text)

    def mapping(self, node: dict[str, Any], level: int) -> int:
        if level > self.max_depth or "" in node:  # an empty key: libyaml may see an error
            raise _Unusual
        counted = len(node)
        watched = self.watched
        for key, value in node.items():
            kind = type(value)
            if kind is str:
                if key in watched:
                    self.texts.append((key, value))
                if value <= "~" and value[:1] in _CORE_STARTS and _core_typed(value):
                    self.core.append(value)
            elif kind is dict:
                counted += self.mapping(value, level + 1)
            elif kind is list:
                counted += self.sequence(value, level + 1)
            else:
                self.scalar(value, kind)
        return counted

    def sequence(self, node: list[Any], level: int) -> int:
        if level > self.max_depth:
            raise _Unusual
        counted = len(node)
        for value in node:
            kind = type(value)
            if kind is str:
                if value <= "~" and value[:1] in _CORE_STARTS and _core_typed(value):
                    self.core.append(value)
            elif kind is dict:
                counted += self.mapping(value, level + 1)
            elif kind is list:
                counted += self.sequence(value, level + 1)
            else:
                self.scalar(value, kind)
        return counted

    def scalar(self, value: Any, kind: type) -> None:
        if kind is int:
            if not -_BIG < value < _BIG:
                raise _Unusual  # 19 digits or more: the hooks keep the text
        elif kind is float:
            # "0.5" and "1.0" are what rapidyaml writes for ".5" and "1."; beyond 18 digits
            # an integer's text is kept; the hooks judge such numbers by their text
            if -1.0 < value < 1.0 or value.is_integer() or not -1e18 < value < 1e18:
                raise _Unusual
            self.floats = True


class _Unwatched(_Census):
    """The census when no key is watched (``due``, ``report``: no rule looks for texts): the
    values alone are walked, without a look at each key."""

    __slots__ = ()

    def mapping(self, node: dict[str, Any], level: int) -> int:
        if level > self.max_depth or "" in node:  # an empty key: libyaml may see an error
            raise _Unusual
        counted = len(node)
        core = self.core
        for value in node.values():
            kind = type(value)
            if kind is str:
                if value <= "~" and value[:1] in _CORE_STARTS and _core_typed(value):
                    core.append(value)
            elif kind is dict:
                counted += self.mapping(value, level + 1)
            elif kind is list:
                counted += self.sequence(value, level + 1)
            else:
                self.scalar(value, kind)
        return counted


def _emit(source: bytes, flags_needed: bool) -> tuple[bytes, int] | None:
    """rapidyaml's JSON of ``source`` (UTF-8) and the number of nodes of its tree; None when
    it refuses it or it holds anchors or tags.

    One tree and one output buffer serve every file (under the stderr lock): a new tree per
    file costs twice the parse, and emitting into a fresh string makes rapidyaml emit twice
    (once to measure)."""
    global _buffer
    with _quiet_stderr():
        try:
            tree = _tree()
            tree.clear()
            tree.clear_arena()
            ryml.parse_in_arena(source, tree)
            if flags_needed and _has_anchor_alias_or_tag(tree):
                return None
            failed, size = ryml.emit_json_to_substr(tree, tree.root_id(), _buffer)
            if failed:
                _buffer = bytearray(size + size // 2)
                failed, size = ryml.emit_json_to_substr(tree, tree.root_id(), _buffer)
                if failed:  # pragma: no cover - the buffer was made large enough
                    return None
            return bytes(memoryview(_buffer)[:size]), tree.size()
        except Exception:  # rapidyaml's C++ errors (ExceptionParse, ExceptionVisit, ...)
            return None


_buffer = bytearray(256 * 1024)
_reused: Any = None


def _tree() -> Any:
    global _reused
    if _reused is None:
        _reused = ryml.Tree()
    return _reused


_FLAGGED = 0


def _has_anchor_alias_or_tag(tree: Any) -> bool:
    global _FLAGGED
    if not _FLAGGED:
        _FLAGGED = (ryml.KEYANCH | ryml.VALANCH | ryml.KEYREF | ryml.VALREF | ryml.KEYTAG
                    | ryml.VALTAG)
    kind = tree.type
    return any(int(kind(node)) & _FLAGGED for node in range(tree.size()))


class _quiet_stderr:  # noqa: N801 - used as a statement, like contextlib's helpers
    """File descriptor 2 points at a private sink while rapidyaml runs (it prints its
    errors there before raising). Afterwards whatever else reached the sink meanwhile
    (another thread's output) goes on to the real stderr: nothing is lost, only rapidyaml's
    own lines are left out. Serialised by a lock; costs four system calls per file."""

    def __enter__(self) -> None:
        global _sink
        _stderr_lock.acquire()
        try:
            if _sink is None:
                _sink = _open_sink()
            self.saved = os.dup(2)
            os.dup2(_sink, 2)
            _redirected[0] = self.saved
        except BaseException:
            _stderr_lock.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            _redirected[0] = -1
            os.dup2(self.saved, 2)
            os.close(self.saved)
            assert _sink is not None
            if os.lseek(_sink, 0, os.SEEK_CUR):
                _forward(_sink)
        finally:
            _stderr_lock.release()


_redirected = [-1]  # while fd 2 points at the sink: the descriptor of the real stderr


def _forget_sink() -> None:
    """In a forked child: a sink of its own, never the parent's. The two would share one file
    offset, and each worker's truncating would garble the other's forwarded lines."""
    global _sink, _stderr_lock
    _stderr_lock = threading.Lock()  # a thread of the parent may have held it at the fork
    if _redirected[0] != -1:  # ... with fd 2 pointing at the sink: the child's own stderr back
        with contextlib.suppress(OSError):
            os.dup2(_redirected[0], 2)
            os.close(_redirected[0])
        _redirected[0] = -1
    if _sink is not None:
        with contextlib.suppress(OSError):
            os.close(_sink)
        _sink = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_sink)


def _open_sink() -> int:
    if hasattr(os, "memfd_create"):
        return os.memfd_create("qmsdoc-ryml-stderr", os.MFD_CLOEXEC)
    import tempfile

    handle = tempfile.TemporaryFile()  # noqa: SIM115 - its descriptor lives for the process
    fd = os.dup(handle.fileno())
    handle.close()
    return fd


def _forward(sink: int) -> None:
    """Write what reached ``sink`` to stderr, without rapidyaml's error lines; empty it."""
    os.lseek(sink, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(sink, 65536):
        chunks.append(chunk)
    os.ftruncate(sink, 0)
    os.lseek(sink, 0, os.SEEK_SET)
    kept = b"".join(line for line in b"".join(chunks).splitlines(keepends=True)
                    if not _RYML_LINE.search(line))
    try:
        while kept:
            kept = kept[os.write(2, kept):]
    except OSError:
        pass  # stderr closed: as for any other write to it


# rapidyaml's own lines: "line=2 col=1 (9B): ERROR: [parse] ..." and
# ".../parse_engine.def.hpp:1000: (detected here)"
_RYML_LINE = re.compile(rb"^(?:line=\d+ col=\d+ \(\d+B\)|/\S*\.[ch]pp:\d+): "
                        rb"(?:ERROR: |\(detected here\))")


def _mapping(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):  # a duplicate key: libyaml names both lines
        raise _Unusual
    return result


def _int(text: str) -> int | str:
    # beyond 64 bits a number is no quantity or amount: yamlload keeps the text
    return int(text) if len(text.lstrip("+-")) <= _MAX_INT_DIGITS else text


def _float(text: str) -> float | str:
    if text.startswith(("0.", "-0.")) or text.endswith(".0"):
        raise _Unusual  # rapidyaml writes ".5" and "1." as 0.5 and 1.0: libyaml reads the text
    number = float(text)
    return number if math.isfinite(number) else text


def _constant(text: str) -> Any:
    raise _Unusual  # NaN, Infinity: not what yamlload reads a plain scalar as


def _depth(node: Any) -> int:
    """Nesting depth as libyaml counts it: the record's mapping is level 1."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(node, 1)]
    while stack:
        value, level = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest
