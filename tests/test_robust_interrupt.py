"""Clean interruption (issue 14): SIGTERM removes the temporary file being written, the
next run removes what a killed run left, and render workers die with their parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import MINIMAL_COMPLAINT
from test_render_safety import company_template

from qmsdoc import atomic

Run = Callable[..., object]
SLOW = ("{% for i in range(1000) %}{% for j in range(1000) %}{% endfor %}{% endfor %}"
        "{{ r.title }}")
linux_only = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _records(repo: Path, count: int) -> None:
    folder = repo / "records" / "complaints" / "2026"
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(1, count + 1):
        rid = f"CC-2026-{n:04d}"
        (folder / f"{rid}.yaml").write_text(MINIMAL_COMPLAINT.format(id=rid), "utf-8")


def _start(repo: Path, *args: str) -> subprocess.Popen[bytes]:
    """``qmsdoc render --all`` in a process of its own; stderr goes to repo/stderr.txt (a
    pipe would be held open by any worker that outlives it)."""
    with (repo / "stderr.txt").open("wb") as stderr:
        return subprocess.Popen([sys.executable, "-m", "qmsdoc", "--repo", str(repo), "render",
                                 "--all", "--out", str(repo / "out"), *args],
                                stdout=subprocess.DEVNULL, stderr=stderr)


def _wait_for(condition: Callable[[], bool], seconds: float = 30) -> None:
    end = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < end, "timed out"
        time.sleep(0.02)


def test_the_next_render_removes_temporary_files_a_killed_run_left(
        run_cli: Run, repo: Path) -> None:
    _records(repo, 1)
    out = repo / "out"
    out.mkdir()
    dead = out / f".CC-2026-0001.docx.{_dead_pid()}-k3x9q1.tmp"
    running = out / f".CC-2026-0002.docx.{os.getpid()}-a8b7c6.tmp"
    old = out / ".CC-2026-0003.docx.z1y2x3.tmp"  # written before temp names held a pid
    recent = out / ".CC-2026-0004.docx.w9v8u7.tmp"
    unrelated = out / "notes.tmp"
    for path in (dead, running, old, recent, unrelated):
        path.write_bytes(b"x" * 10)
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(old, (two_days_ago, two_days_ago))
    result = run_cli("render", "--all", "--out", str(out), repo=repo)
    assert result.exit_code == 0  # type: ignore[attr-defined]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["CC-2026-0001.docx", running.name, recent.name, unrelated.name])


def test_temporary_files_are_named_with_the_writing_process(tmp_path: Path) -> None:
    atomic.replace(tmp_path / "a.docx", b"x")
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]
    assert atomic.sweep(tmp_path) == []


@linux_only
def test_sigterm_during_render_exits_143_and_leaves_no_temporary_file(repo: Path) -> None:
    _records(repo, 60)
    company_template(repo, "{{ r.title }}", SLOW)
    proc = _start(repo, "-j", "1")
    _wait_for(lambda: (repo / "out").is_dir() and any((repo / "out").glob("*.docx")))
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=30) == 143
    assert (repo / "stderr.txt").read_text().splitlines()[-1] == "qmsdoc: terminated"
    assert not [p.name for p in (repo / "out").iterdir() if p.suffix == ".tmp"]


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


@linux_only
def test_render_workers_die_with_their_parent(repo: Path) -> None:
    _records(repo, 220)  # above the number of records rendered in workers
    company_template(repo, "{{ r.title }}", SLOW)
    proc = _start(repo, "-j", "4")
    workers: list[int] = []
    try:
        _wait_for(lambda: len([c for c in _children(proc.pid) if _running(c)]) >= 4)
        workers = _children(proc.pid)
        proc.kill()
        proc.wait()
        _wait_for(lambda: not any(_running(w) for w in workers), seconds=5)
    finally:
        proc.kill()
        proc.wait()
        for worker in workers:  # the ones this test started, should they have survived
            if _running(worker):
                os.kill(worker, signal.SIGKILL)
