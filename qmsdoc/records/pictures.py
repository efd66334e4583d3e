"""Is a picture attachment whole? Read from its first and last bytes only.

A form embeds PNG, JPEG and GIF pictures as they are; a truncated or mislabelled one
would give a document Word cannot show. These checks need no imaging library: the
header must hold a positive size and a PNG must end with its IEND chunk.
"""

from __future__ import annotations

import os
import struct
from pathlib import Path

from ..i18n import _
from .files import READ_FLAGS

SUFFIXES = (".png", ".jpg", ".jpeg", ".gif")
HEAD = 64 * 1024
_PNG = b"\x89PNG\r\n\x1a\n"
_PNG_END = b"IEND\xaeB`\x82"


def size(head: bytes) -> tuple[str, int, int] | None:
    """Format, width and height from a picture's first bytes; None if they are not there."""
    try:
        if head[:8] == _PNG and head[12:16] == b"IHDR" and len(head) >= 24:
            width, height = struct.unpack(">II", head[16:24])
            return _positive("png", width, height)
        if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
            width, height = struct.unpack("<HH", head[6:10])
            return _positive("gif", width, height)
        if head[:2] == b"\xff\xd8":
            return _jpeg(head)
    except (struct.error, IndexError):
        return None
    return None


def _positive(ext: str, width: int, height: int) -> tuple[str, int, int] | None:
    return (ext, width, height) if width > 0 and height > 0 else None


def _jpeg(data: bytes) -> tuple[str, int, int] | None:
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01, 0xFF) or 0xD0 <= marker <= 0xD7:
            pos += 2 if marker != 0xFF else 1
            continue
        (length,) = struct.unpack(">H", data[pos + 2:pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5:pos + 9])
            return _positive("jpeg", width, height)
        if length < 2:
            return None
        pos += 2 + length
    return None


def damage(head: bytes, tail: bytes, whole: bool) -> str | None:
    """Why the picture with these first and last bytes cannot be shown, or None.

    ``whole``: ``head`` is the entire file (a JPEG size found later is then missing)."""
    if head[:8] == _PNG:
        if size(head) is None:
            return _("is a damaged PNG picture (no valid size in its header)")
        if not tail.endswith(_PNG_END):
            return _("is a truncated PNG picture (it does not end with its IEND chunk)")
        return None
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return None if size(head) else _("is a damaged GIF picture (no valid size in its header)")
    if head[:2] == b"\xff\xd8":
        if size(head) is None and whole:
            return _("is a damaged JPEG picture (no frame with a size)")
        return None
    return _("is not a PNG, JPEG or GIF picture (the form could not show it)")


def file_damage(path: Path | str) -> str | None:
    """``damage`` of the picture file at ``path`` (its first 64 KiB and last bytes). The
    size of a PNG or GIF stands in its first bytes: of those, only the first 4 KiB are read
    (a form's photo is often larger than 64 KiB; Python's file objects cost as much as the
    reading)."""
    fd = os.open(path, READ_FLAGS)
    try:
        head = _read(fd, _FIRST)
        if len(head) == _FIRST and not head.startswith((_PNG, b"GIF87a", b"GIF89a")):
            head += _read(fd, HEAD - _FIRST)  # a JPEG's size may stand further on
            whole = len(head) < HEAD
        else:  # a PNG's or GIF's size and kind are judged by its first bytes alone
            whole = len(head) < _FIRST
        if whole:
            tail = head
        else:
            os.lseek(fd, -len(_PNG_END), os.SEEK_END)
            tail = _read(fd, -1)
    finally:
        os.close(fd)
    return damage(head, tail, whole)


_FIRST = 4096


def _read(fd: int, wanted: int) -> bytes:
    """Up to ``wanted`` bytes (-1: to the end of the file), fewer only at its end."""
    parts = []
    while wanted:
        chunk = os.read(fd, wanted if wanted > 0 else 1 << 16)
        if not chunk:
            break
        parts.append(chunk)
        if wanted > 0:
            wanted -= len(chunk)
    return b"".join(parts)
