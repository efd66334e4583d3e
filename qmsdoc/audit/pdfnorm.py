"""PDF copies made reproducible. LibreOffice writes the conversion time into the PDF
(``/CreationDate``) and derives the trailer's ``/ID`` and ``/DocChecksum`` from it; the
rest of its output is the same for the same form. ``normalized`` sets the time to the
pack's and derives both ids from the content, byte for byte in place (same lengths: the
cross-reference offsets stay right)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime

_DATE = re.compile(rb"/(CreationDate|ModDate)\(D:[0-9]{14}")
_ID = re.compile(rb"(/ID\s*\[\s*<)([0-9A-Fa-f]{32})(>\s*<)([0-9A-Fa-f]{32})(>)")
_CHECKSUM = re.compile(rb"(/DocChecksum\s*/)([0-9A-Fa-f]{32})")


def normalized(data: bytes, moment: datetime) -> bytes:
    stamp = moment.astimezone(UTC).strftime("%Y%m%d%H%M%S").encode("ascii")
    data = _DATE.sub(lambda m: b"/" + m.group(1) + b"(D:" + stamp, data)
    zero = b"0" * 32
    blank = _CHECKSUM.sub(lambda m: m.group(1) + zero,
                          _ID.sub(lambda m: m.group(1) + zero + m.group(3) + zero + m.group(5),
                                  data))
    digest = hashlib.md5(blank, usedforsecurity=False).hexdigest().upper().encode("ascii")
    data = _ID.sub(lambda m: m.group(1) + digest + m.group(3) + digest + m.group(5), data)
    return _CHECKSUM.sub(lambda m: m.group(1) + digest, data)
