"""History benchmark: 10,000 records in year folders, 20,000 commits.

Builds bench/work/history-repo with `git fast-import` (seconds, not minutes), then times:
  * the history of every record at once (qmsdoc.history.states.load_states, in-process),
  * `qmsdoc history ID` for one record (the whole process, as a user runs it),
    without and with commit-graph changed-path Bloom filters,
  * GitPython's per-file `iter_commits(paths=...)` for 100 records, extrapolated to 10,000.
Targets (issue 4): whole repository < 5 s, one record < 1 s.

Usage: python bench/bench_history.py [--rebuild]
"""

from __future__ import annotations

import hashlib
import random
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work" / "history-repo"
QMSDOC = ROOT / ".venv" / "bin" / "qmsdoc"
N_RECORDS = 10_000
N_COMMITS = 20_000
YEARS = range(2016, 2026)
EPOCH = 1_451_606_400  # 2016-01-01T00:00:00Z

PEOPLE = {
    "li.ming": ("李明", "li.ming@mingyuan.example"),
    "wang.fang": ("王芳", "wang.fang@mingyuan.example"),
    "sun.li": ("孙立", "sun.li@mingyuan.example"),
    "zhao.lei": ("赵磊", "zhao.lei@mingyuan.example"),
}
CONFIG = """\
company: {name: 明远精密制造有限公司}
customers:
  - {code: HXAUTO, name: 华信汽车部件有限公司}
roster:
  - {key: li.ming, name: 李明, email: li.ming@mingyuan.example, department: quality, roles: [quality_engineer]}
  - {key: wang.fang, name: 王芳, email: wang.fang@mingyuan.example, department: quality, roles: [quality_manager]}
  - {key: sun.li, name: 孙立, email: sun.li@mingyuan.example, department: gm_office, roles: [general_manager]}
  - {key: zhao.lei, name: 赵磊, email: zhao.lei@mingyuan.example, department: sales, roles: [sales, sales_manager]}
"""

RECORD = """\
kind: {kind}
id: {id}
title: 支架R角开裂，客户总装线拧紧时断裂停线 {n}
customer: HXAUTO
received_at: {year}-03-04T09:40:00+08:00
category: quality
severity: general
status: registered
product:
  part_no: "{part}"
  name: 电池托架安装支架
description: >-
  {text}
"""
FILLER = ("客户来料检验发现支架R角开裂，抽检200件中发现3件，不良率1.5%。已隔离在库及在途产品，"
          "安排100%全检；分析冲压模具R角磨损与材料延伸率偏低的共同作用。") * 10

KINDS = [("complaint", "complaints", "CC", 5000), ("8d", "8d", "8D", 2500),
         ("contract-review", "contract-reviews", "CR", 2400)]


def record_paths() -> list[tuple[str, str, str]]:
    """(kind, record id, path) of the 10,000 records: year folders, ~250–500 per folder."""
    result = []
    for kind, folder, prefix, count in KINDS:
        per_year = count // len(YEARS)
        for year in YEARS:
            for serial in range(1, per_year + 1):
                rid = f"{prefix}-{year}-{serial:04d}"
                result.append((kind, rid, f"records/{folder}/{year}/{rid}.yaml"))
    for n in range(N_RECORDS - len(result)):
        rid = f"CSR-C{n:03d}"
        result.append(("special-requirements", rid, f"records/special-requirements/{rid}.yaml"))
    return result


def content(kind: str, rid: str, version: int) -> bytes:
    year = rid.split("-")[1] if rid[:3] != "CSR" else "2026"
    text = RECORD.format(kind=kind, id=rid, n=version, year=year, part=f"{hash(rid) % 10**7:07d}",
                         text=FILLER + f" 第{version}版。")
    return text.encode("utf-8")


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def events(rng: random.Random) -> Iterator[tuple[str, str, str, str, int]]:
    """(action, who, kind, id, version) in history order: every record created, 3,000 of them
    reviewed and approved (A), 4,000 later changes (drafts), 20,000 commits with the config."""
    records = record_paths()
    released = set(rng.sample(range(len(records)), 3000))
    changed = [rng.randrange(len(records)) for _ in range(N_COMMITS - 1 - len(records) - 6000)]
    later: dict[int, list[int]] = {}
    for idx in changed:
        later.setdefault(min(len(records) - 1, idx + rng.randrange(1, 400)), []).append(idx)
    versions = [1] * len(records)
    for i, (kind, rid, _path) in enumerate(records):
        yield "create", "li.ming", kind, rid, 1
        if i in released:
            yield "review", "wang.fang", kind, rid, 1
            yield "approve", "sun.li", kind, rid, 1
        for idx in later.get(i, []):
            versions[idx] += 1
            kind2, rid2, _ = records[idx]
            yield "change", "zhao.lei", kind2, rid2, versions[idx]


def fast_import_stream(rng: random.Random) -> Iterator[bytes]:
    paths = {rid: path for _kind, rid, path in record_paths()}
    blobs: dict[str, str] = {}
    when = EPOCH

    def commit(who: str, message: str, files: dict[str, bytes]) -> bytes:
        nonlocal when
        when += 3600
        name, email = PEOPLE[who]
        msg = message.encode("utf-8")
        out = [b"commit refs/heads/main\n",
               f"author {name} <{email}> {when} +0800\n".encode(),
               f"committer {name} <{email}> {when} +0800\n".encode(),
               b"data %d\n" % len(msg), msg, b"\n"]
        for path, data in files.items():
            out += [f"M 100644 inline {path}\n".encode(), b"data %d\n" % len(data), data, b"\n"]
        return b"".join(out)

    yield commit("li.ming", "Configuration\n", {"qmsdoc.yaml": CONFIG.encode("utf-8")})
    for action, who, kind, rid, version in events(rng):
        if action in ("create", "change"):
            data = content(kind, rid, version)
            blobs[rid] = blob_id(data)
            verb = "New" if action == "create" else "Update"
            yield commit(who, f"{verb} {rid}\n", {paths[rid]: data})
        else:
            yield commit(who, f"{action.capitalize()} {rid} ({action})\n\nApproval: {action}\n"
                              f"Record: {rid}\nRecord-Blob: {blobs[rid]}\n", {})


def git(*args: str, input_: bytes | None = None) -> str:
    proc = subprocess.run(["git", "-C", str(WORK), *args], input=input_, capture_output=True,
                          check=True)
    return proc.stdout.decode()


def build() -> None:
    if WORK.exists():
        shutil.rmtree(WORK)
    WORK.mkdir(parents=True)
    git("init", "-q", "-b", "main")
    git("config", "commit.gpgsign", "false")
    started = time.perf_counter()
    stream = b"".join(fast_import_stream(random.Random(4)))
    git("fast-import", "--quiet", input_=stream)
    git("reset", "-q", "--hard", "main")
    count = int(git("rev-list", "--count", "HEAD"))
    files = int(git("ls-files", "records").count("\n"))
    print(f"built {files:,} records, {count:,} commits in {time.perf_counter() - started:.1f} s"
          f" ({len(stream) / 1e6:.0f} MB fast-import stream)")


def timed(label: str, fn: Callable[[], object], runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    best, median = min(times), statistics.median(times)
    print(f"  {label:<58} {median:7.3f} s  (best {best:.3f}, {runs} runs)")
    return median


def main(argv: list[str]) -> None:
    sys.path.insert(0, str(ROOT))
    from qmsdoc import config as qconfig
    from qmsdoc.git import log as gitlog
    from qmsdoc.history.states import load_states

    if "--rebuild" in argv or not (WORK / ".git").is_dir():
        build()
    git("commit-graph", "write", "--reachable", "--no-changed-paths")  # start without Bloom
    shutil.rmtree(WORK / ".git" / "objects" / "info" / "commit-graphs", ignore_errors=True)
    (WORK / ".git" / "objects" / "info" / "commit-graph").unlink(missing_ok=True)
    cfg = qconfig.load(WORK)
    info = gitlog.probe(WORK)
    one = "CC-2020-0123"
    print("without commit-graph:")
    timed("git log pass + parse (gitlog.read_log)", lambda: gitlog.read_log(info))
    whole = timed("history of all 10,000 records (load_states)", lambda: load_states(WORK, cfg))
    states = load_states(WORK, cfg)
    counts = {s: sum(1 for x in states.values() if x.state == s)
              for s in ("released", "draft", "uncontrolled")}
    print(f"    states: {counts}")
    single = [timed(f"`qmsdoc history {one}` (whole process)",
                    lambda: subprocess.run([str(QMSDOC), "--repo", str(WORK), "history", one],
                                           check=True, capture_output=True))]
    gp = gitpython(states)
    git("commit-graph", "write", "--reachable", "--changed-paths")
    print("with commit-graph and changed-path Bloom filters:")
    whole_bloom = timed("history of all 10,000 records (load_states)",
                        lambda: load_states(WORK, cfg))
    single.append(timed(f"`qmsdoc history {one}` (whole process)",
                        lambda: subprocess.run([str(QMSDOC), "--repo", str(WORK), "history", one],
                                               check=True, capture_output=True)))
    timed("`qmsdoc verify` (whole process)",
          lambda: subprocess.run([str(QMSDOC), "--repo", str(WORK), "verify"], check=True,
                                 capture_output=True), runs=1)
    print(f"whole repository: {whole:.2f} s / {whole_bloom:.2f} s with Bloom filters "
          f"(target < 5 s); one record: {single[0]:.2f} s / {single[1]:.2f} s (target < 1 s); "
          f"GitPython per file, extrapolated: {gp:.0f} s")


def gitpython(states: dict[str, object]) -> float:
    import git as gitpython_module  # GitPython

    repo = gitpython_module.Repo(WORK)
    sample = random.Random(7).sample(sorted(states), 100)
    paths = [states[rid].path for rid in sample]  # type: ignore[attr-defined]
    started = time.perf_counter()
    for path in paths:
        list(repo.iter_commits("HEAD", paths=path))
    elapsed = time.perf_counter() - started
    total = elapsed * N_RECORDS / len(paths)
    print(f"  GitPython iter_commits(paths=...) for 100 records: {elapsed:.2f} s "
          f"→ {total:.0f} s extrapolated to {N_RECORDS:,} (changes only, no approvals)")
    return total


if __name__ == "__main__":
    main(sys.argv[1:])
