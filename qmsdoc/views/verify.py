"""What ``qmsdoc verify`` prints: one line per violation (after the shallow-clone note),
then the summary."""

from __future__ import annotations

from ..history.states import SHALLOW_NOTE
from ..history.verify import VerifyReport


def verify_lines(report: VerifyReport) -> list[str]:
    head = [SHALLOW_NOTE] if report.shallow else []
    summary = (f"{report.approvals} approval(s) of {report.records} record(s) checked, "
               f"{len(report.violations)} violation(s)")
    if report.content:
        summary += f", {len(report.content)} released content(s) contradicting their release"
    if report.anchors:
        summary += f", {len(report.anchors)} release anchor problem(s)"
    lines = [*head, *report.pending, *(str(v) for v in report.violations),
             *(str(c) for c in report.content), *(str(a) for a in report.anchors), summary]
    if report.unanchored:
        lines.append(f"{report.unanchored} release(s) without a release anchor: this clone "
                     "holds no tag release/<ID>/<rev> (git fetch --tags; in a repository "
                     "from before anchors, qmsdoc anchor writes them)")
    if report.unsigned:
        lines.append(f"{report.unsigned} of {report.approvals} approval(s) unsigned: names are "
                     "self-declared (no identity proven; qmsdoc keys sets up signing)")
    unproven = report.approvals - report.signed - report.unsigned
    if unproven > 0:
        lines.append(f"{unproven} of {report.approvals} approval(s) signed by a key that is not "
                     "the approver's (roster signing_keys): no identity proven")
    return lines
