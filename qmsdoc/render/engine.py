"""The Jinja2 environment forms are rendered in: sandboxed, strict, escaping for WordprocessingML.

Record text reaches the document only through ``finalize``: it is escaped for XML (so
``A&B <公司>`` survives), its braces are written as character references (so a later pass
can never read it as a tag), line breaks become ``<w:br/>`` and characters XML cannot hold
are dropped. It is data, never template source: ``{{ 7*7 }}`` typed in a record prints as is.
"""

from __future__ import annotations

import re
from collections.abc import Callable, MutableMapping
from types import CodeType
from typing import Any

from jinja2 import Environment, StrictUndefined, Template, nodes
from jinja2.compiler import CodeGenerator, Frame
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup, escape

from . import bounded
from .fit import fit
from .printable import Choice

# a choice's public values and properties: the sandbox lets a template read each of them
CHOICE_FIELDS = frozenset({"codes", "options", "truth", "sep", "code", "label", "boxes",
                           "boxlines"})

BREAK = '</w:t><w:br/><w:t xml:space="preserve">'
TAB = '</w:t><w:tab/><w:t xml:space="preserve">'
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PLAIN = re.compile("[^&<>\"'{}\x00-\x1f\ufffe\uffff]*")


def _escape(value: Any) -> Markup:
    """``escape`` as the compiled templates call it on every ``{{ }}``: what ``finalize``
    made (a Markup already) passes as it is instead of being copied into a new Markup."""
    return value if type(value) is Markup else escape(value)


# the names FormCodeGenerator's code calls (set in the code's globals by FormTemplate)
GETATTR = "qmsdoc_getattr"
FINALIZED = "qmsdoc_finalized"


class FormCodeGenerator(CodeGenerator):
    """Jinja2's code, with two calls made cheaper and nothing else changed:

    * ``x.name`` calls ``qmsdoc_getattr(x, 'name')``: a plain dict holding the key gives
      its value there and then (what ``FormEnvironment.getattr`` gives it too); every other
      value goes through ``environment.getattr``, the sandbox's checks, as before;
    * ``{{ x }}`` writes ``qmsdoc_finalized(x)``, ``finalize`` alone: what it makes is a
      Markup, which the ``escape`` around it returns as it is (``_escape``).
    """

    def visit_Getattr(self, node: nodes.Getattr, frame: Frame) -> None:
        if self.environment.is_async or not isinstance(self.environment, FormEnvironment):
            super().visit_Getattr(node, frame)
            return
        if self.optimizer is not None and not frame.eval_ctx.volatile:  # as optimizeconst
            new_node = self.optimizer.visit(node, frame.eval_ctx)
            if new_node != node:
                self.visit(new_node, frame)
                return
        self.write(f"{GETATTR}(")
        self.visit(node.node, frame)
        self.write(f", {node.attr!r})")

    def _fused(self, frame: Frame) -> bool:
        """Whether ``{{ }}`` may call ``finalize`` alone (autoescape fixed on, our finalize)."""
        return (not frame.eval_ctx.volatile and frame.eval_ctx.autoescape
                and self.environment.finalize is finalize)

    def _output_child_pre(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._fused(frame):
            self.write(f"{FINALIZED}(")
            return
        super()._output_child_pre(node, frame, finalize)

    def _output_child_post(self, node: nodes.Expr, frame: Frame, finalize: Any) -> None:
        if self._fused(frame):
            self.write(")")
            return
        super()._output_child_post(node, frame, finalize)


class FormTemplate(Template):
    """A compiled template whose output calls ``_escape`` (the same text, one copy fewer),
    and the functions FormCodeGenerator's code calls."""

    @classmethod
    def from_code(cls, environment: Environment, code: CodeType,
                  globals: MutableMapping[str, Any],  # noqa: A002 - as Template.from_code
                  uptodate: Callable[[], bool] | None = None) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__
        namespace["escape"] = _escape
        namespace[FINALIZED] = finalize
        if isinstance(environment, FormEnvironment):
            namespace[GETATTR] = environment.fast_getattr
        return template


class FormEnvironment(SandboxedEnvironment):
    """Record fields win over dict methods: ``r.items`` is the field, not ``dict.items``.
    ``*``, ``**`` and string padding cannot build values of gigabytes (see bounded)."""

    intercepted_binops = frozenset({"*", "**"})
    template_class: type[Template] = FormTemplate
    code_generator_class: type[CodeGenerator] = FormCodeGenerator

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        slow = self.getattr

        def fast_getattr(obj: Any, attribute: str) -> Any:
            """``self.getattr``, the lookup of a plain dict's key made first, in place."""
            if type(obj) is dict:
                value = obj.get(attribute, _ABSENT)
                if value is not _ABSENT:
                    return value
            return slow(obj, attribute)

        self.fast_getattr = fast_getattr

    def getattr(self, obj: Any, attribute: str) -> Any:
        if isinstance(obj, dict) and attribute in obj:
            return obj[attribute]
        if type(obj) is Choice and attribute in CHOICE_FIELDS:  # what the sandbox allows
            return getattr(obj, attribute)
        return super().getattr(obj, attribute)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        return bounded.binop(operator, left, right)

    def call(__self, __context: Context, __obj: Any,  # noqa: N805 - as SandboxedEnvironment
             *args: Any, **kwargs: Any) -> Any:
        bounded.check_call(__obj, args)
        return super().call(__context, __obj, *args, **kwargs)


_ABSENT = object()  # no such key (a dict's value may be None)
_markup = str.__new__  # Markup(text) without its checks, for text known to be a plain str


_FINALIZED: dict[str, Markup] = {}  # plain texts finalized lately: the same on many forms
FINALIZED_KEPT = 4096  # texts kept at most (then forgotten, all at once)
FINALIZED_LONGEST = 200  # characters of a text kept


def finalize(value: Any) -> Markup:
    """What ``{{ value }}`` writes into the document."""
    if type(value) is str:  # most values: a plain text
        done = _FINALIZED.get(value)
        if done is not None:
            return done
        if _PLAIN.fullmatch(value):
            done = _markup(Markup, value)
            if len(value) <= FINALIZED_LONGEST:
                if len(_FINALIZED) >= FINALIZED_KEPT:
                    _FINALIZED.clear()
                _FINALIZED[value] = done
            return done
    if isinstance(value, Markup):
        return Markup(str(value).replace("\n", BREAK))
    text = "" if value is None else str(value)
    if _PLAIN.fullmatch(text):
        return _markup(Markup, text)
    text = _NOT_XML.sub("", text).replace("\r\n", "\n").replace("\r", "\n")
    safe = str(escape(text)).replace("{", "&#123;").replace("}", "&#125;")
    return Markup(safe.replace("\n", BREAK).replace("\t", TAB))


def environment() -> FormEnvironment:
    env = FormEnvironment(undefined=StrictUndefined, autoescape=True, finalize=finalize)
    env.filters["fit"] = fit  # a label in lines that fit its cell
    return env
