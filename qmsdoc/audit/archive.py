"""The pack as a deterministic zip: entries in name order, every entry with the same fixed
time (the pack's as-of time) and mode, compressed with one level."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from datetime import datetime

ZIP_EPOCH = datetime(1980, 1, 1)


def zip_time(moment: datetime) -> tuple[int, int, int, int, int, int]:
    """A zip entry time (local wall time of ``moment``; the zip format has no zone)."""
    wall = max(moment.replace(tzinfo=None), ZIP_EPOCH)
    return (wall.year, wall.month, wall.day, wall.hour, wall.minute, wall.second - wall.second
            % 2)


def build(files: Mapping[str, bytes], moment: datetime) -> bytes:
    out = io.BytesIO()
    stamp = zip_time(moment)
    with zipfile.ZipFile(out, "w") as pack:
        for name in sorted(files):
            entry = zipfile.ZipInfo(name, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = (0o755 if name.endswith(".py") else 0o644) << 16
            entry.create_system = 3  # unix: the modes above are read everywhere
            pack.writestr(entry, files[name], compresslevel=6)
    return out.getvalue()
