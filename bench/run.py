"""Run every benchmark (bench/bench_*.py) in order and print their figures.

Usage: python bench/run.py [NAME ...]   e.g. python bench/run.py validate
Benchmarks write their scratch data under bench/work/ (git-ignored).
"""

from __future__ import annotations

import runpy
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main(argv: list[str]) -> int:
    scripts = sorted(HERE.glob("bench_*.py"))
    if argv:
        scripts = [s for s in scripts if s.stem.removeprefix("bench_") in argv]
    if not scripts:
        print("no benchmark matches", argv)
        return 2
    failed = []
    for script in scripts:
        print(f"== {script.stem.removeprefix('bench_')} ==", flush=True)
        started = time.perf_counter()
        try:
            runpy.run_path(str(script), run_name="__main__")
        except SystemExit as stop:  # a benchmark's own exit must not end the others
            if stop.code not in (None, 0):
                failed.append(script.stem)
        print(f"({time.perf_counter() - started:.1f} s)\n", flush=True)
    if failed:
        print("failed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
