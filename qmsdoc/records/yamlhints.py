"""Where a YAML syntax error really starts, when libyaml gives up somewhere else; and
which plain values a YAML 1.2 core reader types differently from qmsdoc (see checks.yaml12).

An unclosed quote is the common case: libyaml reads on, across lines, until the next quote
character closes the value, and reports the confusion that follows (often many lines
later). Scanning the lines before the error for a quoted value left open at its line end
finds the line the user has to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# A quote that starts a value: at the start of a line, after "key:", "- ", "[", "{" or ",".
_OPENING = re.compile(r"""(?:^|[:\-\[{,])[ \t]*(["'])""")


@dataclass(frozen=True)
class OpenQuote:
    line: int  # 1-based
    column: int
    quote: str


def _close(line: str, start: int, quote: str) -> int | None:
    """Index just after the quote closing a value that runs from ``start``; None if open."""
    i = start
    while i < len(line):
        char = line[i]
        if quote == '"' and char == "\\":
            i += 2
            continue
        if char == quote:
            if quote == "'" and line[i + 1:i + 2] == "'":
                i += 2
                continue
            return i + 1
        i += 1
    return None


def unclosed_quote(text: str, error_line: int) -> OpenQuote | None:
    """The quote opened on a line before ``error_line`` (1-based) and not closed on its own
    line, when the value it opens is still running at, or ends just before, the error."""
    lines = text.split("\n")
    open_at: OpenQuote | None = None
    for number, line in enumerate(lines[:error_line], start=1):
        if open_at is not None:
            if _close(line, 0, open_at.quote) is None:
                continue
            if number + 1 < error_line:
                open_at = None  # a multi-line quoted value that ended well before the error
            continue
        position = 0
        while (match := _OPENING.search(line, position)) is not None:
            start = match.start(1)
            end = _close(line, start + 1, line[start])
            if end is None:
                open_at = OpenQuote(number, start + 1, line[start])
                break
            position = end
    if open_at is not None and open_at.line < error_line:
        return open_at
    return None


_CORE_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_CORE_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
                         r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN")
_CORE_OTHER = {"true": "boolean", "True": "boolean", "TRUE": "boolean", "false": "boolean",
               "False": "boolean", "FALSE": "boolean", "null": "null", "Null": "null",
               "NULL": "null", "~": "null", "": "null"}


_STARTS = frozenset("-+.0123456789tTfFnN~") | {""}


def core_type(text: str) -> str | None:
    """What a YAML 1.2 core reader makes of ``text`` written plain, unless it is text."""
    if text[:1] not in _STARTS:
        return None
    if text in _CORE_OTHER:
        return _CORE_OTHER[text]
    if _CORE_INT.fullmatch(text):
        return "integer"
    if _CORE_FLOAT.fullmatch(text):
        return "number"
    return None
