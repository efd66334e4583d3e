"""``qmsdoc notify``: the open clocks that are overdue or due soon, the messages they make,
less what was sent within the window, sent (or, with ``dry_run``, only returned)."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from ..config import Config
from ..deadlines import due
from ..errors import UsageError
from ..i18n import _
from ..schema import SchemaStore
from . import channels as send
from . import message as text
from . import settings as notify_settings
from . import state as sent_state
from .message import Message, Reminder
from .settings import CHANNELS, Settings, Webhook


@dataclass(frozen=True)
class Outcome:
    now: datetime
    dry_run: bool
    channels: tuple[str, ...]
    unconfigured: bool  # a dry run of channels qmsdoc.yaml does not configure
    within_days: float
    reminders: int  # overdue or due-soon clocks
    messages: list[Message]  # to send (dry run), else sent or tried
    held_back: int  # reminders already sent to their target within the window
    unreached: list[Reminder]  # no e-mail reaches these
    failed: dict[str, str] = field(default_factory=dict)  # target → why
    state_file: str = ""
    window_days: int = 7
    unreadable: tuple[str, ...] = ()  # record files left out: their clocks are not reminded

    @property
    def sent(self) -> list[Message]:
        return [m for m in self.messages if m.target not in self.failed]


def _channels(settings: Settings, channel: str | None, dry_run: bool) -> tuple[tuple[str, ...],
                                                                              bool]:
    configured = settings.configured
    if channel is not None:
        if channel in configured:
            return (channel,), False
        if dry_run:
            return (channel,), True
        raise UsageError(_("notify --channel {channel}: no notify.{channel} section in "
                           "qmsdoc.yaml (see qmsdoc notify --help)").format(channel=channel))
    if configured:
        return configured, False
    if dry_run:
        return ("email",), True
    raise UsageError(_("notify: no channel configured: add a notify: section with email, "
                       "wecom, dingtalk or feishu to qmsdoc.yaml (qmsdoc notify --dry-run "
                       "shows the e-mails without one)"))


def _hook(settings: Settings, channel: str) -> Webhook:
    return settings.webhooks.get(channel) or Webhook(channel, "", format=(
        "text" if channel == "feishu" else "markdown"))


def notify(repo: Path, config: Config, now: datetime | str | None = None, *,
           within_days: float | None = None, channel: str | None = None,
           dry_run: bool = False, store: SchemaStore | None = None,
           sleep: Callable[[float], None] = time.sleep) -> Outcome:
    """With ``store``, the deadline rules' field paths are first checked against the
    schemas (a misspelt field is a configuration error, exit 2)."""
    settings = notify_settings.load(config)
    chosen, unconfigured = _channels(settings, channel, dry_run)
    secrets: dict[str, str] = {}
    if not dry_run:  # every secret before anything is sent: a missing one is exit 2
        if "email" in chosen and settings.email is not None:
            secrets["email"] = settings.email.password()
            secrets["ca_file"] = _ca_file(repo, settings.email.ca_file)
        for name in chosen:
            if name in settings.webhooks:
                secrets[name] = settings.webhooks[name].secret()
    within = settings.within_days if within_days is None else within_days
    listed = due.due(repo, config, now, store=store)  # open clocks, overdue first, by owner
    state_path = repo / settings.state_file
    if dry_run:  # reads the state only
        return _remind(listed, config, settings, (chosen, unconfigured), within, secrets,
                       state_path, True, sleep)
    with sent_state.locked(state_path):
        return _remind(listed, config, settings, (chosen, unconfigured), within, secrets,
                       state_path, False, sleep)


def _remind(listed: due.DueList, config: Config, settings: Settings,
            channels: tuple[tuple[str, ...], bool], within: float,
            secrets: dict[str, str], state_path: Path, dry_run: bool,
            sleep: Callable[[float], None]) -> Outcome:
    """Who gets which reminder, not sent within the window before; send unless ``dry_run``
    and remember what went out."""
    chosen, unconfigured = channels
    moment = listed.now
    found = text.reminders(listed.clocks, timedelta(days=within))
    audiences, unreached = text.audiences(found, config, settings, chosen)
    window = timedelta(days=settings.window_days)
    state = sent_state.load(state_path)
    messages: list[Message] = []
    held_back = 0
    for audience in audiences:
        keys = [r.key for r in audience.reminders]
        fresh = state.fresh(audience.target, keys, moment, window)
        held_back += len(keys) - len(fresh)
        if not fresh:
            continue
        chosen_part = audience.only(fresh)
        if audience.channel == "email":
            messages.append(text.mail(chosen_part, config, settings, moment, within))
        else:
            hook = _hook(settings, audience.channel)
            fmt = "text" if hook.format == "text" else "markdown"  # a Feishu card: markdown
            messages.append(text.bot(chosen_part, config, settings, moment, within, fmt,
                                     send.LIMITS[audience.channel]))
    outcome = Outcome(moment, dry_run, chosen, unconfigured, within, len(found), messages,
                      held_back, unreached, {}, settings.state_file, settings.window_days,
                      tuple(listed.unreadable))
    if dry_run or not messages:
        return outcome
    failed = _send(messages, settings, secrets, config, sleep)
    for message in messages:
        if message.target not in failed:
            state.mark(message.target, message.keys, moment)
    state.save(moment, window)
    return replace(outcome, failed=failed)


def _ca_file(repo: Path, name: str) -> str:
    """notify.email.ca_file, relative to the repository: it must be there."""
    if not name:
        return ""
    path = repo / name
    if not path.is_file():
        raise UsageError(_("notify.email.ca_file: {name}: no such file").format(name=name))
    return str(path)


def _send(messages: list[Message], settings: Settings, secrets: dict[str, str],
          config: Config, sleep: Callable[[float], None]) -> dict[str, str]:
    failed: dict[str, str] = {}
    mails = [m for m in messages if m.channel == "email"]
    if mails and settings.email is not None:
        names = {p.email.lower(): p.name for p in config.roster.values() if p.email}
        mailer = send.Mailer(settings.email, secrets.get("email", ""),
                             secrets.get("ca_file", ""))
        try:
            for message in mails:
                mail = send.email_message(message, settings.email.sender, names)
                try:
                    send.retried(functools.partial(mailer.send, mail), settings.retries,
                                 settings.retry_delay, sleep)
                except send.SendError as exc:
                    failed[message.target] = str(exc)
        finally:
            mailer.close()
    hooks = [(settings.webhooks[m.channel], m, secrets.get(m.channel, ""))
             for m in messages if m.channel in settings.webhooks]
    failed.update(send.send_webhooks(hooks, settings.retries, settings.retry_delay, sleep))
    return failed


__all__ = ["CHANNELS", "Outcome", "notify"]
