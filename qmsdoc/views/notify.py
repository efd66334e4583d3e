"""What ``qmsdoc notify`` prints: with ``--dry-run`` every message as it would be sent;
else one line per message sent, and the failures."""

from __future__ import annotations

from ..config import Config
from ..i18n import _, ngettext
from ..notify.message import Message
from ..notify.run import Outcome

RULE = "────"


def _label(message: Message) -> str:
    return f"{message.channel} → {message.recipient}"


def as_text(outcome: Outcome, config: Config) -> str:
    head = _("qmsdoc notify — now {now}").format(now=outcome.now.strftime("%Y-%m-%d %H:%M %z"))
    lines = [head + (_(" — dry run: nothing is sent") if outcome.dry_run else "")]
    if outcome.unconfigured:
        lines.append(_("(qmsdoc.yaml configures no {channels}: the messages are shown as they "
                       "would be sent)").format(
            channels=", ".join(f"notify.{c}" for c in outcome.channels)))
    if outcome.dry_run:
        for message in outcome.messages:
            lines += ["", f"{RULE} {_label(message)}"]
            if message.channel == "email":
                lines += [f"To: {', '.join(message.to)}", f"Subject: {message.subject}", ""]
            lines.append(message.body.rstrip("\n"))
        lines.append("")
    else:
        lines += [_("sent: {to}").format(to=_label(m)) for m in outcome.sent]
    for reminder in outcome.unreached:
        clock = reminder.clock
        lines.append(_("note: {record} {rule}: no e-mail reaches its owner ({owner}) or the "
                       "head of its department").format(record=clock.record, rule=clock.rule.id,
                                                        owner=clock.owner or _("none")))
    lines.append(summary(outcome))
    if outcome.unreadable:
        lines.append(_("warning: {n} record file(s) could not be read and were left out (their "
                       "clocks are not reminded); run qmsdoc validate").format(
            n=len(outcome.unreadable)))
    return "\n".join(lines)


def summary(outcome: Outcome) -> str:
    n = len(outcome.messages)
    if outcome.dry_run:
        done = ngettext("{n} message would be sent", "{n} messages would be sent", n).format(n=n)
    else:
        done = ngettext("{sent} of {n} message sent", "{sent} of {n} messages sent", n).format(
            sent=len(outcome.sent), n=n)
    return _("{reminders} reminder(s) (overdue or due within {within:g} days): {done}; "
             "{held} held back (sent within {window} days, see {state})").format(
        reminders=outcome.reminders, within=outcome.within_days, done=done,
        held=outcome.held_back, window=outcome.window_days, state=outcome.state_file)


def failures(outcome: Outcome) -> list[str]:
    by_target = {m.target: m for m in outcome.messages}
    return ["notify: " + _("{to}: not sent: {problem}").format(to=_label(by_target[target]),
                                                              problem=why)
            for target, why in outcome.failed.items()]
