"""What ``qmsdoc audit-pack`` prints: one line per record, then the pack and its check."""

from __future__ import annotations

from pathlib import Path

from ..i18n import _
from .pack import Pack


def pack_lines(pack: Pack, repo: Path) -> list[str]:
    lines = []
    for item in pack.records:
        c, r = item.candidate, item.revision
        if r is None:
            lines.append(f"{c.record_id}: {item.problem}")
            continue
        anchor = _(", anchor {name}").format(name=item.anchor.name) if item.anchor else \
            _(", not anchored")
        note = f" ({item.problem})" if item.problem else ""
        lines.append(_("{id}: revision {letter} released {at} in {commit}").format(
            id=c.record_id, letter=r.letter, at=r.at, commit=r.commit[:12]) + anchor + note)
    try:
        shown = str(pack.path.relative_to(repo))
    except ValueError:
        shown = str(pack.path)
    if pack.data is not None:
        shown = _("the zip to standard output")
    pdf = "" if pack.pdf else _(" (no PDF copies)")
    lines.append(_("wrote {path}: {records} record(s), {files} file(s) and MANIFEST.json{pdf}, "
                   "from commit {commit} as of {at}").format(
        path=shown, records=len(pack.records), files=pack.files, pdf=pdf,
        commit=pack.commit[:12], at=pack.at))
    lines.append(f"MANIFEST.json SHA-256 {pack.manifest_sha256}")
    if not pack.verify_ok:
        lines.append(_("verify found problems (in the pack's verify.txt): {summary}").format(
            summary=pack.verify_summary))
    lines.append(_("the auditor checks it with: python3 verify_pack.py [--repo CLONE]"))
    return lines
