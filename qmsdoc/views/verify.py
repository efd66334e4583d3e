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
    return [*head, *(str(v) for v in report.violations), *(str(c) for c in report.content),
            summary]
