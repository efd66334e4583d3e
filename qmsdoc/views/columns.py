"""Columns of text that line up on a terminal when they hold Chinese: a CJK character takes
two columns (its East Asian width), a Latin one one."""

from __future__ import annotations

import unicodedata


def width(text: str) -> int:
    """The columns ``text`` takes on a terminal."""
    if text.isascii():
        return len(text)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, columns: int) -> str:
    """``text`` followed by spaces up to ``columns`` terminal columns."""
    return text + " " * max(0, columns - width(text))
