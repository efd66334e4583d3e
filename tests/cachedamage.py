"""The plain ways a cache file between runs gets damaged, for the tests that show each cache
reads such a file as no cache."""

from __future__ import annotations

from pathlib import Path

PLAIN = ("truncate", "garble", "empty")


def damage(path: Path, how: str) -> bool:
    """Damage the file at ``path`` ``how`` (one of PLAIN); False for any other ``how``, which
    the caller makes itself (a file of another key or shape)."""
    raw = path.read_bytes()
    if how == "truncate":
        path.write_bytes(raw[:len(raw) // 2])
    elif how == "garble":
        path.write_bytes(raw[:-5] + b"xxxxx")
    elif how == "empty":
        path.write_bytes(b"")
    else:
        return False
    return True
