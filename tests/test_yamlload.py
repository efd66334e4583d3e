"""The strict loader: encodings, YAML 1.2 typing, positions, hostile input."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from qmsdoc.records.yamlload import Limits, LoadError, dump, parse

DEFAULT_LIMITS = Limits()


def error_of(raw: bytes, limits: Limits = DEFAULT_LIMITS) -> LoadError:
    with pytest.raises(LoadError) as info:
        parse(raw, limits)
    return info.value


def test_yaml_12_core_typing_keeps_codes_dates_and_times_as_text() -> None:
    data = parse(
        b"a: NO\nb: on\nc: 0012345\nd: 1:20\ne: 2026-11-03\nf: 2026-11-03T09:40:00+08:00\n"
        b"g: yes\nh: 12\ni: -1.5\nj: true\nk: ~\nl: '12'\nm: 1e3\nn: .inf\n"
    ).data
    assert data == {
        "a": "NO", "b": "on", "c": "0012345", "d": "1:20", "e": "2026-11-03",
        "f": "2026-11-03T09:40:00+08:00", "g": "yes", "h": 12, "i": -1.5, "j": True,
        "k": None, "l": "12", "m": 1000.0, "n": ".inf",
    }


def test_utf8_bom_and_crlf_leave_no_trace_in_values() -> None:
    doc = parse(b"\xef\xbb\xbftitle: \xe6\x94\xaf\xe6\x9e\xb6\r\ntext: |\r\n  a\r\n  b\r\n")
    assert doc.data == {"title": "支架", "text": "a\nb\n"}
    assert doc.position(["text"]) == (2, 7)


def test_gbk_file_is_rejected_with_what_it_looks_like() -> None:
    err = error_of("title: 支架开裂\n".encode("gbk"))
    assert (err.code, err.line) == ("encoding", 1)
    assert str(err) == ("file is not UTF-8: it looks like GBK/GB18030 (the Chinese Windows "
                        "encoding); re-save it as UTF-8")


@pytest.mark.parametrize(("encoding", "label"), [("utf-16", "UTF-16 LE"),
                                                  ("utf-16-le", "UTF-16 LE"),
                                                  ("utf-16-be", "UTF-16 BE")])
def test_utf16_file_is_rejected(encoding: str, label: str) -> None:
    err = error_of("title: 支架开裂\nid: CC-2026-0001\n".encode(encoding))
    assert str(err) == (f"file is not UTF-8: it looks like {label} (as Windows Notepad writes "
                        "'Unicode'); re-save it as UTF-8")


def test_invalid_utf8_that_is_not_gbk_names_the_byte() -> None:
    err = error_of(b"a: 1\nb: \xff\xfe\xfd\n")
    assert (err.line, str(err)) == (2, "file is not UTF-8: invalid byte 0xff; re-save it as UTF-8")


def test_duplicate_key_names_both_lines() -> None:
    err = error_of(b"kind: complaint\nid: A\ntitle: x\nid: B\n")
    assert (err.code, err.line, err.column) == ("duplicate-key", 4, 1)
    assert str(err) == "duplicate key 'id' (first defined on line 2); the later value would silently win"


def test_duplicate_key_in_nested_mapping() -> None:
    err = error_of(b"product:\n  part_no: '1'\n  name: a\n  part_no: '2'\n")
    assert (err.line, err.column) == (4, 3)
    assert "first defined on line 2" in str(err)


@pytest.mark.parametrize(
    ("raw", "message", "line", "column"),
    [
        (b"a: &x 1\nb: *x\n", "anchor '&x' is not allowed in a record; write each value out", 1, 4),
        (b"a: 1\nb: *x\n", "alias '*x' is not allowed in a record; write the value out", 2, 4),
        (b"a: !!python/object:os.system x\n",
         "explicit tag '!!python/object:os.system' is not allowed in a record", 1, 4),
        (b"a: !!str 5\n", "explicit tag '!!str' is not allowed in a record", 1, 4),
        (b"a: 1\n---\nb: 2\n", "a record file holds one YAML document; found a second one", 2, 1),
        (b"a: [1, 2\n", "YAML syntax error: did not find expected ',' or ']' "
         "(while parsing a flow sequence)", 2, 1),
    ],
)
def test_refused_yaml_features(raw: bytes, message: str, line: int, column: int) -> None:
    err = error_of(raw)
    assert (str(err), err.line, err.column) == (message, line, column)


def test_text_that_merely_contains_ampersands_and_stars_is_fine() -> None:
    assert parse(b"a: A&B <x> *important* !\n").data == {"a": "A&B <x> *important* !"}


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1b", "\x0c", "\ufffe", "\uffff"])
def test_control_characters_are_rejected_naming_code_point_and_line(char: str) -> None:
    err = error_of(f"a: 1\nb: x{char}y\n".encode())
    assert (err.code, err.line, err.column) == ("control-char", 2, 5)
    assert str(err) == (f"control character U+{ord(char):04X} is not allowed in a record "
                        "(Word refuses such files); delete it")


def test_tab_lf_cr_are_allowed() -> None:
    assert parse(b"a: \"x\\ty\"\nb: 'p\tq'\r\n").data == {"a": "x\ty", "b": "p\tq"}


def test_size_limit_is_checked_before_parsing() -> None:
    err = error_of(b"a: " + b"x" * 2000 + b"\n", Limits(max_bytes=1024))
    assert err.code == "limit"
    assert str(err) == ("file is 2,004 bytes; records are limited to 1,024 bytes "
                        "(limits.max_record_bytes in qmsdoc.yaml)")


@pytest.mark.parametrize(
    "raw",
    [
        b"a: " + b"[" * 100_000 + b"]" * 100_000 + b"\n",
        b"a: " + b"{x: " * 50_000 + b"1" + b"}" * 50_000 + b"\n",
        b"- " * 200_000 + b"x\n",
        b"".join(b" " * i + b"k:\n" for i in range(0, 300)),
    ],
    ids=["flow-sequences", "flow-mappings", "compact-block", "indented-block"],
)
def test_deep_nesting_is_refused_without_crashing(raw: bytes) -> None:
    # The promise to the user: refused with the limit's message and a position in the file,
    # whichever layer (qmsdoc's scan or libyaml's own bound) notices first.
    err = error_of(raw)
    assert err.code == "limit"
    assert str(err) == "nesting deeper than 64 levels"
    assert err.line >= 1 and err.column >= 1


def test_billion_laughs_is_refused_at_once() -> None:
    lines = [b"a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [b"a%d: &a%d [" % (i, i) + b", ".join([b"*a%d" % (i - 1)] * 9) + b"]"
              for i in range(1, 12)]
    started = time.perf_counter()
    err = error_of(b"\n".join(lines) + b"\n")
    assert time.perf_counter() - started < 5
    assert str(err).startswith("anchor '&a0' is not allowed")


def test_empty_file() -> None:
    assert str(error_of(b"")) == "file is empty; a record starts with 'kind:' and 'id:'"
    assert str(error_of(b"# only a comment\n")) == ("file is empty; a record starts with "
                                                    "'kind:' and 'id:'")


def test_positions_point_at_values_keys_and_parents() -> None:
    doc = parse(b"kind: complaint\nproduct:\n  part_no: '1'\n  qty: -5\nlist:\n  - a: 1\n    b: 2\n")
    assert doc.position(["product", "qty"]) == (4, 8)
    assert doc.position(["product", "qty"], key=True) == (4, 3)
    assert doc.position(["product", "missing"]) == (3, 3)  # the parent mapping
    assert doc.position(["list", 0, "b"]) == (7, 8)
    assert doc.position([]) == (1, 1)


def test_complex_keys_are_refused() -> None:
    err = error_of(b"? [a]\n: 1\n")
    assert str(err) == "a mapping key must be a plain name, not a list or mapping"


def test_dump_round_trips_codes_dates_and_multiline_text() -> None:
    data = {"part_no": "0012345", "at": "2026-11-21T09:12:00+08:00", "flag": "NO", "n": "12",
            "text": "多行\n文本", "empty": "", "none": None, "qty": 3, "cn": "支架 A&B <x>"}
    text = dump(data)
    # quoted: a YAML 1.2 reader (VS Code, check-jsonschema) would read 0012345 as a number
    assert 'part_no: "0012345"\n' in text and "at: 2026-11-21T09:12:00+08:00\n" in text
    assert parse(text.encode()).data == data


def test_libyaml_composes_when_pyyaml_has_it() -> None:
    import yaml

    from qmsdoc.records import yamlload

    if not yaml.__with_libyaml__:
        pytest.skip("this PyYAML was built without libyaml")
    from yaml.cyaml import CParser  # type: ignore[attr-defined]

    assert issubclass(yamlload._Composer, CParser)


def test_alias_after_a_flow_bracket_is_found() -> None:
    assert str(error_of(b"a: 1\nb: [*x]\n")).startswith("alias '*x'")
    assert str(error_of(b"a: {k: !!str 1}\n")) == "explicit tag '!!str' is not allowed in a record"


@pytest.mark.parametrize(("escape", "code"), [("\\u0007", "0007"), ("\\uFFFE", "FFFE"),
                                              ("\\x0c", "000C"), ("\\e", "001B")])
def test_escaped_control_characters_are_rejected_too(escape: str, code: str) -> None:
    err = error_of(f'a: 1\ntitle: "a{escape}b"\n'.encode())
    assert (err.code, err.line, err.column) == ("control-char", 2, 8)
    assert str(err) == (f"control character U+{code} (written as an escape) is not allowed in "
                        "a record (Word refuses such files); delete it")


def test_numbers_beyond_json_stay_text_for_the_schema_to_refuse() -> None:
    data = parse(b"a: 1e999\nb: " + b"9" * 401 + b"\nc: -123456789012345678\n").data
    assert data == {"a": "1e999", "b": "9" * 401, "c": -123456789012345678}


def test_a_load_error_passes_through_a_with_block_unchanged() -> None:
    """Raising sets the exception's __traceback__, which a frozen exception refused: a
    LoadError inside any ``with`` became an internal error."""
    from contextlib import contextmanager

    @contextmanager
    def guarded() -> Iterator[None]:
        yield

    with pytest.raises(LoadError) as caught, guarded():
        raise LoadError("yaml", "YAML syntax error", 3, 1)
    assert (caught.value.code, caught.value.line, str(caught.value)) == (
        "yaml", 3, "YAML syntax error")
