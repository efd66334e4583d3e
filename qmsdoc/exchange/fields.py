"""The fields of a kind's schema as an importer sees them: dotted paths, their Chinese
titles, what type a cell must become, and the codes an enum allows with their labels."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..schema import MEANING
from ..schema import resolve as schema_resolve

_FORMATS = {"date": "date", "date-time": "datetime"}


@dataclass(frozen=True)
class Field:
    path: tuple[str | int, ...]  # ("product", "part_no"), ("items", 0, "qty")
    title: str
    type: str  # string, number, integer, boolean, array
    semantic: str = ""  # date, datetime, customer, department, person, money
    enum: tuple[str, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)  # code → Chinese label
    item_enum: bool = False  # an array of enum codes
    labels_en: dict[str, str] = field(default_factory=dict)  # code → English label, if any

    @property
    def dotted(self) -> str:
        return dotted(self.path)


def dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(p) for p in path)


def parse_path(text: str) -> tuple[str | int, ...]:
    """``product.part_no`` or ``items.0.qty`` (a number picks a list item)."""
    return tuple(int(p) if p.isdigit() else p for p in text.strip().split("."))


def resolve(schema: dict[str, Any], node: Any) -> tuple[Any, str]:
    """``node`` with its references followed (the schema's one resolver), and what its
    value is: date, datetime (its format) or what it names (``x-meaning``: customer,
    department, person, money)."""
    if not isinstance(node, dict):
        return node, ""
    found, _refs = schema_resolve(schema, node)
    semantic = _FORMATS.get(str(found.get("format", ""))) or str(found.get(MEANING, ""))
    return found, semantic


def lookup(schema: dict[str, Any], path: tuple[str | int, ...]) -> Field | None:
    """The field at ``path`` (a list step is a number), or None when the schema has none."""
    node: Any = schema
    semantic = ""
    title = ""
    for step in path:
        node, _ = resolve(schema, node)
        if not isinstance(node, dict):
            return None
        if isinstance(step, int):
            if node.get("type") != "array" or not isinstance(node.get("items"), dict):
                return None
            node = node["items"]
        else:
            properties = node.get("properties", {})
            if step not in properties:
                return None
            node = properties[step]
            title = str(node.get("title", title)) if isinstance(node, dict) else title
    node, semantic = resolve(schema, node)
    if not isinstance(node, dict) or not path:
        return None
    return _field(schema, path, title, node, semantic)


def _field(schema: dict[str, Any], path: tuple[str | int, ...], title: str,
           node: dict[str, Any], semantic: str) -> Field:
    texts = "anyOf" in node and "properties" not in node  # a text, or {zh: …, en: …}
    kind = node.get("type", "string" if "const" in node or "oneOf" in node or texts
                    else "object")
    enum = tuple(str(c) for c in node.get("enum", ()))
    labels = dict(node.get("x-enum-labels", {}))
    labels_en = dict(node.get("x-enum-labels-en", {}))
    item_enum = False
    options = [resolve(schema, o)[0] for o in node.get("oneOf", [])]
    if any(isinstance(o, dict) and o.get("type") == "array" for o in options):
        # "all" or a list (applicable products): the word, by its code or its title
        words = {str(o["const"]): str(o.get("title", o["const"])) for o in options
                 if isinstance(o, dict) and "const" in o}
        return Field(path, title, "array", semantic, (), words, False)
    if kind == "array":
        items, _ = resolve(schema, node.get("items", {}))
        if isinstance(items, dict) and items.get("enum"):
            enum = tuple(str(c) for c in items["enum"])
            labels = dict(items.get("x-enum-labels", {}))
            labels_en = dict(items.get("x-enum-labels-en", {}))
            item_enum = True
    return Field(path, title, str(kind), semantic, enum, labels, item_enum, labels_en)


def leaves(schema: dict[str, Any], prefix: tuple[str | int, ...] = (),
           node: Any = None, depth: int = 0) -> Iterator[Field]:
    """Every scalar field a spreadsheet column can fill, nested objects included, and the
    first item of a list of objects (``items.0.qty``); deeper lists are left out."""
    node, _ = resolve(schema, schema if node is None else node)
    if not isinstance(node, dict) or depth > 4:
        return
    for name, child in node.get("properties", {}).items():
        path = (*prefix, name)
        found = lookup(schema, path)
        resolved, _ = resolve(schema, child)
        if found is None or name in ("kind", "id"):
            continue
        if found.type == "object":
            yield from leaves(schema, path, resolved, depth + 1)
        elif found.type == "array" and not found.item_enum and not found.labels:
            items, _ = resolve(schema, resolved.get("items", {}))
            if isinstance(items, dict) and items.get("type") == "object" and depth < 1:
                yield from leaves(schema, (*path, 0), items, depth + 1)
            elif isinstance(items, dict) and items.get("type") == "string":
                yield found
        else:
            yield found
