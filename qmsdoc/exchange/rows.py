"""One row of the log made into record data: each mapped cell converted to its field's type
and translated to its codes, the defaults filled in, and where each field came from."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

from ..config import Config
from ..i18n import _
from ..schema import pointer
from . import cells
from .fields import Field, parse_path
from .mapping import Mapping
from .sheet import Sheet


@dataclass(frozen=True)
class Problem:
    """A finding of the import before the record exists: at a cell (column) of a row."""

    column: int | None
    code: str
    field: str  # JSON pointer, as validate shows fields
    message: str


@dataclass
class Row:
    number: int  # the Excel row number
    data: dict[str, Any]
    cells: dict[str, int] = field(default_factory=dict)  # field pointer → column
    problems: list[Problem] = field(default_factory=list)

    def log_number(self, path: tuple[str | int, ...]) -> str | None:
        """The log's own number for this row (at ``path``), when it has one."""
        from ..records.values import get

        value = get(self.data, *path)
        return value if isinstance(value, str) and value else None


def known_names(config: Config) -> dict[str, dict[str, str]]:
    """Per kind of name (customer, department, person): the configured name → its code."""
    return {
        "customer": {name: code for code, name in config.customers.items()},
        "department": {name: key for key, name in config.departments.items()},
        "person": {p.name: key for key, p in config.roster.items()},
    }


class Translator:
    """The log's words to the record's codes: the mapping's values first, then the codes
    themselves and their Chinese labels, configured customer, department and person names."""

    def __init__(self, mapping: Mapping, config: Config, tz: timezone) -> None:
        self.mapping, self.tz = mapping, tz
        self.names = known_names(config)

    def convert(self, f: Field, value: Any) -> Any:
        words = self.mapping.values.get(f.dotted, {})
        shown = " ".join(cells.text(value).split())
        if shown in words:
            return words[shown]
        if f.enum:
            if f.item_enum:
                return [self._code(f, part, words) for part in cells.split_list(value)]
            return self._code(f, shown, words)
        if f.semantic == "date":
            return cells.to_date(value)
        if f.semantic == "datetime":
            return cells.to_datetime(value, self.tz)
        if f.type == "number":
            return cells.to_number(value)
        if f.type == "integer":
            return cells.to_integer(value)
        if f.type == "boolean":
            return cells.to_boolean(value)
        if f.type == "array":  # a list, or a word standing for all (全部产品 → all)
            every = {w: c for c, label in f.labels.items() for w in (c, label)}
            return every[shown] if shown in every else cells.split_list(value)
        text = cells.text(value)
        if f.semantic in self.names:
            return self.names[f.semantic].get(shown, text)
        if f.path == ("title",):  # a subject is one line: the first of a description
            return text.split("\n", 1)[0]
        return text

    def _code(self, f: Field, word: str, words: dict[str, Any]) -> Any:
        if word in words:
            return words[word]
        if word in f.enum:
            return word
        by_label = {label: code for code, label in f.labels.items()}
        if word in by_label:
            return by_label[word]
        known = list(words) or [f"{c} ({f.labels[c]})" if c in f.labels else c for c in f.enum]
        where = f"values.{f.dotted} of {self.mapping.source}"
        raise cells.CellError(_("'{word}' is not in {where} ({values}); add it there").format(
                                  word=word, where=where, values=', '.join(known)))


def build(sheet: Sheet, number: int, columns: list[tuple[int, Field]], mapping: Mapping,
          translate: Translator) -> Row:
    """The record data of row ``number`` (without kind and id)."""
    row = Row(number, {})
    filled: set[str] = set()
    for column, f in columns:
        where = pointer(f.path)
        row.cells.setdefault(where, column)
        value = sheet.value(number, column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            converted = translate.convert(f, value)
        except cells.CellError as exc:
            code = "mapping" if f.enum else "value"
            row.problems.append(Problem(column, code, where, str(exc)))
            continue
        put(row.data, f.path, converted)
        filled.add(f.dotted)
    legacy = row.data.get("legacy_no")
    if mapping.legacy_prefix and isinstance(legacy, str) and legacy:
        row.data["legacy_no"] = mapping.legacy_prefix + legacy
    for dotted_path, value in mapping.defaults.items():
        if dotted_path not in filled:
            put(row.data, parse_path(dotted_path), value)
    return row


def put(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> None:
    node: Any = data
    for step, following in zip(path, path[1:], strict=False):
        empty: Any = [] if isinstance(following, int) else {}
        if isinstance(step, int):
            while len(node) <= step:
                node.append({} if not isinstance(following, int) else [])
            node = node[step]
        else:
            node = node.setdefault(step, empty)
    last = path[-1]
    if isinstance(last, int):
        while len(node) <= last:
            node.append(None)
    node[last] = value


def ordered(data: Any, schema_node: Any, schema: dict[str, Any]) -> Any:
    """Keys in the order the schema lists its fields (as a hand-written record has them)."""
    from .fields import resolve

    node, _ = resolve(schema, schema_node)
    if isinstance(data, dict) and isinstance(node, dict):
        order = list(node.get("properties", {}))
        keys = sorted(data, key=lambda k: order.index(k) if k in order else len(order))
        props = node.get("properties", {})
        return {k: ordered(data[k], props.get(k, {}), schema) for k in keys}
    if isinstance(data, list) and isinstance(node, dict):
        return [ordered(item, node.get("items", {}), schema) for item in data]
    return data


@dataclass
class Planned:
    """One row of the log and what the import makes of it."""

    row: int
    legacy_no: str | None
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    record_id: str | None = None
    path: str | None = None  # repository-relative, where the record will be written
    text: str = ""
    imported_as: str | None = None  # the record that already carries this log number
    cells: dict[str, int] = field(default_factory=dict)  # field pointer → column
    data: dict[str, Any] = field(default_factory=dict)  # the record without kind and id
    key: str = ""  # what identifies the row among the records: its number (and customer)
    # a record made of several rows (special-requirements): the rows, and which row each
    # list item (/items/3) came from
    members: list[Planned] = field(default_factory=list)
    origins: dict[str, Planned] = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.imported_as is None and not self.problems and self.path is not None

    @property
    def source(self) -> str:
        """Where the record comes from: ``row 5, 2026-001`` or ``rows 5, 6: HX-01, HX-02``."""
        rows = self.members or [self]
        if len(rows) == 1:
            return f"row {self.row}, {self.legacy_no}"
        return (f"rows {', '.join(str(r.row) for r in rows)}: "
                f"{', '.join(str(r.legacy_no) for r in rows)}")
