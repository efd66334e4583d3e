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


def split_paragraphs(xml: str) -> str:
    """Each marked break of a rendered part made a paragraph break (the paragraph's and
    the run's properties repeated)."""
    at = xml.find(MARK)
    if at < 0:
        return xml
    out: list[str] = []
    done = 0
    while at >= 0:
        start = _paragraph_start(xml, done, at)
        end = xml.find("</w:p>", at)
        if start < 0 or end < 0:  # not inside a paragraph: the mark goes
            out.append(xml[done:at])
            done = at + 1
        else:
            out.append(xml[done:start])
            out.append(_split(xml[start:end + len("</w:p>")]))
            done = end + len("</w:p>")
        at = xml.find(MARK, done)
    out.append(xml[done:])
    return "".join(out)


def _paragraph_start(xml: str, done: int, at: int, window: int = 4096) -> int:
    """Where the last paragraph opened between ``done`` and ``at`` starts (-1: none): looked
    for just before ``at`` first, then further back (a part is long, a paragraph short)."""
    low = max(done, at - window)
    while True:
        start = max(xml.rfind("<w:p>", low, at), xml.rfind("<w:p ", low, at))
        if start >= 0 or low == done:
            return start
        low = max(done, low - 16 * window)


def _split(paragraph: str) -> str:
    first, *rest = paragraph.split(MARK)
    run = [m.start() for m in _RUN.finditer(first)]
    opened = list(_TEXT_OPEN.finditer(first))
    if not run or not opened:
        return paragraph.replace(MARK, "")
    head = first[:run[0]]
    run_head = first[run[-1]:opened[-1].end()]
    return first + "".join(f"</w:t></w:r></w:p>{head}{run_head}{part}" for part in rest)
