"""Attachments: repository-relative paths to regular files inside the repository.

A record names its photos and documents by path. Those paths are checked before anything
reads them: a form must never embed ``/etc/passwd`` or a file a symlink smuggles in from
outside the repository. ``validate`` reports every bad path; ``render`` reads only paths
that pass the same check.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..findings import Finding, Location, error, warning
from ..i18n import _
from ..runlimits import RunLimits
from ..runlimits import size as shown_size
from ..schema import pointer
from . import pictures
from .files import Record
from .yamlload import key_finder

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Path_ = tuple[str | int, ...]
MAX_BYTES = RunLimits().max_attachment_bytes


def problem(repo: Path, path: str, max_bytes: int = MAX_BYTES) -> str | None:
    """Why ``path`` is not an acceptable attachment of the repository at ``repo``, or None."""
    return path_problem(path) or _file_problem(repo, path, max_bytes)


# a path that needs none of path_problem's questions: relative, forward slashes, no ".."
# (no part starts with a dot), no drive letter, no control character
_PLAIN_PATH = re.compile(r"[A-Za-z0-9_][-A-Za-z0-9_.]*(?:/[A-Za-z0-9_][-A-Za-z0-9_.]*)*")


def path_problem(path: str) -> str | None:
    """Why ``path`` is not a repository-relative path that stays inside, or None."""
    if _PLAIN_PATH.fullmatch(path) is not None:
        return None
    if path.startswith(("/", "\\")):
        return _("'{path}' is an absolute path; attachments are paths relative to the "
                 "repository root").format(path=path)
    if _DRIVE.match(path):
        return _("'{path}' starts with a drive letter; attachments are paths relative to the "
                 "repository root").format(path=path)
    if "\\" in path:
        return _("'{path}' contains a backslash; use forward slashes").format(path=path)
    if ".." in path.split("/"):
        return _("'{path}' contains '..'; attachments must stay inside the repository"
                 ).format(path=path)
    if _CONTROL.search(path):
        return _("'{path}' contains a control character").format(path=path)
    return None


def _too_big(path: str, size: int, limit: int) -> str:
    return _("'{path}' is {size}; attachments are limited to {limit} "
             "(limits.max_attachment_bytes in qmsdoc.yaml)").format(
                 path=path, size=shown_size(size), limit=shown_size(limit))


def _file_problem(repo: Path, path: str, max_bytes: int) -> str | None:
    full = repo / path
    root = os.path.realpath(repo)
    real = os.path.realpath(full)
    if os.path.commonpath([root, real]) != root:
        return _("'{path}' is a symlink leading outside the repository").format(path=path)
    try:
        status = os.stat(real)
    except OSError:
        return _("'{path}' does not exist").format(path=path)
    if not stat.S_ISREG(status.st_mode):
        return _("'{path}' is not a regular file").format(path=path)
    if status.st_size > max_bytes:  # checked before anything reads it
        return _too_big(path, status.st_size, max_bytes)
    return None


def resolve(repo: Path, path: str, max_bytes: int = MAX_BYTES) -> Path | None:
    """The file an attachment path names, only when it passes the check."""
    if problem(repo, path, max_bytes) is not None:
        return None
    return Path(os.path.realpath(repo / path))


def paths(data: Any, where: Path_ = ()) -> Iterator[tuple[Path_, str]]:
    """Every attachment path in a record: the ``path`` of each mapping in any list, with the
    field path to it (complaint ``attachments``, ``verification.evidence``, 8D steps, ...)."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, dict | list):  # text and numbers hold no path
                yield from paths(value, (*where, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                yield (*where, index, "path"), item["path"]
            if isinstance(item, dict | list):
                yield from paths(item, (*where, index))


class Places:
    """The same judgement as ``problem`` for many paths of one repository in one run: the
    repository's and each folder's real path are resolved once; a file that is no symlink
    then costs one lstat."""

    def __init__(self, repo: Path, max_bytes: int = MAX_BYTES) -> None:
        self.repo, self.max_bytes = repo, max_bytes
        self.root = os.path.realpath(repo)
        self._folders: dict[str, str | None] = {}  # folder → its real path; None: outside

    def _folder(self, folder: str) -> str | None:
        """The real path of ``folder``; None when it leads outside. A folder that is no
        symlink is its real parent's child: one lstat, the parent looked up once."""
        if folder in self._folders:
            return self._folders[folder]
        parent, _, name = folder.rpartition("/")
        real: str | None = None
        if name not in ("", ".", ".."):
            real_parent = self._folder(parent) if parent else self.root
            if real_parent is not None:
                try:
                    if not stat.S_ISLNK(os.lstat(os.path.join(real_parent, name)).st_mode):
                        real = os.path.join(real_parent, name)
                except OSError:
                    pass
        if real is None:  # a symlink, a missing folder, an odd name: as realpath says
            real = os.path.realpath(os.path.join(self.repo, folder))
            if os.path.commonpath([self.root, real]) != self.root:
                real = None
        self._folders[folder] = real
        return real

    def problem(self, path: str) -> str | None:
        found = path_problem(path)
        if found is not None:
            return found
        folder, _slash, name = path.rpartition("/")
        real_folder = self._folder(folder)
        if real_folder is None:
            return _("'{path}' is a symlink leading outside the repository").format(path=path)
        if name in ("", ".", ".."):
            return _file_problem(self.repo, path, self.max_bytes)
        try:
            status = os.lstat(os.path.join(real_folder, name))
        except OSError:
            return _("'{path}' does not exist").format(path=path)
        if stat.S_ISLNK(status.st_mode):  # where the link leads, as problem() does
            return _file_problem(self.repo, path, self.max_bytes)
        if not stat.S_ISREG(status.st_mode):
            return _("'{path}' is not a regular file").format(path=path)
        if status.st_size > self.max_bytes:
            return _too_big(path, status.st_size, self.max_bytes)
        return None


def check(record: Record, repo: Path, max_bytes: int = MAX_BYTES,
          places: Places | None = None, named: tuple[str, ...] | None = None
          ) -> Iterator[Finding]:
    """One finding for each attachment path that is unsafe, missing, not a regular file, too
    large, or a picture that a form could not show; only the files the record names are
    looked at. ``named``: the record's ``named`` paths, taken already."""
    places = places or Places(repo, max_bytes)
    if fine(named if named is not None else named_paths(record), repo, places):
        return
    for where, value in paths(record.data):
        if not value:
            continue  # an empty path is the schema's finding
        message = places.problem(value)
        damaged = None if message else _picture_problem(repo, value)
        if message is not None or damaged is not None:
            at = Location.of(record.path, record.doc.positions(), where)
            if message is not None:
                yield error("attachment", pointer(where), at, message)
            elif damaged is not None:  # the form is still written, showing 图片无法显示
                yield warning("attachment", pointer(where), at, damaged)


_PATH = key_finder(["path"])


def named_paths(record: Record) -> tuple[str, ...] | None:
    """The text value of every ``path`` key in the fast path's JSON (one pass over the text
    instead of a walk of the values): every attachment path is among them. None when
    libyaml read the file (no such pass)."""
    found = record.doc.texts_at(_PATH)
    return None if found is None else tuple(value for _, value in found)


def fine(named: tuple[str, ...] | None, repo: Path, places: Places) -> bool:
    """Whether every path of ``named`` (``named_paths``) passes today: True means ``check``
    finds nothing. The file system is looked at each time (existence, links, size,
    pictures)."""
    return named is not None and all(
        not value or (places.problem(value) is None and _picture_problem(repo, value) is None)
        for value in named)


def _picture_problem(repo: Path, path: str) -> str | None:
    if not path.lower().endswith(pictures.SUFFIXES):
        return None
    try:
        damage = pictures.file_damage(repo / path)
    except OSError as exc:
        return _("'{path}' cannot be read: {reason}").format(path=path, reason=exc.strerror)
    return _("'{path}' {damage}; the form shows 图片无法显示 in its place").format(
        path=path, damage=damage) if damage else None
