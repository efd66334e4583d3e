"""Build a demo records repository whose git history carries reviews and approvals.

    python scripts/demo_history.py [--out out/demo-repo] [--quiet]

Recreates OUT (default out/demo-repo) from the sample records and qmsdoc.yaml of this
repository, with scripted commits by roster people at fixed dates (so the commit ids are
the same on every run) and reviews and approvals through the approval policy — the story
is told in qmsdoc/example.py, which `qmsdoc init --example` uses too:

  * CC-2026-0001 released as A, changed, re-approved: revision B (a table of 2 revisions);
  * 8D-2026-0001 released as A, then changed twice: a DRAFT of B whose review is stale;
  * CC-2026-0002, CR-2026-0002, CSR-HXAUTO released as A; CR-2026-0001 reviewed only;
    CC-2026-0003 and CSR-LDEV never approved (drafts);
  * one refusal shown on purpose (self-approval).

Then prints `qmsdoc history` for the first two and `qmsdoc verify`. Render the forms from it
with `qmsdoc --repo out/demo-repo render --all`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

from qmsdoc.errors import QmsdocError
from qmsdoc.scaffold.example import Approval, demo_repository
from qmsdoc.views.history import approval_lines

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
QMSDOC = str(BIN / "qmsdoc") if (BIN / "qmsdoc").exists() else "qmsdoc"


def show(approval: Approval) -> str:
    if approval.done is None:
        return f"  refused as expected: qmsdoc: {approval.refused}"
    return "  " + "\n  ".join(approval_lines(approval.done))


def run(out: Path, *args: str) -> None:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull,
           "QMSDOC_REPO": str(out)}
    proc = subprocess.run([QMSDOC, *args], env=env, capture_output=True, text=True)
    print(f"$ qmsdoc {' '.join(args)}\n{proc.stdout}{proc.stderr}", end="")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "out" / "demo-repo")
    parser.add_argument("--quiet", action="store_true", help="print only the histories")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    if not args.quiet:
        print(f"building {out} ...")
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    try:
        approvals = demo_repository(out)
    except QmsdocError as exc:
        sys.exit(f"demo: {exc}")
    if not args.quiet:
        print("\n".join(show(a) for a in approvals))
    run(out, "history", "CC-2026-0001")
    run(out, "history", "8D-2026-0001")
    run(out, "verify")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
