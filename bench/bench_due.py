"""Benchmark: `qmsdoc due` over 10,000 complaint records (target: under 3 s).

Uses the records repository of bench_validate (bench/work/validate/, generated there once and
reused while its marker matches), then measures whole-process wall time of

  * qmsdoc --repo DIR due --format json      cold: an empty record cache (every file parsed)
  * the same, warm                            the cache filled by the run before (median of 3)
  * qmsdoc --repo DIR due --within 7          warm, text output

and prints a table with PASS/MISS next to the target. Targets are reported, not asserted; the
script exits non-zero only when a command fails unexpectedly.

Run: python bench/run.py due   (or directly: python bench/bench_due.py)
Env: QMSDOC_BENCH_N (default 10000), QMSDOC_BENCH_REPEAT (default 3).
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
TARGET_S = 3.0
TODAY = "2026-11-21T09:00"


def _bench_validate() -> Any:
    spec = importlib.util.spec_from_file_location("bench_validate", HERE / "bench_validate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look themselves up there
    spec.loader.exec_module(module)
    return module


def timed(cmd: list[str], repeat: int) -> tuple[list[float], subprocess.CompletedProcess[str]]:
    """Wall times of ``repeat`` runs of ``cmd`` (exit 0, or 1 when something is overdue)."""
    env = dict(os.environ, CI="1")
    env.pop("QMSDOC_REPO", None)
    times, proc = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
        times.append(time.perf_counter() - started)
        if proc.returncode not in (0, 1):
            raise RuntimeError(f"{' '.join(cmd)}: exit {proc.returncode}\n{proc.stderr[-2000:]}")
    assert proc is not None
    return times, proc


def main() -> int:
    bv: Any = _bench_validate()
    cache = bv.WORK / "due-cache"
    repeat = bv.REPEAT
    try:
        qmsdoc = bv.tool("qmsdoc")
        files = bv.generate()
        repo = str(bv.REPO)
        shutil.rmtree(cache, ignore_errors=True)
        os.environ["QMSDOC_CACHE_DIR"] = str(cache)
        command = [qmsdoc, "--repo", repo, "due", "--format", "json", "--today", TODAY]
        cold, proc = timed(command, 1)
        warm, proc = timed(command, repeat)
        text, _ = timed([qmsdoc, "--repo", repo, "due", "--within", "7", "--today", TODAY],
                        repeat)
        startup, _ = timed([qmsdoc, "--version"], 1)
        result = json.loads(proc.stdout)
        if result["records"] != len(files):
            raise RuntimeError(f"due read {result['records']} records, expected {len(files)}")
    except (bv.BenchError, RuntimeError) as exc:
        print(f"bench_due: FAILED: {exc}", file=sys.stderr)
        return 1
    finally:
        os.environ.pop("QMSDOC_CACHE_DIR", None)

    median = statistics.median(warm)
    verdict = "PASS" if median < TARGET_S else "MISS"
    print(f"repository: {len(files):,} complaint records; now = {TODAY}; "
          f"{result['open']:,} open clocks, {result['overdue']:,} overdue")
    print(f"yaml composer: {bv.yaml_composer()}")
    print(f"{'measure':<44} {'seconds':>8}  target")
    print(f"{'qmsdoc due, cold cache (parses every file)':<44} {cold[0]:>8.2f}  -")
    print(f"{f'qmsdoc due, warm cache (median of {len(warm)})':<44} {median:>8.2f}  "
          f"< {TARGET_S:.0f} s {verdict}")
    print(f"{'qmsdoc due --within 7, warm (median)':<44} {statistics.median(text):>8.2f}  -")
    print(f"{'qmsdoc --version (interpreter start-up)':<44} {startup[0]:>8.2f}  -")
    return 0


if __name__ == "__main__":
    _code = main()
    if _code:
        sys.exit(_code)
