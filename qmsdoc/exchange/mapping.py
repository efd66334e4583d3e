"""The mapping file of an import: which column of the log fills which field, how the log's
words translate to the record's codes, and the values every imported record gets.

```yaml
kind: complaint
sheet: 2026年                 # optional; --sheet wins
header_rows: [3, 4]           # the rows of column headings; records start below the last
columns:                      # column letter (or its heading) → field, or a list of fields
  A: legacy_no
  B: received_at
  G: [title, description]
values:                       # per field: the log's word → the code
  severity: {严重: major, 一般: general}
defaults:                     # when the cell is empty or no column fills the field
  status: registered
```

Read through the records' YAML loader, so a mistake is reported with its line and column.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..i18n import _
from ..kinds import BY_FOLDER, BY_NAME, Kind
from ..records.yamlload import Document, LoadError, parse
from .fields import Field, dotted, lookup, parse_path

LEGACY_NO = "legacy_no"
# special-requirements lists: the requirement's own number identifies a row
ITEM_NO = ("items", 0, "item_id")


def identity(kind: Kind) -> tuple[str | int, ...]:
    """The field holding the log's own number for a row of ``kind``."""
    return (LEGACY_NO,) if kind.yearly else ITEM_NO
_LETTER = re.compile(r"^[A-Z]{1,3}$")


@dataclass(frozen=True)
class Column:
    key: str  # a column letter, or the column's heading as the log shows it
    fields: tuple[Field, ...]


@dataclass(frozen=True)
class Mapping:
    kind: Kind
    source: str  # the mapping file's name, or "guessed from the headings"
    sheet: str | None = None
    header_rows: tuple[int, ...] = ()
    columns: tuple[Column, ...] = ()
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # dotted field → words
    defaults: dict[str, Any] = field(default_factory=dict)  # dotted field → value
    legacy_prefix: str = ""  # before each log number, when the log's numbers restart


def kind_named(name: str, importable: bool = True) -> Kind:
    """A kind by its record name (complaint) or folder name (complaints), as `new` and
    `report` name them."""
    kind = BY_NAME.get(name) or BY_FOLDER.get(name)
    allowed = ("complaint", "contract-review", "special-requirements") if importable else \
        tuple(BY_NAME)
    if kind is None or kind.name not in allowed:
        names = ", ".join(f"{BY_NAME[k].folder}" for k in allowed)
        raise UsageError(_("unknown kind '{name}' (known: {names})").format(
                             name=name, names=names))
    return kind


def load(path: Path, kind: Kind, schema: dict[str, Any]) -> Mapping:
    """The mapping file at ``path`` for records of ``kind``, every field checked against the
    kind's schema; a UsageError naming the line and column of the first mistake."""
    name = path.name
    try:
        doc = parse(path.read_bytes())
    except FileNotFoundError:
        raise UsageError(_("--map {path}: no such file (write one with --init-map)").format(
                             path=path)) from None
    except OSError as exc:
        raise UsageError(_("--map {path}: cannot read: {strerror}").format(
                             path=path, strerror=exc.strerror)) from None
    except LoadError as exc:
        raise UsageError(f"{name}:{exc.line or 1}:{exc.column or 1}: {exc.message}") from None
    data = doc.data
    if not isinstance(data, dict):
        raise _bad(name, doc, [], _("a mapping file is a mapping with columns:, values:, "
                                    "defaults:"))
    unknown = sorted(set(data) - {"kind", "sheet", "header_rows", "columns", "values",
                                  "defaults", "legacy_prefix"})
    if unknown:
        raise _bad(name, doc, [unknown[0]], _("unknown section '{unknown}' (known: kind, "
                                              "sheet, header_rows, columns, values, defaults, "
                                              "legacy_prefix)").format(unknown=unknown[0]),
                   key=True)
    stated = data.get("kind")
    if stated is not None and (BY_NAME.get(str(stated)) or BY_FOLDER.get(str(stated))) != kind:
        raise _bad(name, doc, ["kind"], _("this mapping is for {stated} records, not {name}")
                   .format(stated=stated, name=kind.name))
    sheet = data.get("sheet")
    rows = data.get("header_rows", [])
    if isinstance(rows, int):
        rows = [rows]
    if not isinstance(rows, list) or not all(isinstance(r, int) and r > 0 for r in rows):
        raise _bad(name, doc, ["header_rows"], _("header_rows: the row numbers of the column "
                                                 "headings, e.g. [3, 4]"))
    columns = _columns(name, doc, data.get("columns"), schema)
    if not any(f.path == identity(kind) for c in columns for f in c.fields):
        which = "number (序号, 编号)" if kind.yearly else "requirement's number (条目编号)"
        raise _bad(name, doc, ["columns"] if "columns" in data else [],
                   _("no column is mapped to {dotted}: map the column of the log's own "
                     "{which}, so that importing the log again skips what it imported").format(
                       dotted=dotted(identity(kind)), which=which),
                   key=True)
    return Mapping(kind, name, str(sheet) if sheet is not None else None,
                   tuple(sorted(rows)), columns,
                   _values(name, doc, data.get("values") or {}, schema),
                   _defaults(name, doc, data.get("defaults") or {}, schema),
                   str(data.get("legacy_prefix") or ""))


def _bad(name: str, doc: Document, where: list[str | int], message: str, *,
         key: bool = False) -> UsageError:
    line, column = doc.position(where, key=key)
    return UsageError(f"{name}:{line}:{column}: {message}")


def field_at(name: str, doc: Document, where: list[str | int], text: Any,
             schema: dict[str, Any]) -> Field:
    if not isinstance(text, str) or not text.strip():
        raise _bad(name, doc, where, _("a field name, e.g. product.part_no"))
    found = lookup(schema, parse_path(text))
    if found is None or found.type == "object" or found.path[0] in ("kind", "id"):
        kind = schema.get("properties", {}).get("kind", {}).get("const", "KIND")
        raise _bad(name, doc, where, _("'{text}' is not a field a column can fill (see "
                                       "`qmsdoc schema {kind}`)").format(text=text, kind=kind))
    return found


def _columns(name: str, doc: Document, columns: Any, schema: dict[str, Any]
             ) -> tuple[Column, ...]:
    if not isinstance(columns, dict) or not columns:
        raise _bad(name, doc, ["columns"] if columns is not None else [],
                   _("columns: a column letter (or heading) → field, e.g. B: received_at"))
    result: list[Column] = []
    seen: dict[str, str] = {}
    for key, target in columns.items():
        if target is None:
            continue
        targets = target if isinstance(target, list) else [target]
        fields = []
        for i, text in enumerate(targets):
            where: list[str | int] = ["columns", str(key)] + ([i] if isinstance(target, list)
                                                              else [])
            found = field_at(name, doc, where, text, schema)
            if found.dotted in seen:
                raise _bad(name, doc, where, _("{dotted} is already filled by column {seen}")
                           .format(dotted=found.dotted, seen=seen[found.dotted]))
            seen[found.dotted] = str(key)
            fields.append(found)
        result.append(Column(str(key).strip(), tuple(fields)))
    return tuple(result)


def _values(name: str, doc: Document, values: Any, schema: dict[str, Any]
            ) -> dict[str, dict[str, Any]]:
    if not isinstance(values, dict):
        raise _bad(name, doc, ["values"], _("values: per field, the log's word → the code"))
    result: dict[str, dict[str, Any]] = {}
    for text, words in values.items():
        found = field_at(name, doc, ["values", str(text)], text, schema)
        if not isinstance(words, dict):
            raise _bad(name, doc, ["values", str(text)], _("the log's word → the code, e.g. "
                                                           "严重: major"))
        for word, code in words.items():
            if found.enum and code not in found.enum:
                raise _bad(name, doc, ["values", str(text), str(word)],
                           _("'{code}' is not a code of {dotted} (one of: {values})").format(
                               code=code, dotted=found.dotted, values=', '.join(found.enum)))
        result[found.dotted] = {" ".join(str(w).split()): c for w, c in words.items()}
    return result


def _defaults(name: str, doc: Document, defaults: Any, schema: dict[str, Any]
              ) -> dict[str, Any]:
    if not isinstance(defaults, dict):
        raise _bad(name, doc, ["defaults"], _("defaults: field → the value every record gets"))
    return {field_at(name, doc, ["defaults", str(k)], k, schema).dotted: v
            for k, v in defaults.items()}


def resolve_columns(mapping: Mapping, headings: dict[int, str]) -> list[tuple[int, Field]]:
    """(column number, field) for every mapped field; a heading key must name exactly one
    column of the sheet."""
    from .sheet import column_letter, column_number

    by_heading: dict[str, list[int]] = {}
    for number, text in headings.items():
        for variant in {text, text.rsplit("/", 1)[-1]}:
            by_heading.setdefault(variant, []).append(number)
    result: list[tuple[int, Field]] = []
    for column in mapping.columns:
        if _LETTER.match(column.key):
            number = column_number(column.key)
        else:
            found = sorted(set(by_heading.get(" ".join(column.key.split()), [])))
            if len(found) != 1:
                how = _("no column is headed") if not found else _("several columns are headed")
                raise UsageError(f"{mapping.source}: columns: {how} '{column.key}'"
                                 + (_(" ({columns}); name the column by its letter").format(
                                        columns=", ".join(column_letter(n) for n in found))
                                    if found else ""))
            number = found[0]
        result.extend((number, f) for f in column.fields)
    return result

