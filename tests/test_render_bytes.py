"""A form's parts made final as UTF-8 bytes (the template's constant text encoded once per
template, the values per form), its checksums by ISA-L where installed and the files written
into the output folder (atomic.Folder) give what the text, zlib and ``atomic.replace`` gave."""

from __future__ import annotations

import os
import random
import stat
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result
from test_render_golden import demo as demo  # the demo repository, one per module
from test_render_split import _random_part, _whole_range

from qmsdoc import atomic, render
from qmsdoc.errors import RenderError, UsageError
from qmsdoc.render import docx, fit, zipout
from qmsdoc.render.engine import environment
from qmsdoc.render.fit import MARK, split_paragraphs

EPOCH = "1765000000"


def test_split_paragraphs_of_the_bytes_are_the_bytes_of_the_text_s() -> None:
    rng = random.Random(15)
    for _ in range(400):
        xml = _random_part(rng) + "甲" * rng.randrange(3)
        assert split_paragraphs(xml.encode()) == _whole_range(xml).encode()
        assert split_paragraphs(xml) == _whole_range(xml)
    far = ("<w:p><w:r><w:t>" + "字" * 50_000 + f"甲{MARK}乙</w:t></w:r></w:p>") * 2
    assert split_paragraphs(far.encode()) == _whole_range(far).encode()


def test_the_paragraph_start_in_the_bytes_is_at_the_same_character() -> None:
    xml = '<w:p w:x="一"><w:r><w:t>二三</w:t></w:r></w:p><w:p><w:r><w:t>四\x1f五'
    raw = xml.encode()
    for at in range(len(xml) + 1):
        start = fit._paragraph_start(xml, 0, at, 2)
        found = fit._paragraph_start(raw, 0, len(xml[:at].encode()), 2)
        assert found == (-1 if start < 0 else len(xml[:start].encode()))


def _compiled() -> docx.Compiled:
    return docx.Compiled("t.docx", [], {}, {}, {})


def test_a_part_s_bytes_are_the_encoded_text_and_its_constants_are_encoded_once() -> None:
    env = environment()
    template = env.from_string('<w:p><w:r><w:t>标题 {{ a }}</w:t></w:r></w:p>'
                               '{% for x in xs %}<w:p><w:r><w:t xml:space="preserve">{{ x }}'
                               '</w:t></w:r></w:p>{% endfor %}<w:p>尾</w:p>')
    compiled = _compiled()
    pieces = list(template.generate(a="A&B 值", xs=["一", f"二{MARK}三", ""]))
    assert compiled._finish(pieces, template) == \
        compiled._finish_text("".join(pieces)).encode("utf-8")
    table = compiled._constants(template)
    assert table["<w:p>尾</w:p>"] == "<w:p>尾</w:p>".encode()
    assert compiled._constants(template) is table  # once per template
    assert sum(p in table for p in pieces) >= 4


def test_a_value_utf8_cannot_hold_fails_as_a_render_error_naming_it() -> None:
    template = environment().from_string("<w:p><w:t>前文{{ v }}</w:t></w:p>")
    pieces = list(template.generate(v="x\udc80y"))
    with pytest.raises(UnicodeEncodeError):
        split_paragraphs("".join(pieces)).encode("utf-8")
    compiled = _compiled()
    for literal_braces in (False, True):  # the fast way and the whole part's text alike
        compiled.literal_braces = literal_braces
        with pytest.raises(RenderError) as now:
            compiled._finish(pieces, template, "word/document.xml")
        assert str(now.value) == (
            f"{compiled.source}: word/document.xml: the form would hold U+DC80, a lone "
            "surrogate: it is not a character and no Word document can hold it (the template "
            "writes it, or a value it prints holds it)")


def test_the_demo_forms_parts_are_the_bytes_of_their_text(
        demo: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    real = docx.Compiled._finish
    seen: list[tuple[int, int]] = []

    def both(self: docx.Compiled, pieces: list[str], template: Any, name: str = "") -> bytes:
        data = real(self, pieces, template, name)
        assert data == self._finish_text("".join(pieces)).encode("utf-8")
        table = self._constants(template)
        seen.append((sum(p in table for p in pieces), len(pieces)))
        return data

    for fold_min in (1, 10**9):  # the labels written into the templates, and looked up
        monkeypatch.setattr(render, "FOLD_MIN", fold_min)
        monkeypatch.setattr(docx.Compiled, "_finish", both)
        out = demo.parent / f"bytes-{fold_min}"
        assert run_cli("render", "--all", "-j", "1", "--out", str(out), repo=demo).exit_code == 0
    assert len(seen) >= 16 and sum(hit for hit, _ in seen) * 3 > sum(n for _, n in seen)


def test_the_checksum_is_zlib_s() -> None:
    rng = random.Random(3)
    for size in (0, 1, 7, 4096, 131_072):
        data = rng.randbytes(size)
        assert zipout.crc32(data) == zlib.crc32(data)
    entry = zipout.deflate("word/document.xml", "文".encode() * 5000)
    assert entry.crc == zlib.crc32("文".encode() * 5000)


def test_a_folder_writes_what_replace_writes(tmp_path: Path) -> None:
    folder = atomic.Folder(tmp_path)
    atomic.replace(tmp_path / "a.docx", b"old")
    assert folder.replace("a.docx", b"new form") == tmp_path / "a.docx"
    assert folder.replace("b.docx", b"x" * 300_000) == tmp_path / "b.docx"
    atomic.replace(tmp_path / "c.docx", b"c")
    assert (tmp_path / "a.docx").read_bytes() == b"new form"
    assert (tmp_path / "b.docx").read_bytes() == b"x" * 300_000
    modes = {stat.S_IMODE((tmp_path / n).stat().st_mode) for n in ("a.docx", "b.docx", "c.docx")}
    assert len(modes) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.docx", "b.docx", "c.docx"]


def test_a_folder_s_temporary_files_are_named_for_sweep(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real = os.replace

    def look(src: str, dst: Path) -> None:
        seen.extend(p.name for p in tmp_path.iterdir())
        real(src, dst)

    monkeypatch.setattr(os, "replace", look)
    atomic.Folder(tmp_path).replace("CC-1.docx", b"form")
    match = atomic._TEMP.match(seen[0])
    assert match is not None and match["pid"] == str(os.getpid())


def test_a_taken_name_or_a_folder_gone_is_written_the_usual_way(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    folder = atomic.Folder(out)
    taken = out / f".a.docx.{os.getpid()}-0.tmp"
    taken.write_bytes(b"another writer's")
    folder.replace("a.docx", b"form a")
    assert (out / "a.docx").read_bytes() == b"form a" and taken.read_bytes() == b"another writer's"
    taken.unlink()
    (out / "a.docx").unlink()
    out.rmdir()
    folder.replace("b.docx", b"form b")
    assert (out / "b.docx").read_bytes() == b"form b"


def test_a_form_that_cannot_be_written_says_so_and_leaves_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.docx").mkdir()
    with pytest.raises(UsageError, match="cannot write"):
        atomic.Folder(tmp_path).replace("a.docx", b"form")
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]
