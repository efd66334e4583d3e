"""The one process pool: work split into chunks, results back in order.

Workers start by ``fork`` where the platform has it (they inherit what the parent has
prepared: compiled templates, parsed configuration) and by ``spawn`` elsewhere (Windows,
macOS defaults), where the ``setup`` arguments travel pickled. Work that only a forked
worker can do (``inherit=True``: closures, compiled templates) runs in this process, in
order, where fork does not exist. Callers choose when a pool is worth starting.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from typing import Any, TypeVar

from . import i18n, lifeline

T = TypeVar("T")
R = TypeVar("R")

START_METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


def jobs_default() -> int:
    """Worker processes when the user does not say: the CPUs, at most four."""
    return max(1, min(4, os.cpu_count() or 1))


def can_inherit() -> bool:
    """Whether workers start as copies of this process (``fork``)."""
    return START_METHOD == "fork"


def run(work: Callable[[T], R], tasks: Iterable[T], jobs: int, *,
        setup: Callable[..., None] | None = None, setup_args: tuple[Any, ...] = (),
        inherit: bool = False) -> Iterator[R]:
    """``work(task)`` for every task, in task order, in up to ``jobs`` worker processes.

    ``setup(*setup_args)`` prepares each worker (module state that ``work`` reads). With
    ``inherit``, ``work`` relies on state this process set before the call, so it runs
    here when workers cannot be forked."""
    tasks = list(tasks)
    if inherit and not can_inherit() or jobs <= 1 or len(tasks) <= 1:
        if setup is not None:
            setup(*setup_args)
        yield from map(work, tasks)
        return
    context = multiprocessing.get_context(START_METHOD)
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_start,
                             initargs=(os.getpid(), i18n.language(), setup, setup_args)) as pool:
        yield from pool.map(work, tasks)


def beside(work: Callable[..., R], *args: Any, **kwargs: Any) -> Callable[[], R]:
    """``work(*args, **kwargs)`` started in a thread of this process, for work that mostly
    waits on other processes (git); the function returned waits for it and gives its result,
    or raises what it raised."""
    threads = ThreadPoolExecutor(1)
    future = threads.submit(work, *args, **kwargs)
    threads.shutdown(wait=False)
    return future.result


def _start(parent: int, language: str, setup: Callable[..., None] | None,
           setup_args: tuple[Any, ...]) -> None:
    """First thing in a worker: die with the parent (a worker blocked on its queue would
    outlive a killed parent), messages in the parent's language, then the caller's setup.
    Last, what the worker holds by then (inherited modules, the setup's state) leaves the
    garbage collector's view: its full collections would walk all of it again and again
    (and copy the pages a forked worker shares with its parent)."""
    lifeline.tie_to_parent(parent)
    i18n.use(language)
    if setup is not None:
        setup(*setup_args)
    gc.freeze()
