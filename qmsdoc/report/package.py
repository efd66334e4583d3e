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


def normalized(data: bytes, modified: datetime | None = None) -> bytes:
    """``data`` with fixed entry times; with ``modified``, also the document's own
    dcterms:modified, which openpyxl sets to the save time whatever it was told."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=EPOCH)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            content = source.read(info)
            if modified is not None and info.filename == "docProps/core.xml":
                stamp = modified.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
                content = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, content)
            target.writestr(entry, content)
    return out.getvalue()

