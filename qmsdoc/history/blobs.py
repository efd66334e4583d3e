"""Record contents by git blob id, each read and parsed once per process.

A blob id names its content for good, so what is computed from a record's content can be
kept under that id: ``verify`` needs each released content for two things (the attachments
its approvals cover, the dates it states) and sees the same content in a review and an
approval. The contents are read in one ``git cat-file --batch`` call per request, and only
those not read before.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..git import log as gitlog
from ..git.log import RepoInfo
from ..records.yamlload import LoadError, parse

MAX_KEPT = 100_000  # parsed contents kept; beyond, the memo starts again
_parsed: dict[str, Any] = {}


def records(info: RepoInfo, blobs: Iterable[str]) -> dict[str, Any]:
    """Blob id → the record's parsed content (None when it is not a readable record; a blob
    that does not exist is left out). Callers must not change the values."""
    wanted = list(dict.fromkeys(blobs))
    missing = [b for b in wanted if b not in _parsed]
    if missing:
        if len(_parsed) + len(missing) > MAX_KEPT:
            _parsed.clear()
        contents = gitlog.read_blobs(info, missing)
        for blob, raw in contents.items():
            _parsed[blob] = _data(raw)
    return {b: _parsed[b] for b in wanted if b in _parsed}


def _data(raw: bytes) -> Any:
    try:
        return parse(raw).data
    except LoadError:
        return None
