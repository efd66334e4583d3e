"""Files of the caches between runs: where they live, and how one is read and written.

A cache is only ever an optimisation, so nothing in it can be an error:

* it lives under the git directory (``.git/qmsdoc/``, shared by the repository's worktrees)
  or ``$QMSDOC_CACHE_DIR`` (``off``: no cache), never among the records;
* its first line names its format and key (qmsdoc's version and whatever else its values
  depend on) and the SHA-256 of the payload: a torn, truncated or edited file, or one of
  another key, reads as no cache;
* it is written whole or not at all (``atomic.replace``: a temporary file of its own in the
  same folder, then a rename); a folder that cannot be written to only costs time;
* it is read only from a regular file of a sane size: a FIFO, a device or a link planted at
  its name reads as no cache, never as a hang or an error.

Caches of what a commit id implies about its ancestry (the parsed log, the approvals index)
are off in a shallow clone and where grafts are set: there git's answer for the same commit
changes when the history is deepened (``git fetch --unshallow``). Replace refs are ignored
by every git read qmsdoc makes (``GIT_NO_REPLACE_OBJECTS``), so they change nothing.

The payload is ``marshal`` data (plain values: it loads ten times faster than JSON); its
readers check the shape of what they take from it.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import atomic
from .errors import UsageError

MOST_BYTES = 1 << 30  # a cache file larger than this is not one qmsdoc wrote


def location(repo: Path, *, ancestry: bool = False) -> Path | None:
    """Where the caches live: ``$QMSDOC_CACHE_DIR`` (``off``: nowhere), else the repository's
    git directory (shared by its worktrees), else nowhere. With ``ancestry`` (a cache of
    what commit ids imply about their parents): nowhere in a shallow or grafted clone."""
    setting = os.environ.get("QMSDOC_CACHE_DIR", "")
    if setting == "off":
        return None
    common = _common_dir(repo) if ancestry or not setting else None
    if ancestry and (common is None or (common / "shallow").exists()
                     or (common / "info" / "grafts").exists()):
        return None
    if setting:
        return Path(setting)
    return None if common is None else common / "qmsdoc"


def _common_dir(repo: Path) -> Path | None:
    """The repository's common git folder (a worktree's is its main clone's), or None."""
    for folder in (repo, *repo.parents):  # the usual clone: .git is the folder itself
        dotgit = folder / ".git"
        if dotgit.is_dir():
            return dotgit
        if dotgit.exists():  # a worktree or submodule: git says where its common folder is
            break
    if shutil.which("git") is None:
        return None
    proc = subprocess.run(["git", "-C", str(repo), "rev-parse", "--git-common-dir"],
                          capture_output=True, check=False, env={**os.environ, "LC_ALL": "C"})
    text = proc.stdout.decode("utf-8", "surrogateescape").strip()
    if proc.returncode != 0 or not text:
        return None  # not in git: no cache, never an error
    return (repo / text).resolve()


def _read(path: Path, private: bool = False) -> bytes | None:
    """The bytes of the regular file at ``path``; None for anything else (a FIFO would block,
    a link may lead to a device, a huge file is not a cache). ``private``: only a file that
    this user owns and nobody else may write, in such a folder (a cache of code)."""
    if private and not _private(path.parent):
        return None
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError:  # none there, a link (ELOOP), a FIFO without a writer (ENXIO), ...
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MOST_BYTES \
                or (private and not _owned(info)):
            return None
        with os.fdopen(fd, "rb", closefd=False) as handle:
            # the size it has, and one byte to see it grow (read(n) first takes n bytes of
            # memory: reading up to MOST_BYTES took a gigabyte each time, which fails under
            # the address-space cap a template renders in, for every thread of the process)
            return handle.read(info.st_size + 1)
    except (OSError, MemoryError):  # a read error (EIO, EISDIR on some systems) is no cache
        return None  # either, nor one larger than the memory left under a template's cap
    finally:
        os.close(fd)


def _owned(info: os.stat_result) -> bool:
    """Owned by this user and writable by nobody else."""
    return info.st_uid == os.geteuid() and not info.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def _private(folder: Path) -> bool:
    try:
        return _owned(os.stat(folder))
    except OSError:
        return False


def load(path: Path | None, kind: str, key: str, *, private: bool = False) -> Any:
    """The value saved at ``path`` under ``kind`` and ``key``; None when there is none, it is
    damaged, or it was saved under another kind or key. ``private``, for a value that holds
    code to run (compiled templates): only from a file and folder of this user's that
    nobody else may write (the SHA-256 finds damage, not a planted file)."""
    if path is None:
        return None
    raw = _read(path, private)
    if raw is None or len(raw) > MOST_BYTES:
        return None
    try:
        header, _, payload = raw.partition(b"\n")
        name, saved_key, digest = header.decode("ascii").split(" ")
        if name != kind or saved_key != key or hashlib.sha256(payload).hexdigest() != digest:
            return None
        return marshal.loads(payload)
    except (ValueError, EOFError, TypeError, UnicodeDecodeError, MemoryError):
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
    try:
        atomic.replace(path, header + payload)
    except UsageError:  # the folder cannot be written to: the next run reads git again
        return False
    return True


def prune(folder: Path, stale: Callable[[str], bool], older_than: float) -> int:
    """Remove the files of ``folder`` whose names ``stale`` says no run of this installation
    reads, last written more than ``older_than`` seconds ago; how many were removed.

    Only in a folder of this user's that nobody else may write, only this user's regular
    files (or links, removed themselves, never followed) right in it, each with one unlink:
    a run reading one meanwhile keeps what it opened, a run opening one after finds no cache.
    What cannot be removed is left; nothing here is ever an error."""
    if not _private(folder):
        return 0
    now = time.time()
    removed = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        if not stale(entry.name):
            continue
        try:
            info = entry.stat(follow_symlinks=False)
            if not (stat.S_ISREG(info.st_mode) or stat.S_ISLNK(info.st_mode)) \
                    or info.st_uid != os.geteuid() or now - info.st_mtime <= older_than:
                continue
            os.unlink(os.path.join(folder, entry.name))
        except OSError:
            continue
        removed += 1
    return removed
