"""``qmsdoc.yaml``: the built-in defaults, overridden section by section, checked by its schema."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any, TypeVar

from . import doclang
from .doclang import Lang
from .errors import ConfigError, ConfigFindings
from .findings import Location, error
from .i18n import _
from .kinds import BY_NAME, KINDS
from .records.yamlload import Document, Limits, LoadError, parse
from .resources import builtin

CONFIG_FILE = "qmsdoc.yaml"
T = TypeVar("T")


@dataclass(frozen=True)
class Person:
    key: str
    name: str
    email: str = ""
    department: str = ""
    position: str = ""
    roles: tuple[str, ...] = ()
    name_en: str = ""  # on English forms
    position_en: str = ""
    signing_keys: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()  # further e-mails of the same person

    @property
    def emails(self) -> tuple[str, ...]:
        """Every e-mail of the person, the roster's ``email`` first."""
        return tuple(e for e in (self.email, *self.aliases) if email_key(e))

    def has_email(self, email: str) -> bool:
        return email_key(email) in {email_key(e) for e in self.emails}


@dataclass(frozen=True)
class SeverityRules:
    major_above_rmb: float = 10000
    general_below_rmb: float = 5000
    between: str = "major"


@dataclass(frozen=True)
class Config:
    """The configuration in force for one records repository, checked against its schema at
    load. Each section is parsed once: the typed values below on first use, and the
    sections other packages read (``deadlines`` and ``calendar`` by ``deadlines.rules``,
    ``approvals`` by ``history.policy``) through ``parsed``."""

    data: dict[str, Any]
    source: str = "built-in defaults"
    roster: dict[str, Person] = field(default_factory=dict)
    _parsed: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

    def parsed(self, section: str, parse: Callable[[Config], T]) -> T:
        """``parse(self)``, once per section: the typed form of a section of qmsdoc.yaml."""
        if section not in self._parsed:
            self._parsed[section] = parse(self)
        value: T = self._parsed[section]
        return value

    def __getstate__(self) -> dict[str, Any]:  # worker processes parse for themselves
        return {**self.__dict__, "_parsed": {}}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)

    @cached_property
    def _people_by_email(self) -> dict[str, Person]:
        found: dict[str, Person] = {}
        for person in self.roster.values():
            for email in person.emails:
                found.setdefault(email_key(email), person)
        return found

    def person_by_email(self, email: str) -> Person | None:
        """The roster person whose e-mail is ``email`` (git identities compare
        case-insensitively); the first one when the roster lists it twice."""
        key = email_key(email)
        return self._people_by_email.get(key) if key else None

    @cached_property
    def company(self) -> dict[str, Any]:
        company: dict[str, Any] = self.data["company"]
        return company

    def prefix(self, kind: str) -> str:
        prefixes: dict[str, str] = self.data.get("ids", {})
        return prefixes.get(kind, BY_NAME[kind].prefix)

    def form(self, name: str) -> dict[str, Any]:
        forms: dict[str, dict[str, Any]] = self.data.get("forms", {})
        return forms.get(name, {})

    @cached_property
    def departments(self) -> dict[str, str]:
        return {d["key"]: d["name"] for d in self.data.get("departments", [])}

    @property
    def roles(self) -> dict[str, str]:
        return {r["key"]: r["name"] for r in self.data.get("roles", [])}

    @cached_property
    def customers(self) -> dict[str, str]:
        return {c["code"]: c["name"] for c in self.data.get("customers", [])}

    @cached_property
    def messages_language(self) -> str | None:
        """``language.messages``: the language of the command line's messages, if set."""
        language: str | None = self.data.get("language", {}).get("messages")
        return language

    def in_english(self) -> Config:
        """The same configuration naming the company, departments and customers by their
        ``name_en`` where one is given (an English report), the Chinese name elsewhere."""
        english = dataclasses.replace(self)
        company = self.company
        english.__dict__["company"] = {**company, "name": company.get("name_en") or
                                       company.get("name", "")}
        english.__dict__["departments"] = {d["key"]: d.get("name_en") or d["name"]
                                           for d in self.data.get("departments", [])}
        english.__dict__["customers"] = {c["code"]: c.get("name_en") or c["name"]
                                         for c in self.data.get("customers", [])}
        return english

    @cached_property
    def customers_en(self) -> dict[str, str]:
        """Customer code → English name (only the customers that have one)."""
        return {c["code"]: c["name_en"] for c in self.data.get("customers", [])
                if c.get("name_en")}

    @cached_property
    def departments_en(self) -> dict[str, str]:
        """Department key → English name (only the departments that have one)."""
        return {d["key"]: d["name_en"] for d in self.data.get("departments", [])
                if d.get("name_en")}

    def form_language(self, customer: str | None = None) -> Lang:
        """The language of a form: the customer's own (``customers[].language``), else
        ``language.forms``, else Chinese."""
        for entry in self.data.get("customers", []):
            if customer and entry.get("code") == customer and entry.get("language"):
                return doclang.parse(entry["language"])
        return doclang.parse(self.data.get("language", {}).get("forms", doclang.ZH))

    @cached_property
    def severity(self) -> SeverityRules:
        return SeverityRules(**self.data.get("severity", {}))

    @cached_property
    def repeat_window_days(self) -> int:
        return int(self.data.get("repeat", {}).get("window_days", 365))

    @cached_property
    def full_review_types(self) -> tuple[str, ...]:
        return tuple(self.data.get("contract_review", {}).get("full_review_types", ()))

    @cached_property
    def required_departments(self) -> tuple[str, ...]:
        return tuple(self.data.get("contract_review", {}).get("required_departments", ()))

    @cached_property
    def limits(self) -> Limits:
        limits = self.data.get("limits", {})
        return Limits(
            max_bytes=int(limits.get("max_record_bytes", Limits.max_bytes)),
            max_depth=int(limits.get("max_depth", Limits.max_depth)),
        )


def email_key(email: str) -> str:
    """An e-mail address as git identities and the roster are compared."""
    return email.strip().lower()


def defaults() -> dict[str, Any]:
    """The built-in defaults, a copy of their one parse per process (``history`` reads every
    approved version of qmsdoc.yaml, each merged over them)."""
    return copy.deepcopy(_defaults())


@cache
def _defaults() -> dict[str, Any]:
    raw = builtin("default_config.yaml").read_bytes()
    data: dict[str, Any] = parse(raw).data
    return data


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Mappings merge key by key; lists and values in ``override`` replace those of ``base``.
    A text ``override`` gives without its English (``name`` without ``name_en``) drops the
    English of ``base``: the defaults' English of another text would be wrong."""
    result = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = merge(result[key], value)
        else:
            result[key] = value
            english = f"{key}_en"
            if english in base and english not in override:
                del result[english]
    return result


# The sections of qmsdoc.yaml that say who may sign what: a change to them is itself approved
# (history/configs.py) before it counts.
CONTROLLED = ("roster", "roles", "departments", "approvals")


def controlled_part(data: dict[str, Any]) -> dict[str, Any]:
    """The controlled sections of a merged configuration."""
    return {key: data.get(key) for key in CONTROLLED}


def builtin_config() -> Config:
    """The built-in defaults alone (a repository with no qmsdoc.yaml)."""
    return _build(defaults(), "built-in defaults")


def load(repo: Path, store: Any = None) -> Config:
    """The configuration of the records repository at ``repo`` (defaults when it has none)."""
    path = repo / CONFIG_FILE
    if not path.exists():
        return _build(defaults(), "built-in defaults")
    if not path.is_file():
        raise ConfigError(_("{file}: not a file").format(file=CONFIG_FILE))
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(_("{file}: cannot read: {reason}")
                          .format(file=CONFIG_FILE, reason=exc.strerror)) from None
    return from_bytes(raw, store)


def from_bytes(raw: bytes | None, store: Any = None, source: str = CONFIG_FILE) -> Config:
    """The configuration a ``qmsdoc.yaml`` content gives (None: no such file, the defaults);
    ``source`` names it in messages (e.g. the file as it was at a commit)."""
    base = defaults()
    if raw is None:
        return _build(base, "built-in defaults")
    try:
        doc = parse(raw)
    except LoadError as exc:
        if exc.code == "empty":  # only comments: every section is optional
            return _build(base, source)
        raise ConfigFindings([error(exc.code, "/", Location(source, exc.line or 1,
                                                            exc.column or 1), exc.message)]
                             ) from None
    if doc.data is None:
        return _build(base, source)
    if not isinstance(doc.data, dict):
        line, column = doc.position([])
        raise ConfigFindings([error("config", "/", Location(source, line, column),
                                    _("qmsdoc.yaml is a mapping of sections (company:, "
                                      "customers:, roster:, …)"))])
    _check(doc, store)
    return _build(merge(base, doc.data), source)


def _check(doc: Document, store: Any) -> None:
    from .schema import SchemaStore

    found = (store or SchemaStore()).config_findings(doc, CONFIG_FILE)
    if found:
        raise ConfigFindings(found)


def _build(data: dict[str, Any], source: str) -> Config:
    roster = {}
    for entry in data.get("roster", []):
        person = Person(
            key=entry["key"],
            name=entry["name"],
            email=entry.get("email", ""),
            department=entry.get("department", ""),
            position=entry.get("position", ""),
            roles=tuple(entry.get("roles", ())),
            name_en=entry.get("name_en", ""),
            position_en=entry.get("position_en", ""),
            signing_keys=tuple(entry.get("signing_keys", ())),
            aliases=tuple(entry.get("emails", ())),
        )
        roster[person.key] = person
    problems = roster_problems(data, list(roster.values()))
    if problems:
        raise ConfigError("\n".join(f"{source}: {p}" for p in problems))
    known = {k.name for k in KINDS}
    for kind in data.get("ids", {}):
        if kind not in known:  # pragma: no cover - the schema already refuses it
            raise ConfigError(_("{file}: ids: unknown kind '{kind}'")
                              .format(file=CONFIG_FILE, kind=kind))
    return Config(data=data, source=source, roster=roster)


def did_you_mean(word: str, known: Any) -> str:
    """`` (did you mean 'x'?)`` when ``word`` is close to one of ``known``, else ``""``."""
    import difflib

    close = difflib.get_close_matches(word, [str(k) for k in known], n=1, cutoff=0.6)
    return _(" (did you mean '{hint}'?)").format(hint=close[0]) if close else ""


def roster_problems(data: dict[str, Any], people: list[Person]) -> list[str]:
    """Roster integrity: one person per e-mail (case-insensitive), one entry per key,
    departments and roles that exist, matrix roles that exist."""
    problems: list[str] = []
    departments = {d["key"] for d in data.get("departments", [])}
    roles = {r["key"] for r in data.get("roles", [])}
    owner: dict[str, str] = {}
    keys: set[str] = set()
    for person in people:
        if person.key in keys:
            problems.append(_("roster: the key '{key}' is listed twice").format(key=person.key))
        keys.add(person.key)
        for email in person.emails:
            first = owner.setdefault(email_key(email), person.key)
            if first != person.key:
                problems.append(_("roster: the e-mail {email} belongs to '{first}' and to "
                                  "'{key}'; an e-mail identifies one person")
                                .format(email=email, first=first, key=person.key))
        if person.department and departments and person.department not in departments:
            problems.append(_("roster: {key}: unknown department '{department}'").format(
                key=person.key, department=person.department)
                + did_you_mean(person.department, departments))
        for role in person.roles:
            if roles and role not in roles:
                problems.append(_("roster: {key}: unknown role '{role}'")
                                .format(key=person.key, role=role)
                                + did_you_mean(role, roles) + _(" (roles: lists the roles)"))
    matrix = (data.get("approvals") or {}).get("matrix") or {}
    for kind, rule in matrix.items():
        for step in ("review", "approve"):
            for role in ((rule or {}).get(step) or {}).get("roles", ()):
                if roles and role not in roles:
                    problems.append(_("approvals.matrix.{kind}.{step}: unknown role '{role}'")
                                    .format(kind=kind, step=step, role=role)
                                    + did_you_mean(role, roles))
    return problems
