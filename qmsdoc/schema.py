"""Schema store and schema validation: the only module that imports a JSON Schema library.

Records are checked by jsonschema-rs (Draft 2020-12, formats asserted, ~60x faster than
python-jsonschema with the same messages); schemas a company supplies are checked
against the metaschema by python-jsonschema, whose messages about schemas are clearer.
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from .errors import ConfigError, UsageError
from .findings import Finding, Location, error
from .i18n import N_, _, language
from .kinds import BY_NAME
from .records.yamlload import Document
from .resources import builtin

DEFS_FILE = "defs.schema.json"
# What a value names, marked once on the shared definitions of defs.schema.json: the forms
# print a person's, department's or customer's name for the key, and money as an amount;
# validation checks the keys against qmsdoc.yaml.
MEANING = "x-meaning"
PERSON, DEPARTMENT, CUSTOMER, MONEY = "person", "department", "customer", "money"
MAX_REF_DEPTH = 32
_DEFS_PREFIX = "defs."
_MAX_MESSAGE = 300
# the schemas' pattern of text that says something (not only blanks)
NOT_BLANK = "[^\\s\\u200b-\\u200d\\u2060\\ufeff]"
_MAX_UNKNOWN = 50  # unknown fields of one mapping reported one by one


def pointer(path: list[str | int] | tuple[str | int, ...]) -> str:
    """JSON pointer of a path, e.g. ``/product/qty_defective`` (``/`` for the whole record)."""
    if not path:
        return "/"
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


class SchemaStore:
    """The schemas in force: a repository's ``schemas/`` first, then the built-in ones."""

    def __init__(self, override_dir: Path | None = None) -> None:
        self.override_dir = override_dir
        self._raw: dict[str, dict[str, Any]] = {}
        self._bundled: dict[str, dict[str, Any]] = {}
        self._validators: dict[str, Any] = {}
        self._meanings: dict[str, dict[tuple[str, ...], str]] = {}

    def source(self, name: str) -> str:
        """Where the schema file ``name`` comes from (for messages)."""
        override = self._override(name)
        return str(override) if override else f"built-in {name}"

    def _override(self, name: str) -> Path | None:
        if self.override_dir is None:
            return None
        candidate = self.override_dir / name
        return candidate if candidate.is_file() else None

    def raw(self, name: str) -> dict[str, Any]:
        if name not in self._raw:
            override = self._override(name)
            if override is not None:
                self._raw[name] = _load_override(override)
            else:
                text = builtin("schemas", name).read_text("utf-8")
                self._raw[name] = json.loads(text)
        return self._raw[name]

    def for_kind(self, kind: str) -> dict[str, Any]:
        """The kind's schema with the shared definitions bundled in: one self-contained document."""
        if kind not in BY_NAME:
            raise UsageError(_("unknown record kind '{kind}' (known: {known})")
                             .format(kind=kind, known=", ".join(BY_NAME)))
        if kind not in self._bundled:
            self._bundled[kind] = bundle(self.raw(BY_NAME[kind].schema_file), self.raw(DEFS_FILE))
        return self._bundled[kind]

    def validator(self, kind: str) -> Any:
        if kind not in self._validators:
            import jsonschema_rs

            try:
                self._validators[kind] = jsonschema_rs.validator_for(
                    self.for_kind(kind), validate_formats=True
                )
            except (ValueError, jsonschema_rs.ReferencingError) as exc:
                raise ConfigError(
                    _("{schema}: schema cannot be used: {problem}").format(
                        schema=self.source(BY_NAME[kind].schema_file), problem=exc)
                ) from None
        return self._validators[kind]

    def meanings(self, kind: str) -> dict[tuple[str, ...], str]:
        """Field path → what its value names (``x-meaning``), for every field of the kind
        that has one; list items are ``[]`` in the path (``("actions", "[]", "owner")``)."""
        if kind not in self._meanings:
            found: dict[tuple[str, ...], str] = {}
            schema = self.for_kind(kind)
            _collect_meanings(schema, schema, (), found, 0)
            self._meanings[kind] = found
        return self._meanings[kind]

    def problems(self, name: str, data: Any) -> list[tuple[list[str | int], str]]:
        """Every violation of the schema file ``name`` by ``data``: (path, message) pairs."""
        import jsonschema_rs

        validator = jsonschema_rs.validator_for(self.raw(name), validate_formats=True)
        return [(list(err.instance_path), err.message) for err in validator.iter_errors(data)]

    def config_findings(self, doc: Document, path: str) -> list[Finding]:
        """Every violation of the configuration schema by ``doc`` (qmsdoc.yaml) as findings
        with code ``config``: the offending key's line, and "did you mean" for a misspelt one."""
        import jsonschema_rs

        schema = self.raw("config.schema.json")
        validator = jsonschema_rs.validator_for(schema, validate_formats=True)
        found = [dataclasses.replace(f, code="config") for err in validator.iter_errors(doc.data)
                 for f in _to_findings(err, doc, path, schema)]
        return sorted(found, key=Finding.sort_key)

    def findings(self, kind: str, doc: Document, path: str) -> list[Finding]:
        """Every schema violation of ``doc`` as findings positioned in the file ``path``."""
        validator = self.validator(kind)
        if validator.is_valid(doc.data):
            return []
        schema = self.for_kind(kind)
        found: list[Finding] = []
        for err in validator.iter_errors(doc.data):
            found.extend(_to_findings(err, doc, path, schema))
        return found


DRAFT_07 = "http://json-schema.org/draft-07/schema#"
EDITOR_DIR = ".qmsdoc/schemas"


def editor_schema(store: SchemaStore, kind: str) -> dict[str, Any]:
    """The kind's schema as VS Code's YAML extension reads it: draft-07 (it warns on
    2020-12; the keywords used mean the same in both), self-contained, and with the Chinese
    and English titles and option labels as the descriptions it shows while typing."""
    result = copy.deepcopy(store.for_kind(kind))
    result["$schema"] = DRAFT_07
    result.pop("$id", None)
    _describe(result)
    return result


def document(store: SchemaStore, name: str, *, bundled: bool = True,
             editor: bool = False) -> dict[str, Any]:
    """What ``qmsdoc schema NAME`` prints: a kind's schema (bundled, raw, or the editor
    rendition), or ``config`` / ``defs`` as they are."""
    if name in BY_NAME and editor:
        return editor_schema(store, name)
    if name in BY_NAME:
        return store.for_kind(name) if bundled else store.raw(BY_NAME[name].schema_file)
    return store.raw(f"{name}.schema.json")


def editor_schemas(store: SchemaStore) -> dict[str, str]:
    """File name → JSON text of every kind's editor schema (for ``.qmsdoc/schemas/``)."""
    return {BY_NAME[kind].schema_file: json.dumps(editor_schema(store, kind), ensure_ascii=False,
                                                  indent=2) + "\n"
            for kind in BY_NAME}


def _describe(node: Any) -> None:
    if isinstance(node, dict):
        title, english = node.get("title"), node.get("x-title-en")
        if isinstance(title, str):
            parts = [f"{title} {english}" if isinstance(english, str) else title]
            if isinstance(node.get("description"), str):
                parts.append(node["description"])
            node["description"] = " — ".join(parts)
        labels = node.get("x-enum-labels")
        if isinstance(labels, dict) and isinstance(node.get("enum"), list):
            english_labels = node.get("x-enum-labels-en", {})
            node["enumDescriptions"] = [
                " ".join(str(x) for x in (labels.get(code), english_labels.get(code)) if x)
                for code in node["enum"]]
        for value in node.values():
            _describe(value)
    elif isinstance(node, list):
        for item in node:
            _describe(item)


def _load_override(path: Path) -> dict[str, Any]:
    try:
        schema = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(_("{path}: cannot read schema: {problem}")
                          .format(path=path, problem=exc)) from None
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError

    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as exc:
        where = pointer(list(exc.absolute_path))
        raise ConfigError(_("{path}: not a valid Draft 2020-12 schema at {where}: {problem}")
                          .format(path=path, where=where, problem=exc.message)) from None
    if not isinstance(schema, dict):
        raise ConfigError(_("{path}: a schema must be a JSON object").format(path=path))
    result: dict[str, Any] = schema
    return result


def bundle(kind_schema: dict[str, Any], defs_schema: dict[str, Any]) -> dict[str, Any]:
    """One document: ``defs.schema.json#/$defs/X`` becomes ``#/$defs/defs.X``."""
    result: dict[str, Any] = _rewrite_refs(copy.deepcopy(kind_schema), DEFS_FILE + "#/$defs/")
    shared = _rewrite_refs(copy.deepcopy(defs_schema.get("$defs", {})), "#/$defs/")
    local = result.setdefault("$defs", {})
    for name, definition in shared.items():
        local[_DEFS_PREFIX + name] = definition
    return result


def _rewrite_refs(node: Any, prefix: str) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str) and value.startswith(prefix):
                node[key] = "#/$defs/" + _DEFS_PREFIX + value[len(prefix):]
            else:
                _rewrite_refs(value, prefix)
    elif isinstance(node, list):
        for item in node:
            _rewrite_refs(item, prefix)
    return node


def _to_findings(err: Any, doc: Document, path: str, schema: dict[str, Any]) -> Iterator[Finding]:
    where: list[str | int] = list(err.instance_path)
    name = err.kind.name
    if name == "anyOf":  # a text or {zh, en}: the problems of the form the value has
        branch = _branch_of_its_type(err)
        if branch:
            for sub in branch:
                yield from _to_findings(sub, doc, path, schema)
            return
    if name == "required":
        line, col = doc.position(where)
        missing = err.kind.property
        yield error("schema", pointer([*where, missing]), Location(path, line, col),
                    _("'{field}' is a required field").format(field=missing))
        return
    if name == "additionalProperties":
        allowed = sorted(_schema_at(schema, list(err.schema_path)[:-1]).get("properties", {}))
        unexpected = list(err.kind.unexpected)
        if len(unexpected) > _MAX_UNKNOWN:  # one line each for the first ones is enough
            line, col = doc.position([*where, unexpected[_MAX_UNKNOWN]], key=True)
            yield error("schema", pointer(where), Location(path, line, col),
                        _("{more:,} more unknown fields from here on ({all:,} in all); "
                          "remove them").format(more=len(unexpected) - _MAX_UNKNOWN,
                                                all=len(unexpected)))
        for key in unexpected[:_MAX_UNKNOWN]:
            line, col = doc.position([*where, key], key=True)
            hint = difflib.get_close_matches(key, allowed, n=1)
            message = _("unknown field '{field}' is not allowed here").format(field=key)
            if hint:
                message += _("; did you mean '{hint}'?").format(hint=hint[0])
            yield error("schema", pointer([*where, key]), Location(path, line, col), message)
        return
    if name == "minLength" and err.instance == "" \
            and _schema_at(schema, list(err.schema_path)[:-1]).get("pattern") == NOT_BLANK:
        return  # the blank-text finding of the same value says it
    line, col = doc.position(where)
    message = _schema_message(err)
    if name == "enum":
        message = _enum_message(err.instance, _schema_at(schema, list(err.schema_path)[:-1]))
    elif name == "pattern" and getattr(err.kind, "pattern", None) == NOT_BLANK:
        message = (_('"" is empty; fill it in') if err.instance == "" else
                   _("{value} is blank (only spaces, U+3000 or zero-width characters); "
                     "fill it in").format(value=json.dumps(err.instance, ensure_ascii=False)))
    yield error("schema", pointer(where), Location(path, line, col), _shorten(message))


def _branch_of_its_type(err: Any) -> list[Any]:
    """The errors of the first ``anyOf`` branch whose type the value has; when it has none
    of their types, the first branch's type error (``12345 is not of type "string"``)."""
    here = list(err.instance_path)
    branches = [list(b) for b in getattr(err.kind, "context", None) or ()]
    if not any(e.kind.name == "type" and list(e.instance_path) == here
               for branch in branches for e in branch):
        return []  # not branches of different types: the anyOf error says it
    for branch in branches:
        if not any(e.kind.name == "type" and list(e.instance_path) == here for e in branch):
            return branch
    return branches[0][:1] if branches and branches[0] else []


def _enum_message(value: Any, node: dict[str, Any]) -> str:
    """Every allowed code with its Chinese label, and the closest one."""
    codes = [c for c in node.get("enum", []) if isinstance(c, str)]
    labels = node.get("x-enum-labels", {})
    listed = ", ".join(f"{c} ({labels[c]})" if c in labels else c for c in codes)
    shown = json.dumps(value, ensure_ascii=False)
    hint = difflib.get_close_matches(str(value), codes, n=1)
    message = _("{value} is not one of: {allowed}").format(value=shown, allowed=listed)
    return message + (_("; did you mean '{hint}'?").format(hint=hint[0]) if hint else "")


# jsonschema-rs's messages (its English is kept as it is) in the other languages
_SCHEMA_MESSAGES = {
    "minimum": N_("{value} is less than the minimum of {limit}"),
    "maximum": N_("{value} is greater than the maximum of {limit}"),
    "exclusiveMinimum": N_("{value} is less than or equal to the minimum of {limit}"),
    "exclusiveMaximum": N_("{value} is greater than or equal to the maximum of {limit}"),
    "minLength": N_("{value} is shorter than {limit} characters"),
    "maxLength": N_("{value} is longer than {limit} characters"),
    "minItems": N_("{value} has less than {limit} items"),
    "maxItems": N_("{value} has more than {limit} items"),
    "uniqueItems": N_("{value} has non-unique elements"),
    "pattern": N_("{value} does not match {pattern}"),
    "format": N_("{value} is not a valid {format}"),
    "type": N_("{value} is not of type {type}"),
    "const": N_("{expected} was expected"),
}
_TYPES = {"string": N_("text"), "integer": N_("whole number"), "number": N_("number"),
          "object": N_("mapping (field: value)"), "array": N_("list"),
          "boolean": N_("true or false"), "null": N_("empty (null)")}
_FORMATS = {"date": N_("date (YYYY-MM-DD)"),
            "date-time": N_("date and time (YYYY-MM-DDTHH:MM:SS+08:00)"),
            "email": N_("e-mail address"), "uri": N_("URI")}


def type_name(name: str) -> str:
    """A JSON type ("integer", "boolean", …) as a message calls it: in English its JSON
    name, as jsonschema-rs's messages do."""
    return _(_TYPES[name]) if name in _TYPES and language() != "en" else name


def _schema_message(err: Any) -> str:
    """jsonschema-rs's message of ``err``; in another language, its translation for the
    keywords records break in practice (jsonschema-rs's English for the rest)."""
    text = _SCHEMA_MESSAGES.get(err.kind.name)
    if text is None or language() == "en":
        return str(err.message)
    kind = err.kind
    types = list(getattr(kind, "types", None) or [])
    fmt = str(getattr(kind, "format", ""))
    return _(text).format(
        value=json.dumps(err.instance, ensure_ascii=False, separators=(",", ":")),
        limit=json.dumps(getattr(kind, "limit", None)),
        pattern=json.dumps(str(getattr(kind, "pattern", "")), ensure_ascii=False),
        format=_(_FORMATS[fmt]) if fmt in _FORMATS else json.dumps(fmt),
        type=_(" or ").join(type_name(t) for t in types),
        expected=json.dumps(getattr(kind, "expected_value", None), ensure_ascii=False))


def _schema_at(schema: dict[str, Any], schema_path: list[str | int]) -> dict[str, Any]:
    node: Any = schema
    for part in schema_path:
        if isinstance(node, dict) and "$ref" in node and (part == "$ref" or part not in node):
            node = _resolve_local(schema, node["$ref"])
            if part == "$ref":
                continue
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return {}
    if isinstance(node, dict) and "$ref" in node and "properties" not in node:
        node = _resolve_local(schema, node["$ref"])
    return node if isinstance(node, dict) else {}


def resolve(root: Mapping[str, Any], node: Mapping[str, Any]) -> tuple[dict[str, Any], set[str]]:
    """``node`` with its ``$ref`` chain followed (local refs of a bundled schema), and the
    names of the definitions it passed through (``defs.datetime``, ...). The one resolver
    of schema references; the keywords of ``node`` win over those of its target."""
    result = dict(node)
    refs: set[str] = set()
    for _depth in range(MAX_REF_DEPTH):
        ref = result.pop("$ref", None)
        if not isinstance(ref, str) or not ref.startswith("#/"):
            break
        refs.add(ref.rsplit("/", 1)[-1])
        target = _resolve_local(root, ref)
        result = {**(target if isinstance(target, dict) else {}), **result}
    return result, refs


def _collect_meanings(root: Mapping[str, Any], raw: Mapping[str, Any], path: tuple[str, ...],
                      found: dict[tuple[str, ...], str], depth: int) -> None:
    node, _ = resolve(root, raw)
    if isinstance(node.get(MEANING), str):
        found[path] = node[MEANING]
    if depth > MAX_REF_DEPTH:
        return
    for key, child in (node.get("properties") or {}).items():
        if isinstance(child, dict):
            _collect_meanings(root, child, (*path, key), found, depth + 1)
    if isinstance(node.get("items"), dict):
        _collect_meanings(root, node["items"], (*path, "[]"), found, depth + 1)


def _resolve_local(schema: Mapping[str, Any], ref: str) -> Any:
    node: Any = schema
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part, {}) if isinstance(node, dict) else {}
    return node


def _shorten(message: str) -> str:
    if len(message) <= _MAX_MESSAGE:
        return message
    return message[: _MAX_MESSAGE - 1] + "…"
