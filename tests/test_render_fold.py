"""The labels written into the templates once per language (render/fold.py) print exactly what
looking them up on every form prints, and a template that does anything else with ``label``
is left as it is."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import Result
from jinja2 import Template, nodes
from jinja2.exceptions import UndefinedError
from test_render_golden import _digests as contents
from test_render_golden import demo as demo  # the demo repository, one per module

from qmsdoc import render
from qmsdoc.render.engine import environment
from qmsdoc.render.fold import folded

PINNED = Path(__file__).parent / "examples" / "forms.sha256"
EPOCH = "1765000000"
LABELS = {"title": "标题", "odd": "A&B <公司> {{ 7*7 }} {% x %}\n第二行\t制表",
          "long": "客户投诉编号及其相关的很长的标签文字需要换行显示在较窄的表格单元格中"}


def _fold(source: str) -> dict[str, Template] | None:
    env = environment()

    def compile_part(tree: nodes.Template, name: str) -> Template:
        return env.from_string(tree)

    return folded(env, {"part": source}, LABELS, compile_part)


def _both(source: str, **context: Any) -> tuple[str, str]:
    parts = _fold(source)
    assert parts is not None
    plain = environment().from_string(source).render(label=LABELS, **context)
    return parts["part"].render(label=LABELS, **context), plain


@pytest.mark.parametrize("source", [
    "<w:t>{{ label['title'] }}</w:t>",
    "<w:t>{{ label.odd }}|{{ label['odd']|fit(20) }}|{{ label['long']|fit(25.0) }}</w:t>",
    "{% for x in xs %}{{ label['title'] }}{{ x }}{% endfor %}{{ label[key] }}",
    "{% if xs %}{{ label.title|fit(10) }}{% endif %}{% filter upper %}{{ label.odd }}"
    "{% endfilter %}{% autoescape false %}{{ label['odd'] }}{% endautoescape %}",
    "{% macro m(v) %}{{ label.title }}{{ v }}{% endmacro %}{{ m(label['odd']) }}",
])
def test_folded_labels_print_what_looking_them_up_prints(source: str) -> None:
    folded_text, plain = _both(source, xs=[1, "<2>"], key="long")
    assert folded_text == plain


@pytest.mark.parametrize("source", [
    "{% set label = {'title': 'x'} %}{{ label.title }}",
    "{% for label in [1] %}{{ label }}{% endfor %}{{ label.title }}",
    "{% macro m(label) %}{{ label.title }}{% endmacro %}{{ label.title }}",
    "{% macro label() %}x{% endmacro %}{{ label.title }}",
    "{{ label.update({'title': 'x'}) }}{{ label.title }}",
    "{{ label|length }}{{ label.title }}",
    "{% with label = 1 %}{{ label }}{% endwith %}{{ label.title }}",
    "{{ label.missing }}",
    "no labels at all: {{ r }}",
])
def test_a_template_that_does_more_with_label_is_left_as_it_is(source: str) -> None:
    assert _fold(source) is None


def test_a_missing_label_stays_the_renderer_s_error() -> None:
    parts = _fold("{{ label['title'] }}{{ label['nope'] }}")
    assert parts is not None
    with pytest.raises(UndefinedError) as folded_error:
        parts["part"].render(label=LABELS)
    with pytest.raises(UndefinedError) as plain_error:
        environment().from_string("{{ label['title'] }}{{ label['nope'] }}").render(label=LABELS)
    assert str(folded_error.value) == str(plain_error.value)


def _digests(folder: Path) -> str:
    return "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n"
                   for p in sorted(folder.glob("*.docx")))


def test_the_demo_forms_with_the_labels_folded_are_the_pinned_contents(
        demo: Path, run_cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    from qmsdoc.render import fold

    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.setattr(render, "FOLD_MIN", 1)
    kinds: list[bool] = []

    def spy(*args: Any) -> dict[str, Template] | None:
        parts = real(*args)
        kinds.append(parts is not None)
        return parts

    real = fold.folded
    monkeypatch.setattr(fold, "folded", spy)
    out = demo.parent / "folded"
    assert run_cli("render", "--all", "-j", "1", "--out", str(out), repo=demo).exit_code == 0
    assert contents(out) == PINNED.read_text(encoding="utf-8")  # as the golden forms
    assert len(kinds) >= 4 and all(kinds)  # every kind's template folded


@pytest.mark.parametrize("lang", ["en", "zh-en"])
def test_folded_forms_in_other_languages_are_the_same_bytes(
        lang: str, demo: Path, run_cli: Callable[..., Result],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    found = []
    for fold_min, name in ((10**9, "plain"), (1, "folded")):
        monkeypatch.setattr(render, "FOLD_MIN", fold_min)
        out = demo.parent / f"{lang}-{name}"
        result = run_cli("render", "--all", "-j", "1", "--lang", lang, "--out", str(out),
                         repo=demo)
        assert result.exit_code == 0
        found.append(_digests(out))
    assert found[0] == found[1] and found[0].count("\n") >= 8
