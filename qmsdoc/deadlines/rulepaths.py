"""Field paths of configured rules checked against the record kind's schema.

A deadline rule names record fields (``received_at``, ``communications[type=reply].at``). A
misspelt one would silently drop a clock or make every record overdue; this finds it when
the configuration is loaded, naming the rule and the field.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import ConfigError
from ..i18n import _
from ..schema import SchemaStore, resolve
from .fieldpath import Condition, FieldPath
from .rules import DeadlineRule, Deadlines


def check(deadlines: Deadlines, store: SchemaStore) -> None:
    """Raise ConfigError listing every rule path that names no field of its kind."""
    problems = [p for rule in deadlines.rules for p in _rule_problems(rule, store)]
    if problems:
        raise ConfigError("\n".join(problems))


def _rule_problems(rule: DeadlineRule, store: SchemaStore) -> Iterator[str]:
    schema = store.for_kind(rule.kind)
    where = f"qmsdoc.yaml: deadlines.rules.{rule.id}"
    item_roots = [(_follow(schema, schema, each), each.text) for each in rule.each]
    for name, path in _paths(rule):
        if path.from_root or not rule.each:
            if _follow(schema, schema, path) is None:
                yield _("{where}.{name}: '{text}' is not a field of a {kind} record").format(
                          where=where, name=name, text=path.text, kind=rule.kind)
            continue
        for item, each in item_roots:
            if item is not None and _follow(schema, item, path, items=True) is None:
                yield (_("{where}.{name}: '{text}' is not a field of the items of '{each}' in "
                         "a {kind} record").format(
                           where=where, name=name, text=path.text, each=each, kind=rule.kind))
    for found, text in item_roots:
        if found is None:
            yield _("{where}.each: '{text}' is not a list of a {kind} record").format(
                      where=where, text=text, kind=rule.kind)


def _paths(rule: DeadlineRule) -> Iterator[tuple[str, FieldPath]]:
    for name in ("start", "due", "stop", "owner", "department"):
        for path in getattr(rule, name):
            yield name, path
    for name in ("when", "unless", "stop_when"):
        condition: Condition | None = getattr(rule, name)
        for group in condition.alternatives if condition else ():
            for path, _wanted in group:
                yield name, path


def _resolve(schema: dict[str, Any], node: Any) -> Any:
    return resolve(schema, node)[0] if isinstance(node, dict) else node


def _follow(schema: dict[str, Any], node: Any, path: FieldPath, *,
            items: bool = False) -> Any:
    """The schema node the path leads to, or None when a step names no field. For an
    ``each`` list (``items=True`` on the list itself) the path starts inside its items."""
    node = _resolve(schema, node)
    if items and isinstance(node, dict) and "items" in node:
        node = _resolve(schema, node["items"])
    for segment in path.segments:
        node = _property(schema, node, segment.key)
        if node is None:
            return None
        if segment.each or (isinstance(node, dict) and node.get("type") == "array"):
            node = _resolve(schema, node.get("items", {})) if isinstance(node, dict) else None
            if segment.field and _property(schema, node, segment.field) is None:
                return None
    return node


def _property(schema: dict[str, Any], node: Any, key: str) -> Any:
    node = _resolve(schema, node)
    if not isinstance(node, dict):
        return None
    candidates = [node, *[_resolve(schema, n) for n in node.get("allOf", [])],
                  *[_resolve(schema, n) for n in node.get("anyOf", [])],
                  *[_resolve(schema, n) for n in node.get("oneOf", [])]]
    for candidate in candidates:
        if isinstance(candidate, dict) and key in candidate.get("properties", {}):
            return _resolve(schema, candidate["properties"][key])
    return None
