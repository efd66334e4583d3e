"""No value of the wrong type, anywhere in a record, crashes the checks: each field of each
sample record replaced by a mapping, a list, a huge number, text, null, a boolean."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SAMPLES

from qmsdoc import config
from qmsdoc.checks import crossref
from qmsdoc.checks import record as checks
from qmsdoc.records.files import Record, discover, folder_kind, read
from qmsdoc.records.yamlload import Document, Limits
from qmsdoc.schema import SchemaStore

VALUES: list[Any] = [{"zz": 1}, [1, {"a": 2}], 10**30, "x", None, True, -1, 1.5,
                     "2026-13-45", ""]
SAMPLE_FILES = sorted(discover(ROOT))


def paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    if prefix:
        yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node[:2]):
            yield from paths(value, (*prefix, index))


def put(data: Any, path: tuple[str | int, ...], value: Any) -> None:
    for part in path[:-1]:
        data = data[part]
    data[path[-1]] = value


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.stem)
def test_checks_survive_every_wrong_type(path: Path) -> None:
    cfg = config.load(ROOT)
    store = SchemaStore()
    loaded = read(ROOT, path, Limits())
    assert isinstance(loaded, Record)
    rel = loaded.path
    kind = loaded.kind
    assert kind is not None
    for where in paths(loaded.data):
        if where in (("kind",), ("id",)):
            continue
        for value in VALUES:
            data = copy.deepcopy(loaded.data)
            put(data, where, value)
            # positions come from the original node tree: enough for the rules to point at
            record = Record(rel, folder_kind(rel), Document(data, loaded.doc.root))
            store.findings(kind, record.doc, rel)
            checks.run(record, cfg)
            crossref.facts(record)


def test_samples_are_the_fuzzed_ones() -> None:
    assert len(SAMPLE_FILES) == 8 and all(p.is_relative_to(SAMPLES) for p in SAMPLE_FILES)
