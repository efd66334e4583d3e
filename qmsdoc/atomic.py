"""Writing a file whole or not at all: a temporary file beside it, then a rename (or a link).

A file that cannot be written (read-only folder, full disk) is the user's environment, not a
bug: ``UsageError`` (exit 2) naming the file, and nothing half-written is left behind.
"""

from __future__ import annotations

import errno
import itertools
import os
import re
import stat
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import UsageError
from .i18n import _

# Filesystems without hard links (some network shares, exFAT) say one of these.
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS}


class NameTaken(UsageError):
    """The file's name is a folder's: that one file cannot be written (the others can)."""


def _cannot(path: Path, exc: OSError) -> UsageError:
    if exc.errno in (errno.EISDIR, errno.ENOTEMPTY, errno.EEXIST) and path.is_dir() \
            and not path.is_symlink():
        return NameTaken(_("cannot write {path}: a folder has that name").format(path=path))
    return UsageError(_("cannot write {path}: {value}").format(
                          path=path, value=exc.strerror or exc))


def check_folder(folder: Path) -> None:
    """Refuse, before anything is written, an output folder that is (or lies under) a link
    to something that does not exist: making it would only say "File exists"."""
    for place in (folder, *folder.parents):
        if os.path.islink(place) and not os.path.exists(place):
            raise UsageError(_("{path} is a link to {target}, which does not exist: nothing "
                               "can be written there").format(
                                   path=place, target=os.readlink(place)))


def _temp(path: Path, data: bytes) -> str:
    import tempfile  # here: a command that writes nothing need not import it (~3 ms)

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}-",
                                   suffix=".tmp")
    except OSError as exc:
        raise _cannot(path, exc) from None
    with _discarded_on_failure(tmp, path):
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, _file_mode())
    return tmp


@contextmanager
def _discarded_on_failure(tmp: str, path: Path) -> Iterator[None]:
    """Remove the temporary file when anything fails; an OSError becomes a UsageError."""
    try:
        yield
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise _cannot(path, exc) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def replace(path: Path, data: bytes, *, through: bool = False) -> None:
    """Write ``data`` to ``path``, replacing what is there. ``through``, for an output the
    user named (``export --out /dev/stdout``): a device, a FIFO or a link to one is written
    to, as a shell redirection would, not replaced. Without it (caches, records, files
    qmsdoc names) such an entry is replaced like any other: a link planted at a cache's
    name must never lead a write into a device."""
    if through and _special(path):
        _write_through(path, data)
        return
    tmp = _temp(path, data)
    with _discarded_on_failure(tmp, path):
        os.replace(tmp, path)


class Folder:
    """Files written whole into one folder, many in a row (a run's forms): as ``replace``
    writes them (a temporary file beside, then a rename; the same mode, the same names for
    ``sweep``), with the file mode looked up once and the temporary names counted instead of
    drawn at random. A name that is taken, or a folder that is gone, is left to ``replace``
    (which makes the folder again, and says what is wrong if anything is)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder
        self.mode = _file_mode()
        self._count = itertools.count()

    def replace(self, name: str, data: bytes) -> Path:
        """Write ``data`` to the file ``name`` of the folder; returns its path."""
        path = self.path / name
        tmp = os.path.join(self.path, f".{name}.{os.getpid()}-{next(self._count)}.tmp")
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _CLOEXEC, 0o600)
        except OSError:
            replace(path, data)
            return path
        with _discarded_on_failure(tmp, path):
            try:
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
                os.fchmod(fd, self.mode)
            finally:
                os.close(fd)
            os.replace(tmp, path)
        return path


_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def _special(path: Path) -> bool:
    """Whether ``path`` (through links) is there and neither a regular file nor a folder."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _write_through(path: Path, data: bytes) -> None:
    """Opened without waiting (a FIFO nobody reads is an error, not a hang), then written
    to as a blocking descriptor."""
    try:
        fd = os.open(path, os.O_WRONLY | getattr(os, "O_CLOEXEC", 0)
                     | getattr(os, "O_NONBLOCK", 0))
        try:
            os.set_blocking(fd, True)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        finally:
            os.close(fd)
    except OSError as exc:
        raise _cannot(path, exc) from None


def create(path: Path, data: bytes) -> bool:
    """Write ``data`` to ``path`` unless it exists (then False, and nothing is written)."""
    tmp = _temp(path, data)
    try:
        os.link(tmp, path)  # refuses an existing name, even one created a moment ago
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in _NO_LINKS:
            raise _cannot(path, exc) from None
        return _create_without_links(path, data)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return True


def _create_without_links(path: Path, data: bytes) -> bool:
    """Exclusive create where hard links are not supported: still never two writers of one
    name; a crash mid-write can leave a short file, which the reader reports."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except FileExistsError:
        return False
    except OSError as exc:
        raise _cannot(path, exc) from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return True


def _file_mode() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


# ".<name>.<pid>-<random>.tmp" as _temp names them; older runs wrote no pid
_TEMP = re.compile(r"^\..+\.(?:(?P<pid>[0-9]+)-)?[A-Za-z0-9_]+\.tmp$")
STALE_SECONDS = 24 * 3600  # a temporary file without a pid this old is no running write's


def sweep(folder: Path) -> list[Path]:
    """Remove the temporary files a killed run left in ``folder``: those of a process that
    no longer runs (or, without a pid, older than a day). Returns what was removed."""
    removed: list[Path] = []
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        match = _TEMP.match(entry.name)
        if match is None or not entry.is_file(follow_symlinks=False):
            continue
        pid = match["pid"]
        if pid is not None and _alive(int(pid)):
            continue
        try:
            if pid is None and time.time() - entry.stat().st_mtime < STALE_SECONDS:
                continue
            os.unlink(entry.path)
        except OSError:
            continue  # gone already, or not ours to remove: a later run tries again
        removed.append(Path(entry.path))
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except OSError:
        return True  # another user's process, or cannot tell: leave its file
    return True
