"""The built-in schemas: valid Draft 2020-12, labelled in Chinese and English, closed."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from jsonschema import Draft202012Validator

from qmsdoc.kinds import KINDS
from qmsdoc.schema import SchemaStore

SCHEMAS = sorted((ROOT / "schemas").glob("*.schema.json"))
DRAFT07_INCOMPATIBLE = ("prefixItems", "dependentRequired", "dependentSchemas",
                        "unevaluatedProperties", "unevaluatedItems", "$dynamicRef")


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def nodes(node: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from nodes(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from nodes(value, f"{path}/{i}")


def test_every_kind_and_the_config_have_a_schema() -> None:
    names = {p.name for p in SCHEMAS}
    assert {k.schema_file for k in KINDS} | {"defs.schema.json", "config.schema.json"} <= names


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schema_passes_the_metaschema(path: Path) -> None:
    schema = load(path)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_bundled_schema_passes_the_metaschema(kind: str) -> None:
    Draft202012Validator.check_schema(SchemaStore().for_kind(kind))


@pytest.mark.parametrize("path", [p for p in SCHEMAS if p.name != "config.schema.json"],
                         ids=lambda p: p.name)
def test_every_property_is_labelled_and_every_object_closed(path: Path) -> None:
    problems = []
    for where, node in nodes(load(path)):
        for name, prop in node.get("properties", {}).items():
            if not isinstance(prop, dict) or "/if/" in where or where.endswith("/if"):
                continue
            if not prop.get("title") or not prop.get("x-title-en"):
                problems.append(f"{where}/properties/{name}: needs title and x-title-en")
        if "properties" in node and "/if" not in where and "/then" not in where \
                and "/not" not in where and node.get("additionalProperties") is not False:
            problems.append(f"{where}: needs additionalProperties: false")
        if "enum" in node:
            codes = [c for c in node["enum"] if isinstance(c, str)]
            for labels in ("x-enum-labels", "x-enum-labels-en"):
                if set(node.get(labels, {})) != set(codes):
                    problems.append(f"{where}: {labels} must label exactly {codes}")
    assert problems == []


@pytest.mark.parametrize("path", SCHEMAS, ids=lambda p: p.name)
def test_schemas_use_keywords_editors_understand(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert [k for k in DRAFT07_INCOMPATIBLE if f'"{k}"' in text] == []


@pytest.mark.parametrize("kind", [k for k in KINDS], ids=lambda k: k.name)
def test_forms_have_titles(kind: Any) -> None:
    schema = SchemaStore().raw(kind.schema_file)
    assert schema["x-form"]["title"] and schema["x-form"]["title_en"]


@pytest.mark.parametrize("kind", [k.name for k in KINDS])
def test_editor_rendition_is_draft_07_and_agrees_on_the_samples(kind: str) -> None:
    from jsonschema import Draft7Validator, FormatChecker

    from qmsdoc.records.files import discover, read
    from qmsdoc.records.yamlload import Limits
    from qmsdoc.schema import editor_schema

    schema = editor_schema(SchemaStore(), kind)
    Draft7Validator.check_schema(schema)
    validator = Draft7Validator(schema, format_checker=FormatChecker())
    samples = [r for r in (read(ROOT, p, Limits()) for p in discover(ROOT))
               if getattr(r, "kind", None) == kind]
    assert samples
    for record in samples:
        assert [e.message for e in validator.iter_errors(record.data)] == []  # type: ignore[union-attr]
    broken = dict(samples[0].data)  # type: ignore[union-attr]
    broken["unknown_field"] = 1
    assert any("unknown_field" in e.message for e in validator.iter_errors(broken))
    title = schema["properties"]["title"]
    assert title["description"] == f"{title['title']} {title['x-title-en']}"


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_workflow_states_of_the_kinds_are_the_schemas_status_codes(kind: Any) -> None:
    """kinds.py orders the states; the schema lists the same codes (with their labels)."""
    schema = SchemaStore().for_kind(kind.name)
    status = schema["properties"].get("status")
    if status is None:  # customer-specific requirements: each requirement has a status
        status = schema["$defs"]["requirement_item"]["properties"]["status"]
    assert set(status["enum"]) == {*kind.states, *kind.ends}
    assert kind.rank(kind.states[0]) == 0 and kind.rank("no-such-state") is None


def test_field_meanings_are_marked_once_in_the_shared_definitions() -> None:
    meanings = SchemaStore().meanings("contract-review")
    assert meanings[("sales_rep",)] == "person"
    assert meanings[("amendments", "[]", "notified", "[]")] == "department"
    assert meanings[("customer",)] == "customer"
    assert SchemaStore().meanings("complaint")[("impact", "amount_rmb")] == "money"


def test_a_field_that_names_a_person_is_checked_against_the_roster(
        run_cli: Any, sample_repo: Path) -> None:
    """sales_rep is a person because its schema says so, not because of its name."""
    path = sample_repo / "records/contract-reviews/2026/CR-2026-0001.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("sales_rep: zhao.lei", "sales_rep: nobody"), encoding="utf-8")
    result = run_cli("validate", str(path), repo=sample_repo)
    assert result.exit_code == 1
    assert ("records/contract-reviews/2026/CR-2026-0001.yaml:11:12: error[person]: /sales_rep: "
            "'nobody' is not in the roster of qmsdoc.yaml") in result.lines
