"""Files of the caches between runs: where they live, and how one is read and written.

A cache is only ever an optimisation, so nothing in it can be an error:

* it lives under the git directory (``.git/qmsdoc/``, shared by the repository's worktrees)
  or ``$QMSDOC_CACHE_DIR`` (``off``: no cache), never among the records;
* its first line names its format and key (qmsdoc's version and whatever else its values
  depend on) and the SHA-256 of the payload: a torn, truncated or edited file, or one of
  another key, reads as no cache;
* it is written whole or not at all (a temporary file in the same folder, then a rename);
  a folder that cannot be written to only costs time.

The payload is ``marshal`` data (plain values: it loads ten times faster than JSON); its
readers check the shape of what they take from it.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any


def location(repo: Path) -> Path | None:
    """Where the caches live: ``$QMSDOC_CACHE_DIR`` (``off``: nowhere), else the repository's
    git directory (shared by its worktrees), else nowhere."""
    setting = os.environ.get("QMSDOC_CACHE_DIR", "")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    for folder in (repo, *repo.parents):  # the usual clone: .git is the folder itself
        dotgit = folder / ".git"
        if dotgit.is_dir():
            return dotgit / "qmsdoc"
        if dotgit.exists():  # a worktree or submodule: git says where its common folder is
            break
    if shutil.which("git") is None:
        return None
    proc = subprocess.run(["git", "-C", str(repo), "rev-parse", "--git-common-dir"],
                          capture_output=True, check=False)
    text = proc.stdout.decode("utf-8", "surrogateescape").strip()
    if proc.returncode != 0 or not text:
        return None  # not in git: no cache, never an error
    return (repo / text).resolve() / "qmsdoc"


def load(path: Path | None, kind: str, key: str) -> Any:
    """The value saved at ``path`` under ``kind`` and ``key``; None when there is none, it is
    damaged, or it was saved under another kind or key."""
    if path is None:
        return None
    try:
        raw = path.read_bytes()
        header, _, payload = raw.partition(b"\n")
        name, saved_key, digest = header.decode("ascii").split(" ")
        if name != kind or saved_key != key or hashlib.sha256(payload).hexdigest() != digest:
            return None
        return marshal.loads(payload)
    except (OSError, ValueError, EOFError, TypeError, UnicodeDecodeError):
        return None


def save(path: Path | None, kind: str, key: str, value: Any) -> bool:
    """Write ``value`` at ``path`` whole or not at all; False when it could not be written."""
    if path is None:
        return False
    try:
        payload = marshal.dumps(value)
    except ValueError:
        return False
    header = f"{kind} {key} {hashlib.sha256(payload).hexdigest()}\n".encode("ascii")
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as handle:
            handle.write(header + payload)
        os.replace(tmp, path)
    except OSError:
        with contextlib.suppress(OSError):
            tmp.unlink()
        return False
    return True
