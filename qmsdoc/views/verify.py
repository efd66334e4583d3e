"""What ``qmsdoc verify`` prints: one line per violation (after the shallow-clone note),
each release not judged on this branch (``--branch-of``), then the summary."""

from __future__ import annotations

from ..history.states import SHALLOW_NOTE
from ..history.verify import VerifyReport
from ..i18n import _


def verify_lines(report: VerifyReport) -> list[str]:
    head = [_(SHALLOW_NOTE)] if report.shallow else []
    if report.default_branch:
        head.append(_("--branch-of {ref}: HEAD is the default branch {branch} (or at its "
                      "tip): every release is judged, as without --branch-of").format(
            ref=report.branch_of, branch=report.default_branch))
    summary = _("{approvals} approval(s) of {records} record(s) checked, "
                "{violations} violation(s)").format(approvals=report.approvals,
                                                    records=report.records,
                                                    violations=len(report.violations))
    if report.content:
        summary += _(", {n} released content(s) contradicting their release").format(
            n=len(report.content))
    if report.anchors:
        summary += _(", {n} release anchor problem(s)").format(n=len(report.anchors))
    lines = [*head, *report.pending, *(str(v) for v in report.violations),
             *(str(c) for c in report.content), *(str(a) for a in report.anchors),
             *(str(a) for a in report.not_judged), summary]
    if report.unanchored:
        lines.append(_("{n} release(s) without a release anchor: this clone holds no tag "
                       "release/<ID>/<rev> (git fetch --tags; in a repository from before "
                       "anchors, qmsdoc anchor writes them)").format(n=report.unanchored))
    if report.unsigned:
        lines.append(_("{n} of {approvals} approval(s) unsigned: names are self-declared (no "
                       "identity proven; qmsdoc keys sets up signing)").format(
            n=report.unsigned, approvals=report.approvals))
    unproven = report.approvals - report.signed - report.unsigned
    if unproven > 0:
        lines.append(_("{n} of {approvals} approval(s) signed by a key that is not the "
                       "approver's (roster signing_keys): no identity proven").format(
            n=unproven, approvals=report.approvals))
    return lines
