"""What was sent: a JSON file (``.qmsdoc/notify-state.json`` by default) that a scheduled CI
job keeps in its cache between runs. For each target (an e-mail address, a bot) the
reminders sent to it and when: the same clock in the same state is not sent again to the
same target within the window; older entries are dropped. A run that sends holds a lock on
the state file's folder from reading the file to saving it, so two runs at the same moment
do not both send."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from .. import atomic
from ..errors import UsageError
from ..i18n import _

VERSION = 1
LOCK_WAIT_SECONDS = 600.0  # how long a run waits for another one to finish sending


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


@contextmanager
def locked(path: Path, wait: float = LOCK_WAIT_SECONDS) -> Iterator[None]:
    """Hold the lock of the state file ``path`` (an exclusive lock on its folder, which
    exists afterwards): a second run waits until the first has saved what it sent, then
    reads that. Where the platform has no ``flock`` (Windows), nothing is locked."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX
        yield
        return
    folder = path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise UsageError(_("{path}: cannot use the notify state file's folder: {value}").format(
                             path=path, value=exc.strerror or exc)) from None
    try:
        deadline = time.monotonic() + wait
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise UsageError(_("{path}: another qmsdoc notify run has been sending "
                                       "for {wait:g} s; try again when it has finished").format(
                                         path=path, wait=wait)) from None
                time.sleep(0.2)
        yield
    finally:
        os.close(handle)  # releases the lock
