"""Labels fitted into their cells: a label that does not fit on one line is broken where a
reader expects it (between its Chinese and its English part, at a space), never inside a
word or leaving one character alone on a line.

A template asks for it with the ``fit`` filter and the cell's width in millimetres
(``{{ label['customer']|fit(25) }}``); each line becomes a paragraph of its own, as a label
typed in Word would be. The filter marks the breaks; ``split_paragraphs`` turns them into
paragraphs once the part is rendered (record text can never carry the mark: the engine
drops control characters from it).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, AnyStr, Generic, NamedTuple, cast

from markupsafe import Markup, escape

MARK = "\x1f"
TWIPS_PER_MM = 56.6929
CJK_TWIPS, LATIN_TWIPS, SPACE_TWIPS = 182, 105, 50  # bold 9 pt, with a little to spare
CELL_MARGINS = 2 * 68 + 10
_RUN = re.compile(r"<w:r[ >]")
_TEXT_OPEN = re.compile(r"<w:t(?: [^>]*)?>")


def measure(text: str) -> int:
    """About how wide ``text`` prints in bold 9 pt, in twips."""
    return sum(SPACE_TWIPS if ch == " " else LATIN_TWIPS if ord(ch) < 0x2E80 else CJK_TWIPS
               for ch in text)


def lines(text: str, width: int) -> list[str]:
    """A label as the lines it is printed on in a cell ``width`` twips wide: one line when
    it fits; else broken where a reader expects it (between the Chinese and the English
    part), else into lines of even length — never a last line of one character."""
    room = width - CELL_MARGINS
    if "{" in text or measure(text) <= room:
        return [text]
    for at in [i for i, ch in enumerate(text) if ch in " (（"]:
        head, tail = text[:at].rstrip(), text[at:].lstrip()
        if head and measure(head) <= room and measure(tail) <= room:
            return [head, tail]
    if " " in text.strip():  # English: at the spaces, as many words a line as fit
        return _words(text.split(), room)
    if not any(ord(ch) >= 0x2E80 for ch in text):
        return [text]  # one word: never broken inside (the estimate errs on the wide side)
    count = -(-measure(text) // room)
    size = -(-len(text) // count)
    return [text[i:i + size] for i in range(0, len(text), size)]


def _words(words: list[str], room: int) -> list[str]:
    found: list[str] = []
    for word in words:
        if found and measure(f"{found[-1]} {word}") <= room:
            found[-1] = f"{found[-1]} {word}"
        else:
            found.append(word)
    return found


def fit(value: object, width_mm: float) -> Markup:
    """The ``fit`` filter: ``value`` in lines that fit a cell ``width_mm`` wide."""
    return Markup(_fitted(str(value), float(width_mm)))


@lru_cache(maxsize=4096)
def _fitted(text: str, width_mm: float) -> str:
    """The escaped lines of ``text``, joined by the mark (labels repeat: computed once)."""
    width = round(width_mm * TWIPS_PER_MM)
    parts = [p for line in text.split("\n") for p in lines(line, width)]
    return MARK.join(str(escape(p)) for p in parts)


class _Tokens(NamedTuple, Generic[AnyStr]):
    """What ``split_paragraphs`` looks for, as text or as UTF-8 bytes (every token is ASCII,
    and no byte of a character beyond ASCII is one: positions found in the bytes of a part
    are at the same characters as in its text)."""

    mark: AnyStr
    opened: AnyStr  # "<w:p>"
    opening: AnyStr  # "<w:p " (with attributes)
    closed: AnyStr  # "</w:p>"
    empty: AnyStr
    run: re.Pattern[AnyStr]
    text_open: re.Pattern[AnyStr]
    reopen: AnyStr  # what closes a line's paragraph before the next line's


_STR = _Tokens(MARK, "<w:p>", "<w:p ", "</w:p>", "", _RUN, _TEXT_OPEN, "</w:t></w:r></w:p>")
_BYTES = _Tokens(MARK.encode(), b"<w:p>", b"<w:p ", b"</w:p>", b"",
                 re.compile(_RUN.pattern.encode()), re.compile(_TEXT_OPEN.pattern.encode()),
                 b"</w:t></w:r></w:p>")


def _tokens(xml: AnyStr) -> _Tokens[AnyStr]:
    tokens: Any = _BYTES if isinstance(xml, bytes) else _STR
    return cast("_Tokens[AnyStr]", tokens)


def split_paragraphs(xml: AnyStr) -> AnyStr:
    """Each marked break of a rendered part made a paragraph break (the paragraph's and
    the run's properties repeated). The part as text, or as its UTF-8 bytes (the bytes of
    the text's result)."""
    t = _tokens(xml)
    at = xml.find(t.mark)
    if at < 0:
        return xml
    out: list[AnyStr] = []
    done = 0
    closed = len(t.closed)
    while at >= 0:
        start = _paragraph_start(xml, done, at)
        end = xml.find(t.closed, at)
        if start < 0 or end < 0:  # not inside a paragraph: the mark goes
            out.append(xml[done:at])
            done = at + 1
        else:
            out.append(xml[done:start])
            out.append(_split(xml[start:end + closed]))
            done = end + closed
        at = xml.find(t.mark, done)
    out.append(xml[done:])
    return t.empty.join(out)


def _paragraph_start(xml: AnyStr, done: int, at: int, window: int = 4096) -> int:
    """Where the last paragraph opened between ``done`` and ``at`` starts (-1: none): looked
    for just before ``at`` first, then further back (a part is long, a paragraph short)."""
    t = _tokens(xml)
    low = max(done, at - window)
    while True:
        start = max(xml.rfind(t.opened, low, at), xml.rfind(t.opening, low, at))
        if start >= 0 or low == done:
            return start
        low = max(done, low - 16 * window)


def _split(paragraph: AnyStr) -> AnyStr:
    t = _tokens(paragraph)
    parts = paragraph.split(t.mark)
    first = parts[0]
    run = [m.start() for m in t.run.finditer(first)]
    opened = list(t.text_open.finditer(first))
    if not run or not opened:
        return paragraph.replace(t.mark, t.empty)
    head = first[:run[0]]
    run_head = first[run[-1]:opened[-1].end()]
    return first + t.empty.join(t.reopen + head + run_head + part for part in parts[1:])
