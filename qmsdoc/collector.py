"""Python's cycle collector paused while a command builds many small values that hold no
cycles (``verify``: the parsed log of every commit, each record's timeline and outcome;
``validate``'s parent: the workers' results and the rules between records).
Its passes over the growing results cost a fifth of such a run and free nothing."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def paused() -> Iterator[None]:
    """The collector off inside the block, as it was after it. What was made meanwhile goes
    to the oldest generation as it is: left young, the next collection would walk it all."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if was:
            gc.enable()
