"""The records loader's fast path (rapidyaml) gives exactly what the libyaml path gives: the
same values, or the same finding at the same line and column; on the invalid-record corpus,
the samples, hostile inputs and mutated samples."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, SAMPLES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qmsdoc.checks import yaml12
from qmsdoc.records import fastyaml, yamlload
from qmsdoc.records.yamlload import Limits, LoadError

CORPUS = sorted((ROOT / "tests" / "examples" / "invalid").rglob("*.yaml"))
SAMPLE_FILES = sorted(SAMPLES.rglob("*.yaml"))
DEFAULT = Limits()
COMPLAINTS = sorted((SAMPLES / "complaints").rglob("*.yaml"))


def paths(node: Any, prefix: tuple[str | int, ...] = ()) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if isinstance(node, dict):
        for key, value in node.items():
            yield from paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from paths(value, (*prefix, index))


def outcome(load: Any, raw: bytes, limits: Limits = DEFAULT) -> tuple[Any, ...]:
    """What a loader makes of ``raw``: its values with every position, or its finding."""
    try:
        doc = load(raw, limits)
    except LoadError as exc:
        return ("finding", exc.code, exc.message, exc.line, exc.column)
    plain = [(f.field, f.location.line, f.location.column, f.message)
             for f in yaml12.findings("r.yaml", doc)]  # before any position is looked up
    where = [(p, doc.position(list(p)), doc.position(list(p), key=True))
             for p in paths(doc.data)]
    return ("values", repr(doc.data), plain, where)


def slow(raw: bytes, limits: Limits) -> yamlload.Document:
    if len(raw) > limits.max_bytes:
        return yamlload.parse(raw, limits)  # the size limit comes first on both paths
    return yamlload.parse_slow(yamlload.decode(raw), limits)


def same(raw: bytes, limits: Limits = DEFAULT) -> tuple[Any, ...]:
    fast = outcome(yamlload.parse, raw, limits)
    assert fast == outcome(slow, raw, limits)
    return fast


@pytest.mark.parametrize("path", CORPUS + SAMPLE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_corpus_and_samples_load_alike(path: Path) -> None:
    same(path.read_bytes())


@pytest.mark.parametrize("path", COMPLAINTS, ids=lambda p: p.name)
def test_the_fast_path_reads_the_sample_complaints(path: Path) -> None:
    raw = path.read_bytes()
    data = fastyaml.load(raw, yamlload.decode(raw), Limits().max_depth)
    assert data == yamlload.parse_slow(yamlload.decode(raw)).data
    assert isinstance(data, dict) and data["kind"] == "complaint"


def test_plain_values_other_yaml_readers_type_differently_are_found_on_the_fast_path() -> None:
    raw = b'kind: complaint\npart_no: 0012346\nother: "0012346"\nlot: "0x1F"\n'
    assert fastyaml.load(raw, raw.decode(), 64) is not None  # read by the fast path
    result = same(raw)
    assert [finding[0] for finding in result[2]] == ["/part_no"]
    raw = b'kind: complaint\npart_no: "0012346"\nlot: \'0x1F\'\n'
    assert same(raw)[2] == []


def test_quoted_numbers_stay_text_and_plain_ones_are_numbers() -> None:
    raw = b'kind: complaint\npart_no: "4699651"\nqty: 4699651\nflag: True\nnone: ~\nbig: 1e999\n'
    assert yamlload.parse(raw).data == {"kind": "complaint", "part_no": "4699651",
                                        "qty": 4699651, "flag": True, "none": None,
                                        "big": "1e999"}
    same(raw)
    raw = b'kind: complaint\npart_no: "4699651"\nnote: \'True\'\nn: "12345678901234567890"\n'
    assert fastyaml.load(raw, raw.decode(), 64) == {"kind": "complaint", "part_no": "4699651",
                                                    "note": "True", "n": "12345678901234567890"}


NUMBERS = [b".25e1", b"0.25e1", b"-.25e1", b"1.5e20", b"1000000000000000000", b"-1000000000000000000",
           b"999999999999999999", b"-0.0", b"0.0", b"2.0", b"1.50", b"12.5e-1", b"1e18", b"1E3",
           b"[1.5, .5e1, 2]", b"{a: 0.75}", b"9223372036854775807", b"18446744073709551616"]


@pytest.mark.parametrize("number", NUMBERS, ids=lambda n: n.decode())
def test_numbers_judged_by_their_text_read_alike_with_and_without_orjson(
        number: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = b"kind: complaint\nqty: " + number + b"\nitems:\n  - x: " + number + b"\n"
    result = same(raw)
    monkeypatch.setattr(fastyaml, "orjson", None)  # the standard library reads alone
    assert same(raw) == result


def test_duplicate_keys_anywhere_go_to_libyaml() -> None:
    for raw in (b"kind: complaint\nproduct:\n  name: a\n  lot: b\n  name: c\n",
                b"kind: complaint\nitems:\n  - a: 1\n    b: 2\n    a: 3\n",
                b"kind: complaint\nx: {a: 1, a: 1}\n", b"kind: complaint\nkind: complaint\n"):
        assert fastyaml.load(raw, raw.decode(), 64) is None
        assert same(raw)[:2] == ("finding", "duplicate-key")


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_orjson_reads_what_the_standard_library_reads(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = path.read_bytes()
    with_orjson = fastyaml.read(raw, yamlload.decode(raw), 64)
    monkeypatch.setattr(fastyaml, "orjson", None)
    without = fastyaml.read(raw, yamlload.decode(raw), 64)
    assert (with_orjson is None) == (without is None)
    if with_orjson is not None and without is not None:
        assert repr(with_orjson.data) == repr(without.data)
        assert yamlload.Document(None, json=with_orjson.json).json == without.json
        assert with_orjson.plain_suspects == without.plain_suspects


HOSTILE = {
    "deep flow": b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
    "unclosed flow": b"a: " + b"[" * 500_000,
    "deep block": b"".join(b" " * i + b"k:\n" for i in range(1200)) + b" " * 1200 + b"v\n",
    "deep dashes": b"- " * 200_000 + b"x\n",
    "just over the limit": b"a:\n" + b"".join(b"  " * i + b"  - b:\n" for i in range(70)),
    "alias bomb": (b"a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                   b"c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"),
    "tag": b"kind: complaint\nqty: !!str 12\n",
    "python tag": b"kind: !!python/object:os.system x\n",
    "invalid utf-8": b"kind: complaint\ntitle: \xff\xfe\x80\n",
    "huge": b"kind: complaint\ntitle: " + b"x" * (2 * 1024 * 1024) + b"\n",
    "duplicate key": b"kind: complaint\nid: A\nid: B\n",
    "escaped control": b'kind: complaint\ntitle: "bell \\u0007"\n',
    "second document": b"kind: complaint\n---\nkind: 8d\n",
    "unclosed quote": b'kind: complaint\ntitle: "open\nid: X\n',
    "mapping in a value": b"kind: complaint\ntitle: a: b\n",
    "tab indent": b"kind: complaint\nproduct:\n\tname: x\n",
    "NEL": "kind: complaint\ntitle: a\u0085b\n".encode(),
    "line separator": "kind: complaint\ntitle: a\u2028b\n".encode(),
    "complex key": b"? [a, b]\n: c\n",
    "empty": b"",
    "comment only": b"# nothing\n",
    "a list": b"- a\n- b\n",
    "conflict markers": b"kind: complaint\n<<<<<<< HEAD\nid: A\n=======\nid: B\n>>>>>>> x\n",
    "floats rapidyaml rewrites": b"kind: complaint\na: .5\nb: 1.\nc: -.5\nd: 0.5\n",
    "block header with more": b"kind: complaint\ndescription: >-2.0\n  text\n",
    "block header zero": b"kind: complaint\ndescription: |0\n  text\n",
    "block headers": b"kind: complaint\na: |2-\n   x\nb: >+ # c\n  y\nc: a > b\nd: |\n  z\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_inputs_load_alike(name: str) -> None:
    result = same(HOSTILE[name])
    if name not in ("deep flow", "deep block", "deep dashes"):
        return
    assert result[0] == "finding" and result[1] == "limit"


def test_a_record_over_the_depth_limit_is_refused_by_both() -> None:
    raw = b"kind: complaint\n" + b"".join(b"  " * i + b"k:\n" for i in range(70)) + b"  " * 70 \
        + b"v\n"
    assert same(raw)[1] == "limit"
    assert same(raw, Limits(max_depth=80))[0] == "values"


TOKENS = ["&a ", "*a ", "!!str ", "!x ", "\t", '"', "'", ": ", "- ", "[", "]", "{", "}",
          "# ", "\n", "  ", "---\n", "...\n", "? ", "~", "True", "0", "007", "1e999",
          "-1.5", "%YAML 1.2\n", "|", ">-", ",", "\\", "\\u0007", "、", "\r\n", "\x85", "NULL",
          "12345678901234567890", "\ufeff", "kind: x\n", "null", "@", "`", "0012346", '"0012346"',
          "0x1F", ".5", "1.", "-.5", "0.5", "2.0", "1:20", "\x7f", "\u2028", ".25e1", "1e18",
          "1000000000000000000", "1.5"]
SAMPLE_TEXTS = [p.read_text("utf-8") for p in SAMPLE_FILES]


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(SAMPLE_TEXTS), st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(TOKENS), st.integers(0, 6)), min_size=1,
    max_size=4))
def test_mutated_samples_load_alike(text: str, edits: list[tuple[float, str, int]]) -> None:
    for where, token, cut in edits:
        at = int(where * len(text))
        text = text[:at] + token + text[at + cut:]
    same(text.encode("utf-8"))


def test_rapidyaml_errors_are_silent_and_other_output_meanwhile_is_kept(
        capfd: pytest.CaptureFixture[str]) -> None:
    import os

    assert fastyaml.load(b"a: [1, 2\nb: 3\n", "a: [1, 2\nb: 3\n", 64) is None  # a syntax error
    assert fastyaml.load(b"a: b: c\n", "a: b: c\n", 64) is None
    with fastyaml._quiet_stderr():  # what another thread writes while rapidyaml parses
        os.write(2, b"written meanwhile\n")
    assert capfd.readouterr().err == "written meanwhile\n"


def _parse_broken_records(_: int) -> int:
    for _ in range(300):
        assert fastyaml.load(b"a: [1, 2\nb: 3\n", "a: [1, 2\nb: 3\n", 64) is None
        assert fastyaml.load(b"a: b: c\n", "a: b: c\n", 64) is None
    return 0


def test_forked_workers_keep_rapidyaml_errors_silent(capfd: pytest.CaptureFixture[str]) -> None:
    """Workers forked after the parent parsed a record (validate, due, render) each have a
    sink of their own: a shared one garbled pieces of rapidyaml's lines onto stderr."""
    import multiprocessing

    assert fastyaml.load(b"a: [1, 2\nb: 3\n", "a: [1, 2\nb: 3\n", 64) is None  # the parent's sink
    with multiprocessing.get_context("fork").Pool(2) as pool:
        assert pool.map(_parse_broken_records, range(4)) == [0, 0, 0, 0]
    assert capfd.readouterr().err == ""


def _texts_both_ways(raw: bytes, finder: Any) -> tuple[Any, Any]:
    doc = yamlload.parse(raw)
    if doc.json is None:
        return None, None
    searched = yamlload.Document(doc.data, text=raw.decode(), json=doc.json)  # no texts
    return doc.texts_at(finder), searched.texts_at(finder)


@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_texts_gathered_while_reading_are_what_the_json_search_finds(path: Path) -> None:
    from qmsdoc.records import attachments

    raw = path.read_bytes()
    names = yamlload.key_finder(["department", "owner", "customer", "received_by", "by"])
    for finder in (attachments._PATH, names):
        gathered, searched = _texts_both_ways(raw, finder)
        assert gathered == searched
    fast = fastyaml.read(raw, yamlload.decode(raw), 64)
    if fast is not None:
        emitted = yamlload.Document(None, json=fast.json).json
        assert emitted is not None
        assert fast.plain_suspects == fastyaml._plain_suspects(emitted, yamlload.decode(raw))


def test_a_finder_made_after_the_read_searches_the_json() -> None:
    raw = (b'kind: complaint\nzz_late_key: \'a "b"\'\nlist:\n  - zz_late_key: c\n'
           b'  - [zz_late_key, 1]\nx: {zz_late_key: 2}\n')
    doc = yamlload.parse(raw)
    assert doc.json is not None
    finder = yamlload.key_finder(["zz_late_key"])  # not watched while the record was read
    assert doc.texts_at(finder) == [("zz_late_key", 'a "b"'), ("zz_late_key", "c")]
    assert yamlload.parse(raw).texts_at(finder) == doc.texts_at(finder)  # now gathered


@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(SAMPLE_TEXTS), st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from([*TOKENS, "path: ", "owner: ", '"x"', "by: "]),
              st.integers(0, 6)), min_size=1, max_size=4))
def test_mutated_samples_gather_the_texts_the_json_search_finds(
        text: str, edits: list[tuple[float, str, int]]) -> None:
    from qmsdoc.records import attachments

    for where, token, cut in edits:
        at = int(where * len(text))
        text = text[:at] + token + text[at + cut:]
    raw = text.encode("utf-8")
    try:
        gathered, searched = _texts_both_ways(raw, attachments._PATH)
    except LoadError:
        return
    assert gathered == searched


def test_a_worker_forked_while_another_thread_parses_keeps_its_stderr(
        capfd: pytest.CaptureFixture[str]) -> None:
    """A fork while another thread is inside the redirection (render's ``parallel.beside``
    reads git and parses while the main thread may start workers): the child must not keep
    fd 2 pointing at the parent's sink, or its own errors (a worker's "internal error") are
    lost once the parent has left the redirection."""
    import os
    import threading

    inside, release = threading.Event(), threading.Event()

    def hold() -> None:
        with fastyaml._quiet_stderr():
            inside.set()
            release.wait()

    thread = threading.Thread(target=hold)
    thread.start()
    inside.wait()
    ready_r, ready_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: writes once the parent has restored its stderr
        os.read(ready_r, 1)
        os.write(2, b"a worker's error\n")
        os._exit(0)
    release.set()
    thread.join()
    os.write(ready_w, b"x")
    os.waitpid(pid, 0)
    os.close(ready_r)
    os.close(ready_w)
    assert capfd.readouterr().err == "a worker's error\n"


def _always_quoted_by_counting(value: str, text: str) -> bool:
    """The rule ``_always_quoted`` keeps, as first written: three counts over the text."""
    found = text.count(value)
    return found > 0 and found == text.count(f'"{value}"') + text.count(f"'{value}'")


CORE_VALUES = ["7", "11", "0", "", "True", "~", "1.5", "-3", "0x1F", "null", ".inf"]
QUOTED_CASES = ['a: "7"\n', "a: '7'\n", "a: 7\n", '"7\'', '"7"7"', "'7''7'", '7"', '"7',
                'x"11"', 'x"111"', "x'11'1'", '"11"11', "a: 7\nb: \"7\"\n", "", "7", '""',
                "a: ''\n", '"True"', "T'True'", "'~'", "x~", '"1.5"x"1.5"', '"-3"', " '0x1F'"]


@pytest.mark.parametrize("text", QUOTED_CASES)
def test_a_value_judged_by_its_neighbours_is_judged_as_by_counting(text: str) -> None:
    for value in CORE_VALUES:
        assert fastyaml._always_quoted(value, text) == _always_quoted_by_counting(value, text)


@settings(max_examples=1500, deadline=None)
@given(st.sampled_from(CORE_VALUES), st.lists(
    st.sampled_from(['"', "'", "1", "7", "11", "True", "~", " ", "\n", "x", "、", "-3", ""]),
    max_size=12))
def test_quoting_judged_as_by_counting(value: str, pieces: list[str]) -> None:
    joined = "".join(pieces)
    for text in (joined, joined.replace("7", value)):
        assert fastyaml._always_quoted(value, text) == _always_quoted_by_counting(value, text)


@pytest.mark.parametrize("raw", [b'kind: complaint\n"": 1\n', b"kind: complaint\n'': x\n",
                                 b'kind: complaint\nproduct:\n  "": a\n', b"kind: x\n: y\n",
                                 b'kind: complaint\nitems:\n  - {"": 1}\n',
                                 b"kind: complaint\na: 'q\"'\n'b\"': 1\n"])
def test_empty_keys_go_to_libyaml(raw: bytes) -> None:
    found = fastyaml.read(raw, yamlload.decode(raw), 64)
    keys = [path[-1] for path in paths(found.data) if path] if found is not None else []
    assert "" not in keys
    same(raw)


def test_the_unusual_characters_found_in_three_passes_are_the_class_ones() -> None:
    for code in [*range(0xD800), *range(0xE000, 0x10000)]:  # every BMP character
        text = f"a: x{chr(code)}y\n"
        assert fastyaml._unusual(text.encode("utf-8"), text) == \
            (fastyaml._UNUSUAL.search(text) is not None), hex(code)
    for code in (0x1F600, 0x10FFFF, 0x2FFFE, 0xE000, 0xFFFD):
        text = chr(code) * 3
        assert not fastyaml._unusual(text.encode("utf-8"), text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(
    ["a", " ", "\n", "\t", "\r", "\\", "\x00", "\x1f", "\x7f", "\x80", "\x9f", "\xa0", "°", "·",
     "\u2027", "\u2028", "\u2029", "\u202a", "\ufeff", "\ufffd", "\ufffe", "\uffff", "、", "，",
     "Â", "\U0001f600"]), max_size=20))
def test_unusual_texts_found_alike(text: str) -> None:
    assert fastyaml._unusual(text.encode("utf-8"), text) == \
        (fastyaml._UNUSUAL.search(text) is not None)


def _census_both_ways(raw: bytes) -> None:
    """The census without watched keys (``due``) judges a file as the one with them."""
    text = raw.decode("utf-8")
    plain = fastyaml.read(raw, text, 64)
    watched = fastyaml.read(raw, text, 64, frozenset({"zz_never"}))
    assert (plain is None) == (watched is None)
    if plain is not None and watched is not None:
        assert repr(plain.data) == repr(watched.data)
        assert plain.plain_suspects == watched.plain_suspects
        assert plain.json == watched.json


@pytest.mark.parametrize("path", CORPUS + SAMPLE_FILES, ids=lambda p: p.relative_to(ROOT).as_posix())
def test_a_census_without_watched_keys_reads_the_corpus_as_the_other(
        path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    raw = path.read_bytes()
    try:
        yamlload.decode(raw)
    except LoadError:
        return
    _census_both_ways(raw)
    monkeypatch.setattr(yamlload, "_watched", frozenset())  # as in ``due``'s processes
    same(raw)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_census_without_watched_keys_refuses_what_the_other_refuses(
        name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlload, "_watched", frozenset())
    same(HOSTILE[name])
    for raw in (b'kind: complaint\n"": x\n', b"kind: complaint\na:\n  '': 1\n",
                b"kind: complaint\nitems:\n  - a: 1\n    a: 2\n"):
        assert fastyaml.read(raw, raw.decode(), 64) is None  # empty or duplicate key


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.sampled_from(SAMPLE_TEXTS), st.lists(
    st.tuples(st.floats(0, 1), st.sampled_from(TOKENS), st.integers(0, 6)), min_size=1,
    max_size=4))
def test_mutated_samples_census_alike_without_watched_keys(
        text: str, edits: list[tuple[float, str, int]]) -> None:
    for where, token, cut in edits:
        at = int(where * len(text))
        text = text[:at] + token + text[at + cut:]
    _census_both_ways(text.encode("utf-8"))
