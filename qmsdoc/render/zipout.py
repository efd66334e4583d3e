"""A minimal, deterministic zip writer for .docx packages.

The template's static members are compressed once and copied as-is into every form; only
the rendered parts are compressed per form. Entry times are fixed (1980-01-01 00:00, the
zip epoch) and the member order is the template's, so the same inputs give the same
contents everywhere (members, zip fields, uncompressed bytes) and the same bytes on one
machine: the compressed bytes are the deflater's (see below).
Python's ``zipfile`` can neither copy compressed data nor skip the clock without ZipInfo
bookkeeping per member, which is most of the cost of writing a small package.

The parts are deflated by ISA-L (``isal``) where it is installed: its level 1 takes about a
quarter of zlib's time at level 3 for about 3 % more bytes, and a form's deflating was a
quarter of its rendering. Without it, zlib (level 3): the same parts, other compressed bytes.
ISA-L chooses its code by the CPU (C base, SSE, AVX2, AVX-512, aarch64) and does not promise
the same output from each, so the bytes are reproducible per machine, the contents everywhere
(tests/test_render_golden.py pins the contents).
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

STORED, DEFLATED = 0, 8
DOS_TIME, DOS_DATE = 0, (0 << 9) | (1 << 5) | 1  # 1980-01-01 00:00:00
LEVEL = 3  # zlib: ~2x faster than 6 for ~25% more bytes; forms are small either way
ISAL_LEVEL = 1  # ISA-L: ~4x faster than zlib's 3, its bytes a little smaller than zlib's 1
_LOCAL = struct.Struct("<IHHHHHIIIHH")
_CENTRAL = struct.Struct("<IHHHHHHIIIHHHHHII")
_END = struct.Struct("<IHHHHIIH")


@dataclass(frozen=True)
class Entry:
    """One zip member, already compressed."""

    name: str
    crc: int
    size: int
    data: bytes
    method: int = DEFLATED


def _zlib_deflate(raw: bytes) -> bytes:
    packer = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return packer.compress(raw) + packer.flush()


def _isal_deflate() -> Callable[[bytes], bytes] | None:
    try:
        from isal import isal_zlib
    except ImportError:  # optional: zlib deflates the same parts
        return None

    def compress(raw: bytes) -> bytes:
        return isal_zlib.compress(raw, ISAL_LEVEL, -15)

    return compress


def _isal_crc32() -> Callable[[bytes], int] | None:
    try:
        from isal import isal_zlib
    except ImportError:  # optional: zlib's gives the same checksum
        return None
    return isal_zlib.crc32


# raw deflate (no zlib header) of a member's bytes: ISA-L's where installed, else zlib's
compress: Callable[[bytes], bytes] = _isal_deflate() or _zlib_deflate
# the CRC-32 of a member's bytes (the same number either way; ISA-L's takes a tenth of the
# time of the zlib Python is built with on a form's 130 KB document part)
crc32: Callable[[bytes], int] = _isal_crc32() or zlib.crc32


def deflate(name: str, raw: bytes) -> Entry:
    data = compress(raw)
    if len(data) >= len(raw):
        return Entry(name, crc32(raw), len(raw), raw, STORED)
    return Entry(name, crc32(raw), len(raw), data, DEFLATED)


def inflate(entry: Entry) -> bytes:
    return entry.data if entry.method == STORED else zlib.decompress(entry.data, -15)


def write(entries: Iterable[Entry]) -> bytes:
    """The zip archive of ``entries``, in order."""
    body: list[bytes] = []
    central: list[bytes] = []
    offset = 0
    for e in entries:
        name = e.name.encode("utf-8")
        flags = 0x0800 if not name.isascii() else 0
        header = _LOCAL.pack(0x04034B50, 20, flags, e.method, DOS_TIME, DOS_DATE, e.crc,
                             len(e.data), e.size, len(name), 0)
        body += (header, name, e.data)
        central.append(_CENTRAL.pack(0x02014B50, 20, 20, flags, e.method, DOS_TIME, DOS_DATE,
                                     e.crc, len(e.data), e.size, len(name), 0, 0, 0, 0, 0,
                                     offset) + name)
        offset += len(header) + len(name) + len(e.data)
    directory = b"".join(central)
    end = _END.pack(0x06054B50, 0, 0, len(central), len(central), len(directory), offset, 0)
    return b"".join(body) + directory + end
