"""Record contents for read-only commands (``due``, ``report``), cached between runs.

Parsing thousands of YAML files dominates ``qmsdoc due``; their contents change rarely. The
cache keeps each file's parsed data keyed by its size, modification and inode change times
and inode (as git's index does) in ``$QMSDOC_CACHE_DIR`` (default ``$XDG_CACHE_HOME/qmsdoc``
or ``~/.cache/qmsdoc``).
A file that cannot be read is remembered as such; ``qmsdoc validate`` says why.
Set ``QMSDOC_CACHE_DIR=off`` to read every file every time.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .. import __version__, parallel
from .files import Record, listing, read_with_status
from .yamlload import Limits

FORMAT = 3
PARALLEL_MIN_FILES = 400
CHUNK = 250


@dataclass(frozen=True)
class Loaded:
    """Every record's value (path, value) and the paths of files that could not be read.

    The value is the record's data, or what a derivation made of it (see ``derived``)."""

    records: list[tuple[str, Any]]
    unreadable: list[str]


Derive = Callable[[str, dict[str, Any]], Any]
_derive: Derive | None = None  # set before worker processes fork


def cache_dir() -> Path | None:
    setting = os.environ.get("QMSDOC_CACHE_DIR", "")
    if setting == "off":
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "qmsdoc"


def _cache_file(repo: Path, limits: Limits, name: str) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    key = f"{repo.resolve()}|{limits.max_bytes}|{limits.max_depth}".encode()
    return folder / f"{name}-{hashlib.sha256(key).hexdigest()[:16]}.marshal"


def _read_cache(path: Path | None, tag: str) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        with path.open("rb") as handle:  # loads of the whole: load(file) reads bit by bit
            stored = marshal.loads(handle.read())
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    if not isinstance(stored, dict) or stored.get("format") != (FORMAT, __version__, tag):
        return {}
    entries = stored.get("entries")
    return entries if isinstance(entries, dict) else {}


def _write_cache(path: Path | None, tag: str, entries: dict[str, Any]) -> None:
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".records-", suffix=".tmp")
        with os.fdopen(fd, "wb") as handle:
            marshal.dump({"format": (FORMAT, __version__, tag), "entries": entries}, handle)
        os.replace(tmp, path)
    except (OSError, ValueError):
        pass  # a cache that cannot be written only costs time


def _files(repo: Path) -> list[tuple[str, str]]:
    return listing(repo)


File = tuple[str, str]  # (repository-relative, full) path of a record file, as ``listing``


Status = tuple[int, tuple[int, int, int]]  # size; modification, inode change time, inode


def _status(info: os.stat_result) -> Status:
    # as git's index: a copy that keeps the mtime (cp -p, rsync, tar) still changes the
    # inode change time, and a replaced file its inode
    return info.st_size, (info.st_mtime_ns, info.st_ctime_ns, info.st_ino)


def _parse(repo: Path, files: Iterable[File], limits: Limits) -> list[tuple[str, Status, Any]]:
    """Each file's status and value (read, and derived): (relative path, status, (value,)
    or None when it cannot be read). A file that cannot be stat'ed (gone, a link to
    nothing) is left out. The status is that of the file the reader opened (one system
    call fewer than a stat of its own); where it opened none, ``os.stat`` says. A worker
    gets text paths with their relative form from the listing: a Path per file, sent and
    made relative again, cost a tenth of reading it."""
    result: list[tuple[str, Status, Any]] = []
    for rel, full in files:
        loaded, info = read_with_status(repo, full, limits)
        if info is None:
            try:
                info = os.stat(full)
            except OSError:
                continue
        if not isinstance(loaded, Record):
            result.append((rel, _status(info), None))
        else:
            value = loaded.data if _derive is None else _derive(rel, loaded.data)
            result.append((rel, _status(info), (value,)))
    return result


def _parse_chunk(args: tuple[Path, list[File], Limits]) -> list[tuple[str, Status, Any]]:
    return _parse(*args)


def spans(total: int, jobs: int) -> list[tuple[int, int]]:
    """(start, end) of the chunks of ``total`` files for ``jobs`` workers: CHUNK files each,
    the last ``jobs`` x CHUNK in quarters, so that no worker is left alone with a whole chunk
    at the end while the others wait."""
    tail = max(0, total - jobs * CHUNK)
    step = max(1, CHUNK // 4)
    return [*((i, min(i + CHUNK, tail)) for i in range(0, tail, CHUNK)),
            *((i, min(i + step, total)) for i in range(tail, total, step))]


def _parse_all(repo: Path, files: list[File], limits: Limits) -> list[tuple[str, Status, Any]]:
    jobs = parallel.jobs_default()
    if len(files) < PARALLEL_MIN_FILES or jobs == 1:
        return _parse(repo, files, limits)
    chunks = [(repo, files[start:end], limits) for start, end in spans(len(files), jobs)]
    result: list[tuple[str, Status, Any]] = []
    for part in parallel.run(_parse_chunk, chunks, jobs, inherit=_derive is not None):
        result.extend(part)
    return result


def load(repo: Path, limits: Limits) -> Loaded:
    """Every record's data under ``records/``: from the cache where the file is unchanged."""
    return _load(repo, limits, "records", "data", None)


def derived(repo: Path, limits: Limits, name: str, tag: str, derive: Derive) -> Loaded:
    """What ``derive(path, data)`` makes of every record, cached per file like ``load``.

    ``tag`` must change whenever ``derive`` would give another result for the same data (a
    fingerprint of the configuration it uses). Values must be marshal-able (plain types)."""
    return _load(repo, limits, name, tag, derive)


def _load(repo: Path, limits: Limits, name: str, tag: str, derive: Derive | None) -> Loaded:
    global _derive
    cache_path = _cache_file(repo, limits, name)
    cached = _read_cache(cache_path, tag)
    entries: dict[str, Any] = {}
    if cached:
        stale: list[File] = []
        for rel, full in _files(repo):
            try:
                info = os.stat(full)
            except OSError:
                continue
            hit = cached.get(rel)
            if isinstance(hit, tuple) and len(hit) == 3 and hit[:2] == _status(info):
                entries[rel] = hit
            else:
                stale.append((rel, full))
    else:  # nothing to compare with: whoever reads a file takes its status (in parallel)
        stale = _files(repo)
    _derive = derive
    try:
        parsed = _parse_all(repo, stale, limits)
    finally:
        _derive = None
    for rel, status, value in parsed:
        entries[rel] = (*status, value)
    if stale or len(entries) != len(cached):
        _write_cache(cache_path, tag, entries)
    ordered = sorted(entries.items())
    return Loaded([(rel, e[2][0]) for rel, e in ordered if e[2] is not None],
                  [rel for rel, e in ordered if e[2] is None])
