"""Writing a file whole or not at all: a temporary file beside it, then a rename (or a link)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _temp(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, _file_mode())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, replacing what is there."""
    tmp = _temp(path, data)
    try:
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it exists (then False, and nothing is written)."""
    tmp = _temp(path, data)
    try:
        os.link(tmp, path)  # refuses an existing name, even one created a moment ago
    except FileExistsError:
        return False
    finally:
        os.unlink(tmp)
    return True


def _file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask
