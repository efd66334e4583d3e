"""Template lint: every variable a form template uses must exist for its record kind.

Runs over the compiled Jinja2 source of every templated part before anything is rendered.
``r`` has the shape of the kind's schema (objects, lists, choices, text), ``form`` the
shape of the controlled-document frame; loop variables take the shape of the list's items.
A misspelt or foreign field (``r.product.partno``, ``r.d4`` on a complaint) is reported
with the template file and the variable, instead of failing at the first record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from jinja2 import nodes

from ..doclang import SURROGATE
from ..i18n import _
from .context import HELPERS
from .engine import FormEnvironment
from .printable import Choice, Plan, plan

SAME_SHAPE_FILTERS = {"selectattr", "rejectattr", "sort", "reverse", "list", "unique",
                      "default", "d"}
ITEM_FILTERS = {"first", "last", "random", "min", "max"}


@dataclass(frozen=True)
class Obj:
    fields: Mapping[str, Shape]
    owner: str  # who lacks a field, as messages say it: "complaint records have", "'form' has"
    where: str = ""  # field path of this object, e.g. "d4.occurrence[]"
    record: bool = False  # a part of the record (``r``), whose fields a template prints


@dataclass(frozen=True)
class Seq:
    item: Shape


@dataclass(frozen=True)
class Leaf:
    attrs: frozenset[str] | None  # None: anything goes


@dataclass(frozen=True)
class Helper:
    """A function returning a selection of its first argument (``photos(r.attachments)``)."""


Shape = Obj | Seq | Leaf | Helper
ANY = Leaf(None)
TEXT = Leaf(frozenset(a for a in dir(str) if not a.startswith("_")))
CHOICE = Leaf(frozenset(a for a in dir(Choice) if not a.startswith("_")))


def schema_shape(p: Plan, owner: str, where: str = "") -> Shape:
    if p.kind == "object":
        return Obj({key: schema_shape(child, owner, _join(where, key)) for key, child in p.fields},
                   owner, where, record=True)
    if p.kind == "list" and p.item is not None:
        return Seq(schema_shape(p.item, owner, where + "[]"))
    return CHOICE if p.kind in ("choice", "multichoice") else TEXT


def value_shape(value: Any, owner: str, where: str = "") -> Shape:
    if isinstance(value, dict):
        return Obj({k: value_shape(v, owner, _join(where, k)) for k, v in value.items()},
                   owner, where)
    if isinstance(value, list):
        return Seq(value_shape(value[0], owner, where + "[]") if value else ANY)
    if isinstance(value, Choice):
        return CHOICE
    if isinstance(value, str):
        return TEXT
    if isinstance(value, bool):
        return Leaf(frozenset())
    return ANY


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def lint(sources: Mapping[str, str], shapes: Mapping[str, Shape], env: FormEnvironment,
         template: str) -> list[str]:
    """One message per unknown variable or field, naming the template file and part."""
    problems: list[str] = []
    for part, source in sources.items():
        walker = _Walker(env, f"{template}: {part}")
        tree = env.parse(source)
        walker.stmt(tree, dict(shapes))
        problems += [p for p in walker.problems if p not in problems]
        problems += [p for p in not_characters(tree, f"{template}: {part}")
                     if p not in problems]
    return problems


def not_characters(tree: nodes.Template, where: str) -> list[str]:
    """One message per text of the template that holds a lone surrogate (``"\\ud800"``):
    not a character, so no Word document can hold it and every form would fail."""
    problems = []
    for node in tree.find_all(nodes.Const):
        found = SURROGATE.search(node.value) if isinstance(node.value, str) else None
        if found is not None:
            problems.append(_("{where}: the text {text} holds U+{code}, a lone surrogate: it is "
                              "not a character and no Word document can hold it").format(
                                where=where, text=ascii(node.value)[:60],
                                code=f"{ord(found.group()):04X}"))
    return problems


def context_shapes(kind: str, schema: Mapping[str, Any],
                   frames: Mapping[str, Mapping[str, Any]]) -> dict[str, Shape]:
    shapes: dict[str, Shape] = {"r": schema_shape(plan(schema), f"{kind} records have"),
                                "image": ANY}
    shapes.update({name: Helper() for name in HELPERS})
    shapes.update({key: value_shape(frame, f"'{key}' has") for key, frame in frames.items()})
    return shapes


def fields_used(sources: Mapping[str, str], shapes: Mapping[str, Shape],
                env: FormEnvironment) -> set[str]:
    """The record fields the templated parts print (``product.part_no``, ``actions[].due``)."""
    used: set[str] = set()
    for source in sources.values():
        walker = _Walker(env, "")
        walker.stmt(env.parse(source), dict(shapes))
        used |= walker.used
    return used


def leaf_fields(shape: Shape, where: str = "") -> list[str]:
    """Every field of a record shape that holds a value (text, choice or list of text)."""
    if isinstance(shape, Obj):
        return [f for key, child in shape.fields.items()
                for f in leaf_fields(child, _join(where, key))]
    if isinstance(shape, Seq) and isinstance(shape.item, Obj):
        return leaf_fields(shape.item, where + "[]")
    return [where]


class _Walker:
    def __init__(self, env: FormEnvironment, where: str) -> None:
        self.env, self.where = env, where
        self.problems: list[str] = []
        self.used: set[str] = set()

    def stmt(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        if isinstance(node, nodes.For):
            inner = dict(scope)
            self._bind(node.target, _item(self.expr(node.iter, scope)), inner)
            inner["loop"] = ANY
            if node.test is not None:
                self.expr(node.test, inner)
            self._body(node.body, inner)
            self._body(node.else_, scope)
        elif isinstance(node, nodes.Assign):
            self._bind(node.target, self.expr(node.node, scope), scope)
        elif isinstance(node, nodes.With):
            inner = dict(scope)
            for target, value in zip(node.targets, node.values, strict=False):
                self._bind(target, self.expr(value, scope), inner)
            self._body(node.body, inner)
        elif isinstance(node, nodes.Macro | nodes.CallBlock | nodes.AssignBlock):
            if isinstance(node, nodes.Macro):
                scope[node.name] = ANY  # callable after its definition, and inside it
            self._block(node, scope)
        elif isinstance(node, nodes.Expr):
            self.expr(node, scope)
        else:
            for child in node.iter_child_nodes():
                self.stmt(child, scope)

    def _block(self, node: nodes.Node, scope: dict[str, Shape]) -> None:
        inner = dict(scope)
        if isinstance(node, nodes.CallBlock):
            self.expr(node.call, scope)
        if isinstance(node, nodes.AssignBlock):
            self._bind(node.target, ANY, scope)
        for arg in getattr(node, "args", ()):
            self._bind(arg, ANY, inner)
        inner["caller"] = ANY
        self._body(getattr(node, "body", []), inner)

    def _body(self, body: list[nodes.Node], scope: dict[str, Shape]) -> None:
        for child in body:
            self.stmt(child, scope)

    def _bind(self, target: nodes.Node, shape: Shape, scope: dict[str, Shape]) -> None:
        if isinstance(target, nodes.Name):
            scope[target.name] = shape
        else:
            for name in target.find_all(nodes.Name):
                scope[name.name] = ANY

    def expr(self, node: nodes.Node, scope: dict[str, Shape]) -> Shape:
        if isinstance(node, nodes.Name):
            return self._name(node, scope)
        if isinstance(node, nodes.Getattr):
            return self._attr(self.expr(node.node, scope), node.attr, node)
        if isinstance(node, nodes.Getitem):
            return self._item(node, scope)
        if isinstance(node, nodes.Call):
            return self._call(node, scope)
        if isinstance(node, nodes.Filter):
            return self._filter(node, scope)
        for child in node.iter_child_nodes():
            self.expr(child, scope)
        return ANY

    def _name(self, node: nodes.Name, scope: dict[str, Shape]) -> Shape:
        if node.name in scope:
            return scope[node.name]
        if node.name not in self.env.globals and node.ctx == "load":
            self.problems.append(f"{self.where}: unknown variable '{node.name}'")
        return ANY

    def _attr(self, base: Shape, name: str, node: nodes.Node) -> Shape:
        if isinstance(base, Obj):
            if name in base.fields:
                if base.record:
                    self.used.add(_join(base.where, name))
                return base.fields[name]
            self.problems.append(_("{where}: unknown field '{text}' ({owner} no field "
                                   "'{join}')").format(
                                     where=self.where,
                                     text=_text(node),
                                     owner=base.owner,
                                     join=_join(base.where, name)))
        elif isinstance(base, Leaf) and base.attrs is not None and name not in base.attrs:
            self.problems.append(f"{self.where}: unknown field '{_text(node)}'")
        return ANY

    def _item(self, node: nodes.Getitem, scope: dict[str, Shape]) -> Shape:
        base = self.expr(node.node, scope)
        if isinstance(node.arg, nodes.Const) and isinstance(node.arg.value, str):
            return self._attr(base, node.arg.value, node)
        self.expr(node.arg, scope)
        return _item(base)

    def _call(self, node: nodes.Call, scope: dict[str, Shape]) -> Shape:
        callee = self.expr(node.node, scope)
        shapes = [self.expr(arg, scope) for arg in node.args]
        for keyword in node.kwargs:
            self.expr(keyword.value, scope)
        for extra in (node.dyn_args, node.dyn_kwargs):
            if extra is not None:
                self.expr(extra, scope)
        return shapes[0] if isinstance(callee, Helper) and shapes else ANY

    def _filter(self, node: nodes.Filter, scope: dict[str, Shape]) -> Shape:
        base = self.expr(node.node, scope) if node.node is not None else ANY
        for arg in node.args:
            self.expr(arg, scope)
        for keyword in node.kwargs:
            self.expr(keyword.value, scope)
        if node.name in SAME_SHAPE_FILTERS:
            return base
        return _item(base) if node.name in ITEM_FILTERS else ANY


def _item(shape: Shape) -> Shape:
    return shape.item if isinstance(shape, Seq) else ANY


def _text(node: nodes.Node) -> str:
    if isinstance(node, nodes.Name):
        return node.name
    if isinstance(node, nodes.Getattr):
        return f"{_text(node.node)}.{node.attr}"
    if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
        return f"{_text(node.node)}[{node.arg.value!r}]"
    return "…"
