"""What ``qmsdoc audit-pack`` prints: one line per record, then the pack and its check."""

from __future__ import annotations

from pathlib import Path

from .pack import Pack


def pack_lines(pack: Pack, repo: Path) -> list[str]:
    lines = []
    for item in pack.records:
        c, r = item.candidate, item.revision
        if r is None:
            lines.append(f"{c.record_id}: {item.problem}")
            continue
        anchor = f", anchor {item.anchor.name}" if item.anchor else ", not anchored"
        note = f" ({item.problem})" if item.problem else ""
        lines.append(f"{c.record_id}: revision {r.letter} released {r.at} in "
                     f"{r.commit[:12]}{anchor}{note}")
    try:
        shown = str(pack.path.relative_to(repo))
    except ValueError:
        shown = str(pack.path)
    if pack.data is not None:
        shown = "the zip to standard output"
    pdf = "" if pack.pdf else " (no PDF copies)"
    lines.append(f"wrote {shown}: {len(pack.records)} record(s), {pack.files} file(s) and "
                 f"MANIFEST.json{pdf}, from commit {pack.commit[:12]} as of {pack.at}")
    lines.append(f"MANIFEST.json SHA-256 {pack.manifest_sha256}")
    if not pack.verify_ok:
        lines.append(f"verify found problems (in the pack's verify.txt): {pack.verify_summary}")
    lines.append("the auditor checks it with: python3 verify_pack.py [--repo CLONE]")
    return lines
