"""The ``notify:`` section of qmsdoc.yaml, with its defaults (the schema has checked it)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from ..config import Config
from ..errors import ConfigError
from ..i18n import _

CHANNELS = ("email", "wecom", "dingtalk", "feishu")
STATE_FILE = ".qmsdoc/notify-state.json"


@dataclass(frozen=True)
class Email:
    host: str
    port: int
    sender: str
    security: str = "starttls"  # none | starttls | ssl
    user: str = ""
    password_env: str = ""
    summary_to: tuple[str, ...] = ()  # a group mailbox that gets the whole summary
    timeout: float = 30.0
    ca_file: str = ""  # PEM certificates to trust besides the system's (a company CA)

    def password(self) -> str:
        """The SMTP password from the environment (never from qmsdoc.yaml)."""
        if not self.user:
            return ""
        if not self.password_env:
            raise ConfigError(_("qmsdoc.yaml: notify.email.user is set but not password_env "
                                "(the environment variable that holds the SMTP password)"))
        value = os.environ.get(self.password_env)
        if not value:
            raise ConfigError(_("notify.email: the environment variable {password_env} (the "
                                "SMTP password) is not set").format(
                                  password_env=self.password_env))
        return value


@dataclass(frozen=True)
class Webhook:
    channel: str  # wecom | dingtalk | feishu
    url: str
    secret_env: str = ""
    format: str = "markdown"  # feishu: text, or card (markdown is sent as a card)
    timeout: float = 30.0

    def secret(self) -> str:
        """The signing secret from the environment; empty when none is configured."""
        if not self.secret_env:
            return ""
        value = os.environ.get(self.secret_env)
        if not value:
            raise ConfigError(_("notify.{channel}: the environment variable {secret_env} (the "
                                "signing secret) is not set").format(
                                  channel=self.channel, secret_env=self.secret_env))
        return value


@dataclass(frozen=True)
class Settings:
    email: Email | None = None
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    within_days: float = 3.0
    window_days: int = 7
    base_url: str = ""
    state_file: str = STATE_FILE
    retries: int = 2
    retry_delay: float = 5.0
    department_heads: dict[str, str] = field(default_factory=dict)
    language: str = "zh"  # zh | en: the language of the messages

    @property
    def configured(self) -> tuple[str, ...]:
        return tuple(c for c in CHANNELS if (c == "email" and self.email) or c in self.webhooks)

    def link(self, path: str) -> str:
        return f"{self.base_url.rstrip('/')}/{path}" if self.base_url else ""


def load(config: Config) -> Settings:
    data: dict[str, Any] = config.data.get("notify") or {}
    email = None
    if isinstance(data.get("email"), dict):
        mail = data["email"]
        security = str(mail.get("security", "starttls"))
        default_port = {"none": 25, "starttls": 587, "ssl": 465}[security]
        email = Email(host=str(mail["host"]), port=int(mail.get("port", default_port)),
                      sender=str(mail["from"]), security=security,
                      user=str(mail.get("user", "")),
                      password_env=str(mail.get("password_env", "")),
                      summary_to=tuple(mail.get("summary_to", ())),
                      timeout=float(mail.get("timeout_seconds", 30)),
                      ca_file=str(mail.get("ca_file", "")))
    hooks = {}
    for channel in CHANNELS[1:]:
        hook = data.get(channel)
        if isinstance(hook, dict):
            hooks[channel] = Webhook(channel, str(hook["url"]), str(hook.get("secret_env", "")),
                                     str(hook.get("format", "markdown" if channel != "feishu"
                                                  else "text")),
                                     float(hook.get("timeout_seconds", 30)))
    return Settings(email=email, webhooks=hooks,
                    within_days=float(data.get("within_days", 3)),
                    window_days=int(data.get("window_days", 7)),
                    base_url=str(data.get("base_url", "")),
                    state_file=str(data.get("state_file", STATE_FILE)),
                    retries=int(data.get("retries", 2)),
                    retry_delay=float(data.get("retry_delay_seconds", 5)),
                    department_heads=dict(data.get("department_heads", {})),
                    language=str(data.get("language", "zh")))


def heads(config: Config, settings: Settings) -> dict[str, str]:
    """Department key → the roster key of its head: as configured, else the first person of
    the department with a ``*_manager`` role."""
    found: dict[str, str] = {}
    for person in config.roster.values():
        if person.department and any(r.endswith("_manager") for r in person.roles):
            found.setdefault(person.department, person.key)
    found.update(settings.department_heads)
    return found
