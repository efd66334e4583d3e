"""The code form templates compile to (engine.FormCodeGenerator) and the values made once
per run (finalized texts, printed names, the statm file): the same output as Jinja2's own
code with the sandbox's refusals, in less work per form."""

from __future__ import annotations

import dataclasses
import multiprocessing
import os
from collections import OrderedDict
from pathlib import Path
from typing import Any

import pytest
from jinja2 import Environment, StrictUndefined, Template
from jinja2.compiler import CodeGenerator
from jinja2.exceptions import SecurityError, UndefinedError
from markupsafe import Markup, escape

from qmsdoc.config import builtin_config
from qmsdoc.render import bounded, engine
from qmsdoc.render.context import names
from qmsdoc.render.engine import environment, finalize

SOURCE = ("{{ r.a }}|{{ r.items }}|{{ r.deep.x }}|{{ o.items }}|{{ v }}|{{ m }}|{{ n }}|"
          "{% for x in r.list %}{{ x.k }}{{ loop.index }}{% endfor %}|{{ r.missing|default('-') }}"
          "|{% macro f(y) %}{{ y.k }}{% endmacro %}{{ f(r.deep) }}")
VALUES: dict[str, Any] = {
    "r": {"a": "A&B <公司>", "items": "的 field", "deep": {"x": "x\ny", "k": "{{ 7*7 }}"},
          "list": [{"k": "一"}, {"k": "二\t三"}]},
    "o": OrderedDict(items="a subclass's key"),
    "v": None, "m": Markup("<w:br/>\n"), "n": 3.5,
}


class _Plain(engine.FormEnvironment):
    """Jinja2's own code and templates, with FormEnvironment's lookups: what the forms
    printed before."""

    code_generator_class = CodeGenerator
    template_class = Template


def test_the_code_calls_the_fast_lookups_and_prints_what_jinja2_s_own_code_prints() -> None:
    env = environment()
    code = env.compile(SOURCE, raw=True)
    assert "qmsdoc_getattr(" in code and "qmsdoc_finalized(" in code
    assert "environment.getattr(" not in code and "environment.finalize(" not in code
    plain = _Plain(undefined=StrictUndefined, autoescape=True, finalize=finalize)
    assert "environment.getattr(" in plain.compile(SOURCE, raw=True)
    ours = env.from_string(SOURCE).render(VALUES)
    assert ours == plain.from_string(SOURCE).render(VALUES)
    assert ours == ("A&amp;B &lt;公司&gt;|的 field|x</w:t><w:br/><w:t xml:space=\"preserve\">y|"
                    "a subclass&#39;s key||<w:br/></w:t><w:br/><w:t xml:space=\"preserve\">|3.5|"
                    "一1二</w:t><w:tab/><w:t xml:space=\"preserve\">三2|-|&#123;&#123; 7*7 "
                    "&#125;&#125;")


def test_the_sandbox_still_refuses_through_the_fast_lookup() -> None:
    env = environment()
    for source in ("{{ r.__class__ }}", "{{ r.a.__class__.__mro__ }}",
                   "{{ o.__init__.__globals__ }}", "{{ f.__code__ }}"):
        with pytest.raises(SecurityError):
            env.from_string(source).render(r={"a": "x"}, o=OrderedDict(), f=finalize)
    assert env.from_string("{{ r.__class__ }}").render(r={"__class__": "a key"}) == "a key"
    with pytest.raises(UndefinedError):
        env.from_string("{{ r.nothing }}").render(r={"a": 1})
    assert env.from_string("{{ r.a }}").render(r={"a": None}) == ""  # a key holding None


def test_a_non_sandboxed_environment_keeps_jinja2_s_code() -> None:
    assert "environment.getattr(" in Environment().compile("{{ a.b }}", raw=True)


def test_finalized_texts_are_kept_within_bounds_and_give_the_same_markup() -> None:
    engine._FINALIZED.clear()
    first = finalize("plain 文字")
    assert type(first) is Markup and first == "plain 文字"
    assert finalize("plain 文字") is first  # kept
    assert finalize("a & b") == Markup("a &amp; b") and "a & b" not in engine._FINALIZED
    long = "x" * (engine.FINALIZED_LONGEST + 1)
    assert finalize(long) == long and long not in engine._FINALIZED
    for i in range(engine.FINALIZED_KEPT + 10):
        assert finalize(f"t{i}") == f"t{i}"
        assert len(engine._FINALIZED) <= engine.FINALIZED_KEPT
    assert finalize(1) == "1" and finalize(True) == "True"  # never taken for "1" or "True"
    assert finalize("1") == "1" and finalize(1.0) == "1.0"
    assert escape(finalize("<")) == "&lt;"


def test_names_are_made_once_per_configuration_and_language() -> None:
    config = builtin_config()
    assert names(config) is names(config)
    assert names(config, "en") is not names(config)
    assert names(config, "en").lang == "en"
    other = dataclasses.replace(config)
    assert names(other) is not names(config) and names(other) == names(config)


def _child_sizes(queue: Any) -> None:
    before = int(bounded._statm().split()[0])
    block = bytearray(64 << 20)
    after = int(bounded._statm().split()[0])
    queue.put((os.getpid(), before, after, len(block)))


@pytest.mark.skipif(not os.path.exists("/proc/self/statm") or "fork" not in
                    multiprocessing.get_all_start_methods(), reason="Linux /proc, fork")
def test_statm_is_read_from_the_process_s_own_file_after_a_fork() -> None:
    parent = int(bounded._statm().split()[0])
    assert parent > 0
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    child = context.Process(target=_child_sizes, args=(queue,))
    child.start()
    pid, before, after, _size = queue.get(timeout=60)
    child.join(60)
    assert pid != os.getpid()
    assert after - before >= (60 << 20) // os.sysconf("SC_PAGE_SIZE")  # the child's own
    assert int(bounded._statm().split()[0]) < parent + (60 << 20) // os.sysconf("SC_PAGE_SIZE")


def test_a_choice_is_made_once_for_the_same_values_and_prints_as_a_new_one() -> None:
    from qmsdoc.render import printable
    from qmsdoc.render.printable import Choice, choice

    options = (("a", "甲"), ("b", "乙"), ("c", "丙"))
    first = choice(("a", "c"), options, True, "、")
    assert choice(("a", "c"), options, True, "、") is first
    made = Choice(("a", "c"), options, True, "、")
    assert first == made
    assert (first.label, first.boxes, first.boxlines, str(first), bool(first)) == \
        (made.label, made.boxes, made.boxlines, str(made), bool(made)) == \
        ("甲、丙", "☑ 甲  ☐ 乙  ☑ 丙", "☑ 甲\n☐ 乙\n☑ 丙", "甲、丙", True)
    assert choice(("a", "c"), options, True, ", ").label == "甲, 丙"  # another separator
    assert choice((), options, False).boxes == "☐ 甲  ☐ 乙  ☐ 丙"
    assert not choice((), options, False)
    for i in range(printable.CHOICES_KEPT + 5):
        choice((str(i),), options, True)
        assert len(printable._CHOICES) <= printable.CHOICES_KEPT


def test_statm_is_opened_again_when_its_descriptor_was_closed_and_reused(
        tmp_path: Path) -> None:
    """A descriptor closed elsewhere and taken by another file is not read as statm."""
    first = bounded._statm()
    assert bounded._STATM is not None
    fd = bounded._STATM[1]
    os.close(fd)
    other = tmp_path / "other"
    other.write_bytes(b"not statm\n")
    reused = os.open(other, os.O_RDONLY)
    try:
        assert reused == fd
        again = bounded._statm()
        assert again != b"not statm\n" and len(again.split()) == len(first.split())
        assert bounded._STATM[1] != fd
    finally:
        os.close(reused)
