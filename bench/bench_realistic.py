"""Benchmark: qmsdoc on realistic records, each figure beside the peer and the floor, one run.

Builds (once; reused while the marker matches) bench/work/realistic/: the project's own sample
complaints (qmsdoc/builtin/example/records/complaints/2026/CC-2026-0001 and -0002, 180-230
lines each) cloned N times (default 9,000) with varied ids, part numbers, customers, customer
complaint numbers, quantities and dates (every date of a clone shifted by the same number of
days, so the order of events stays valid), each with its attachments (hard links), committed
to git. Then measures, in one run:

  validate   qmsdoc -q validate (whole process, default jobs: the second run finds the
             check cache the first one left; again with no cache, and -j 1 with no cache),
             and with --changed-since HEAD after editing one record
             peer:  check-jsonschema --base-uri (per record, on a subset: it is slow)
             floor: libyaml tokenizing every file on one core (yaml.parse, CSafeLoader);
                    rapidyaml parsing every file (ryml.parse_in_arena)
  render     qmsdoc render of 1,000 forms (whole process)
             peer:  python-docx open+save of the same template, per form
  history    qmsdoc history ID and qmsdoc verify on bench/work/realistic-history: the same
             clones committed over 20,000 commits (created with their attachments, edited,
             reviewed and approved with Record-Blob and Attachments trailers, a third
             corrected and released again; a few approved roster changes; year folders)
             (history ID: the first run writes the Bloom filters and the approvals index, the
             others read them; once more with QMSDOC_CACHE_DIR=off. verify: the first run
             with no cache, then again with the cache the first one left)
             peer:  git log printing every commit message once
             floor: git alone reading what verify with no cache reads (the log with each
                    commit's changes, every approved content)
  due        qmsdoc due without cache, on the N realistic records
             floor: libyaml tokenizing, as above

and prints one table with the ratio that issue 15's "Done when" names beside each figure.
Nothing is asserted: the figures are reported. Timings are wall seconds, best of REPEAT.

Run: python bench/run.py realistic   (make bench)
Env: QMSDOC_BENCH_N (default 9000), QMSDOC_BENCH_REPEAT (default 2),
     QMSDOC_BENCH_PEER_N (check-jsonschema subset, default 300).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
WORK = HERE / "work"
REPO = WORK / "realistic"
MARKER = WORK / "realistic.marker.json"
SAMPLES = ROOT / "qmsdoc" / "builtin" / "example" / "records"
SOURCES = ("CC-2026-0001", "CC-2026-0002")
CONFIG = ROOT / "qmsdoc.yaml"
TEMPLATE = ROOT / "templates" / "complaint.docx"

N = int(os.environ.get("QMSDOC_BENCH_N", "9000"))
REPEAT = max(1, int(os.environ.get("QMSDOC_BENCH_REPEAT", "2")))
PEER_N = int(os.environ.get("QMSDOC_BENCH_PEER_N", "300"))
RENDER_N = 1000
DOCX_N = 20
SEED = 20261207
VERSION = 1  # bump when the generated content changes
TODAY = "2026-12-07T09:00"
CUSTOMERS = {"HXAUTO": "HX", "LDEV": "LD", "NONGFENG": "NF"}
DATE = re.compile(r"\b(20[0-9]{2})-([01][0-9])-([0-3][0-9])")


class BenchError(Exception):
    pass


def tool(name: str) -> str:
    candidate = Path(sys.executable).parent / name
    if candidate.is_file():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise BenchError(f"{name} is not installed")
    return found


CPU: dict[str, float] = {}  # render, history, verify and their peers: CPU seconds, best run
_last_cpu = 0.0  # user + system seconds of the last ``run`` (the process and its children)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(cmd: list[str], *, ok: tuple[int, ...] = (0,), cwd: Path | None = None,
        cache: str | None = None) -> float:
    """Wall seconds of ``cmd``; ``cache`` sets QMSDOC_CACHE_DIR (None: the default)."""
    global _last_cpu
    env = dict(os.environ, CI="1")
    env.pop("QMSDOC_REPO", None)
    env.pop("QMSDOC_CACHE_DIR", None)
    if cache is not None:
        env["QMSDOC_CACHE_DIR"] = cache
    cpu = _children_cpu()
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=cwd)
    elapsed = time.perf_counter() - started
    _last_cpu = _children_cpu() - cpu
    if proc.returncode not in ok:
        raise BenchError(f"{' '.join(cmd[:8])}: exit {proc.returncode}\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def best(fn: Callable[[], float], repeat: int = REPEAT) -> float:
    return min(fn() for _ in range(repeat))


def best_cpu(name: str, fn: Callable[[], float], repeat: int = REPEAT) -> float:
    """``best`` of commands run through ``run``; their least CPU time goes to CPU[name]."""
    walls, cpus = [], []
    for _ in range(repeat):
        walls.append(fn())
        cpus.append(_last_cpu)
    CPU[name] = min(cpus)
    return min(walls)


def git(*args: str, repo: Path = REPO) -> str:
    proc = subprocess.run(["git", "-C", str(repo), "-c", "user.name=bench",
                           "-c", "user.email=bench@example.invalid", "-c", "commit.gpgsign=false",
                           *args], capture_output=True, text=True, check=True)
    return proc.stdout


# --------------------------------------------------------------------------------------------
# the records: the samples, cloned and varied
# --------------------------------------------------------------------------------------------


def clone(text: str, source: str, rid: str, shift: int, rng: random.Random) -> str:
    """One varied copy of a sample complaint: id, customer, part, quantities, dates."""
    code = rng.choice(list(CUSTOMERS))

    def moved(match: re.Match[str]) -> str:
        day = date(int(match[1]), int(match[2]), int(match[3])) - timedelta(days=shift)
        return day.isoformat()

    text = DATE.sub(moved, text)
    text = re.sub(r"(?m)^eightd: .*\n", "", text)  # the 8D is not cloned with it
    text = text.replace(source, rid)
    text = re.sub(r"(?m)^customer: .*$", f"customer: {code}", text)
    text = re.sub(r"(?m)^customer_complaint_no: .*$",
                  f"customer_complaint_no: {CUSTOMERS[code]}-QN-{rid[3:7]}-{rid[-4:]}", text)
    text = re.sub(r"(?m)^(\s+part_no: ).*$",
                  lambda m: f'{m[1]}"{rng.randrange(10000, 9999999):07d}"', text)
    text = re.sub(r"(?m)^(\s+qty_delivered: )[0-9]+$",
                  lambda m: f"{m[1]}{rng.randrange(20, 400) * 100}", text)
    return re.sub(r"(?m)^(title: )(.*)$", lambda m: f"{m[1]}{m[2]} ({rid})", text)


def fingerprint() -> str:
    h = hashlib.sha256(f"v{VERSION} n={N} seed={SEED}".encode())
    source = Path(__file__).read_text("utf-8")
    h.update(source[source.index("def clone"):source.index("def fingerprint")].encode())
    for name in SOURCES:
        h.update((SAMPLES / "complaints" / "2026" / f"{name}.yaml").read_bytes())
    h.update(CONFIG.read_bytes())
    return h.hexdigest()


def generate() -> list[Path]:
    wanted = fingerprint()
    if MARKER.is_file() and (REPO / ".git").is_dir():
        marker = json.loads(MARKER.read_text())
        if marker.get("fingerprint") == wanted and \
                git("rev-parse", "HEAD").strip() == marker.get("head"):
            git("checkout", "-q", "--", "records")
            print(f"reusing {len(marker['files']):,} records in {REPO.relative_to(ROOT)}")
            return [REPO / p for p in marker["files"]]
    started = time.perf_counter()
    shutil.rmtree(REPO, ignore_errors=True)
    (REPO / "records").mkdir(parents=True)
    shutil.copyfile(CONFIG, REPO / "qmsdoc.yaml")
    shutil.copytree(SAMPLES / "special-requirements", REPO / "records" / "special-requirements")
    texts = {s: (SAMPLES / "complaints" / "2026" / f"{s}.yaml").read_text("utf-8")
             for s in SOURCES}
    rng = random.Random(SEED)
    serial: dict[str, int] = {}
    files: list[Path] = []
    for i in range(N):
        source = SOURCES[i % len(SOURCES)]
        shift = rng.randrange(0, 5 * 365)
        received = DATE.search(texts[source].split("received_at:", 1)[1])
        assert received is not None
        year = (date(int(received[1]), int(received[2]), int(received[3]))
                - timedelta(days=shift)).year
        serial[str(year)] = serial.get(str(year), 0) + 1
        rid = f"CC-{year}-{serial[str(year)]:04d}"
        path = REPO / "records" / "complaints" / str(year) / f"{rid}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(clone(texts[source], source, rid, shift, rng), "utf-8")
        files.append(path)
        folder = REPO / "records" / "attachments" / rid
        folder.mkdir(parents=True)
        for attachment in (SAMPLES / "attachments" / source).iterdir():
            os.link(attachment, folder / attachment.name)
    sizes = sorted(p.stat().st_size for p in files)
    lines = sorted(p.read_bytes().count(b"\n") for p in files[:200])
    print(f"generated {len(files):,} records in {time.perf_counter() - started:.1f} s "
          f"(median {sizes[len(sizes) // 2] / 1024:.1f} KB, {lines[len(lines) // 2]} lines)")
    git("init", "-q", "-b", "main")
    git("add", "-A")
    git("commit", "-q", "-m", f"{N} complaint records cloned from the samples")
    MARKER.write_text(json.dumps({"fingerprint": wanted, "head": git("rev-parse", "HEAD").strip(),
                                  "files": [p.relative_to(REPO).as_posix() for p in files]}))
    return files


# --------------------------------------------------------------------------------------------
# the floor, the peers, qmsdoc
# --------------------------------------------------------------------------------------------


def libyaml_tokenizing(files: list[Path]) -> float:
    import yaml  # the floor: libyaml's event stream, nothing built

    loader = yaml.CSafeLoader
    started = time.perf_counter()
    for path in files:
        for _ in yaml.parse(path.read_text("utf-8"), Loader=loader):
            pass
    return time.perf_counter() - started


def rapidyaml_parsing(files: list[Path]) -> float:
    import ryml

    started = time.perf_counter()
    for path in files:
        ryml.parse_in_arena(path.read_bytes())
    return time.perf_counter() - started


def check_jsonschema(files: list[Path]) -> float:
    """check-jsonschema on a subset, with --base-uri so the relative $refs resolve."""
    subset = random.Random(SEED).sample(files, min(PEER_N, len(files)))
    schemas = REPO / "schemas"
    shutil.rmtree(schemas, ignore_errors=True)
    shutil.copytree(ROOT / "qmsdoc" / "builtin" / "schemas", schemas)
    cmd = [tool("check-jsonschema"), "--schemafile", str(schemas / "complaint.schema.json"),
           "--base-uri", schemas.as_uri() + "/", *map(str, subset)]
    try:
        return run(cmd) / len(subset)
    finally:
        shutil.rmtree(schemas, ignore_errors=True)


def changed_since(qmsdoc: str, files: list[Path]) -> tuple[float, float]:
    """--changed-since HEAD with one record changed: cold (no facts cache: every file is
    looked through) and warm (the facts cache a whole validate left in .git/qmsdoc)."""
    path = files[len(files) // 2]
    original = path.read_bytes()
    path.write_bytes(original.replace(b"\ntitle: ", "\ntitle: （复核）".encode(), 1))
    cmd = [qmsdoc, "--repo", str(REPO), "-q", "validate", "--changed-since", "HEAD"]
    try:
        cold = best(lambda: run(cmd, cache="off"))
        warm = best(lambda: run(cmd))
        return cold, warm
    finally:
        path.write_bytes(original)


def python_docx_open_save() -> float:
    import docx

    cpu = time.process_time()
    started = time.perf_counter()
    for _ in range(DOCX_N):
        docx.Document(str(TEMPLATE)).save(io.BytesIO())
    CPU["python-docx"] = (time.process_time() - cpu) / DOCX_N
    return (time.perf_counter() - started) / DOCX_N


def render(qmsdoc: str, files: list[Path]) -> float:
    out = WORK / "realistic-out"
    ids = [p.stem for p in files[:RENDER_N]]

    def once() -> float:
        shutil.rmtree(out, ignore_errors=True)
        return run([qmsdoc, "--repo", str(REPO), "render", "--out", str(out), *ids])

    try:
        wall = best_cpu("render", once, 1) / len(ids)
        CPU["render"] /= len(ids)
        return wall
    finally:
        shutil.rmtree(out, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# the history: the same clones, committed over 20,000 commits as a team works
# --------------------------------------------------------------------------------------------

HISTORY = WORK / "realistic-history"
HISTORY_MARKER = WORK / "realistic-history.marker.json"
HISTORY_COMMITS = 20_000
HISTORY_VERSION = 1  # bump when the generated history changes
PREPARERS = ("li.ming", "zhao.lei")  # write and edit the complaints
REVIEWER, APPROVER = "wang.fang", "sun.li"  # quality_manager, general_manager
EMAIL = "{}@mingyuan.example"
NAMES = {"li.ming": "李明", "zhao.lei": "赵磊", "wang.fang": "王芳", "sun.li": "孙立"}
ROSTER_END = "department: gm_office, position: 总经理, roles: [general_manager]}\n"


def blob_id(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


@dataclass
class Step:
    """One commit of the generated history, before it is written."""

    when: int  # seconds since the epoch
    order: int  # ties: in the order the steps were planned
    who: str
    message: str
    files: dict[str, bytes]


def _date_seconds(day: date, hour: int) -> int:
    return int((day - date(1970, 1, 1)).total_seconds()) + (hour - 8) * 3600


def history_plan(rng: random.Random) -> tuple[list[Step], str]:
    """The steps: the configuration and a few approved roster changes; complaints created with
    their attachments by a quality engineer or sales, edited, reviewed by the quality manager
    and approved by the general manager (with the Record-Blob and Attachments trailers), a
    third of them changed after release and released again. Year folders, dates of each
    clone's own events. Returns the steps and the id of a record released twice."""
    sys.path.insert(0, str(ROOT))
    from qmsdoc.history.coverage import attachment_paths, digest

    texts = {s: (SAMPLES / "complaints" / "2026" / f"{s}.yaml").read_text("utf-8")
             for s in SOURCES}
    media = {s: {p.name: p.read_bytes() for p in (SAMPLES / "attachments" / s).iterdir()}
             for s in SOURCES}
    config = CONFIG.read_text("utf-8")
    steps: list[Step] = []
    start = date(2021, 1, 4)
    steps.append(Step(_date_seconds(start, 9), 0, "li.ming", "质量记录库: 配置与人员名册\n",
                      {"qmsdoc.yaml": config.encode("utf-8")}))
    serial: dict[int, int] = {}
    twice = ""
    n = 0
    while len(steps) < HISTORY_COMMITS:
        source = SOURCES[n % len(SOURCES)]
        shift = rng.randrange(0, 5 * 365)
        first = DATE.search(texts[source].split("received_at:", 1)[1])
        assert first is not None
        received = date(int(first[1]), int(first[2]), int(first[3])) - timedelta(days=shift)
        serial[received.year] = serial.get(received.year, 0) + 1
        rid = f"CC-{received.year}-{serial[received.year]:04d}"
        path = f"records/complaints/{received.year}/{rid}.yaml"
        text = clone(texts[source], source, rid, shift, rng)
        text = text.replace(f"attachments/{source}/", f"attachments/{rid}/")
        last = max(date(int(m[1]), int(m[2]), int(m[3])) for m in DATE.finditer(text))
        files = {f"records/attachments/{rid}/{name}": data
                 for name, data in media[source].items()}
        blobs = {p: blob_id(d) for p, d in files.items()}
        author = PREPARERS[n % 2]
        order = len(steps)
        steps.append(Step(_date_seconds(received, 10), order, author, f"New {rid}\n",
                          {path: text.encode("utf-8"), **files}))
        edits = rng.randrange(0, 4)
        for k in range(edits):  # the investigation filled in over the following days
            text = re.sub(r"(?m)^(title: .*)$", rf"\1（补充{k + 1}）", text, count=1)
            when = received + timedelta(days=min(2 + 3 * k, max(1, (last - received).days)))
            steps.append(Step(_date_seconds(when, 14), order + k + 1, author,
                              f"Update {rid}: investigation\n", {path: text.encode("utf-8")}))
        releases = 2 if rng.random() < 0.33 else 1
        released_at = last + timedelta(days=1)
        for release in range(releases):
            if release:  # a correction after release: a new content, reviewed and approved
                text = re.sub(r"(?m)^(title: .*)$", r"\1（更正）", text, count=1)
                released_at += timedelta(days=3)
                steps.append(Step(_date_seconds(released_at, 9), order + 10, author,
                                  f"Update {rid}: correction after release\n",
                                  {path: text.encode("utf-8")}))
                twice = twice or rid
            raw = text.encode("utf-8")
            covers = digest({p: blobs.get(p) for p in attachment_paths(raw)})
            for action, who, hour in (("review", REVIEWER, 11), ("approve", APPROVER, 16)):
                trailer = f"\nAttachments: {covers}" if covers else ""
                verb = "Review" if action == "review" else "Approve"
                steps.append(Step(
                    _date_seconds(released_at, hour), order + 11 + release * 2, who,
                    f"{verb} {rid} ({action})\n\nApproval: {action}\nRecord: {rid}\n"
                    f"Record-Blob: {blob_id(raw)}{trailer}\n", {}))
        n += 1
    # the roster grows a few times over the years; each change approved by the general manager
    for k in range(5):
        day = start + timedelta(days=300 * (k + 1))
        config = config.replace(ROSTER_END, ROSTER_END + (
            f"  - {{key: qe.{k}, name: 质量工程师{k}, email: qe.{k}@mingyuan.example, "
            "department: quality, position: 品质工程师, roles: [quality_engineer]}\n"), 1)
        raw = config.encode("utf-8")
        steps.append(Step(_date_seconds(day, 9), -1, "li.ming", f"名册: 质量工程师{k}\n",
                          {"qmsdoc.yaml": raw}))
        steps.append(Step(_date_seconds(day, 15), -1, APPROVER,
                          f"Approve qmsdoc.yaml (approve)\n\nApproval: approve\n"
                          f"Record: qmsdoc.yaml\nRecord-Blob: {blob_id(raw)}\n", {}))
    steps.sort(key=lambda s: (s.when, s.order))
    return steps[:HISTORY_COMMITS], twice


def history_stream(steps: list[Step]) -> bytes:
    out: list[bytes] = []
    marks: dict[str, int] = {}
    for step in steps:
        for data in step.files.values():
            key = blob_id(data)
            if key not in marks:
                marks[key] = len(marks) + 1
                out += [b"blob\nmark :%d\n" % marks[key], b"data %d\n" % len(data), data, b"\n"]
        email = EMAIL.format(step.who)
        who = f"{NAMES[step.who]} <{email}> {step.when} +0800\n".encode()
        msg = step.message.encode("utf-8")
        out += [b"commit refs/heads/main\n", b"author " + who, b"committer " + who,
                b"data %d\n" % len(msg), msg, b"\n"]
        out += [f"M 100644 :{marks[blob_id(d)]} {p}\n".encode() for p, d in step.files.items()]
        out.append(b"\n")
    return b"".join(out)


def history_fingerprint() -> str:
    h = hashlib.sha256(f"v{HISTORY_VERSION} c={HISTORY_COMMITS} seed={SEED}".encode())
    source = Path(__file__).read_text("utf-8")
    h.update(source[source.index("def clone"):source.index("def fingerprint")].encode())
    h.update(source[source.index("def history_plan"):source.index("def history_fingerprint")]
             .encode())
    for name in SOURCES:
        h.update((SAMPLES / "complaints" / "2026" / f"{name}.yaml").read_bytes())
    h.update(CONFIG.read_bytes())
    return h.hexdigest()


def build_history() -> str:
    """bench/work/realistic-history (reused while its marker matches); the id of a record
    released twice, whose history is timed."""
    wanted = history_fingerprint()
    if HISTORY_MARKER.is_file() and (HISTORY / ".git").is_dir():
        marker = json.loads(HISTORY_MARKER.read_text())
        if marker.get("fingerprint") == wanted and \
                git("rev-parse", "HEAD", repo=HISTORY).strip() == marker.get("head"):
            print(f"reusing {HISTORY_COMMITS:,} commits in {HISTORY.relative_to(ROOT)}")
            return str(marker["record"])
    started = time.perf_counter()
    steps, record = history_plan(random.Random(SEED))
    shutil.rmtree(HISTORY, ignore_errors=True)
    HISTORY.mkdir(parents=True)
    git("init", "-q", "-b", "main", repo=HISTORY)
    stream = history_stream(steps)
    subprocess.run(["git", "-C", str(HISTORY), "fast-import", "--quiet"], input=stream,
                   check=True, capture_output=True)
    git("reset", "-q", "--hard", "main", repo=HISTORY)
    count = int(git("rev-list", "--count", "HEAD", repo=HISTORY))
    files = git("ls-files", "records/complaints", repo=HISTORY).count("\n")
    print(f"generated {count:,} commits of {files:,} complaints in "
          f"{time.perf_counter() - started:.1f} s")
    HISTORY_MARKER.write_text(json.dumps({"fingerprint": wanted, "record": record,
                                          "head": git("rev-parse", "HEAD", repo=HISTORY)
                                          .strip()}))
    return record


@dataclass
class HistoryTimes:
    log: float  # the peer: git log printing every commit message once
    first: float  # history ID on a fresh clone: writes the Bloom filters and its index
    one: float  # history ID again
    uncached: float  # history ID with QMSDOC_CACHE_DIR=off (the Bloom filters are git's)
    verify: float  # the first verify, no cache
    warm: float  # verify again: the parsed log and contents from its cache
    floor: float = 0.0  # git alone reading what the first verify needs (verify_floor)


def history(qmsdoc: str) -> HistoryTimes:
    record = build_history()
    repo = HISTORY
    graphs = repo / ".git" / "objects" / "info"
    (graphs / "commit-graph").unlink(missing_ok=True)  # as a fresh clone has it
    shutil.rmtree(graphs / "commit-graphs", ignore_errors=True)
    shutil.rmtree(repo / ".git" / "qmsdoc", ignore_errors=True)  # no cache from an earlier run
    log = best_cpu("git log", lambda: run(["git", "-C", str(repo), "log", "--format=%H%n%B"]))
    history_cmd = [qmsdoc, "--repo", str(repo), "history", record]
    first = run(history_cmd)  # writes the commit-graph with Bloom filters
    one = best_cpu("history", lambda: run(history_cmd))
    uncached = best_cpu("history, no cache", lambda: run(history_cmd, cache="off"))
    verify_cmd = [qmsdoc, "--repo", str(repo), "verify"]
    verify = best_cpu("verify", lambda: run(verify_cmd, ok=(0, 1)), 1)  # the first: cold
    warm = best_cpu("verify, warm", lambda: run(verify_cmd, ok=(0, 1)))
    floor = best_cpu("verify floor", verify_floor(repo))
    return HistoryTimes(log, first, one, uncached, verify, warm, floor)


def verify_floor(repo: Path) -> Callable[[], float]:
    """git alone reading what a verify with no cache must read: every commit with its
    message and its changes (the one ``git log --raw`` pass, each commit's tree diff) and
    every content an approval names (``cat-file --batch``), output thrown away."""
    blobs = sorted(set(re.findall(r"(?im)^record-blob:[ \t]*([0-9a-f]{40})[ \t]*$",
                                  git("log", "--format=%B", repo=repo))))
    listing = WORK / "realistic-history.blobs.txt"
    listing.write_text("".join(f"{b}\n" for b in blobs))
    fmt = "%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x00"
    script = (f"git -C '{repo}' -c log.showRoot=true log --topo-order --raw --no-abbrev -z "
              f"--no-renames -c --no-color --encoding=UTF-8 '--format={fmt}' HEAD >/dev/null && "
              f"git -C '{repo}' cat-file --batch <'{listing}' >/dev/null")
    return lambda: run(["sh", "-c", script])


def due(qmsdoc: str) -> tuple[float, float]:
    """``due`` without cache (its CPU goes to CPU["due"]), and again with the cache the last
    of those runs wrote."""
    cache = WORK / "realistic-due-cache"
    cmd = [qmsdoc, "--repo", str(REPO), "due", "--today", TODAY]

    def once() -> float:
        shutil.rmtree(cache, ignore_errors=True)
        os.environ["QMSDOC_CACHE_DIR"] = str(cache)
        try:
            return run(cmd, ok=(0, 1), cache=str(cache))
        finally:
            del os.environ["QMSDOC_CACHE_DIR"]

    cold = best_cpu("due", once)
    warm = best(lambda: run(cmd, ok=(0, 1), cache=str(cache)))
    return cold, warm


@dataclass
class Row:
    what: str
    ours: str
    other: str
    ratio: float
    target: str
    holds: bool


def byte_compiled() -> None:
    """qmsdoc's modules compiled to .pyc, as an installed package has them (pip compiles a
    wheel's modules when it installs it). An editable install leaves that to the first run,
    and with PYTHONDONTWRITEBYTECODE set (some CI images set it) every run would compile
    every module it imports again: that is no cost of qmsdoc's, and not what users run."""
    import compileall

    compileall.compile_dir(str(ROOT / "qmsdoc"), quiet=1)


def main() -> int:
    try:
        qmsdoc = tool("qmsdoc")
        byte_compiled()
        WORK.mkdir(parents=True, exist_ok=True)
        files = generate()
        n = len(files)
        git("checkout", "-q", "--", "records")
        tok = best(lambda: libyaml_tokenizing(files))
        ryml_s = best(lambda: rapidyaml_parsing(files))
        full = best(lambda: run([qmsdoc, "--repo", str(REPO), "-q", "validate"]))
        cold = best(lambda: run([qmsdoc, "--repo", str(REPO), "-q", "validate"], cache="off"))
        serial = best(lambda: run([qmsdoc, "--repo", str(REPO), "-q", "validate", "-j", "1"],
                                  cache="off"), 1)
        one, one_warm = changed_since(qmsdoc, files)
        peer = check_jsonschema(files)
        docx_s = python_docx_open_save()
        form = render(qmsdoc, files)
        due_s, due_warm = due(qmsdoc)
        times = history(qmsdoc)
        log, first_hist, hist, verify = times.log, times.first, times.one, times.verify
    except (BenchError, subprocess.CalledProcessError) as exc:
        print(f"bench_realistic: FAILED: {exc}", file=sys.stderr)
        return 1
    ms = 1000.0
    rows = [
        Row(f"validate {n:,} records, whole process", f"{full:.2f} s",
            f"libyaml tokenizing {tok:.2f} s (1 core)", full / tok, "<= 0.5", full / tok <= 0.5),
        Row("validate, no cache, whole process", f"{cold:.2f} s",
            f"libyaml tokenizing {tok:.2f} s", cold / tok, "-", True),
        Row("validate -j 1, no cache, whole process", f"{serial:.2f} s",
            f"libyaml tokenizing {tok:.2f} s", serial / tok, "-", True),
        Row("validate, per record", f"{full / n * ms:.3f} ms",
            f"check-jsonschema {peer * ms:.1f} ms", peer / (full / n), ">= 100x",
            peer / (full / n) >= 100),
        Row("  the floor: rapidyaml parsing", f"{ryml_s:.2f} s",
            f"libyaml tokenizing {tok:.2f} s", ryml_s / tok, "-", True),
        Row("validate --changed-since HEAD, 1 changed", f"{one:.2f} s", "no cache (cold)", one,
            "< 1 s", one < 1.0),
        Row("  the same, facts cache warm", f"{one_warm:.2f} s",
            "cache of the whole validate", one_warm, "< 1 s", one_warm < 1.0),
        Row(f"render {RENDER_N:,} forms, per form", f"{form * ms:.1f} ms",
            f"python-docx open+save {docx_s * ms:.1f} ms", form / docx_s, "<= 0.2",
            form / docx_s <= 0.2),
        Row("history ID (20,000 commits)", f"{hist:.2f} s", f"git log {log:.2f} s",
            hist / log, "<= 1.5", hist / log <= 1.5),
        Row("  history ID, first run (writes Bloom filters, index)", f"{first_hist:.2f} s",
            f"git log {log:.2f} s", first_hist / log, "-", True),
        Row("  history ID, no cache", f"{times.uncached:.2f} s", f"git log {log:.2f} s",
            times.uncached / log, "-", True),
        Row("verify (20,000 commits)", f"{verify:.2f} s", f"git log {log:.2f} s",
            verify / log, "<= 3", verify / log <= 3),
        Row("  verify again, cache warm", f"{times.warm:.2f} s", f"git log {log:.2f} s",
            times.warm / log, "<= 3", times.warm / log <= 3),
        Row("  the floor: git reading log, changes, contents", f"{times.floor:.2f} s",
            f"git log {log:.2f} s", times.floor / log, "-", True),
        Row(f"due without cache, {n:,} records", f"{due_s:.2f} s",
            f"libyaml tokenizing {tok:.2f} s", due_s / tok, "<= 0.5", due_s / tok <= 0.5),
        Row("  due, cache warm", f"{due_warm:.2f} s", f"libyaml tokenizing {tok:.2f} s",
            due_warm / tok, "-", True),
    ]
    load = " / ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"\nmachine: {os.cpu_count()} CPUs, load average {load} (shared: figures are noisy; "
          f"the ratios are from this one run); best of {REPEAT}")
    print(f"{'measure':<42} {'qmsdoc':>10}  {'peer / floor':<38} {'ratio':>8}  target")
    print("-" * 118)
    for row in rows:
        mark = "" if row.target == "-" else ("PASS" if row.holds else "MISS")
        ratio = f"{row.ratio:.2f}" if row.ratio < 10 else f"{row.ratio:.0f}"
        print(f"{row.what:<42} {row.ours:>10}  {row.other:<38} {ratio:>8}  {row.target} {mark}")
    print_cpu()
    if "due" in CPU:  # the floor runs in this process on one core: its wall time is its CPU
        print(f"  {'due without cache':<20} {CPU['due']:8.2f} s    libyaml tokenizing "
              f"{tok:.2f} s   ratio {CPU['due'] / tok:.2f}")
    stages(files)
    due_stages(files)
    return 0


def print_cpu() -> None:
    """CPU time beside wall time: on a shared machine the wall ratios carry the others' load."""
    if not {"render", "python-docx", "history", "history, no cache", "verify", "verify, warm",
            "git log"} <= CPU.keys():
        return
    print("\nCPU seconds (user + system, the process and its children), same runs:")
    for what, ours, peer, name in (
            ("render, per form", CPU["render"], CPU["python-docx"], "python-docx open+save"),
            ("history ID", CPU["history"], CPU["git log"], "git log"),
            ("history, no cache", CPU["history, no cache"], CPU["git log"], "git log"),
            ("verify", CPU["verify"], CPU["git log"], "git log"),
            ("verify, warm", CPU["verify, warm"], CPU["git log"], "git log"),
            *((("verify floor (git)", CPU["verify floor"], CPU["git log"], "git log"),)
              if "verify floor" in CPU else ())):
        scale, unit = (1000.0, "ms") if what.endswith("form") else (1.0, "s")
        print(f"  {what:<20} {ours * scale:8.2f} {unit}   {name} {peer * scale:.2f} {unit}   "
              f"ratio {ours / peer:.2f}")


def stages(files: list[Path], n: int = 2000) -> None:
    """Where validate's time goes: µs per record by stage, one core, in this process."""
    import pickle

    sys.path.insert(0, str(ROOT))
    from qmsdoc.checks import crossref, pipeline, yaml12
    from qmsdoc.checks import record as rules
    from qmsdoc.config import load
    from qmsdoc.records import attachments, fastyaml, yamlload
    from qmsdoc.records.files import blob_id, read
    from qmsdoc.schema import SchemaStore

    ryml: Any = fastyaml.ryml
    store = SchemaStore()
    config = load(REPO, store)
    checker = pipeline.Checker(REPO, config, store)
    chosen = files[:n]
    table: list[tuple[str, float]] = []

    def stage(what: str, fn: Callable[[], Any]) -> Any:
        result = None
        took = float("inf")
        for _ in range(2):
            started = time.perf_counter()
            result = fn()
            took = min(took, time.perf_counter() - started)
        table.append((what, took / len(chosen) * 1e6))
        return result

    raws = stage("read the file", lambda: [p.read_bytes() for p in chosen])
    texts = stage("decode UTF-8", lambda: [yamlload.decode(r) for r in raws])
    stage("text scans (controls, markers, indicators)",
          lambda: [(fastyaml._unusual(r, t), "<<<<<<<" in t,
                    fastyaml._reserved_at_token_start(t), fastyaml._odd_block_header(t),
                    fastyaml._DOCUMENT_MARKS.search(t))
                   for r, t in zip(raws, texts, strict=True)])
    tree = ryml.Tree()

    def parse() -> None:
        for raw in raws:
            tree.clear()
            tree.clear_arena()
            ryml.parse_in_arena(raw, tree)

    stage("rapidyaml parse (the floor's part)", parse)
    buffer = bytearray(1 << 20)

    def emit() -> list[str]:
        out = []
        for raw in raws:
            tree.clear()
            tree.clear_arena()
            ryml.parse_in_arena(raw, tree)
            _, size = ryml.emit_json_to_substr(tree, tree.root_id(), buffer)
            out.append(str(memoryview(buffer)[:size], "utf-8"))
        return out

    parsed = table[-1][1]
    emitted = stage("rapidyaml emit JSON", emit)
    table[-1] = ("rapidyaml emit JSON", table[-1][1] - parsed)  # beyond the parse
    stage("json.loads (values built; without orjson)", lambda: [json.loads(
        e, object_pairs_hook=fastyaml._mapping, parse_int=fastyaml._int,
        parse_float=fastyaml._float, parse_constant=fastyaml._constant) for e in emitted])
    stage("JSON scan for YAML 1.2 typing (without orjson)", lambda: [
        fastyaml._plain_suspects(e, t) for e, t in zip(emitted, texts, strict=True)])
    if fastyaml.orjson is not None:
        nodes = [n for raw in raws if (found := fastyaml._emit(raw, False)) for n in found[1:]]
        encoded = [e.encode() for e in emitted]
        watched = yamlload._watched
        # values built, texts gathered; each record let go at once, as a worker does
        stage("orjson + count + texts (dropped, as a worker)", lambda: [
            fastyaml._quick_values(e, n, config.limits.max_depth, watched) and None
            for e, n in zip(encoded, nodes, strict=True)])
    records = stage("loader whole (files.read)", lambda: [read(REPO, p, config.limits, blob=True)
                                                          for p in chosen])
    stage("  of which git blob id", lambda: [blob_id(r) for r in raws])
    # the row above keeps every record alive with the collector on, whose passes over them
    # cost a sixth of it; a worker lets each record go once checked
    stage("loader whole, each record let go (as a worker)", lambda: [
        read(REPO, p, config.limits, blob=True) and None for p in chosen])
    if fastyaml.orjson is not None:
        counted = [found for e, n in zip(encoded, nodes, strict=True)
                   if (found := fastyaml._quick_values(e, n, config.limits.max_depth,
                                                       yamlload._watched)) is not None]
        if len(counted) == len(texts):
            stage("  of which quoting judged (plain suspects)", lambda: [
                census.plain_suspects(t) for (_, census), t in zip(counted, texts, strict=True)])
    stage("schema (jsonschema-rs)", lambda: [store.findings("complaint", r.doc, r.path)
                                             for r in records])
    stage("per-record rules", lambda: [[f for rule in rules.RULES for f in rule(r, config)]
                                       for r in records])
    meanings = store.meanings("complaint")
    stage("known names (JSON pass)", lambda: [list(rules.check_known_names(r, config, meanings))
                                             for r in records])
    stage("yaml12 warnings", lambda: [list(yaml12.findings(r.path, r.doc)) for r in records])
    stage("attachments (JSON pass + lstat each)", lambda: [list(attachments.check(
        r, REPO, checker.max_attachment, checker.places)) for r in records])
    stage("facts between records", lambda: [crossref.facts(r) for r in records])
    checked = stage("Checker.check whole", lambda: [pipeline._portable(checker.check(p)[0],
                                                                        checker) for p in chosen])
    stage("result to the parent (pickle both ways)", lambda: pickle.loads(pickle.dumps(checked)))
    print(f"\nwhere validate's time goes, µs per record on one core ({len(chosen):,} records, "
          "best of 2, this process)")
    for what, micros in table:
        print(f"  {what:<46} {micros:8.1f}")


def due_stages(files: list[Path], n: int = 2000) -> None:
    """Where due's time goes without a cache: µs per record, one core, in this process."""
    sys.path.insert(0, str(ROOT))
    from qmsdoc.config import load
    from qmsdoc.deadlines import rules as clockrules
    from qmsdoc.deadlines.clocks import record_facts, to_facts
    from qmsdoc.deadlines.facts import Deriver
    from qmsdoc.records.files import read
    from qmsdoc.schema import SchemaStore

    config = load(REPO, SchemaStore())
    deadlines = clockrules.load(config)
    people = {key: person.department for key, person in config.roster.items()}
    chosen = files[:n]

    def per_record(fn: Callable[[], Any]) -> tuple[float, Any]:
        took, result = float("inf"), None
        for _ in range(2):
            started = time.perf_counter()
            result = fn()
            took = min(took, time.perf_counter() - started)
        return took / len(chosen) * 1e6, result

    loader, records = per_record(lambda: [read(REPO, p, config.limits) for p in chosen])
    datas = [r.data for r in records if hasattr(r, "data")]
    clocks, _facts = per_record(lambda: [to_facts(d, record_facts(d, "r", deadlines, people))
                                         for d in datas])
    def facts(running_only: bool) -> list[Any]:
        derive = Deriver(deadlines, people, running_only=running_only)  # one per run, as due
        return [derive(d) for d in datas]

    full, _facts = per_record(lambda: facts(False))
    kept, _facts = per_record(lambda: facts(True))
    print(f"\nwhere due's time goes without a cache, µs per record on one core ({len(chosen):,} "
          "records, best of 2, this process)")
    for what, micros in (("loader whole (files.read)", loader),
                         ("clocks, as Clock objects (the reference)", clocks),
                         ("clock facts, all clocks (Deriver)", full),
                         ("clock facts, running only (what due does)", kept)):
        print(f"  {what:<46} {micros:8.1f}")


if __name__ == "__main__":
    _code = main()
    if _code:
        sys.exit(_code)
