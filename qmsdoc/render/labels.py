"""The labels a form template prints (``label``): every field's label from its schema
(``title`` / ``x-title-en``), keyed by its path (``part.part_no``, ``d4.occurrence[].id``),
and the form's own words (``formwords``), keyed by the Chinese word — all in the form's
language. Pure; computed once per schema and language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..doclang import EN, ZH, Lang, Wording, pair
from .formwords import WORDS
from .printable import Plan, plan

_CACHE: dict[tuple[int, Lang], tuple[Mapping[str, Any], dict[str, str]]] = {}


def labels(schema: Mapping[str, Any], lang: Lang) -> dict[str, str]:
    """Field path or Chinese word → its label in ``lang``."""
    cached = _CACHE.get((id(schema), lang))
    if cached is None or cached[0] is not schema:
        found = {word: wording(lang) for word, wording in WORDS.items()}
        found.update(field_labels(plan(schema), lang))
        cached = (schema, found)
        _CACHE[(id(schema), lang)] = cached
    return cached[1]


def field_labels(p: Plan, lang: Lang, where: str = "") -> dict[str, str]:
    """The label of every field below ``p`` (objects, lists and their items included)."""
    found: dict[str, str] = {}
    for key, child in p.fields:
        path = f"{where}.{key}" if where else key
        found[path] = field_label(child.node, lang)
        found.update(field_labels(child, lang, path))
    if p.item is not None:
        found.update(field_labels(p.item, lang, f"{where}[]"))
    return found


def field_label(node: Mapping[str, Any], lang: Lang) -> str:
    zh, en = str(node.get("title", "")), str(node.get("x-title-en", ""))
    if lang == ZH or not en:
        return zh
    if lang == EN:
        return en
    return zh if en.lower() in zh.lower() else pair(zh, en)


def word(text: str, lang: Lang) -> str:
    """One of the form's own words in ``lang`` (the word itself when it has none)."""
    return WORDS.get(text, Wording(text, text))(lang)
