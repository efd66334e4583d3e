"""Bounds on the work one run does for input it does not control: attachments and
company templates (record files have theirs in ``yamlload.Limits``).

Read from the ``limits:`` section of ``qmsdoc.yaml``; the defaults fit a factory's
photos and forms with a wide margin.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MB = 1000 * 1000


@dataclass(frozen=True)
class RunLimits:
    max_attachment_bytes: int = 20 * MB
    template_seconds: float = 10.0  # one form, all its parts
    max_form_bytes: int = 50 * MB  # the XML one form's template writes
    max_template_member_bytes: int = 50 * MB  # one member of a template .docx, inflated
    template_memory_bytes: int = 1000 * MB  # what rendering one form may add to the process


def from_config(data: dict[str, Any]) -> RunLimits:
    """The limits of a configuration's data (``Config.data``)."""
    section = data.get("limits")
    limits = section if isinstance(section, dict) else {}
    default = RunLimits()
    return RunLimits(
        max_attachment_bytes=int(limits.get("max_attachment_bytes",
                                            default.max_attachment_bytes)),
        template_seconds=float(limits.get("template_seconds", default.template_seconds)),
        max_form_bytes=int(limits.get("max_form_bytes", default.max_form_bytes)),
        max_template_member_bytes=int(limits.get("max_template_member_bytes",
                                                 default.max_template_member_bytes)),
        template_memory_bytes=int(limits.get("template_memory_bytes",
                                             default.template_memory_bytes)),
    )


def size(n: int) -> str:
    """``n`` bytes as people say it: 20 MB, 1.5 MB, 800 bytes."""
    if n >= MB:
        return f"{n / MB:.1f}".removesuffix(".0") + " MB"
    return f"{n:,} bytes"
