"""Field paths and conditions used by configured rules (deadline clocks).

A path is dotted keys; ``list[]`` takes every item of a list, ``list[key=a|b]`` the items whose
``key`` is ``a`` or ``b``, ``list[key=@x.y]`` those whose ``key`` equals the record's ``x.y``.
A leading ``/`` starts from the record's top instead of the current item. A prefix ``first:``,
``last:`` or ``all:`` tells which of several dates counts (see ``clocks``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from ..errors import ConfigError
from ..i18n import _

_SEGMENT = re.compile(r"([^.\[\]]+)(?:\[([^\]]*)\])?(?:\.|$)")
PICKS = ("first", "last", "all")


@dataclass(frozen=True)
class Segment:
    key: str
    each: bool = False  # followed by [] or [filter]
    field: str = ""
    values: tuple[str, ...] = ()
    ref: FieldPath | None = None  # [field=@path]


@dataclass(frozen=True)
class FieldPath:
    text: str
    segments: tuple[Segment, ...]
    from_root: bool = False
    pick: str = "first"

    @classmethod
    def parse(cls, text: str) -> FieldPath:
        body, pick = text.strip(), "first"
        head, sep, rest = body.partition(":")
        if sep and head in PICKS:
            body, pick = rest.strip(), head
        from_root = body.startswith("/")
        body = body.lstrip("/")
        segments, pos = [], 0
        while pos < len(body):
            match = _SEGMENT.match(body, pos)
            if not match:
                raise ConfigError(_("field path '{text}': cannot read it at '{body}'").format(
                                      text=text, body=body[pos:]))
            segments.append(_segment(match[1], match[2], text))
            pos = match.end()
        if not segments:
            raise ConfigError(_("field path '{text}' is empty").format(text=text))
        return cls(text, tuple(segments), from_root, pick)

    @cached_property
    def keys(self) -> tuple[str, ...] | None:
        """The keys of a path without lists (the common case), else None."""
        if any(seg.each for seg in self.segments):
            return None
        return tuple(seg.key for seg in self.segments)

    @cached_property
    def parent(self) -> FieldPath | None:
        """The path without its last segment (None for a one-segment path)."""
        head = self.segments[:-1]
        return FieldPath(self.text, head, self.from_root) if head else None

    def values(self, node: Any, root: Any) -> list[Any]:
        """Every value the path reaches from ``node`` (``root`` for ``/`` and ``@``)."""
        keys = self.keys
        if keys is not None:  # plain keys: no lists to step through
            value = root if self.from_root else node
            for key in keys:
                if not isinstance(value, dict):
                    return []
                value = value.get(key)
            return [] if value is None else [value]
        current = [root if self.from_root else node]
        for seg in self.segments:
            current = _step(current, seg, root)
        return [v for v in current if v is not None]

    def first(self, node: Any, root: Any) -> Any:
        found = self.values(node, root)
        return found[0] if found else None


def _segment(key: str, bracket: str | None, text: str) -> Segment:
    if bracket is None:
        return Segment(key)
    if not bracket:
        return Segment(key, True)
    field, eq, wanted = bracket.partition("=")
    if not eq or not field:
        raise ConfigError(_("field path '{text}': write a filter as [field=value] or "
                            "[field=a|b]").format(text=text))
    if wanted.startswith("@"):
        return Segment(key, True, field, ref=FieldPath.parse("/" + wanted[1:]))
    return Segment(key, True, field, tuple(v.strip() for v in wanted.split("|")))


def _step(nodes: list[Any], seg: Segment, root: Any) -> list[Any]:
    wanted: tuple[str, ...] = seg.values
    if seg.ref is not None:
        wanted = tuple(scalar_text(v) for v in seg.ref.values(root, root))
    # record values are plain dicts (records.yamlload builds them): isinstance(x, dict) costs
    # a tenth of the abstract Mapping check, made a million times per `qmsdoc due`; loops
    # instead of a generator, and the text of a string taken as it is (scalar_text's str())
    found: list[Any] = []
    key, field = seg.key, seg.field
    for node in nodes:
        value = node.get(key) if isinstance(node, dict) else None
        if not seg.each:
            found.append(value)
        elif isinstance(value, list):
            if not field:
                found.extend(value)
                continue
            for item in value:
                if isinstance(item, dict):
                    text = item.get(field)
                    if (text if isinstance(text, str) else scalar_text(text)) in wanted:
                        found.append(item)
    return found


def scalar_text(value: Any) -> str:
    """Values compared as text: true/false for booleans, as YAML writes them."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def paths(spec: Any, where: str) -> tuple[FieldPath, ...]:
    """One path or a list of paths tried in turn."""
    if spec is None:
        return ()
    items = [spec] if isinstance(spec, str) else list(spec)
    try:
        return tuple(FieldPath.parse(str(p)) for p in items)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None


@dataclass(frozen=True)
class Condition:
    """Any one of ``alternatives`` holds when all of its (path, wanted values) match.

    Wanted ``("*",)`` means the path has a value."""

    alternatives: tuple[tuple[tuple[FieldPath, tuple[str, ...]], ...], ...]

    @classmethod
    def parse(cls, spec: Any, where: str) -> Condition | None:
        if spec is None:
            return None
        groups: Sequence[Any] = spec if isinstance(spec, list) else [spec]
        alternatives = []
        for group in groups:
            if not isinstance(group, Mapping):
                raise ConfigError(_("{where}: a condition is a mapping of field path → value")
                                  .format(where=where))
            terms = []
            for key, value in group.items():
                wanted = value if isinstance(value, list) else [value]
                terms.append((paths(str(key), where)[0],
                              tuple(scalar_text(v) for v in wanted)))
            alternatives.append(tuple(terms))
        return cls(tuple(alternatives))

    def holds(self, node: Any, root: Any) -> bool:
        for group in self.alternatives:  # loops, not generators: made for every clock
            for path, wanted in group:
                if not _matches(path.values(node, root), wanted):
                    break
            else:
                return True
        return False


def _matches(found: list[Any], wanted: tuple[str, ...]) -> bool:
    anything = wanted == ("*",)
    for value in found:
        if value in ("", [], {}):
            continue
        if anything or scalar_text(value) in wanted:
            return True
    return False
