"""The records loader's fast path: rapidyaml parses, libyaml decides whatever is unusual.

Only ``yamlload.parse`` calls this module (tests/test_architecture.py keeps both YAML parsers
behind the records loader). ``load`` returns the values of an ordinary record, exactly as
``yamlload`` would build them, or ``None``: then yamlload takes the file through libyaml,
which gives every finding with its line and column. So a finding is never made here, and
for a valid record no position is needed until a rule reports one (``Document.root`` is
composed by libyaml on demand).

rapidyaml parses the text into its C++ tree and writes it out as JSON, which the standard
library reads in C. The typing of YAML 1.2 core that yamlload applies agrees with
rapidyaml's JSON for plain scalars except where this module looks (``True``, ``~``,
``NULL``, numbers that rapidyaml quoted); such a file goes to libyaml. Anything that could
hold a finding goes there too, found in one pass over the text: control characters, tabs,
NEL/LS/PS, backslash escapes, a BOM; document markers and directives; anchors, aliases and
tags (looked for in rapidyaml's node flags when ``&``, ``*`` or ``!`` occur at all); a
duplicate key; nesting deeper than the limit. rapidyaml's own errors (syntax, and nesting
beyond 64 levels in its emitter) raise C++ exceptions: caught, the file goes to libyaml;
rapidyaml's message for them, which it writes to stderr, is discarded.
"""

from __future__ import annotations

import json
import math
import os
import re
import threading
from collections.abc import Callable
from typing import Any

try:
    import ryml
except ImportError:  # pragma: no cover - a dependency; without it, libyaml does it all
    ryml = None

# one pass over the text: whatever libyaml alone may judge (C0 and C1 controls with tab,
# DEL, backslash escapes, LS/PS, BOM and non-characters)
_UNUSUAL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\\\\\u2028\u2029\ufeff\ufffe\uffff]")
_DOCUMENT_MARKS = ("\n---", "\n...", "\n%")
# a JSON string that yamlload's YAML 1.2 core typing would not keep a string, were it plain
# (the lookahead lets the scan drop a string at its first character: ~9x faster)
_NOT_PLAIN_TEXT = re.compile(r'"(?=[-+0-9TFN~])(?:True|TRUE|False|FALSE|~|Null|NULL|'
                             r'[-+]?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)"')
_MAX_INT_DIGITS = 18

_stderr_lock = threading.Lock()
_devnull: int | None = None


class _Unusual(Exception):
    """Raised inside the JSON reader: this file goes to libyaml."""


def available() -> bool:
    return ryml is not None


def load(raw: bytes, text: str, max_depth: int) -> dict[str, Any] | None:
    """The values of ``text`` (the decoded ``raw``), or None to let libyaml read it."""
    if ryml is None or not text or _UNUSUAL.search(text) is not None:
        return None
    if text.startswith(("---", "...", "%")) or any(mark in text for mark in _DOCUMENT_MARKS):
        return None
    source = raw if len(raw) == len(text) or b"\r" not in raw else text.encode("utf-8")
    if source.startswith(b"\xef\xbb\xbf"):
        source = text.encode("utf-8")
    if _reserved_at_token_start(text):
        return None
    flags_needed = "&" in text or "*" in text or "!" in text
    emitted = _emit(source, flags_needed)
    if emitted is None or not emitted.startswith("{") or '"":' in emitted \
            or not _typed_alike(emitted, text):  # an empty key: libyaml may see a syntax error
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
    return data


def may_hold_plain(data: Any, text: str, wanted: Callable[[str], bool]) -> bool:
    """Whether a value of ``data`` that ``wanted`` accepts may stand unquoted in ``text``
    (False: each such value appears in the text only between quotes, so no rule that looks
    at plain values needs the node tree)."""
    stack = [data]
    while stack:
        node = stack.pop()
        values = node.values() if isinstance(node, dict) else node
        for value in values:
            if isinstance(value, str):
                if wanted(value) and not _always_quoted(value, text):
                    return True
            elif isinstance(value, dict | list):
                stack.append(value)
    return False


def _always_quoted(value: str, text: str) -> bool:
    found = text.count(value)
    return found > 0 and found == text.count(f'"{value}"') + text.count(f"'{value}'")


def _reserved_at_token_start(text: str) -> bool:
    """An indicator that cannot start a plain scalar in libyaml (rapidyaml may take it)."""
    for char in "@`%,]}":
        at = text.find(char)
        while at != -1:
            if at == 0 or text[at - 1] in " \n[{,:-?":
                return True
            at = text.find(char, at + 1)
    return False


def _typed_alike(emitted: str, text: str) -> bool:
    """Whether each string of ``emitted`` that plain would be typed otherwise was quoted.

    A plain scalar appears in the text as its value unquoted; when every occurrence of the
    value stands between quotes, each scalar holding it was quoted (part numbers "4699651")."""
    for match in _NOT_PLAIN_TEXT.finditer(emitted):
        if not _always_quoted(match.group()[1:-1], text):
            return False
    return True


def _emit(source: bytes, flags_needed: bool) -> str | None:
    """rapidyaml's JSON of ``source``; None when it refuses it or it holds anchors or tags."""
    with _quiet_stderr():
        try:
            tree = ryml.parse_in_arena(source)
            if flags_needed and _has_anchor_alias_or_tag(tree):
                return None
            emitted: str = ryml.emit_json(tree)
        except Exception:  # rapidyaml's C++ errors (ExceptionParse, ExceptionVisit, ...)
            return None
    return emitted


_FLAGGED = 0


def _has_anchor_alias_or_tag(tree: Any) -> bool:
    global _FLAGGED
    if not _FLAGGED:
        _FLAGGED = (ryml.KEYANCH | ryml.VALANCH | ryml.KEYREF | ryml.VALREF | ryml.KEYTAG
                    | ryml.VALTAG)
    kind = tree.type
    return any(int(kind(node)) & _FLAGGED for node in range(tree.size()))


class _quiet_stderr:  # noqa: N801 - used as a statement, like contextlib's helpers
    """File descriptor 2 points at /dev/null while rapidyaml runs (it prints its errors)."""

    def __enter__(self) -> None:
        global _devnull
        _stderr_lock.acquire()
        if _devnull is None:
            _devnull = os.open(os.devnull, os.O_WRONLY)
        self.saved = os.dup(2)
        os.dup2(_devnull, 2)

    def __exit__(self, *exc: object) -> None:
        os.dup2(self.saved, 2)
        os.close(self.saved)
        _stderr_lock.release()


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
