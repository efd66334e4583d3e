"""Deterministic Office packages.

Office files are zip packages; the zip entries' times come from the clock unless they are
set. ``normalized`` rewrites a package with fixed entry times (the zip epoch) in the same
member order, so that the same statistics give the same bytes.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import datetime

EPOCH = (1980, 1, 1, 0, 0, 0)


def normalized(data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            target.writestr(entry, source.read(info))
    return out.getvalue()


def modified_at(data: bytes, stamp: datetime) -> bytes:
    """openpyxl writes the save time as dcterms:modified; put ``stamp`` there (the time the
    content stands for), so that the same content gives the same bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "docProps/core.xml":
                text = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + text.encode(),
                                 content)
            target.writestr(info, content)
    return out.getvalue()
