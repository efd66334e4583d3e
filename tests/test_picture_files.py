"""A picture attachment's damage judged from the file: reading only the first bytes of a PNG
or GIF gives what reading its first 64 KiB gave."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from qmsdoc.records import pictures


def _as_before(path: Path) -> str | None:
    """``file_damage`` as first written: the first 64 KiB and the last bytes, always."""
    with path.open("rb") as handle:
        head = handle.read(pictures.HEAD)
        whole = len(head) < pictures.HEAD
        if not whole:
            handle.seek(-len(pictures._PNG_END), 2)
        tail = head if whole else handle.read()
    return pictures.damage(head, tail, whole)


def _png(width: int, height: int, body: int, end: bool = True) -> bytes:
    ihdr = b"IHDR" + struct.pack(">II", width, height) + b"\x08\x02\x00\x00\x00"
    return (pictures._PNG + struct.pack(">I", 13) + ihdr + b"\0" * 4 + b"x" * body
            + (pictures._PNG_END if end else b"truncated"))


def _jpeg(padding: int, sized: bool = True) -> bytes:
    app = b"\xff\xe1" + struct.pack(">H", padding + 2) + b"e" * padding
    sof = b"\xff\xc0" + struct.pack(">H", 17) + b"\x08" + struct.pack(">HH", 30, 40) + b"\0" * 10
    return b"\xff\xd8" + app + (sof if sized else b"") + b"\xff\xd9"


FILES = {
    "small png": _png(3, 4, 10),
    "png 4096": _png(3, 4, 4096 - 41),
    "large png": _png(3, 4, 200_000),
    "large png, no end": _png(3, 4, 200_000, end=False),
    "small png, no end": _png(3, 4, 10, end=False),
    "png of no size": _png(0, 4, 100_000),
    "png cut in its header": pictures._PNG + b"\0\0\0\rIHD",
    "gif": b"GIF89a" + struct.pack("<HH", 5, 6) + b"g" * 70_000,
    "gif of no size": b"GIF87a" + struct.pack("<HH", 0, 6) + b"g" * 10,
    "jpeg, size early": _jpeg(100),
    "jpeg, size after 4 KiB": _jpeg(10_000),
    "jpeg, size after 64 KiB": _jpeg(65_000),
    "large jpeg without a size": _jpeg(65_000, sized=False) + b"j" * 10_000,
    "small jpeg without a size": _jpeg(500, sized=False),
    "jpeg of exactly 4 KiB": _jpeg(4096 - 31 - 6)[:4096],
    "text named .png": b"not a picture\n" * 10_000,
    "empty": b"",
    "exactly 64 KiB": b"\xff\xd8" + b"\0" * (pictures.HEAD - 2),
}


@pytest.mark.parametrize("name", sorted(FILES))
def test_a_picture_is_judged_as_from_its_first_64_kib(name: str, tmp_path: Path) -> None:
    path = tmp_path / "p.png"
    path.write_bytes(FILES[name])
    assert pictures.file_damage(path) == _as_before(path)
    assert pictures.file_damage(str(path)) == _as_before(path)


def test_the_files_cover_each_verdict(tmp_path: Path) -> None:
    verdicts = set()
    for name, content in FILES.items():
        path = tmp_path / f"{len(verdicts)}-{name}.png"
        path.write_bytes(content)
        verdict = pictures.file_damage(path)
        verdicts.add(verdict.split(" picture")[0] if verdict else None)
    assert None in verdicts and len(verdicts) >= 5


def test_a_folder_named_as_a_picture_cannot_be_read(tmp_path: Path) -> None:
    (tmp_path / "p.png").mkdir()
    with pytest.raises(IsADirectoryError):
        pictures.file_damage(tmp_path / "p.png")
    with pytest.raises(IsADirectoryError):
        _as_before(tmp_path / "p.png")
