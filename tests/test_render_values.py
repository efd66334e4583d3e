"""The pure parts of rendering: values as printed, ☑/☐ choices, escaping, picture sizes,
the zip writer and the template lint."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from typing import Any

from qmsdoc.render import lint, zipout
from qmsdoc.render.engine import BREAK, environment, finalize
from qmsdoc.render.images import fit, probe
from qmsdoc.render.printable import Choice, Names, local_time, normalize, number, plan
from qmsdoc.schema import SchemaStore


def test_choice_lists_every_option_and_ticks_the_chosen() -> None:
    choice = Choice(("b",), (("a", "甲"), ("b", "乙"), ("c", "丙")), truth=True)
    assert str(choice) == "乙"
    assert choice.boxes == "☐ 甲  ☑ 乙  ☐ 丙"
    assert choice.boxlines == "☐ 甲\n☑ 乙\n☐ 丙"
    empty = Choice((), (("a", "甲"),))
    assert (str(empty), empty.boxes, bool(empty)) == ("", "☐ 甲", False)


def test_a_record_gets_every_schema_field_printed_by_name() -> None:
    schema = SchemaStore().for_kind("complaint")
    names = Names(people={"li.ming": "李明"}, departments={"quality": "品质部"},
                  customers={"HXAUTO": "华信汽车部件有限公司"})
    data = {"customer": "HXAUTO", "received_by": "li.ming", "received_at":
            "2026-11-03T09:40:00+08:00", "category": "quality", "impact": {"safety": False,
            "amount_rmb": 18600}, "verification": {"method": ["visual", "lab_test"]},
            "actions": {"short_term": [{"owner": "li.ming", "department": "quality",
                                        "description": "挑选", "due": "2026-11-05"}]}}
    r = normalize(plan(schema), data, names)
    assert (r["customer"], r["received_by"], r["received_at"]) == (
        "华信汽车部件有限公司", "李明", "2026-11-03 09:40")
    assert r["category"].boxes.startswith("☑ 产品质量  ☐ 产品交货")
    assert r["impact"]["safety"].boxes == "☐ 是  ☑ 否" and not r["impact"]["safety"]
    assert r["impact"]["amount_rmb"] == "18,600.00"
    assert str(r["verification"]["method"]) == "目视/测量、化验"  # in the record's order
    assert r["actions"]["short_term"][0]["department"] == "品质部"
    assert r["actions"]["long_term"] == [] and r["title"] == "" and r["closure"]["internal"][
        "evidence"] == []  # absent fields are present and empty
    assert not r["severity"] and r["severity"].boxes == "☐ 重大  ☐ 一般  ☐ 轻微"


def test_numbers_and_times() -> None:
    assert (number(4800), number(2.5), number(3.0), number(18600, amount=True)) == (
        "4800", "2.5", "3", "18,600.00")
    assert local_time("2026-11-03T09:40:00+08:00") == "2026-11-03 09:40"
    assert local_time("2026-11-03T01:40:00Z", seconds=True) == "2026-11-03 01:40:00 UTC"
    assert local_time("2026-11-03") == "2026-11-03"


def test_finalize_escapes_xml_and_braces() -> None:
    assert str(finalize("A&B <公司>")) == "A&amp;B &lt;公司&gt;"
    assert str(finalize("{{ 7*7 }}")) == "&#123;&#123; 7*7 &#125;&#125;"
    assert str(finalize("一\n二\x01")) == f"一{BREAK}二"
    assert str(finalize(None)) == ""
    template = environment().from_string("<w:t>{{ r.x }}</w:t>")
    assert template.render(r={"x": "{{ 7*7 }} & <b>"}) == (
        "<w:t>&#123;&#123; 7*7 &#125;&#125; &amp; &lt;b&gt;</w:t>")
    assert environment().from_string("{{ r.items }}").render(r={"items": "字段"}) == "字段"


def _png(width: int, height: int) -> bytes:
    return b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + struct.pack(
        ">IIBBBBB", width, height, 8, 2, 0, 0, 0) + b"\0" * 4 + b"\0\0\0\0IEND\xaeB`\x82"


def test_picture_sizes_from_headers() -> None:
    png = probe(_png(480, 360))
    assert png is not None and (png.ext, png.width, png.height) == ("png", 480, 360)
    jpeg = (b"\xff\xd8\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0" + b"\0" * 9
            + b"\xff\xc0" + struct.pack(">HBHH", 17, 8, 300, 400) + b"\0" * 12)
    pic = probe(jpeg)
    assert pic is not None and (pic.ext, pic.width, pic.height) == ("jpeg", 400, 300)
    gif = probe(b"GIF89a" + struct.pack("<HH", 20, 10) + b"\0" * 10)
    assert gif is not None and (gif.width, gif.height) == (20, 10)
    assert probe(b"%PDF-1.4") is None
    assert fit(png, 120, 80) == (round(480 * 80 / 360 * 36000), 80 * 36000)


def test_zip_writer_output_reads_back() -> None:
    entries = [zipout.deflate("[Content_Types].xml", b"<Types/>" * 50),
               zipout.deflate("word/media/a.png", _png(1, 1)),
               zipout.deflate("word/document.xml", "中文 A&B".encode() * 100)]
    data = zipout.write(entries)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert z.testzip() is None
        assert z.namelist() == ["[Content_Types].xml", "word/media/a.png", "word/document.xml"]
        assert z.read("word/document.xml") == "中文 A&B".encode() * 100
    assert zipout.write(entries) == data


def test_zlib_deflates_the_same_parts_where_isal_is_missing(monkeypatch) -> None:
    """ISA-L (isal) deflates where installed; without it zlib does: other compressed bytes,
    the same members, and each way gives the same bytes every time."""
    raw = "<w:t>中文 A&amp;B</w:t>".encode() * 400
    fast = zipout.deflate("word/document.xml", raw)
    monkeypatch.setattr(zipout, "compress", zipout._zlib_deflate)
    slow = zipout.deflate("word/document.xml", raw)
    for entry in (fast, slow):
        assert entry.method == zipout.DEFLATED and len(entry.data) < len(raw) // 10
        assert (zipout.inflate(entry), entry.crc, entry.size) == (raw, zlib.crc32(raw), len(raw))
        with zipfile.ZipFile(io.BytesIO(zipout.write([entry]))) as z:
            assert z.testzip() is None and z.read("word/document.xml") == raw
    assert zipout.deflate("word/document.xml", raw) == slow
    assert zipout._isal_deflate() is not None  # a dependency: installed with qmsdoc
    tiny = zipout.deflate("a.xml", b"<a/>")  # no smaller deflated: kept as it is
    assert (tiny.method, tiny.data) == (zipout.STORED, b"<a/>")


def test_lint_follows_loops_helpers_and_filters() -> None:
    schema = SchemaStore().for_kind("complaint")
    shapes = lint.context_shapes("complaint", schema, {"form": {"title": "x", "revisions": [
        {"letter": "A"}]}})
    env = environment()
    source = ("{% for a in photos(r.attachments) %}{{ image(a) }}{{ a.caption }}{{ a.typo }}"
              "{% endfor %}{% for v in form.revisions %}{{ v.letter }}{{ v.date }}{% endfor %}"
              "{{ r.category.boxes }}{{ r.category.bogus }}{{ r.actions.short_term|length }}"
              "{% set p = r.product %}{{ p.part_no }}{{ p.colour }}{{ loop_var }}")
    problems = lint.lint({"word/document.xml": source}, shapes, env, "t.docx")
    assert problems == [
        "t.docx: word/document.xml: unknown field 'a.typo' (complaint records have no field "
        "'attachments[].typo')",
        "t.docx: word/document.xml: unknown field 'v.date' ('form' has no field "
        "'revisions[].date')",
        "t.docx: word/document.xml: unknown field 'r.category.bogus'",
        "t.docx: word/document.xml: unknown field 'p.colour' (complaint records have no field "
        "'product.colour')",
        "t.docx: word/document.xml: unknown variable 'loop_var'",
    ]


def _text_as_before(node: dict[str, Any], refs: frozenset[str], value: Any, names: Names
                    ) -> str:
    """``printable.text`` before plain texts took their own way (the reference)."""
    from qmsdoc.doclang import ZH, marked, pick
    from qmsdoc.render.printable import FREE_TEXT, _plain, number, text, yes_no

    if value is None:
        return ""
    if type(value) is str and names.lang == ZH and not refs.isdisjoint(FREE_TEXT):
        return value
    if refs & FREE_TEXT and isinstance(value, dict | str):
        return pick(value, names.lang).text
    if isinstance(value, bool):
        return dict(yes_no(names.lang))["true" if value else "false"]
    if isinstance(value, int | float):
        return number(value)
    if isinstance(value, list):
        return ", ".join(text({}, frozenset(), v, names) for v in value)
    if not isinstance(value, str):
        return str(value)
    return marked(_plain(node, refs, value, names), names.lang)


def test_a_plain_text_prints_as_it_did() -> None:
    from qmsdoc.render.printable import text

    nodes: list[tuple[dict[str, Any], frozenset[str]]] = [
        ({}, frozenset()), ({}, frozenset({"defs.text"})), ({}, frozenset({"defs.short_text"})),
        ({"x-meaning": "person"}, frozenset()), ({"x-meaning": "department"}, frozenset()),
        ({"x-meaning": "customer"}, frozenset()), ({"format": "date-time"}, frozenset()),
        ({}, frozenset({"defs.datetime"})),
        ({"oneOf": [{"const": "a", "title": "甲", "x-title-en": "A"}, {"const": "b"}]},
         frozenset())]
    values = ["", "a", "b", "li.ming", "quality", "HXAUTO", "2026-11-03T09:40:00+08:00",
              "2026-11-03T09:40:00Z", "中文", "[zh] 中文", "plain"]
    for lang in ("zh", "en", "zh-en"):
        names = Names(people={"li.ming": "李明"}, departments={"quality": "品质部"},
                      customers={"HXAUTO": "华信"}, lang=lang)  # type: ignore[arg-type]
        for node, refs in nodes:
            for value in values:
                assert text(node, refs, value, names) == \
                    _text_as_before(node, refs, value, names), (lang, node, value)


def _slow(p: Any) -> Any:
    """The plan with every text taken through ``text`` (no value given back as it is)."""
    from dataclasses import replace

    return replace(p, verbatim=False, fields=tuple((k, _slow(c)) for k, c in p.fields),
                   item=_slow(p.item) if p.item is not None else None)


def test_texts_given_back_as_they_are_print_as_through_text() -> None:
    """A Chinese form's free texts and plain texts skip ``text``: every sample record, and
    values of every other type in those fields, print as they did through it."""
    from pathlib import Path

    import yaml

    from qmsdoc.config import load
    from qmsdoc.kinds import BY_NAME
    from qmsdoc.render.context import names as names_of

    example = Path(__file__).parent.parent / "qmsdoc" / "builtin" / "example"
    config = load(example)
    store = SchemaStore()
    seen = 0
    odd: list[Any] = [None, 7, 2.5, True, ["a", 1], {"zh": "开裂", "en": "Cracked"}, "",
                      "2026-11-03T09:40:00+08:00", "li.ming"]
    for path in sorted((example / "records").rglob("*.yaml")):
        data = yaml.safe_load(path.read_text("utf-8"))
        if not isinstance(data, dict) or data.get("kind") not in BY_NAME:
            continue
        schema = store.for_kind(data["kind"])
        for lang in ("zh", "en", "zh-en"):
            fast = plan(schema, lang)  # type: ignore[arg-type]
            slow = _slow(fast)
            names = names_of(config, lang)  # type: ignore[arg-type]
            assert normalize(fast, data, names) == normalize(slow, data, names), (path, lang)
            for value in odd:  # every top-level field holding each kind of value
                shaped = {key: value for key, _ in fast.fields}
                assert normalize(fast, shaped, names) == normalize(slow, shaped, names)
        seen += 1
    assert seen >= 5


def test_a_choice_s_values_are_read_as_the_sandbox_reads_them() -> None:
    """The engine reads a choice's public values without the sandbox's checks: the same
    values; anything else (private, dunder, unknown) still goes through the sandbox."""
    import pytest
    from jinja2.exceptions import SecurityError, UndefinedError
    from jinja2.sandbox import SandboxedEnvironment

    from qmsdoc.render.engine import CHOICE_FIELDS

    env = environment()
    choice = Choice(("b",), (("a", "甲"), ("b", "乙")), truth=True, sep="、")
    public = {name for name in dir(choice) if not name.startswith("_")}
    assert public == CHOICE_FIELDS
    for name in CHOICE_FIELDS:
        assert env.getattr(choice, name) == SandboxedEnvironment.getattr(env, choice, name)
    for template, error in (("{{ c._ticks() }}", SecurityError),
                            ("{{ c.__class__.__mro__ }}", SecurityError),
                            ("{{ c.nothing }}", UndefinedError)):
        with pytest.raises(error):
            env.from_string(template).render(c=choice)
    assert env.from_string("{{ c.boxes }}|{{ c.label }}|{{ c.code }}").render(c=choice) == \
        "☐ 甲  ☑ 乙|乙|b"
