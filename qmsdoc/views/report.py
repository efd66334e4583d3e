"""What ``qmsdoc report complaints`` prints: the files written, and on stderr the record
files left out of the statistics (the figures would be understated without a word)."""

from __future__ import annotations

from pathlib import Path

from ..i18n import _
from .findings import printable


def report_lines(written: list[Path], left_out: list[str]) -> list[tuple[str, bool]]:
    """(line, for stderr) pairs."""
    lines = [(str(path), False) for path in written]
    if left_out:
        lines.append(("qmsdoc: " + _("warning: {n} record file(s) left out of the statistics "
                                     "(unreadable, or a complaint without a valid "
                                     "received_at); run qmsdoc validate:").format(
            n=len(left_out)), True))
        lines += [(f"  {printable(rel)}", True) for rel in left_out]
    return lines
