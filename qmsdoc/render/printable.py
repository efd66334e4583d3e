"""A record as a form prints it: every field of the kind's schema present, values as text.

Pure: schema + record data + names → plain values. Enumerations and yes/no fields become
``Choice`` values that print their label and can list every option ticked or not
(``☑ 产品质量  ☐ 产品交货 …``), the way paper forms show a choice. Roster keys,
department keys and customer codes print as names. The template engine escapes the text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ..doclang import EN, ZH, Lang, marked, pair, pick
from ..schema import CUSTOMER, DEPARTMENT, MEANING, MONEY, PERSON, resolve

TICKED, EMPTY = "☑", "☐"
YES_NO = (("true", "是"), ("false", "否"))
YES_NO_EN = (("true", "Yes"), ("false", "No"))
FREE_TEXT = frozenset({"defs.text", "defs.short_text"})  # {zh, en} or a plain text
MAX_DEPTH = 32


@dataclass(frozen=True)
class Names:
    """Printed names for the keys records use (from ``qmsdoc.yaml``)."""

    people: Mapping[str, str] = field(default_factory=dict)
    departments: Mapping[str, str] = field(default_factory=dict)
    customers: Mapping[str, str] = field(default_factory=dict)
    lang: Lang = ZH  # the language free texts print in


@dataclass(frozen=True)
class Choice:
    """An enumerated (or yes/no) value: prints its label; ``boxes`` lists all options."""

    codes: tuple[str, ...]
    options: tuple[tuple[str, str], ...]
    truth: bool = False  # for yes/no fields: the boolean itself
    sep: str = "、"  # between the labels of several chosen options

    @property
    def code(self) -> str:
        return self.codes[0] if self.codes else ""

    # worked out once per value: the same Choice serves every form that holds it (``choice``)
    @cached_property
    def label(self) -> str:
        labels = dict(self.options)
        return self.sep.join(labels.get(c, c) for c in self.codes)

    @cached_property
    def boxes(self) -> str:
        """Every option on one line, the chosen ones ticked: ``☑ 产品质量  ☐ 产品交货``."""
        return "  ".join(self._ticks())

    @cached_property
    def boxlines(self) -> str:
        """Every option on its own line, the chosen ones ticked."""
        return "\n".join(self._ticks())

    def _ticks(self) -> list[str]:
        return [f"{TICKED if code in self.codes else EMPTY} {label}"
                for code, label in self.options]

    def __str__(self) -> str:
        return self.label

    def __bool__(self) -> bool:
        return self.truth


_CHOICES: dict[tuple[Any, ...], Choice] = {}  # the Choices made lately, by their values
CHOICES_KEPT = 4096  # at most (then forgotten, all at once)


def choice(codes: tuple[str, ...], options: tuple[tuple[str, str], ...], truth: bool,
           sep: str = "、") -> Choice:
    """``Choice(codes, options, truth, sep)``: the one made for an earlier form when it has
    the same values (a Choice never changes), with its label and boxes worked out."""
    key = (codes, options, truth, sep)
    found = _CHOICES.get(key)
    if found is None:
        if len(_CHOICES) >= CHOICES_KEPT:
            _CHOICES.clear()
        found = _CHOICES[key] = Choice(codes, options, truth, sep)
    return found


def classify(node: Mapping[str, Any], root: Mapping[str, Any]) -> str:
    """``object``, ``list``, ``choice``, ``multichoice`` or ``text``."""
    if "enum" in node:
        return "choice"
    kind = node.get("type")
    if kind == "boolean":
        return "choice"
    if kind == "object" or "properties" in node:
        return "object"
    if kind == "array":
        items, _ = resolve(root, node.get("items", {}))
        return "multichoice" if "enum" in items else "list"
    return "text"


def items_of(node: Mapping[str, Any], root: Mapping[str, Any]) -> dict[str, Any]:
    return resolve(root, node.get("items", {}))[0]


@dataclass(frozen=True)
class Plan:
    """How one schema node prints, worked out once per schema (refs followed, classified)."""

    kind: str  # object, list, choice, multichoice or text
    node: Mapping[str, Any]
    refs: frozenset[str] = frozenset()
    fields: tuple[tuple[str, Plan], ...] = ()
    item: Plan | None = None
    options: tuple[tuple[str, str], ...] = ()
    # a text whose string value prints as it is in Chinese (a free text, or one without
    # names, titles or times): ``text`` would give the value back
    verbatim: bool = False


_PLANS: dict[tuple[int, Lang], tuple[Mapping[str, Any], Plan]] = {}


def plan(root: Mapping[str, Any], lang: Lang = ZH) -> Plan:
    """The plan of a whole (bundled) schema, its options labelled in ``lang``; cached for
    the schema object."""
    cached = _PLANS.get((id(root), lang))
    if cached is None or cached[0] is not root:
        cached = (root, _plan(root, root, 0, lang))
        _PLANS[(id(root), lang)] = cached
    return cached[1]


def _plan(root: Mapping[str, Any], raw: Mapping[str, Any], depth: int, lang: Lang) -> Plan:
    node, refs = resolve(root, raw)
    kind = classify(node, root) if depth <= MAX_DEPTH else "text"
    if kind == "object":
        fields = tuple((key, _plan(root, child, depth + 1, lang))
                       for key, child in node.get("properties", {}).items())
        return Plan(kind, node, frozenset(refs), fields=fields)
    if kind == "list":
        return Plan(kind, node, frozenset(refs), item=_plan(root, node.get("items", {}),
                                                            depth + 1, lang))
    if kind == "multichoice":
        return Plan(kind, node, frozenset(refs), options=_options(items_of(node, root), lang))
    if kind == "choice":
        options = _options(node, lang) if "enum" in node else yes_no(lang)
        return Plan(kind, node, frozenset(refs), options=options)
    return Plan(kind, node, frozenset(refs), verbatim=_verbatim(node, frozenset(refs)))


def _verbatim(node: Mapping[str, Any], refs: frozenset[str]) -> bool:
    """Whether ``text`` gives a string value of this node back as it is in Chinese: a free
    text, or a text without titled constants, names or times (see ``text`` and ``_plain``)."""
    if not refs.isdisjoint(FREE_TEXT):
        return True
    return (not node.get("oneOf") and node.get(MEANING) not in (PERSON, DEPARTMENT, CUSTOMER)
            and "defs.datetime" not in refs and node.get("format") != "date-time")


def yes_no(lang: Lang) -> tuple[tuple[str, str], ...]:
    if lang == ZH:
        return YES_NO
    if lang == EN:
        return YES_NO_EN
    return tuple((code, pair(zh, en)) for (code, zh), (_, en) in zip(YES_NO, YES_NO_EN,
                                                                     strict=True))


def normalize(p: Plan, value: Any, names: Names) -> Any:
    """``value`` shaped like the plan: objects get every property, lists are lists,
    choices are Choices, everything else is text."""
    kind = p.kind
    if kind == "text":  # most fields
        return text(p.node, p.refs, value, names)
    if kind == "object":
        data = value if isinstance(value, dict) else {}
        if names.lang != ZH:
            return {key: normalize(child, data.get(key), names) for key, child in p.fields}
        shaped: dict[str, Any] = {}
        for key, child in p.fields:  # most fields are texts that print as they are
            found = data.get(key)
            if child.verbatim and type(found) is str:
                shaped[key] = found
            elif child.verbatim and found is None:
                shaped[key] = ""
            else:
                shaped[key] = normalize(child, found, names)
        return shaped
    if kind == "list":
        assert p.item is not None
        return [normalize(p.item, v, names) for v in (value if isinstance(value, list) else [])]
    sep = ", " if names.lang == EN else "、"
    if p.kind == "multichoice":
        codes = tuple(str(v) for v in value) if isinstance(value, list) else ()
        return choice(codes, p.options, bool(codes), sep)
    if p.kind == "choice":
        if "enum" not in p.node:  # yes / no
            codes = () if not isinstance(value, bool) else ("true" if value else "false",)
            return choice(codes, p.options, value is True)
        return choice(() if value is None else (str(value),), p.options, value is not None,
                      sep)
    return text(p.node, p.refs, value, names)


def _options(node: Mapping[str, Any], lang: Lang = ZH) -> tuple[tuple[str, str], ...]:
    labels, english = node.get("x-enum-labels", {}), node.get("x-enum-labels-en", {})

    def label(code: Any) -> str:
        zh = str(labels.get(code, code))
        en = str(english.get(code, "")) or (str(code) if zh == str(code) else "")
        if lang == EN:
            return en or zh
        return pair(zh, en) if lang != ZH else zh

    return tuple((str(code), label(code)) for code in node.get("enum", ()))


def text(node: Mapping[str, Any], refs: frozenset[str], value: Any, names: Names) -> str:
    """How a plain value prints: names for keys, local date-times, grouped amounts."""
    if value is None:
        return ""
    if type(value) is str:  # most values: what the checks below give a plain text
        if not refs.isdisjoint(FREE_TEXT):
            return value if names.lang == ZH else pick(value, names.lang).text
        plain = _plain(node, refs, value, names)
        return plain if names.lang == ZH else marked(plain, names.lang)
    if refs & FREE_TEXT and isinstance(value, Mapping | str):
        return pick(value, names.lang).text
    if isinstance(value, bool):
        return dict(yes_no(names.lang))["true" if value else "false"]
    if isinstance(value, int | float):
        return number(value, amount=node.get(MEANING) == MONEY)
    if isinstance(value, list):
        return ", ".join(text({}, frozenset(), v, names) for v in value)
    if not isinstance(value, str):
        return str(value)
    return marked(_plain(node, refs, value, names), names.lang)


def _plain(node: Mapping[str, Any], refs: frozenset[str], value: str, names: Names) -> str:
    for branch in node.get("oneOf", ()):
        if isinstance(branch, dict) and branch.get("const") == value and "title" in branch:
            zh, en = str(branch["title"]), str(branch.get("x-title-en", ""))
            return en or zh if names.lang == EN else pair(zh, en) if names.lang != ZH else zh
    meaning = node.get(MEANING)
    if meaning == PERSON:
        return names.people.get(value, value)
    if meaning == DEPARTMENT:
        return names.departments.get(value, value)
    if meaning == CUSTOMER:
        return names.customers.get(value, value)
    if "defs.datetime" in refs or node.get("format") == "date-time":
        return local_time(value)
    return value


def number(value: float, *, amount: bool = False) -> str:
    if amount:
        return f"{value:,.2f}"
    if isinstance(value, int) or value.is_integer():
        return str(int(value))
    return f"{value:g}"


def local_time(value: str, *, seconds: bool = False) -> str:
    """``2026-11-03T09:40:00+08:00`` → ``2026-11-03 09:40`` (with the offset when not +08:00)."""
    if len(value) < 16 or value[10] not in "Tt ":
        return value
    clock = value[11:19] if seconds else value[11:16]
    offset = value[19:].lstrip(".0123456789")
    suffix = "" if offset in ("+08:00", "") else f" {offset.replace('Z', 'UTC')}"
    return f"{value[:10]} {clock}{suffix}"
