"""Worker processes that die with the process that started them.

A worker blocked on its task queue never notices that its parent was killed (``kill -9``,
an OOM kill): on Linux the kernel is asked to send it SIGKILL then; elsewhere a small
thread watches the parent's pid.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time
from collections.abc import Callable

_PR_SET_PDEATHSIG = 1


def tie_to_parent(parent: int) -> None:
    """Called first in a worker: end this process when ``parent`` (its pid) ends."""
    if sys.platform.startswith("linux") and _prctl_deathsig():
        pass
    else:
        threading.Thread(target=_watch, args=(parent,), daemon=True).start()
    if os.getppid() != parent:  # the parent died before the tie was made
        _die()


def _prctl_deathsig() -> bool:
    # the C library this process already runs on (no search: find_library runs ldconfig,
    # ~30 ms at each worker's start); looked for by name only where that fails
    names: tuple[Callable[[], str | None], ...] = (
        lambda: None, lambda: "libc.so.6", lambda: ctypes.util.find_library("c"))
    for name in names:
        with contextlib.suppress(OSError, AttributeError, TypeError):
            libc = ctypes.CDLL(name(), use_errno=True)
            return bool(libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGKILL), 0, 0, 0) == 0)
    return False


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(0.5)
    _die()


def _die() -> None:
    """What the kernel's parent-death signal does: this worker ends at once, unwinding
    nothing (its parent is gone; there is no one to report to)."""
    os.kill(os.getpid(), getattr(signal, "SIGKILL", signal.SIGTERM))
