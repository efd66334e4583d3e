"""A template compiled while other threads of the process run: in a child of its own under
the address-space cap (render/bounded.py), with the outcomes of a compilation here."""

from __future__ import annotations

import mmap
import os
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType

import pytest
from conftest import MINIMAL_COMPLAINT, Result
from test_render_safety import company_template

from qmsdoc.errors import TemplateProblem
from qmsdoc.render import bounded

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"),
    reason="the address-space cap is set where the system has RLIMIT_AS and /proc (Linux here)")

PATH = "records/complaints/2026/CC-2026-0001.yaml"
Run = Callable[..., Result]


@contextmanager
def another_thread() -> Iterator[None]:
    """A second thread of this process, alive meanwhile."""
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def where_compiled() -> CodeType:
    return compile(f"pid = {os.getpid()}", "<probe>", "exec")


def pid_of(code: CodeType) -> int:
    names: dict[str, int] = {}
    exec(code, {}, names)  # noqa: S102 - the test's own code
    return names["pid"]


def test_alone_the_process_compiles_itself() -> None:
    assert threading.active_count() == 1
    assert pid_of(bounded.compiled(where_compiled, 10, 1 << 30)) == os.getpid()


def test_beside_another_thread_a_child_compiles_and_its_code_comes_back() -> None:
    with another_thread():
        code = bounded.compiled(where_compiled, 10, 1 << 30)
    assert pid_of(code) != os.getpid()
    assert code.co_filename == "<probe>"


def test_the_cap_holds_in_the_child_not_for_the_other_threads() -> None:
    import resource

    before = resource.getrlimit(resource.RLIMIT_AS)
    allocated: list[int] = []

    def bomb() -> CodeType:
        bytearray(1 << 30)  # past the cap: MemoryError, said as OverMemory
        return where_compiled()

    with another_thread():
        with pytest.raises(bounded.OverMemory):
            bounded.compiled(bomb, 10, 64 << 20)
        with mmap.mmap(-1, 1 << 30) as room:  # this process was never capped
            allocated.append(len(room))
    assert allocated == [1 << 30]
    assert resource.getrlimit(resource.RLIMIT_AS) == before


def test_the_time_limit_holds_in_the_child() -> None:
    def endless() -> CodeType:
        while True:
            pass

    with another_thread(), pytest.raises(bounded.OverTime):
        bounded.compiled(endless, 0.2, 1 << 30)


def test_a_child_deaf_to_its_timer_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    import signal
    import time

    monkeypatch.setattr(bounded, "GRACE", 0.3)

    def deaf() -> CodeType:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(60)
        return where_compiled()

    started = time.monotonic()
    with another_thread(), pytest.raises(bounded.OverTime):
        bounded.compiled(deaf, 0.2, 1 << 30)
    assert time.monotonic() - started < 10


def test_what_the_compilation_raises_is_raised_here() -> None:
    def problem() -> CodeType:
        raise TemplateProblem("templates/complaint.docx: word/document.xml: template syntax "
                              "error: unexpected '}'")

    with another_thread(), pytest.raises(TemplateProblem) as raised:
        bounded.compiled(problem, 10, 1 << 30)
    assert str(raised.value) == ("templates/complaint.docx: word/document.xml: template "
                                 "syntax error: unexpected '}'")


def test_an_exception_that_cannot_travel_is_met_again_here() -> None:
    class Local(Exception):  # not picklable: a class inside a function
        pass

    pids: list[int] = []

    def fails() -> CodeType:
        pids.append(os.getpid())
        raise Local("x")

    with another_thread(), pytest.raises(Local):
        bounded.compiled(fails, 10, 1 << 30)
    assert pids == [os.getpid()]  # the child's append stayed in the child


@pytest.mark.parametrize("expression", ["{{ 'x'|center(150000000) }}"])
def test_a_template_bomb_compiled_beside_another_thread_is_stopped_as_alone(
        expression: str, run_cli: Run, repo: Path, write_record: Callable[..., Path]) -> None:
    write_record(repo, "qmsdoc.yaml", "limits:\n  template_memory_bytes: 200000000\n"
                 "  template_seconds: 60\n")
    write_record(repo, PATH, MINIMAL_COMPLAINT.format(id="CC-2026-0001"))
    company_template(repo, "{{ r.title }}", expression)
    alone = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    with another_thread():
        beside = run_cli("render", "--all", "--out", str(repo / "out"), repo=repo)
    assert (beside.exit_code, beside.output, beside.stderr) == (
        alone.exit_code, alone.output, alone.stderr)
    assert alone.exit_code == 2 and "compiling it needed more than 200 MB" in alone.stderr
