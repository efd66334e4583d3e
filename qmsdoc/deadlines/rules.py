"""Deadline rules as configured in ``qmsdoc.yaml`` (``deadlines:``), read into typed values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timezone
from typing import Any

from ..config import Config
from ..errors import ConfigError
from ..i18n import _
from ..kinds import BY_NAME
from .clocktime import Duration, zone
from .fieldpath import Condition, FieldPath, paths
from .workcal import Calendar, from_config


@dataclass(frozen=True)
class DeadlineRule:
    id: str
    kind: str
    title: str
    source: str
    title_en: str = ""
    each: tuple[FieldPath, ...] = ()
    start: tuple[FieldPath, ...] = ()
    within: Duration | None = None
    due: tuple[FieldPath, ...] = ()
    stop: tuple[FieldPath, ...] = ()
    stop_when: Condition | None = None
    owner: tuple[FieldPath, ...] = ()
    department: tuple[FieldPath, ...] = ()
    default_department: str = ""
    when: Condition | None = None
    unless: Condition | None = None


@dataclass(frozen=True)
class Deadlines:
    """Every enabled rule, the per-customer durations, the calendar and the time zone."""

    rules: tuple[DeadlineRule, ...]
    calendar: Calendar
    tz: timezone
    customers: dict[str, dict[str, Duration | None]] = field(default_factory=dict)

    def for_kind(self, kind: str) -> tuple[DeadlineRule, ...]:
        return tuple(r for r in self.rules if r.kind == kind)

    def within(self, rule: DeadlineRule, customer: Any) -> tuple[Duration | None, bool]:
        """The duration for this customer, and whether the rule applies to it at all."""
        override = self.customers.get(customer, {}) if isinstance(customer, str) else {}
        if rule.id in override:
            duration = override[rule.id]
            return (duration, duration is not None)
        return rule.within, True

    def rule(self, rule_id: str) -> DeadlineRule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def rule_from(rule_id: str, spec: dict[str, Any]) -> DeadlineRule:
    where = f"deadlines.rules.{rule_id}"
    kind = spec.get("kind")
    if kind not in BY_NAME:
        raise ConfigError(_("{where}.kind: '{kind}' is not a record kind (one of: {values})")
                          .format(where=where, kind=kind, values=", ".join(BY_NAME)))
    within = spec.get("within")
    rule = DeadlineRule(
        id=rule_id,
        kind=str(kind),
        title=str(spec.get("title", rule_id)),
        title_en=str(spec.get("title_en", "")),
        source=str(spec.get("source", "")),
        each=paths(spec.get("each"), f"{where}.each"),
        start=paths(spec.get("start"), f"{where}.start"),
        within=Duration.parse(str(within), f"{where}.within") if within is not None else None,
        due=paths(spec.get("due"), f"{where}.due"),
        stop=paths(spec.get("stop"), f"{where}.stop"),
        stop_when=Condition.parse(spec.get("stop_when"), f"{where}.stop_when"),
        owner=paths(spec.get("owner"), f"{where}.owner"),
        department=paths(spec.get("department"), f"{where}.department"),
        default_department=str(spec.get("default_department", "")),
        when=Condition.parse(spec.get("when"), f"{where}.when"),
        unless=Condition.parse(spec.get("unless"), f"{where}.unless"),
    )
    if not rule.due and not (rule.start and rule.within):
        raise ConfigError(_("{where}: give start and within, or due (a date in the record)").format(
                              where=where))
    if not rule.stop and rule.stop_when is None:
        raise ConfigError(_("{where}: give stop (a field) or stop_when (a condition)").format(
                              where=where))
    return rule


def load(config: Config) -> Deadlines:
    """The deadline rules in force: the built-in ones merged with ``qmsdoc.yaml`` (parsed
    once per configuration)."""
    return config.parsed("deadlines", _parse)


def _parse(config: Config) -> Deadlines:
    section: dict[str, Any] = config.data.get("deadlines") or {}
    rules = tuple(rule_from(str(rid), spec)
                  for rid, spec in (section.get("rules") or {}).items()
                  if isinstance(spec, dict) and spec.get("enabled", True) is not False)
    known = {r.id for r in rules}
    customers: dict[str, dict[str, Duration | None]] = {}
    for code, overrides in (section.get("customers") or {}).items():
        table: dict[str, Duration | None] = {}
        for rid, text in (overrides or {}).items():
            if rid not in known:
                raise ConfigError(_("deadlines.customers.{code}: no enabled rule '{rid}' "
                                    "(rules: {values})").format(
                                      code=code, rid=rid, values=', '.join(sorted(known))))
            where = f"deadlines.customers.{code}.{rid}"
            table[rid] = None if text == "off" else Duration.parse(str(text), where)
        customers[str(code)] = table
    return Deadlines(rules, from_config(config.data.get("calendar")),
                     zone(str(section.get("timezone", "+08:00"))), customers)
