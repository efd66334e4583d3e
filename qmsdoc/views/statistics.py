"""What ``qmsdoc report special-requirements|contract-reviews|8d`` prints: the files
written, and on stderr the record files left out of the figures."""

from __future__ import annotations

from pathlib import Path

from ..i18n import _


def lines(written: list[Path], left_out: list[str]) -> list[tuple[str, bool]]:
    """(line, for stderr) pairs."""
    found = [(str(path), False) for path in written]
    if left_out:
        found.append(("qmsdoc: " + _("warning: {n} record file(s) could not be read and were "
                                     "left out of the statistics; run qmsdoc validate:").format(
            n=len(left_out)), True))
        found += [(f"  {rel}", True) for rel in left_out]
    return found
