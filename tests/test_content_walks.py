"""The walks verify makes over every released content, against their plain definitions:
``checks.dates.facts`` makes each pointer as its walk goes down (the same facts, in the
same order, with the pointers ``schema.pointer`` gives their paths), and
``history.coverage.named_paths`` collects the values ``records.attachments.paths`` gives;
on every sample and example record, and on generated values."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qmsdoc.checks import dates
from qmsdoc.history.coverage import named_paths
from qmsdoc.records import attachments
from qmsdoc.records.files import folder_kind
from qmsdoc.records.yamlload import LoadError, parse
from qmsdoc.schema import SchemaStore, pointer

ROOTS = [Path(__file__).parent.parent / "qmsdoc" / "builtin" / "example" / "records",
         Path(__file__).parent / "examples"]
FILES = sorted(p for root in ROOTS for p in root.rglob("*.yaml") if "records" in p.parts)


def _readable(path: Path) -> bool:
    try:
        parse(path.read_bytes())
    except LoadError:
        return False
    return True


# the invalid examples that no reader reads (syntax errors, hostile files) have no values to
# walk: only the others are parametrized, so no case is skipped
READABLE = [p for p in FILES if _readable(p)]


def reference(plan: Any, value: Any, path: list[str | int]) -> Iterator[tuple[str, str, str]]:
    if value is None:
        return
    if plan.date:
        if isinstance(value, str | date):
            yield pointer(path), str(value), plan.title
        return
    if isinstance(value, dict):
        for key, child in plan.properties:
            if key in value:
                yield from reference(child, value[key], [*path, key])
    elif isinstance(value, list) and plan.items is not None:
        for index, item in enumerate(value):
            yield from reference(plan.items, item, [*path, index])


def kind_of(path: Path) -> str | None:
    parts = path.parts
    rel = "/".join(parts[parts.index("records"):])
    kind = folder_kind(rel)
    return kind


@pytest.mark.parametrize("path", [p for p in READABLE if kind_of(p) is not None],
                         ids=lambda p: "/".join(p.parts[-4:]))
def test_the_facts_are_those_of_the_reference_walk(path: Path) -> None:
    kind = kind_of(path)
    assert kind is not None
    data = parse(path.read_bytes()).data
    schema = SchemaStore().for_kind(kind)
    plan = dates._plan_of(schema)
    want = list(reference(plan, data, [])) if plan is not None else []
    assert [(f.where, f.value, f.title) for f in dates.facts(schema, data)] == want


def test_odd_keys_are_escaped_as_pointers_escape_them() -> None:
    schema: Mapping[str, Any] = {
        "type": "object",
        "properties": {"a/b": {"type": "string", "format": "date", "title": "slash"},
                       "c~d": {"type": "array",
                               "items": {"type": "string", "format": "date-time"}}}}
    data = {"a/b": "2026-01-02", "c~d": ["2026-01-02T03:04:05+08:00", None]}
    found = dates.facts(schema, data)
    assert [(f.where, f.value, f.title) for f in found] == [
        ("/a~1b", "2026-01-02", "slash"), ("/c~0d/0", "2026-01-02T03:04:05+08:00", "")]
    assert found[0] == dates.Dated("/a~1b", "2026-01-02", "slash")


def paths_as_defined(data: Any) -> list[str]:
    return sorted({p for _, p in attachments.paths(data)
                   if p and attachments.path_problem(p) is None})


@pytest.mark.parametrize("path", READABLE, ids=lambda p: "/".join(p.parts[-4:]))
def test_the_attachment_paths_are_those_attachments_paths_gives(path: Path) -> None:
    data = parse(path.read_bytes()).data
    assert named_paths(data) == paths_as_defined(data)


VALUES = st.recursive(
    st.none() | st.integers() | st.sampled_from(["a.png", "x/../y", "/abs", "", "p/q.pdf"]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(["path", "files", "evidence", "note"]), inner,
                      max_size=4),
    max_leaves=30)


@given(VALUES)
def test_generated_values_give_the_same_paths(data: Any) -> None:
    assert named_paths(data) == paths_as_defined(data)
