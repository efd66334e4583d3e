"""Finding record files in a repository and reading them into Records."""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import Finding, Location, error
from ..i18n import _
from ..kinds import BY_FOLDER, KINDS
from .yamlload import Document, Limits, LoadError, parse, too_big

RECORDS_DIR = "records"
SUFFIXES = (".yaml", ".yml")


@dataclass(frozen=True)
class Record:
    """One record file: where it is, what its folder says it is, and its parsed content."""

    path: str  # repository-relative, forward slashes: what messages show
    folder_kind: str | None
    doc: Document
    blob: str = ""  # the file's git blob id, when the reader was asked for it

    @property
    def data(self) -> Any:
        return self.doc.data

    @property
    def kind(self) -> str | None:
        value = self.data.get("kind") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def id(self) -> str | None:
        value = self.data.get("id") if isinstance(self.data, dict) else None
        return value if isinstance(value, str) else None

    @property
    def stem(self) -> str:
        return self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def display_path(repo: Path, path: Path) -> str:
    """``path`` relative to the repository root, with forward slashes (as messages show it)."""
    try:
        return path.relative_to(repo).as_posix()  # the common case: found below the root
    except ValueError:
        pass
    try:
        return path.resolve().relative_to(repo.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(repo: Path, path: Path | str) -> bool:
    root = os.path.realpath(repo)
    return os.path.commonpath([root, os.path.realpath(path)]) == root


def folder_kind(relpath: str) -> str | None:
    """The kind a repository-relative path's folder stands for (``records/<folder>/...``)."""
    parts = relpath.split("/")
    if len(parts) >= 3 and parts[0] == RECORDS_DIR and parts[1] in BY_FOLDER:
        return BY_FOLDER[parts[1]].name
    return None


_KIND_ORDER = {kind.folder: i for i, kind in enumerate(KINDS)}


def index_order(relpath: str) -> tuple[tuple[int, str], ...]:
    """The key that sorts repository-relative record paths in ``discover``'s order: kind by
    kind, a folder's files before its subfolders, each by name. Of two files with the same
    id (an error ``validate`` reports), ``index`` and ``locate`` find the one that sorts
    first, and ``approve`` approves that one."""
    parts = relpath.split("/")
    kind = _KIND_ORDER.get(parts[1], len(KINDS)) if len(parts) >= 3 else len(KINDS)
    return ((kind, ""), *((1, folder) for folder in parts[2:-1]), (0, parts[-1]))


def discover(repo: Path) -> list[Path]:
    """Every record file under ``records/<kind folder>/``, in a stable order.

    A repository without ``records/`` is a wrong ``--repo`` or working directory, not an
    empty repository (``qmsdoc init`` creates the folder): a UsageError, so that CI pointed
    at the wrong place fails instead of passing on nothing."""
    if not (repo / RECORDS_DIR).is_dir():
        raise UsageError(_("no {folder}/ folder in {repo}: is --repo (or the working "
                           "directory) right? `qmsdoc init` creates a records repository")
                         .format(folder=RECORDS_DIR, repo=repo))
    return [Path(full) for _rel, full in listing(repo)]


def listing(repo: Path) -> list[tuple[str, str]]:
    """``discover``'s files as (repository-relative, full) path strings, in its order
    (without a Path per file: building them costs more than the rest of a warm ``due`` or
    ``validate --changed-since``); an empty list without ``records/``."""
    root = str(repo)
    found: list[tuple[str, str]] = []
    for kind in KINDS:
        base = os.path.join(root, RECORDS_DIR, kind.folder)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
            found.extend((f"{rel_dir}/{name}", os.path.join(dirpath, name))
                         for name in sorted(filenames)
                         if name.endswith(SUFFIXES) and not name.startswith("."))
    return found


def index(repo: Path) -> dict[str, Path]:
    """The one id index: record id (its file name without the suffix) → its file, in
    ``discover``'s order; when two files share an id (an error ``validate`` reports), the
    first."""
    found: dict[str, Path] = {}
    for path in discover(repo):
        found.setdefault(path.stem, path)
    return found


def relative_index(repo: Path) -> dict[str, str]:
    """``index`` with repository-relative paths (forward slashes), without building a Path
    per file (the states of the records a run renders)."""
    if not (repo / RECORDS_DIR).is_dir():
        discover(repo)  # its message
    root = str(repo)
    found: dict[str, str] = {}
    for kind in KINDS:
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, RECORDS_DIR, kind.folder)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            folder = os.path.relpath(dirpath, root).replace(os.sep, "/")
            for name in sorted(filenames):
                if name.endswith(SUFFIXES) and not name.startswith("."):
                    found.setdefault(name.rsplit(".", 1)[0], f"{folder}/{name}")
    return found


def locate(repo: Path, record_id: str) -> Path | None:
    """``index(repo).get(record_id)`` without building the index: the walk stops at the
    first file of that name (one record's ``history`` in a large repository)."""
    if not (repo / RECORDS_DIR).is_dir():
        discover(repo)  # its message
    if record_id.startswith("."):
        return None
    names = {record_id + suffix for suffix in SUFFIXES}
    for kind in KINDS:
        base = repo / RECORDS_DIR / kind.folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            found = sorted(names.intersection(filenames))
            if found:
                return Path(dirpath) / found[0]
    return None


def expand(repo: Path, paths: Iterable[Path]) -> list[Path]:
    """Files named on the command line; folders stand for the record files below them."""
    result: list[Path] = []
    real_folders: dict[str, str] = {}  # a folder → its real path, looked up once
    for path in paths:
        name = str(path)
        folder, base = os.path.split(name)
        if base not in ("", ".", "..") and _plain_file(name):
            # a regular file, not a link: its real path is its folder's and its name
            real = real_folders.get(folder)
            if real is None:
                real = real_folders[folder] = os.path.realpath(folder or os.curdir)
            result.append(Path(os.path.join(real, base)))
        elif path.is_dir():
            result.extend(_below(repo, path))
        elif path.is_file():
            result.append(path.resolve())
        else:
            raise UsageError(_("{path}: no such file or directory").format(path=path))
    return list(dict.fromkeys(result))  # a file named twice (an id and its path) is one record


def _below(repo: Path, folder: Path) -> list[Path]:
    """The record files below a folder named on the command line. A folder that holds the
    repository's ``records/`` (``qmsdoc validate .`` at its root) stands for that folder:
    ``qmsdoc.yaml`` and the CI files beside it are no records, nor are the attachments'
    files: it names ``discover``'s records, as given without a name (the same paths, also
    where ``records/`` is a link). Hidden files and folders (``.git``, an editor's ``.swp``)
    are none either, as for ``discover``."""
    records = repo / RECORDS_DIR
    if records.is_dir():
        real, inside = folder.resolve(), records.resolve()
        # the folder as named holds records/ (a link to a folder elsewhere included), or the
        # folder it leads to is records/ or holds it
        if real == inside or real in inside.parents \
                or real in (repo.resolve() / RECORDS_DIR).parents:
            return discover(repo)
    return sorted(p.resolve() for p in folder.rglob("*")
                  if p.suffix in SUFFIXES and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _plain_file(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def relative(repo: Path, path: Path | str) -> str:
    """``display_path`` without building Paths for the common case (a file below the root)."""
    root, full = str(repo), str(path)
    prefix = root if root.endswith(os.sep) else root + os.sep
    if full.startswith(prefix) and ".." not in full:
        return full[len(prefix):].replace(os.sep, "/")
    return display_path(repo, Path(path))


def blob_id(content: bytes) -> str:
    """The git blob id of ``content`` (SHA-1 repositories)."""
    return hashlib.sha1(b"blob %d\0" % len(content) + content, usedforsecurity=False).hexdigest()


def read(repo: Path, path: Path | str, limits: Limits, *, blob: bool = False
         ) -> Record | Finding:
    """The record at ``path``, or the one finding that says why it cannot be read; with
    ``blob``, the record knows its git blob id. ``path`` may be text (a worker receives its
    paths so: a Path per file costs more than a tenth of reading it)."""
    return _read(repo, path, limits, blob, None)


def read_with_status(repo: Path, path: Path | str, limits: Limits, *, blob: bool = False
                     ) -> tuple[Record | Finding, os.stat_result | None]:
    """``read``, and the status of the file it opened (``fstat``: what ``os.stat(path)``
    gives, a link followed), so that a caller keeping statuses (the record cache) needs no
    stat of its own; None when no file was opened (a symlink leading outside, a file that
    cannot be opened)."""
    opened: list[os.stat_result] = []
    found = _read(repo, path, limits, blob, opened)
    return found, opened[0] if opened else None


def _read(repo: Path, path: Path | str, limits: Limits, blob: bool,
          opened: list[os.stat_result] | None) -> Record | Finding:
    rel = relative(repo, path)
    try:
        raw = _read_bytes(repo, path, limits, opened)
        if raw is None:
            return error("symlink", "/", Location(rel, 1, 1),
                         _("a symlink leading outside the repository; records are read only "
                           "from inside it"))
        doc = parse(raw, limits)
    except OSError as exc:
        return error("io", "/", Location(rel, 1, 1),
                     _("cannot read file: {reason}").format(reason=exc.strerror))
    except LoadError as exc:
        # LINE:COL are 1-based; a problem with the whole file points at its start
        return error(exc.code, "/", Location(rel, exc.line or 1, exc.column or 1), exc.message)
    if not isinstance(doc.data, dict):
        line, col = doc.position([])
        return error("schema", "/", Location(rel, line, col),
                     _("a record is a mapping of fields, starting with 'kind:' and 'id:'"))
    return Record(rel, folder_kind(rel), doc, blob_id(raw) if blob else "")


# O_NONBLOCK: opening a FIFO planted among the records must not wait for a writer for ever
READ_FLAGS = os.O_RDONLY | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0) \
    | getattr(os, "O_NONBLOCK", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def regular_bytes(path: Path | str) -> bytes:
    """The bytes of the regular file at ``path`` (a link followed); OSError for anything else:
    a FIFO planted among the records must not make a plain read wait for ever."""
    fd = os.open(path, READ_FLAGS)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, _("not a regular file (a FIFO, socket or device)"))
        with os.fdopen(os.dup(fd), "rb") as handle:
            return handle.read()
    finally:
        os.close(fd)


def _read_bytes(repo: Path, path: Path | str, limits: Limits,
                opened: list[os.stat_result] | None = None) -> bytes | None:
    """The bytes of the file at ``path``; None when it is a symlink leading outside the
    repository; LoadError when it is larger than a record may be (before reading it). The
    status of the file opened goes into ``opened`` (when given), whatever follows.

    Where the system has O_NOFOLLOW, opening refuses a symlink, which is then looked at;
    an ordinary file costs no lstat. Read with the system calls themselves: Python's file
    objects cost as much as the reading."""
    if _NOFOLLOW:
        try:
            fd = os.open(path, READ_FLAGS | _NOFOLLOW)
        except OSError as exc:
            if exc.errno not in (errno.ELOOP, errno.EMLINK):  # EMLINK: FreeBSD's way
                raise
            fd = -1  # a symlink (or a loop of them)
    else:  # Windows
        try:
            fd = -1 if stat.S_ISLNK(os.lstat(path).st_mode) else os.open(path, READ_FLAGS)
        except OSError:
            fd = os.open(path, READ_FLAGS)  # says why
    if fd == -1:
        if not _inside(repo, path):
            return None
        fd = os.open(path, READ_FLAGS)
    try:
        status = os.fstat(fd)
        if opened is not None:
            opened.append(status)
        if stat.S_ISDIR(status.st_mode):  # as Python's open() says it
            raise IsADirectoryError(errno.EISDIR, os.strerror(errno.EISDIR))
        if not stat.S_ISREG(status.st_mode):  # a FIFO, a socket, a device
            raise OSError(errno.EINVAL, _("not a regular file (a FIFO, socket or device)"))
        size = status.st_size
        if size > limits.max_bytes:
            raise LoadError("limit", too_big(size, limits.max_bytes))
        raw = os.read(fd, size + 1)
        if len(raw) > size:  # it grew since: read on to its end
            parts = [raw]
            while chunk := os.read(fd, 1 << 16):
                parts.append(chunk)
            raw = b"".join(parts)
        return raw
    finally:
        os.close(fd)
