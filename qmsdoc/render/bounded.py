"""Running a company template within bounds: a time limit, an output size limit, and
operators that cannot build a gigabyte string in one step.

The time limit is kept two ways: between the pieces of output the template yields, and,
on the main thread (the CLI and each worker process), by an interval timer that also stops
loops which write nothing.

The memory limit caps the address space (RLIMIT_AS), which holds for every thread of the
process. A template compiled while other threads run (render's one pass reads git's answers
meanwhile) is therefore compiled in a forked child of its own under the cap (``compiled``):
the other threads never meet it. Alone, the process caps itself, which costs nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from types import CodeType, FrameType
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError

from ..i18n import _

MAX_VALUE = 10_000_000  # characters or items one operation may build
MAX_POWER_BITS = 100_000  # a number's size in bits after **
PIECES = 16  # pieces of output taken between two checks of the limits
PADDING = frozenset({"ljust", "rjust", "center", "zfill", "expandtabs"})
_capped = False  # whether ``_memory_cap`` holds the address space capped now
GRACE = 5.0  # seconds a compiling child may take past its time limit before it is killed


class OverTime(Exception):
    """The template ran past its time limit."""


class OverSize(Exception):
    """The template wrote more than its output limit."""


class OverMemory(Exception):
    """The template needed more memory than its limit."""


def binop(operator: str, left: Any, right: Any) -> Any:
    """``*`` and ``**`` of sandboxed code, refused when the result would be huge."""
    if operator == "*":
        for seq, count in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(count, int) \
                    and len(seq) * count > MAX_VALUE:
                raise SecurityError(_("the result of * would have {value:,} elements (at most "
                                      "{max_value:,})").format(
                                        value=len(seq) * count, max_value=MAX_VALUE))
        return left * right
    if isinstance(left, int) and isinstance(right, int) and right > 0 \
            and max(left.bit_length(), 1) * right > MAX_POWER_BITS:
        raise SecurityError(_("{left} ** {right} is too large a number").format(
                                left=left, right=right))
    return left**right


def check_call(obj: Any, args: tuple[Any, ...]) -> None:
    """``'x'.ljust(10**9)`` and the like: a padding width beyond MAX_VALUE is refused."""
    name = getattr(obj, "__name__", "")
    if name in PADDING and isinstance(getattr(obj, "__self__", None), str) \
            and any(isinstance(a, int) and a > MAX_VALUE for a in args):
        raise SecurityError(_("str.{name} wider than {max_value:,} characters").format(
                                name=name, max_value=MAX_VALUE))


def _raise_over_time(signum: int, frame: FrameType | None) -> None:
    raise OverTime


@contextmanager
def _alarm(seconds: float) -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread() \
            or not hasattr(signal, "setitimer"):
        yield
        return
    previous = signal.signal(signal.SIGALRM, _raise_over_time)
    signal.setitimer(signal.ITIMER_REAL, max(seconds, 0.001))
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@contextmanager
def _memory_cap(extra: int) -> Iterator[None]:
    """The process's address space capped at its present size plus ``extra`` bytes, where
    the system has such a limit (a filter like ``center(10**9)`` then fails, instead of
    taking the machine's memory). The cap is lifted again on the way out."""
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        size = int(_statm().split()[0]) * resource.getpagesize()
    except (ImportError, OSError, ValueError, AttributeError, IndexError):
        yield
        return
    cap = size + extra
    if hard != resource.RLIM_INFINITY:
        cap = min(cap, hard)
    if soft != resource.RLIM_INFINITY and soft <= cap:
        yield
        return
    global _capped
    resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
    _capped = True
    try:
        yield
    except MemoryError:
        raise OverMemory from None
    finally:
        _capped = False
        resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


# (the process id, its /proc/self/statm kept open, that file's device and inode)
_STATM: tuple[int, int, tuple[int, int]] | None = None


def _statm() -> bytes:
    """The process's ``/proc/self/statm``, read again from the file this process keeps
    open (opening it costs ten times the read, once per form); a forked child opens its
    own (``self`` is the process that opened it)."""
    global _STATM
    pid = os.getpid()
    if _STATM is not None and _STATM[0] == pid:
        try:  # still the file it opened (a descriptor closed elsewhere may be reused)
            status = os.fstat(_STATM[1])
            if (status.st_dev, status.st_ino) == _STATM[2]:
                return os.pread(_STATM[1], 256, 0)
        except OSError:
            pass
    # (the parent's, inherited, stays open: one descriptor more in a worker)
    fd = os.open("/proc/self/statm", os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
    status = os.fstat(fd)
    _STATM = (pid, fd, (status.st_dev, status.st_ino))
    return os.pread(fd, 256, 0)


@contextmanager
def limited(seconds: float, max_memory: int) -> Iterator[None]:
    """The time and memory limits around other work on company templates: compiling one
    evaluates its constant expressions (``'x'|center(10**9)``) there and then."""
    with _alarm(seconds), _memory_cap(max_memory):
        yield


def compiled(work: Callable[[], CodeType], seconds: float, max_memory: int) -> CodeType:
    """``work()`` (a template's compilation) within ``limited``: here when this is the
    process's only thread, else in a forked child, whose code (or what it raised: OverTime,
    OverMemory, the template's problem) comes back through a pipe, so that the address-space
    cap holds for that work alone. Where the child cannot tell (no fork, an exception that
    does not travel), the work is done here as in a process of one thread."""
    if threading.active_count() > 1 and hasattr(os, "fork"):
        answer = _in_child(work, seconds, max_memory)
        if answer is not None:
            if isinstance(answer, BaseException):
                raise answer
            return answer
    with limited(seconds, max_memory):
        return work()


def _in_child(work: Callable[[], CodeType], seconds: float,
              max_memory: int) -> CodeType | BaseException | None:
    """``work()`` under the limits in a forked child: its code, the exception it raised, or
    None when the child could not tell."""
    import marshal
    import pickle

    try:
        read_end, write_end = os.pipe()
    except OSError:
        return None
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # pragma: no cover - the child (its outcome is what the tests check)
        try:
            os.close(read_end)
            _write_all(write_end, _child_answer(work, seconds, max_memory))
        finally:  # the child ends here, unwinding nothing of the parent's (as lifeline's)
            os.kill(os.getpid(), signal.SIGKILL)
    os.close(write_end)
    try:
        data = _read_all(read_end, time.monotonic() + seconds + GRACE)
    finally:
        os.close(read_end)
        _reap(pid)
    if data is None:  # still running past its time limit (in code no signal stops)
        return OverTime()
    if not data:
        return None
    tag, value = pickle.loads(data)  # noqa: S301 - written by this process's own child
    if tag == "code":
        code: CodeType = marshal.loads(value)  # noqa: S302 - the same
        return code
    raised: BaseException = value
    return raised


def _child_answer(work: Callable[[], CodeType], seconds: float, max_memory: int) -> bytes:
    """What the child sends: ``("code", marshalled code)`` or ``("raise", exception)``, or
    nothing when the exception does not travel."""
    import marshal
    import pickle

    try:
        with limited(seconds, max_memory):
            code = work()
        return pickle.dumps(("code", marshal.dumps(code)))
    except BaseException as exc:  # noqa: BLE001 - every outcome goes to the parent
        try:
            data = pickle.dumps(("raise", exc))
            pickle.loads(data)  # noqa: S301 - it must come back whole
        except Exception:  # noqa: BLE001
            return b""
        return data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _read_all(fd: int, deadline: float) -> bytes | None:
    """Everything written to ``fd`` until its end; None at ``deadline``."""
    import select

    chunks: list[bytes] = []
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _unused, _unused = select.select([fd], [], [], left)
        if not ready:
            continue
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _reap(pid: int) -> None:
    """The child waited for; killed first when it still runs (past its time, an interrupt)."""
    import contextlib

    with contextlib.suppress(ChildProcessError):
        done, _status = os.waitpid(pid, os.WNOHANG)
        if done == 0:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


def render(template: Template, context: Mapping[str, Any], deadline: float,
           max_chars: int, max_memory: int) -> str:
    """``template.render(context)``, stopped by OverTime at ``deadline`` (time.monotonic),
    OverSize past ``max_chars`` characters of output, or OverMemory past ``max_memory``
    more bytes of memory."""
    with _alarm(deadline - time.monotonic()), _memory_cap(max_memory):
        return run(template, context, deadline, max_chars)


def run(template: Template, context: Mapping[str, Any], deadline: float, max_chars: int) -> str:
    """``template.render(context)`` within ``limited`` (the timer and memory cap set once for
    all the parts of a form): OverTime at ``deadline``, OverSize past ``max_chars``."""
    return "".join(pieces(template, context, deadline, max_chars))


def pieces(template: Template, context: Mapping[str, Any], deadline: float,
           max_chars: int) -> list[str]:
    """The pieces of output ``template.generate(context)`` yields (``run`` joins them), within
    the same limits.

    The pieces are taken a few at a time (the checks cost more than a piece otherwise); a
    piece is at most MAX_VALUE characters, so a few are far within the memory cap."""
    taken: list[str] = []
    written = 0
    # the template's own function, as ``generate`` runs it (one generator less per piece)
    generated = template.root_render_func(template.new_context(dict(context)))
    try:
        while True:
            try:
                batch = list(islice(generated, PIECES))
            except MemoryError:
                raise
            except Exception:  # noqa: BLE001 - raised again, as ``generate`` does
                template.environment.handle_exception()
                raise  # pragma: no cover - handle_exception raises
            if not batch:
                return taken
            written += sum(map(len, batch))
            if written > max_chars:
                raise OverSize
            if time.monotonic() > deadline:
                raise OverTime
            taken += batch
    except MemoryError:  # anywhere: in the template, or the pieces' list growing
        if _capped:  # the cap of ``limited`` was reached
            raise OverMemory from None
        raise
