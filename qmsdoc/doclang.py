"""The language a document (a form, a report) is printed in: ``zh``, ``en`` or ``zh-en`` (both).

Pure values and helpers shared by the configuration, the forms and the reports; the
language of the command line's messages is a different choice (``qmsdoc --lang``).
A wording has a Chinese and an English text; a bilingual free text in a record is
``{zh: …, en: …}`` (a plain string is the record's main language, Chinese).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Lang = Literal["zh", "en", "zh-en"]
LANGS: tuple[Lang, ...] = ("zh", "en", "zh-en")
ZH: Lang = "zh"
EN: Lang = "en"
BOTH: Lang = "zh-en"
FALLBACK_MARK = "[zh]"  # an English form printing a text it has only in Chinese
CJK = re.compile("[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf"
                 "\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")

SURROGATE = re.compile("[\ud800-\udfff]")  # not a character: no file can hold one


def readable(text: str) -> str:
    """``text`` as a form or a file prints it. Text from git is decoded with surrogateescape
    (names compare as git stores them); bytes that are not UTF-8 print here as U+FFFD, as
    ``git log`` shows them in a UTF-8 terminal, and so does any other lone surrogate."""
    if SURROGATE.search(text) is None:
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:  # a surrogate that stands for no byte
        return SURROGATE.sub("\ufffd", text)


def parse(value: str) -> Lang:
    """``zh``, ``en`` or ``zh-en``; ValueError for anything else."""
    if value not in LANGS:
        raise ValueError(f"{value!r} is not a form language (zh, en or zh-en)")
    return value


def has_cjk(text: str) -> bool:
    """Whether ``text`` holds a Chinese (or other East Asian) character or punctuation."""
    return CJK.search(text) is not None


@dataclass(frozen=True)
class Wording:
    """A text of a document in both languages. ``both`` is what a bilingual document
    prints (default: Chinese, a space, English); a Chinese form that already shows the
    English beside the Chinese (``姓名 Name``) has ``zh == both``."""

    zh: str
    en: str
    both: str = ""

    def __call__(self, lang: Lang) -> str:
        if lang == EN:
            return self.en
        if lang == BOTH:
            return self.both or pair(self.zh, self.en)
        return self.zh


def bilingual(zh: str, en: str, sep: str = " ") -> Wording:
    """A wording whose Chinese form already carries the English (``审批签署  Signatures``)."""
    text = f"{zh}{sep}{en}"
    return Wording(text, en, text)


def pair(zh: str, en: str, sep: str = " ") -> str:
    """Both texts, once when they are the same or one is missing."""
    if not en or en == zh:
        return zh
    if not zh:
        return en
    return f"{zh}{sep}{en}"


def name(zh: str, en: str, lang: Lang) -> str:
    """A name (company, customer, person, department) with its English form, if any."""
    if lang == EN:
        return en or zh
    if lang == BOTH:
        return pair(zh, en)
    return zh


def marked(text: str, lang: Lang) -> str:
    """``text`` as an English document prints it: marked ``[zh]`` when it is Chinese (a
    name or text that has no English)."""
    if lang == EN and has_cjk(text) and not text.startswith(FALLBACK_MARK):
        return f"{FALLBACK_MARK} {text}"
    return text


def is_bilingual(value: Any) -> bool:
    """Whether a record value is a bilingual text ``{zh: …, en: …}`` (one of them at least)."""
    return (isinstance(value, Mapping) and bool(value) and set(value) <= {"zh", "en"}
            and all(isinstance(v, str) for v in value.values()))


def texts(value: Any) -> tuple[str, str]:
    """(Chinese, English) of a free-text value; a plain string is the main language."""
    if is_bilingual(value):
        return str(value.get("zh", "")), str(value.get("en", ""))
    return ("" if value is None else str(value)), ""


def main_text(value: Any) -> str:
    """The text in the record's main language (Chinese, else the English one)."""
    zh, en = texts(value)
    return zh or en


@dataclass(frozen=True)
class Picked:
    """The text a document prints for a free-text value, and whether it fell back to the
    other language than the one asked for."""

    text: str
    fallback: bool = False


def pick(value: Any, lang: Lang) -> Picked:
    """The text of ``value`` for a document in ``lang``: the English form falls back to
    the Chinese text (marked ``[zh]``) when there is no English; ``zh-en`` prints both,
    one per line."""
    zh, en = texts(value)
    if lang == ZH:
        return Picked(zh or en)
    if lang == BOTH:
        return Picked(pair(zh, en, "\n"))
    if en or not zh:
        return Picked(en)
    if has_cjk(zh):
        return Picked(f"{FALLBACK_MARK} {zh}", fallback=True)
    return Picked(zh)  # a part number, a lot, a phone: the same in every language
