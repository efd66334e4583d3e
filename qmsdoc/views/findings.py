"""Reporters for findings: text (file:line:col lines), json, and GitHub annotations."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from ..findings import Finding
from ..i18n import _, ngettext

# Characters that would start a new line on a terminal or in a CI log, or hide text:
# a file name or value holding them must not print a line of its own (``::warning::``).
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069]")


def printable(text: str) -> str:
    """``text`` with line breaks and other control characters written as escapes (``\\n``)."""
    if not _UNPRINTABLE.search(text):
        return text
    return _UNPRINTABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def text_line(f: Finding) -> str:
    loc = f.location
    return printable(f"{loc.path}:{loc.line}:{loc.column}: {f.severity.value}[{f.code}]: "
                     f"{f.field}: {f.message}")


def summary(checked: int, errors: int, warnings: int) -> str:
    return _("{records} checked, {errors}, {warnings}").format(
        records=ngettext("{n} record", "{n} records", checked).format(n=checked),
        errors=ngettext("{n} error", "{n} errors", errors).format(n=errors),
        warnings=ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings))


def as_text(findings: Iterable[Finding], checked: int, errors: int, warnings: int) -> str:
    lines = [text_line(f) for f in findings]
    lines.append(summary(checked, errors, warnings))
    return "\n".join(lines)


def as_json(findings: Iterable[Finding], checked: int, errors: int, warnings: int) -> str:
    problems = [
        {
            "path": f.location.path,
            "line": f.location.line,
            "column": f.location.column,
            "severity": f.severity.value,
            "code": f.code,
            "field": f.field,
            "message": f.message,
        }
        for f in findings
    ]
    return json.dumps(
        {"checked": checked, "errors": errors, "warnings": warnings, "problems": problems},
        ensure_ascii=False,
        indent=2,
    )


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def as_github(findings: Iterable[Finding], checked: int, errors: int, warnings: int) -> str:
    """GitHub Actions workflow commands: one annotation per finding, then the summary."""
    lines = []
    for f in findings:
        loc = f.location
        props = [f"file={_escape_property(loc.path)}"]  # %0A: GitHub reads the real name
        if loc.line:
            props.append(f"line={loc.line}")
        if loc.column:
            props.append(f"col={loc.column}")
        message = _escape_data(printable(f"{f.field}: {f.message} [{f.code}]"))
        lines.append(f"::{f.severity.value} {','.join(props)}::{message}")
    lines.append(summary(checked, errors, warnings))
    return "\n".join(lines)


FORMATS = {"text": as_text, "json": as_json, "github": as_github}
