"""A template's labels written in once per language: ``{{ label['…'] }}`` and
``{{ label.x|fit(25) }}`` are the same text on every form of one kind and language, so for a
run of many forms the compiled parts print them as constant text instead of looking them up,
fitting and escaping them on every form.

Each label expression is replaced by exactly what rendering it writes (``finalize``, then
the escape the compiled template applies), so the forms are the same bytes. A template is
left as it is when ``label`` is anything but looked up: assigned, a loop or macro variable,
passed on, or asked for something it does not hold (a method, a missing key: the error, if
any, stays the renderer's).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from types import CodeType
from typing import Any

from jinja2 import Template, nodes
from jinja2.visitor import NodeTransformer

from .engine import FormEnvironment, _escape, finalize

NAME = "label"
Compile = Callable[[nodes.Template, str], Template]


def folded(env: FormEnvironment, sources: Mapping[str, str], labels: Mapping[str, Any],
           compile_part: Compile) -> dict[str, Template] | None:
    """The parts compiled with ``labels`` written in; None when a part uses ``label`` in a
    way that cannot be folded, or nothing is folded."""
    trees = {name: env.parse(source) for name, source in sources.items()}
    if not all(_only_looked_up(tree, labels) for tree in trees.values()):
        return None
    count = 0
    parts: dict[str, Template] = {}
    for name, tree in trees.items():
        folding = _Fold(env, labels)
        folding.visit(tree)
        count += folding.count
        parts[name] = compile_part(tree, name)
    return parts if count else None


# the modules whose code prints what a folded part holds (fold, fit, finalize, _escape)
SOURCES = ("fold.py", "fit.py", "engine.py", "bounded.py")


def code_digest(env: FormEnvironment) -> str:
    """A digest of the code whose output the folded parts hold, for their key: a qmsdoc
    that fits, finalizes or escapes otherwise under the same version (a git install between
    two releases) folds again instead of printing the kept parts of another build."""
    digest = hashlib.sha256(_sources())
    for function in (env.filters.get("fit"), env.finalize, _escape, finalize):
        code = getattr(getattr(function, "__wrapped__", function), "__code__", None)
        digest.update(_code(code) if isinstance(code, CodeType) else repr(function).encode())
    return digest.hexdigest()


@cache
def _sources() -> bytes:
    """The bytes of the modules in SOURCES, hashed once per process."""
    digest = hashlib.sha256()
    here = Path(__file__).parent
    for name in SOURCES:
        try:
            digest.update(name.encode() + b"\0" + (here / name).read_bytes())
        except OSError:  # no source beside the module: its code still counts (code_digest)
            digest.update(name.encode() + b"\0-")
    return digest.digest()


def _code(code: CodeType) -> bytes:
    """A code object's instructions, names and constants, the same in every process (marshal's
    bytes depend on reference counts, reprs of nested code on addresses, of sets on the
    hash seed)."""
    parts = [code.co_code, repr(code.co_names).encode()]
    for const in code.co_consts:
        if isinstance(const, CodeType):
            parts.append(_code(const))
        elif isinstance(const, frozenset):
            parts.append(repr(sorted(repr(c) for c in const)).encode())
        else:
            parts.append(repr(const).encode())
    return b"\0".join(parts)


def _only_looked_up(tree: nodes.Template, labels: Mapping[str, Any]) -> bool:
    """Whether every use of ``label`` reads one of its entries (never binds, passes on or
    calls it): then its value on a form is the value it was given."""
    looked_up: set[int] = set()
    lookup: Any  # jinja2's nodes declare their fields untyped
    for lookup in tree.find_all((nodes.Getitem, nodes.Getattr)):
        if isinstance(lookup.node, nodes.Name) and lookup.node.name == NAME:
            if isinstance(lookup, nodes.Getattr) and lookup.attr not in labels:
                return False  # a method of the dict, or a missing entry
            looked_up.add(id(lookup.node))
    name: Any
    for name in tree.find_all(nodes.Name):
        if name.name == NAME and (name.ctx != "load" or id(name) not in looked_up):
            return False
    return not any(getattr(m, "name", None) == NAME for m in tree.find_all(nodes.Macro))


class _Fold(NodeTransformer):
    def __init__(self, env: FormEnvironment, labels: Mapping[str, Any]) -> None:
        self.env, self.labels = env, labels
        self.count = 0

    def visit_Output(self, node: nodes.Output) -> nodes.Node:  # noqa: N802 - the visitor's name
        children: list[nodes.Expr] = []
        for child in node.nodes:
            value = self._value(child)
            if value is None:
                children.append(self.visit(child))
            else:
                self.count += 1
                children.append(nodes.TemplateData(str(_escape(finalize(value)))))
        node.nodes = children
        return node

    def _value(self, node: Any) -> Any:
        """The value of a label expression (a lookup, perhaps through ``fit`` with constant
        arguments), or None when ``node`` is not one that can be folded."""
        if isinstance(node, nodes.Filter):
            if node.name != "fit" or node.node is None or node.kwargs \
                    or node.dyn_args is not None or node.dyn_kwargs is not None \
                    or not all(isinstance(a, nodes.Const) for a in node.args):
                return None
            inner = self._value(node.node)
            if inner is None:
                return None
            fit: Any = self.env.filters["fit"]
            args: Any = node.args
            try:
                return fit(inner, *(a.value for a in args))
            except (TypeError, ValueError, ArithmeticError):
                return None
        key: Any = None
        if isinstance(node, nodes.Getitem) and isinstance(node.arg, nodes.Const):
            key = node.arg.value
        elif isinstance(node, nodes.Getattr):
            key = node.attr
        if key is None or not isinstance(node.node, nodes.Name) or node.node.name != NAME:
            return None
        value = self.labels.get(key) if isinstance(key, str) else None
        return value if isinstance(value, str) else None
