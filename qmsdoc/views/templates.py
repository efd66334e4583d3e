"""What ``qmsdoc template`` prints: the file exported, and the template check's findings."""

from __future__ import annotations

from ..render.check import TemplateCheck
from .render import shown

__all__ = ["check_lines", "shown"]


def check_lines(result: TemplateCheck) -> list[str]:
    """One ``TEMPLATE: severity: message`` line per finding, then the summary."""
    lines = [f"{n.template}: {n.severity.value}: {n.message}" for n in result.notes]
    count = len(result.checked)
    if count == 0:
        return ["no templates to check (templates/*.docx)"]
    lines.append(f"{count} template{'s' if count != 1 else ''} checked, "
                 f"{result.errors} error{'s' if result.errors != 1 else ''}, "
                 f"{result.warnings} warning{'s' if result.warnings != 1 else ''}")
    return lines
