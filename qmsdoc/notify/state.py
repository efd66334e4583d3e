"""What was sent: a JSON file (``.qmsdoc/notify-state.json`` by default) that a scheduled CI
job keeps in its cache between runs. For each target (an e-mail address, a bot) the
reminders sent to it and when: the same clock in the same state is not sent again to the
same target within the window; older entries are dropped."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .. import atomic
from ..errors import UsageError
from ..i18n import _

VERSION = 1


@dataclass
class State:
    path: Path
    sent: dict[str, dict[str, str]] = field(default_factory=dict)  # target → key → ISO time

    def fresh(self, target: str, keys: list[str], now: datetime, window: timedelta) -> set[str]:
        """The keys not sent to ``target`` within ``window`` before ``now``."""
        done = self.sent.get(target, {})
        return {k for k in keys if k not in done or now - _time(done[k]) >= window}

    def mark(self, target: str, keys: tuple[str, ...], now: datetime) -> None:
        self.sent.setdefault(target, {}).update(dict.fromkeys(keys, now.isoformat()))

    def save(self, now: datetime, window: timedelta) -> None:
        kept = {target: {k: t for k, t in sorted(keys.items()) if now - _time(t) < window}
                for target, keys in sorted(self.sent.items())}
        kept = {target: keys for target, keys in kept.items() if keys}
        text = json.dumps({"version": VERSION, "sent": kept}, ensure_ascii=False, indent=1)
        atomic.replace(self.path, (text + "\n").encode())


def _time(text: str) -> datetime:
    return datetime.fromisoformat(text)


def load(path: Path) -> State:
    if not path.exists():
        return State(path)
    try:
        data = json.loads(path.read_bytes())
        sent = data["sent"]
        if data.get("version") != VERSION or not isinstance(sent, dict):
            raise ValueError("unknown layout")
        for keys in sent.values():
            for value in keys.values():
                if _time(value).tzinfo is None:
                    raise ValueError("time without zone")
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise UsageError(_("{path}: not a notify state file qmsdoc can read ({problem}); move "
                           "it away to start afresh (reminders within the window are then "
                           "sent again)").format(path=path, problem=exc)) from None
    return State(path, {str(t): {str(k): str(v) for k, v in keys.items()}
                        for t, keys in sent.items()})
