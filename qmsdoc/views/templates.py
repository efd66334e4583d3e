"""What ``qmsdoc template`` prints: the file exported, and the template check's findings."""

from __future__ import annotations

from ..i18n import _, ngettext
from ..render.check import TemplateCheck
from .render import shown

__all__ = ["check_lines", "shown"]


def check_lines(result: TemplateCheck) -> list[str]:
    """One ``TEMPLATE: severity: message`` line per finding, then the summary."""
    lines = [f"{n.template}: {n.severity.value}: {n.message}" for n in result.notes]
    count = len(result.checked)
    if count == 0:
        return [_("no templates to check (templates/*.docx)")]
    lines.append(_("{templates} checked, {errors}, {warnings}").format(
        templates=ngettext("{n} template", "{n} templates", count).format(n=count),
        errors=ngettext("{n} error", "{n} errors", result.errors).format(n=result.errors),
        warnings=ngettext("{n} warning", "{n} warnings", result.warnings).format(
            n=result.warnings)))
    return lines
