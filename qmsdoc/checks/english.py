"""``validate --lang en``: the free texts an English form would print in Chinese.

A free text (the schemas' shared ``text`` / ``short_text``) written as a plain Chinese
string, or as ``{zh: …}`` without ``en``, falls back to the Chinese on an English form
(marked ``[zh]``). One warning per such field, where it stands, with the code
``lang-fallback``; a text without Chinese characters (a part number, a lot) needs none.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from ..doclang import has_cjk, is_bilingual, texts
from ..findings import Finding, Location, warning
from ..i18n import _
from ..kinds import NAMES
from ..records.files import Record
from ..schema import SchemaStore, pointer, resolve
from .pipeline import ValidationReport

CODE = "lang-fallback"
FREE_TEXT = frozenset({"defs.text", "defs.short_text"})
MAX_DEPTH = 32


def add_fallbacks(report: ValidationReport, store: SchemaStore) -> None:
    """The warnings of every record the report kept (``keep_records``), in file order."""
    report.findings.extend(f for record in report.records for f in findings(record, store))
    report.findings.sort(key=Finding.sort_key)


def findings(record: Record, store: SchemaStore) -> list[Finding]:
    """One warning per free text of ``record`` that has no English."""
    if record.kind not in NAMES:
        return []
    schema = store.for_kind(record.kind)
    return list(_walk(record, schema, schema, record.data, (), 0))


def _walk(record: Record, root: Mapping[str, Any], raw: Mapping[str, Any], value: Any,
          path: tuple[str | int, ...], depth: int) -> Iterator[Finding]:
    node, refs = resolve(root, raw)
    if depth > MAX_DEPTH:
        return
    if refs & FREE_TEXT:
        if _falls_back(value):
            yield _finding(record, path, value)
        return
    if isinstance(value, dict):
        for key, child in (node.get("properties") or {}).items():
            if key in value and isinstance(child, dict):
                yield from _walk(record, root, child, value[key], (*path, key), depth + 1)
    elif isinstance(value, list) and isinstance(node.get("items"), dict):
        for i, item in enumerate(value):
            yield from _walk(record, root, node["items"], item, (*path, i), depth + 1)


def _falls_back(value: Any) -> bool:
    if not isinstance(value, str) and not is_bilingual(value):
        return False  # a wrong type is the schema's finding
    zh, en = texts(value)
    return not en and has_cjk(zh)


def _finding(record: Record, path: tuple[str | int, ...], value: Any) -> Finding:
    where = Location.of(record.path, record.doc.positions(), path)
    written = _("no English text") if isinstance(value, str) else _("no 'en' text")
    return warning(CODE, pointer(list(path)), where,
                   _("{missing}: an English form prints the Chinese, marked [zh]; "
                     "write {{zh: …, en: …}}").format(missing=written))
