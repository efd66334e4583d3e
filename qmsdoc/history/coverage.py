"""What an approval covers besides the record file: its attachments.

A record names its photos and documents by path. An approval binds them with one
``Attachments:`` trailer, a digest over every attachment path and its blob in the approved
commit (``sha256:…``); a record without attachments carries none. A changed, added or
removed attachment changes the digest, so the approvals no longer cover the content: the
record is a draft again, in ``history``, ``verify`` and on the form.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..git import log as gitlog
from ..git import team
from ..git.log import RepoInfo
from ..records import attachments
from ..records.yamlload import LoadError, parse


def attachment_paths(raw: bytes) -> list[str]:
    """The attachment paths a record's content names (safe relative paths only)."""
    try:
        data = parse(raw).data
    except LoadError:
        return []
    return named_paths(data)


def named_paths(data: Any) -> list[str]:
    """The attachment paths a record's parsed content names (safe relative paths only)."""
    return sorted({p for _, p in attachments.paths(data)
                   if p and attachments.path_problem(p) is None})


def digest(blobs: Mapping[str, str | None]) -> str:
    """The digest over attachment path → blob id (None: the file is missing); "" for none."""
    if not blobs:
        return ""
    text = "".join(f"{path} {blobs[path] or '-'}\n" for path in sorted(blobs))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def digests_at(info: RepoInfo, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(commit, record blob) → the attachments' digest in that commit (a few git calls)."""
    pairs = list(dict.fromkeys(wanted))
    contents = gitlog.read_blobs(info, sorted({blob for _, blob in pairs}))
    named = {pair: attachment_paths(contents.get(pair[1], b"")) for pair in pairs}
    found = gitlog.blobs_at(info, [(commit, p) for (commit, _), paths in named.items()
                                   for p in paths])
    return {pair: digest({p: found.get((pair[0], p)) for p in paths})
            for pair, paths in named.items()}


def digest_in_work_tree(repo: Path, raw: bytes) -> str:
    """The attachments' digest of a record as the work tree holds them (committed or not)."""
    return digest_of_paths(repo, attachment_paths(raw))


def digest_of_paths(repo: Path, paths: Iterable[str]) -> str:
    """The attachments' digest of the work tree's files at ``paths``."""
    return digest({p: team.file_blob(repo / p) for p in paths})
