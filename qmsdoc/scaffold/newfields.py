"""``new --set FIELD=VALUE`` checked against the kind's schema: the field must exist (with
"did you mean"), a choice must be one of its codes, and the value takes the field's type
(text stays text: ``part_no=12346`` is the text "12346"; a list field gets a one-item list)."""

from __future__ import annotations

import difflib
from typing import Any

from ..errors import UsageError
from ..i18n import _
from ..schema import resolve

Schema = dict[str, Any]


def deref(schema: Schema, node: Any) -> Schema:
    """``node`` with its ``$ref`` followed, through the one resolver of schema references."""
    return resolve(schema, node)[0] if isinstance(node, dict) else {}


def _hint(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1)
    return _("; did you mean '{hint}'?").format(hint=close[0]) if close else ""


def field_schema(schema: Schema, path: list[str], kind: str) -> Schema:
    """The schema of the field at ``path``; UsageError naming the first unknown part."""
    node = deref(schema, schema)
    for depth, part in enumerate(path):
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            node = deref(schema, node["items"])  # d1.team.name: a field of the list's items
        properties = node.get("properties")
        if not isinstance(properties, dict):
            where = ".".join(path[:depth])
            raise UsageError(_("--set {values}: {where} is a single value, not a group of "
                               "fields").format(values='.'.join(path), where=where))
        if part not in properties:
            where = f" under {'.'.join(path[:depth])}" if depth else ""
            raise UsageError(_("--set {values}: {kind} records have no field "
                               "'{part}'{where}{hint}").format(
                                 values='.'.join(path),
                                 kind=kind,
                                 part=part,
                                 where=where,
                                 hint=_hint(part, sorted(properties))))
        node = deref(schema, properties[part])
    return node


def typed(node: Schema, raw: str, value: Any, field: str) -> Any:
    """``value`` (read from ``raw`` as a YAML scalar) as the field ``node`` wants it."""
    kinds = node.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    if not kinds and "anyOf" in node and "properties" not in node:
        kinds = ["string"]  # a text, or {zh: …, en: …}: what --set gives is the text
    if "array" in kinds and isinstance(node.get("items"), dict):
        return [value] if value != "" else []
    if "object" in kinds:
        raise UsageError(_("--set {field}: {field} is a group of fields; set them one by one "
                           "({field}.FIELD=VALUE)").format(field=field))
    if "string" in kinds or ("enum" in node and not kinds):
        value = raw.strip() if not isinstance(value, str) else value
    elif kinds and not _fits(value, kinds):
        raise UsageError(_("--set {field}={raw}: {field} takes {values}").format(
                             field=field, raw=raw, values=' or '.join(kinds)))
    codes = node.get("enum")
    if isinstance(codes, list) and value not in codes:
        shown = ", ".join(str(c) for c in codes)
        raise UsageError(_("--set {field}={raw}: not one of: {shown}{hint}").format(
                             field=field,
                             raw=raw,
                             shown=shown,
                             hint=_hint(str(value), [str(c) for c in codes])))
    return value


def _fits(value: Any, kinds: list[str]) -> bool:
    if isinstance(value, bool):
        return "boolean" in kinds
    if isinstance(value, int):
        return "integer" in kinds or "number" in kinds
    if isinstance(value, float):
        return "number" in kinds
    return value is None and "null" in kinds


def known_customer(customer: str, customers: dict[str, str]) -> None:
    """UsageError for a customer code that the configuration does not list."""
    if customers and customer not in customers:
        raise UsageError(_("--customer {customer}: unknown customer (not in the customers of "
                           "qmsdoc.yaml){hint}").format(
                             customer=customer, hint=_hint(customer, sorted(customers))))


def place(data: dict[str, Any], schema: Schema, path: list[str], value: Any) -> None:
    """Put ``value`` at ``path`` in ``data``, creating groups on the way; a field of a
    list's items (``items.name``) goes into the list's first item."""
    node: Schema = deref(schema, schema)
    target: dict[str, Any] = data
    for part in path[:-1]:
        node = deref(schema, node.get("properties", {}).get(part, {}))
        if node.get("type") == "array":
            items = target.get(part)
            if not isinstance(items, list) or not items:
                items = target[part] = [{}]
            child = items[0]
            node = deref(schema, node.get("items", {}))
        else:
            child = target.setdefault(part, {})
        if not isinstance(child, dict):
            raise UsageError(_("--set {values}: {part} is not a group of fields").format(
                                 values='.'.join(path), part=part))
        target = child
    target[path[-1]] = value
