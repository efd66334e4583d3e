"""What an approval covers besides the record file: its attachments.

A record names its photos and documents by path. An approval binds them with one
``Attachments:`` trailer, a digest over every attachment path and its blob in the approved
commit (``sha256:…``); a record without attachments carries none. A changed, added or
removed attachment changes the digest, so the approvals no longer cover the content: the
record is a draft again, in ``history``, ``verify`` and on the form.
"""

from __future__ import annotations

import hashlib
import posixpath
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..git import log as gitlog
from ..git import team
from ..git.log import RepoInfo
from ..records import attachments
from ..records.yamlload import LoadError, parse
from . import blobs

PATHS = "attachment-paths"  # the name of the attachment paths derived from a content
DIGESTS = "attachment-digests"  # "commit blob" → the digest of that content's attachments
# there (one mapping per folder of the records repository in the git work tree)
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")


def attachment_paths(raw: bytes) -> list[str]:
    """The attachment paths a record's content names (safe relative paths only)."""
    try:
        data = parse(raw).data
    except LoadError:
        return []
    return named_paths(data)


def named_paths(data: Any) -> list[str]:
    """The attachment paths a record's parsed content names (safe relative paths only)."""
    found: set[str] = set()
    _path_values(data, found)
    return sorted(p for p in found if p and attachments.path_problem(p) is None)


def _path_values(data: Any, found: set[str]) -> None:
    """Add to ``found`` the values ``attachments.paths`` gives (not their field paths: a
    plain recursion, as verify reads every released content)."""
    if isinstance(data, dict):
        for value in data.values():
            if isinstance(value, dict | list):  # text and numbers hold no path
                _path_values(value, found)
    elif isinstance(data, list):
        for item in data:
            if isinstance(item, dict):
                path = item.get("path")
                if isinstance(path, str):
                    found.add(path)
                _path_values(item, found)
            elif isinstance(item, list):
                _path_values(item, found)


def digest(blobs: Mapping[str, str | None]) -> str:
    """The digest over attachment path → blob id (None: the file is missing); "" for none."""
    if not blobs:
        return ""
    text = "".join(f"{path} {blobs[path] or '-'}\n" for path in sorted(blobs))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def digests_at(info: RepoInfo, wanted: Iterable[tuple[str, str]],
               replay: gitlog.Replay | None = None) -> dict[tuple[str, str], str]:
    """(commit, record blob) → the attachments' digest in that commit (a few git calls: each
    record content parsed once, each folder of attachments listed once per tree; with
    ``replay``, the attachments' blobs from the log already read where it can say). The
    two ids fix the digest: it is kept with the contents' derived values (``blobs``), and
    a kept value that is not a digest is computed again."""
    kept = blobs.pairs(f"{DIGESTS}:{info.prefix}")  # the folder the paths are relative to
    result: dict[tuple[str, str], str] = {}
    missing: list[tuple[str, str]] = []
    for pair in dict.fromkeys(wanted):
        value = kept.get(f"{pair[0]} {pair[1]}")
        if type(value) is str and (not value or _DIGEST.fullmatch(value)):
            result[pair] = value
        else:
            missing.append(pair)
    if not missing:
        return result
    found_paths = blobs.derived(info, PATHS, sorted({blob for _, blob in missing}),
                                _paths_of, _are_paths)
    named = {pair: list(found_paths.get(pair[1], ())) for pair in missing}
    pairs_of_files = [(commit, p) for (commit, _), paths in named.items() for p in paths]
    found = replay.blobs_at(pairs_of_files) if replay is not None and replay.linear \
        else files_at(info, pairs_of_files)
    for pair, paths in named.items():
        result[pair] = digest({p: found.get((pair[0], p)) for p in paths})
        if pair[1] in found_paths:  # a content git has (else nothing is known of it)
            kept[f"{pair[0]} {pair[1]}"] = result[pair]
    blobs.grown()
    return result


def _paths_of(data: Any) -> tuple[str, ...]:
    return tuple(named_paths(data)) if data is not None else ()


def _are_paths(value: Any) -> bool:
    return isinstance(value, tuple) and all(isinstance(p, str) for p in value)


def files_at(info: RepoInfo, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """The blob of each (commit, file path) pair, as ``gitlog.blobs_at``, by folder: the
    folder's tree in each commit (one lookup), then each distinct tree listed once (an
    attachment folder is the same tree in every commit until it changes)."""
    pairs = list(dict.fromkeys(wanted))
    folders = gitlog.blobs_at(info, list(dict.fromkeys(
        (commit, posixpath.dirname(path)) for commit, path in pairs)), kind="tree")
    listings = gitlog.read_trees(info, sorted(set(folders.values())))
    result: dict[tuple[str, str], str] = {}
    for commit, path in pairs:
        folder, name = posixpath.split(path)
        tree = folders.get((commit, folder))
        blob = listings.get(tree, {}).get(name) if tree is not None else None
        if blob is not None:
            result[(commit, path)] = blob
    return result


def digest_in_work_tree(repo: Path, raw: bytes) -> str:
    """The attachments' digest of a record as the work tree holds them (committed or not)."""
    return digest_of_paths(repo, attachment_paths(raw))


def digest_of_paths(repo: Path, paths: Iterable[str]) -> str:
    """The attachments' digest of the work tree's files at ``paths``."""
    return digest({p: team.file_blob(repo / p) for p in paths})
