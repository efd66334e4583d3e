"""The facts the rules between records need (id, references, repeat key, dates), cached by
git blob id, so that ``validate --changed-since`` reads only the records that changed and
those the change affects.

A record's facts are a function of its content alone, so they are kept under the git blob id
of the file: ``git ls-tree`` names the blob of every record that did not change, with no
file read. The cache is only ever an optimisation:

* its key holds qmsdoc's version and a digest of the configuration, the schemas and the
  record limits: anything else is another cache file;
* the payload carries its own SHA-256: a torn, truncated or edited file reads as empty, and
  an entry of the wrong shape as missing; nothing in it is an error;
* it is read and written as every cache is (``cachefile.py``): only from a regular file,
  written whole or not at all, under the git directory (``.git/qmsdoc/``) or
  ``$QMSDOC_CACHE_DIR`` (``off``: no cache), never among the records.

Positions of cached facts are looked up only when a finding names one: then that one record
is read (its content is the blob's, as git said it did not change).
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

from .. import cachefile, contentkey
from ..cachefile import location as location  # where the caches live (one rule for all)
from ..config import Config
from ..findings import Location
from ..git import cmd as gitcmd
from ..kinds import KINDS
from ..records.files import RECORDS_DIR, SUFFIXES, Record, read
from ..records.yamlload import Limits
from ..schema import SchemaStore
from .crossref import RecordFacts, Ref

FORMAT = 1
NAME = "facts"
# blob id → the facts' plain form, or () for a file that gives none (unreadable, no kind/id)
Plain = tuple[Any, ...]


def fingerprint(config: Config, store: SchemaStore) -> str:
    """Changes whenever the facts of the same content could differ (``contentkey``)."""
    return contentkey.fingerprint(config, store, str(FORMAT))


class FactCache:
    """Blob id → facts of one configuration, read once and written back when it grew."""

    def __init__(self, folder: Path | None, key: str) -> None:
        self.key = key
        self.path = folder / f"{NAME}-{key[:20]}.marshal" if folder is not None else None
        self.entries: dict[str, Plain] = self._read()
        self.used: set[str] = set()
        self.dirty = False

    def _read(self) -> dict[str, Plain]:
        entries = cachefile.load(self.path, f"qmsdoc-facts-{FORMAT}", self.key)
        return entries if isinstance(entries, dict) else {}

    def get(self, blob: str) -> Plain | None:
        found = self.entries.get(blob)
        if not isinstance(found, tuple):
            return None
        self.used.add(blob)
        return found

    def put(self, blob: str, facts: RecordFacts | None) -> None:
        plain = to_plain(facts)
        self.used.add(blob)
        if self.entries.get(blob) != plain:
            self.entries[blob] = plain
            self.dirty = True

    def save(self, *, prune: bool = False) -> None:
        """Write the cache; with ``prune``, only the entries this run used (it saw every
        record). A cache that cannot be written only costs time."""
        if self.path is None:
            return
        if prune and len(self.used) != len(self.entries):
            self.entries = {b: p for b, p in self.entries.items() if b in self.used}
            self.dirty = True
        if not self.dirty:
            return
        if cachefile.save(self.path, f"qmsdoc-facts-{FORMAT}", self.key, self.entries):
            self.dirty = False


def to_plain(facts: RecordFacts | None) -> Plain:
    """The content part of a record's facts (no file path), as marshal-able values."""
    if facts is None:
        return ()
    refs = tuple((r.field, r.location.where, r.target_kind, r.target, r.items)
                 for r in facts.refs)
    received = facts.received.isoformat() if facts.received else None
    return (facts.kind, facts.id, refs, facts.item_ids, facts.customer, facts.part_no,
            facts.category, received)


def from_plain(plain: Plain, path: str, source: Reread) -> RecordFacts | None:
    """The facts of a cached entry for the file at ``path``; None for a file without facts.
    An entry of the wrong shape raises ValueError (the caller reads the file instead)."""
    if plain == ():
        return None
    try:
        kind, rid, refs, item_ids, customer, part_no, category, received = plain
        built = tuple(Ref(field, Location.of(path, source, where), target_kind, target,
                          tuple(items))
                      for field, where, target_kind, target, items in refs)
        ok = all(isinstance(x, str) for x in (kind, rid, customer, part_no, category)) \
            and all(isinstance(x, str) for x in item_ids) \
            and all(isinstance(r.field, str) and isinstance(r.target, str)
                    and isinstance(r.target_kind, str) for r in built)
        day = date.fromisoformat(received) if received is not None else None
    except (TypeError, ValueError, AttributeError):
        raise ValueError("not a cache entry") from None
    if not ok:
        raise ValueError("not a cache entry")
    return RecordFacts(path=path, kind=kind, id=rid,
                       id_location=Location.of(path, source, ("id",)), refs=built,
                       item_ids=tuple(item_ids), customer=customer, part_no=part_no,
                       category=category, received=day,
                       received_location=Location.of(path, source, ("received_at",)))


class Reread:
    """Positions in a record known only from the cache: the file is read when a finding
    first asks where something stands in it."""

    def __init__(self, repo: Path, rel: str, limits: Limits) -> None:
        self.repo, self.rel, self.limits = repo, rel, limits
        self._record: Record | None | bool = False

    def position(self, path: Any, *, key: bool = False) -> tuple[int, int]:
        if self._record is False:
            loaded = read(self.repo, self.repo / self.rel, self.limits)
            self._record = loaded if isinstance(loaded, Record) else None
        if not isinstance(self._record, Record):
            return 1, 1
        return self._record.doc.position(path, key=key)


# one ls-tree entry of a regular file: mode, type, blob id, path
_ENTRY = re.compile(r"100(?:644|755) blob ([0-9a-f]{40,64})\t([^\0]*)\0")


def tree_blobs(repo: Path, rev: str) -> dict[str, str]:
    """Repository-relative path → blob id of every regular record file in ``rev``'s tree
    (one ``git ls-tree`` over the kinds' folders; symlinks and submodules are left out:
    they are read)."""
    folders = [f"{RECORDS_DIR}/{kind.folder}" for kind in KINDS]
    out = gitcmd.run(repo, "ls-tree", "-r", "-z", rev, "--", *folders)
    return {path: blob for blob, path in _ENTRY.findall(out.decode("utf-8", "surrogateescape"))
            if path.endswith(SUFFIXES)}
