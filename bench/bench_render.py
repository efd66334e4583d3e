"""Benchmark: rendering 1,000 complaint forms, against a plain docxtpl loop.

Generates (once; reused while the marker matches) a records repository under
bench/work/render/ with N complaint records derived from the sample CC-2026-0001 (varied
ids, customers, quantities and text; the photo attached to every one), then measures

  * qmsdoc's engine in-process: render_records() over all N records → ms per form
  * a plain docxtpl loop over the first M of the same records, same template, same context
    and the same sandboxed Jinja2 environment: DocxTemplate(tpl).render(ctx, env); save
  * the whole command: qmsdoc --repo DIR render --all --out OUT (wall time: start-up,
    validation of every record, rendering in worker processes, atomic writes), and
    qmsdoc -q validate alone for the share of validation in it

and prints the figures with PASS/MISS against the targets (≥10× faster per form than the
docxtpl loop; 1,000 forms in under 10 s). Targets are reported, not asserted.

Run: python bench/run.py render   (or directly: python bench/bench_render.py)
Env: QMSDOC_BENCH_RENDER_N (default 1000), QMSDOC_BENCH_DOCXTPL_N (default 40: docxtpl
     takes ~0.1 s per form, so the full 1,000 would add minutes for the same per-form figure).
"""

from __future__ import annotations

import io
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

WORK = HERE / "work"
REPO = WORK / "render"
OUT = WORK / "render-out"
MARKER = WORK / "render.marker.json"
SAMPLE = ROOT / "records" / "complaints" / "2026" / "CC-2026-0001.yaml"

N = int(os.environ.get("QMSDOC_BENCH_RENDER_N", "1000"))
M = min(N, int(os.environ.get("QMSDOC_BENCH_DOCXTPL_N", "40")))
GENERATOR_VERSION = 2
TARGET_RATIO = 10.0
TARGET_TOTAL_S = 10.0
CUSTOMERS = ("HXAUTO", "LDEV", "NONGFENG")


def generate() -> None:
    """N varied copies of the sample complaint (skipped when the marker says they exist)."""
    marker = {"n": N, "version": GENERATOR_VERSION,
              "sample": SAMPLE.stat().st_mtime_ns, "config": (ROOT / "qmsdoc.yaml").read_text()}
    if MARKER.is_file() and json.loads(MARKER.read_text()) == marker and REPO.is_dir():
        return
    shutil.rmtree(REPO, ignore_errors=True)
    (REPO / "records" / "complaints" / "2026").mkdir(parents=True)
    shutil.copytree(ROOT / "records" / "attachments", REPO / "records" / "attachments")
    shutil.copy(ROOT / "qmsdoc.yaml", REPO / "qmsdoc.yaml")
    text = SAMPLE.read_text("utf-8")
    text = re.sub(r"(?m)^eightd: .*\n", "", text)  # no 8D records in this repository
    rng = random.Random(20261103)
    for i in range(1, N + 1):
        record_id = f"CC-2026-{i:04d}"
        body = (text.replace("id: CC-2026-0001", f"id: {record_id}")
                .replace("customer_complaint_no: HX-QN-2611-0087",
                         f"customer_complaint_no: HX-QN-2611-{i:04d}")
                .replace("customer: HXAUTO", f"customer: {CUSTOMERS[i % 3]}")
                .replace("qty_defective: 89", f"qty_defective: {rng.randint(1, 400)}")
                .replace("L261028-N / L261029-D", f"L2610{rng.randint(10, 28)}-N")
                .replace("title: 电池托架安装支架R角开裂",
                         f"title: 第{i}号 电池托架安装支架R角开裂 A&B <批次{i}>"))
        (REPO / "records" / "complaints" / "2026" / f"{record_id}.yaml").write_text(body, "utf-8")
    MARKER.write_text(json.dumps(marker))


def engine() -> tuple[float, list[object], dict[str, object], object, object]:
    """Render every record in-process; returns seconds and what the docxtpl loop reuses."""
    from qmsdoc import config
    from qmsdoc.checks.pipeline import validate_repo
    from qmsdoc.render import render_records, states_for
    from qmsdoc.schema import SchemaStore

    store = SchemaStore()
    cfg = config.load(REPO, store)
    report = validate_repo(REPO, cfg, store, [], keep_records=True)
    if report.errors:
        raise SystemExit(f"generated records are invalid: {report.findings[0]}")
    states = states_for(REPO, cfg, report.records)
    shutil.rmtree(OUT, ignore_errors=True)
    started = time.perf_counter()
    outcomes = list(render_records(REPO, cfg, store, report.records, states, OUT))
    elapsed = time.perf_counter() - started
    assert all(o.path is not None for o in outcomes) and len(outcomes) == N
    return elapsed, list(report.records), dict(states), cfg, store


def docxtpl_loop(records: list[object], states: dict[str, object], cfg: object,
                 store: object) -> float:
    """The plain docxtpl way: a fresh DocxTemplate per record, rendered and saved."""
    from docx.shared import Mm
    from docxtpl import DocxTemplate, InlineImage
    from markupsafe import Markup

    from qmsdoc.render import context
    from qmsdoc.render.engine import environment

    template = ROOT / "templates" / "complaint.docx"
    env = environment()  # the same sandboxed, escaping, strict environment
    out = WORK / "render-docxtpl"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    started = time.perf_counter()
    for record in records[:M]:
        tpl = DocxTemplate(template)
        ctx = context.build("complaint", record.data, states[record.id], cfg,  # type: ignore
                            store.for_kind("complaint"))  # type: ignore[attr-defined]

        def image(a: dict[str, str], width: float = 80, height: float = 60,
                  tpl: DocxTemplate = tpl) -> Markup:
            return Markup(str(InlineImage(tpl, str(REPO / a["path"]), width=Mm(width))))

        ctx["image"] = image
        tpl.render(ctx, env)
        buffer = io.BytesIO()
        tpl.save(buffer)
        (out / f"{record.id}.docx").write_bytes(buffer.getvalue())  # type: ignore[attr-defined]
    return time.perf_counter() - started


def command(*args: str) -> float:
    """Wall time of ``qmsdoc --repo REPO ARGS`` (exit 0 or 1 with warnings is fine)."""
    qmsdoc = Path(sys.executable).parent / "qmsdoc"
    env = {**os.environ, "CI": "1"}
    env.pop("QMSDOC_REPO", None)
    started = time.perf_counter()
    subprocess.run([str(qmsdoc), "--repo", str(REPO), *args], check=True, capture_output=True,
                   env=env)
    return time.perf_counter() - started


def main() -> int:
    generate()
    ours, records, states, cfg, store = engine()
    theirs = docxtpl_loop(records, states, cfg, store)
    shutil.rmtree(OUT, ignore_errors=True)
    total = command("render", "--all", "--out", str(OUT))
    validation = command("-q", "validate")
    ours_ms, theirs_ms = ours / N * 1000, theirs / M * 1000
    ratio = theirs_ms / ours_ms
    sizes = sorted(p.stat().st_size for p in OUT.glob("*.docx"))
    print(f"records: {N} complaint forms ({sizes[len(sizes) // 2]:,} bytes each, median), "
          f"{os.cpu_count()} CPUs")
    print(f"  qmsdoc engine          {ours_ms:8.2f} ms per form   ({ours:.2f} s for {N})")
    print(f"  docxtpl loop           {theirs_ms:8.2f} ms per form   ({theirs:.2f} s for {M})")
    print(f"  speed-up               {ratio:8.1f}x   target >= {TARGET_RATIO:.0f}x  "
          f"{'PASS' if ratio >= TARGET_RATIO else 'MISS'}")
    print(f"  qmsdoc render --all    {total:8.2f} s for {N} forms (start-up, validation, "
          f"rendering)   target < {TARGET_TOTAL_S:.0f} s  "
          f"{'PASS' if total < TARGET_TOTAL_S else 'MISS'}")
    print(f"    of which validation  {validation:8.2f} s (qmsdoc -q validate alone, same records)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
