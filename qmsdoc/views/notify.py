"""What ``qmsdoc notify`` prints: with ``--dry-run`` every message as it would be sent;
else one line per message sent, and the failures."""

from __future__ import annotations

from ..config import Config
from ..notify.message import Message
from ..notify.run import Outcome

RULE = "────"


def _label(message: Message) -> str:
    return f"{message.channel} → {message.recipient}"


def as_text(outcome: Outcome, config: Config) -> str:
    head = f"qmsdoc notify — now {outcome.now.strftime('%Y-%m-%d %H:%M %z')}"
    lines = [head + (" — dry run: nothing is sent" if outcome.dry_run else "")]
    if outcome.unconfigured:
        lines.append(f"(qmsdoc.yaml configures no notify.{', notify.'.join(outcome.channels)}: "
                     "the messages are shown as they would be sent)")
    if outcome.dry_run:
        for message in outcome.messages:
            lines += ["", f"{RULE} {_label(message)}"]
            if message.channel == "email":
                lines += [f"To: {', '.join(message.to)}", f"Subject: {message.subject}", ""]
            lines.append(message.body.rstrip("\n"))
        lines.append("")
    else:
        lines += [f"sent: {_label(m)}" for m in outcome.sent]
    for reminder in outcome.unreached:
        clock = reminder.clock
        lines.append(f"note: {clock.record} {clock.rule.id}: no e-mail reaches its owner "
                     f"({clock.owner or 'none'}) or the head of its department")
    lines.append(summary(outcome))
    if outcome.unreadable:
        lines.append(f"warning: {len(outcome.unreadable)} record file(s) could not be read and "
                     "were left out (their clocks are not reminded); run qmsdoc validate")
    return "\n".join(lines)


def summary(outcome: Outcome) -> str:
    n = len(outcome.messages)
    word = "message" if n == 1 else "messages"
    if outcome.dry_run:
        done = f"{n} {word} would be sent"
    else:
        done = f"{len(outcome.sent)} of {n} {word} sent"
    return (f"{outcome.reminders} reminder(s) (overdue or due within "
            f"{outcome.within_days:g} days): {done}; {outcome.held_back} held back "
            f"(sent within {outcome.window_days} days, see {outcome.state_file})")


def failures(outcome: Outcome) -> list[str]:
    by_target = {m.target: m for m in outcome.messages}
    return [f"notify: {_label(by_target[target])}: not sent: {why}"
            for target, why in outcome.failed.items()]
