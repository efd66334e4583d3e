"""What ``qmsdoc report special-requirements|contract-reviews|8d`` prints: the files
written, and on stderr the record files left out of the figures."""

from __future__ import annotations

from pathlib import Path


def lines(written: list[Path], left_out: list[str]) -> list[tuple[str, bool]]:
    """(line, for stderr) pairs."""
    found = [(str(path), False) for path in written]
    if left_out:
        found.append((f"qmsdoc: warning: {len(left_out)} record file(s) could not be read and "
                      "were left out of the statistics; run qmsdoc validate:", True))
        found += [(f"  {rel}", True) for rel in left_out]
    return found
