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
from ..runlimits import RunLimits
from ..runlimits import size as shown_size
from ..schema import pointer
from . import pictures
from .files import Record

_DRIVE = re.compile(r"^[A-Za-z]:")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

Path_ = tuple[str | int, ...]
MAX_BYTES = RunLimits().max_attachment_bytes


def problem(repo: Path, path: str, max_bytes: int = MAX_BYTES) -> str | None:
    """Why ``path`` is not an acceptable attachment of the repository at ``repo``, or None."""
    return path_problem(path) or _file_problem(repo, path, max_bytes)


def path_problem(path: str) -> str | None:
    """Why ``path`` is not a repository-relative path that stays inside, or None."""
    if path.startswith(("/", "\\")):
        return (f"'{path}' is an absolute path; attachments are paths relative to the "
                "repository root")
    if _DRIVE.match(path):
        return (f"'{path}' starts with a drive letter; attachments are paths relative to the "
                "repository root")
    if "\\" in path:
        return f"'{path}' contains a backslash; use forward slashes"
    if ".." in path.split("/"):
        return f"'{path}' contains '..'; attachments must stay inside the repository"
    if _CONTROL.search(path):
        return f"'{path}' contains a control character"
    return None


def _file_problem(repo: Path, path: str, max_bytes: int) -> str | None:
    full = repo / path
    root = os.path.realpath(repo)
    real = os.path.realpath(full)
    if os.path.commonpath([root, real]) != root:
        return f"'{path}' is a symlink leading outside the repository"
    try:
        status = os.stat(real)
    except OSError:
        return f"'{path}' does not exist"
    if not stat.S_ISREG(status.st_mode):
        return f"'{path}' is not a regular file"
    if status.st_size > max_bytes:  # checked before anything reads it
        return (f"'{path}' is {shown_size(status.st_size)}; attachments are limited to "
                f"{shown_size(max_bytes)} (limits.max_attachment_bytes in qmsdoc.yaml)")
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
            yield from paths(value, (*where, key))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, dict) and isinstance(item.get("path"), str):
                yield (*where, index, "path"), item["path"]
            yield from paths(item, (*where, index))


def check(record: Record, repo: Path, max_bytes: int = MAX_BYTES) -> Iterator[Finding]:
    """One finding for each attachment path that is unsafe, missing, not a regular file, too
    large, or a picture that a form could not show."""
    for where, value in paths(record.data):
        if not value:
            continue  # an empty path is the schema's finding
        message = problem(repo, value, max_bytes)
        damaged = None if message else _picture_problem(repo, value)
        if message is not None or damaged is not None:
            line, column = record.doc.position(list(where))
            at = Location(record.path, line, column)
            if message is not None:
                yield error("attachment", pointer(where), at, message)
            elif damaged is not None:  # the form is still written, showing 图片无法显示
                yield warning("attachment", pointer(where), at, damaged)


def _picture_problem(repo: Path, path: str) -> str | None:
    if not path.lower().endswith(pictures.SUFFIXES):
        return None
    try:
        damage = pictures.file_damage(repo / path)
    except OSError as exc:
        return f"'{path}' cannot be read: {exc.strerror}"
    return f"'{path}' {damage}; the form shows 图片无法显示 in its place" if damage else None
