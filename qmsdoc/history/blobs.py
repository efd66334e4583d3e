"""Record contents by git blob id, each read and parsed once per process, and what is derived
from them, kept between runs of ``verify``.

A blob id names its content for good, so what is computed from a record's content can be
kept under that id: ``verify`` needs each released content for two things (the attachments
its approvals cover, the dates it states) and sees the same content in a review and an
approval. The contents are read in one ``git cat-file --batch`` call per request, and only
those not read before.

``derived`` keeps such a value (plain data: paths, dates) under the blob id and a name; when
``keep`` named a cache file (``verify``), the values are read from it and written back to it
(``save``), under a key that holds qmsdoc's version and the digest of the configuration and
schemas: a later run parses only the contents it has not seen. The file is checksummed
against damage, not signed: ``verify --no-cache`` derives everything again.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from .. import __version__, cachefile
from ..config import Config
from ..git import log as gitlog
from ..git.log import RepoInfo
from ..kinds import BY_NAME
from ..records.yamlload import Limits, LoadError, parse
from ..schema import DEFS_FILE, SchemaStore

MAX_KEPT = 100_000  # parsed contents kept; beyond, the memo starts again
KIND = "qmsdoc-blobfacts-2"  # 1: every fact date of every content
FILE = "blobfacts.marshal"
_parsed: dict[str, Any] = {}
_derived: dict[str, dict[str, Any]] = {}  # name → blob id → value
_kept: list[tuple[Path, str]] = []  # the cache file and its key, while ``keep`` is in force
_changed: list[bool] = [False]


def records(info: RepoInfo, blobs: Iterable[str]) -> dict[str, Any]:
    """Blob id → the record's parsed content (None when it is not a readable record; a blob
    that does not exist is left out). Callers must not change the values."""
    wanted = list(dict.fromkeys(blobs))
    missing = [b for b in wanted if b not in _parsed]
    if missing:
        if len(_parsed) + len(missing) > MAX_KEPT:
            _parsed.clear()
        # parsed while git reads on; a content too big for a record is not read at all
        for blob, raw in gitlog.iter_objects(info, missing, largest=Limits().max_bytes):
            _parsed[blob] = _data(raw) if raw is not None else None
    return {b: _parsed[b] for b in wanted if b in _parsed}


def prefetch(info: RepoInfo, blobs: Iterable[str], known: str) -> None:
    """Read and parse now the contents ``blobs`` of which the values derived under ``known``
    are not at hand: what ``records`` will be asked for later (e.g. while git computes the
    log's changes in another process). A hint only: a blob named wrongly costs its parse."""
    have = _derived.get(known, {})
    records(info, [b for b in blobs if b not in have])


_RECORD_BLOB = re.compile(rb"^record-blob:[ \t]*([0-9a-f]{40}(?:[0-9a-f]{24})?)[ \t]*$",
                          re.IGNORECASE | re.MULTILINE)


def named_in(messages: bytes) -> list[str]:
    """The blob ids that ``Record-Blob:`` lines in ``messages`` (git's output of commit
    messages) name: the contents approvals cover, as far as a quick look can tell."""
    return list(dict.fromkeys(b.decode("ascii") for b in _RECORD_BLOB.findall(messages)))


def derived(info: RepoInfo, name: str, blobs: Iterable[str], compute: Callable[[Any], Any],
            valid: Callable[[Any], bool]) -> dict[str, Any]:
    """Blob id → ``compute(content)`` (the parsed content, None when it is not a readable
    record), each computed once under ``name``; a blob that does not exist is left out.
    ``compute`` must depend on the content alone (``name`` names everything else it reads)
    and give marshal-able values; a kept value that ``valid`` refuses is computed again."""
    known = _derived.setdefault(name, {})
    wanted = list(dict.fromkeys(blobs))
    missing = [b for b in wanted if b not in known or not valid(known[b])]
    if missing:
        for blob, data in records(info, missing).items():
            known[blob] = compute(data)
        _changed[0] = True
    return {b: known[b] for b in wanted if b in known}


def pairs(name: str) -> dict[str, Any]:
    """The values kept under ``name`` for a pair of ids (a commit and a blob, as
    "commit blob"), which the caller reads and adds to (then ``grown``): a value fixed by
    both ids alike, e.g. a record content's attachments in a commit. Kept between runs as
    ``derived``'s values are; the caller checks each value it reads."""
    return _derived.setdefault(name, {})


def grown() -> None:
    """Values were added to a ``pairs`` mapping: ``save`` writes them."""
    _changed[0] = True


def fingerprint(config: Config, store: SchemaStore) -> str:
    """The key of the derived values: changes whenever the values of the same content could
    differ (qmsdoc's version, the configuration, whose limits decide what can be read, the
    schemas); validate's facts are keyed alike (``checks/factcache.py``)."""
    digest = hashlib.sha256(f"{__version__}|{config.limits}".encode())
    digest.update(json.dumps(config.data, sort_keys=True, default=str).encode())
    for name in sorted({DEFS_FILE, *(kind.schema_file for kind in BY_NAME.values())}):
        digest.update(json.dumps(store.raw(name), sort_keys=True, default=str).encode())
    return digest.hexdigest()


def keep(folder: Path | None, key: str) -> None:
    """Read the derived values kept in ``folder`` under ``key`` (None: keep nothing between
    runs); ``save`` writes them back."""
    _kept.clear()
    _derived.clear()
    _changed[0] = False
    if folder is None:
        return
    path = folder / FILE
    _kept.append((path, key))
    saved = cachefile.load(path, KIND, key)
    if isinstance(saved, dict) and all(isinstance(k, str) and isinstance(v, dict)
                                       and all(isinstance(b, str) for b in v)
                                       for k, v in saved.items()):
        _derived.update(saved)


def save() -> None:
    """Write the derived values back where ``keep`` read them (when they grew), and stop
    keeping them."""
    if _kept and _changed[0]:
        path, key = _kept[0]
        cachefile.save(path, KIND, key, _derived)
    _kept.clear()
    _changed[0] = False


def _data(raw: bytes) -> Any:
    try:
        return parse(raw).data
    except LoadError:
        return None
