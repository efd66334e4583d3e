"""Git layer benchmark: GitPython (qmsdoc.git.cmd) against plain subprocess, as qmsdoc ran
git before.

Times, on the history benchmark's repository (10,000 records, 20,000 commits; built by
bench_history.py when missing):
  * starting: importing GitPython in a fresh interpreter,
  * finding the repository: `git rev-parse --show-toplevel` against GitPython's Repo,
  * a small git call (`rev-parse HEAD`) 200 times,
  * the one-pass history read (`git log` of every record, parsed),
  * `qmsdoc validate FILE`, `qmsdoc history ID` and `qmsdoc verify` as whole processes,
    with qmsdoc's git calls made by GitPython and by plain subprocess.

Usage: python bench/bench_git.py
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PYTHON = sys.executable


def timed(fn: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def plain_run(repo: Path, *args: str, config: dict[str, str] | None = None) -> bytes:
    """qmsdoc's git call before GitPython: one subprocess.run."""
    options = [part for key, value in (config or {}).items() for part in ("-c", f"{key}={value}")]
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C")
    env["GIT_TERMINAL_PROMPT"] = "0"
    proc = subprocess.run(["git", "-C", str(repo), *options, *args], capture_output=True,
                          env=env, check=True)
    return proc.stdout


def gitpython_toplevel(path: Path) -> Path | None:
    """Finding the repository with GitPython's Repo (qmsdoc keeps rev-parse, see below)."""
    import git

    found = git.Repo(path, search_parent_directories=True).working_tree_dir
    return Path(found) if found else None


def plain_toplevel(path: Path) -> Path:
    out = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"],
                         capture_output=True, check=True).stdout
    return Path(out.decode().strip())


def use_plain_subprocess() -> None:
    """Make qmsdoc run git as it did before GitPython (for whole-process comparisons)."""
    from qmsdoc.errors import GitError
    from qmsdoc.git import cmd

    def run(repo: Path, *args: str, check: bool = True, input_: bytes | None = None,
            config: dict[str, str] | None = None, env: dict[str, str] | None = None) -> bytes:
        options = [p for k, v in (config or {}).items() for p in ("-c", f"{k}={v}")]
        full = dict(os.environ)
        full.setdefault("LC_ALL", "C")
        full.update(env or {})
        proc = subprocess.run(["git", "-C", str(repo), *options, *args], input=input_,
                              capture_output=True, env=full)
        if check and proc.returncode != 0:
            raise GitError(f"git {args[0]}: {proc.stderr.decode().strip()}")
        return proc.stdout

    def toplevel(path: Path) -> Path | None:
        proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"],
                              capture_output=True)
        return Path(proc.stdout.decode().strip()) if proc.returncode == 0 else None

    cmd.run, cmd.toplevel = run, toplevel  # type: ignore[assignment]


RUNNER = ("import sys; sys.path[:0] = [{root!r}, {here!r}]; {patch}"
          "from qmsdoc.cli import main; main(prog_name='qmsdoc')")


def process(argv: list[str], cwd: Path, plain: bool) -> Callable[[], object]:
    patch = "import bench_git; bench_git.use_plain_subprocess(); " if plain else ""
    code = RUNNER.format(root=str(ROOT), here=str(HERE), patch=patch)
    return lambda: subprocess.run([PYTHON, "-c", code, *argv], cwd=cwd, capture_output=True)


def row(label: str, plain: float, gitpython: float, unit: str = "ms") -> None:
    scale = 1000 if unit == "ms" else 1
    change = (gitpython - plain) / plain * 100 if plain else 0.0
    print(f"  {label:<44} {plain * scale:9.2f} {gitpython * scale:11.2f} {unit}  {change:+6.1f}%")


def main() -> None:
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(HERE))
    import bench_history

    from qmsdoc.git import cmd, log

    work = bench_history.WORK
    if not (work / ".git").is_dir():
        bench_history.build()
    sub = work / "records" / "complaints"
    print(f"  {'':<44} {'subprocess':>9} {'GitPython':>11}")
    start_plain = timed(lambda: subprocess.run([PYTHON, "-c", "pass"], check=True))
    start_gp = timed(lambda: subprocess.run([PYTHON, "-c", "import git"], check=True))
    row("start an interpreter (+ import GitPython)", start_plain, start_gp)
    row("find the repository, 200 times", timed(lambda: [plain_toplevel(sub) for _ in range(200)]),
        timed(lambda: [gitpython_toplevel(sub) for _ in range(200)]))
    row("`git rev-parse HEAD`, 200 times",
        timed(lambda: [plain_run(work, "rev-parse", "HEAD") for _ in range(200)]),
        timed(lambda: [cmd.run(work, "rev-parse", "HEAD") for _ in range(200)]))
    info = log.probe(work)
    args = ["log", *log._LOG_OPTIONS, "HEAD"]
    row("one-pass `git log` of 20,000 commits (read)",
        timed(lambda: plain_run(work, *args, config=log._LOG_CONFIG)),
        timed(lambda: cmd.run(work, *args, config=log._LOG_CONFIG)), "s")
    row("the same, read and parsed (log.read_log)",
        timed(lambda: log.parse_log(plain_run(work, *args, config=log._LOG_CONFIG),
                                    info.prefix, log.RECORDS_PREFIX)),
        timed(lambda: log.read_log(info)), "s")
    one = "records/complaints/2020/CC-2020-0123.yaml"
    for label, argv, runs in (("`qmsdoc validate FILE` (whole process)", ["validate", one], 9),
                              ("`qmsdoc history ID` (whole process)",
                               ["history", "CC-2020-0123"], 5),
                              ("`qmsdoc verify` (whole process)", ["verify"], 3)):
        plain = timed(process(argv, work, True), runs)
        row(label, plain, timed(process(argv, work, False), runs), "ms")


if __name__ == "__main__":
    main()
