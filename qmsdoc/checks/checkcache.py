"""Each record's own findings (schema, per-record rules, YAML 1.2 typing) kept between
whole-repository ``validate`` runs, so that a record git says did not change is not read,
parsed or checked again.

An entry is kept under the record's repository-relative path (its kind comes from its folder,
and its path is in its findings) and holds the git blob id of the content it was made for:
a record is taken from the cache only when ``git ls-tree HEAD`` names the same blob and
git says the file did not change since HEAD. What an entry holds:

* the blob id, and the file's inode, mode, size, modification and change times: a file
  whose content git says is the same (a clean filter, line endings) but whose bytes may
  differ, or whose permissions changed, is read again;
* the record's findings but those of its attachments, with their exact line, column,
  field, code, severity and message (in the language of the run that made them: the
  language is part of the key);
* the text of every ``path`` value the record holds (its attachments): the file system is
  looked at again every run (existence, kind, size, links, pictures); when any of them has
  a problem the record is read and checked afresh, so the attachment findings are always
  today's.

No per-record rule reads the clock, so the date is no part of the key. The key holds what
the facts cache's does (qmsdoc's version, the configuration and its limits, the schemas),
the language of the messages, and the size and time of qmsdoc's own code and catalogs and
of the compiled libraries that parse and judge (a development checkout's edit is another
cache). As every cache, it is only ever an optimisation (``cachefile.py``): a damaged,
foreign or planted file reads as no cache (read only from a file and folder of this user's
that nobody else may write: it holds verdicts); ``QMSDOC_CACHE_DIR=off`` turns it off; it is
written whole, atomically, only when something changed, and keeps only the records the run
saw (the whole repository). There is one file per language of the messages
(``checks-en.marshal``): one made under another key is replaced, so that the cache never
holds more than the records of the repository, twice.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .. import cachefile, contentkey, i18n
from ..config import Config
from ..findings import Finding, Location, Severity
from ..schema import SchemaStore

FORMAT = 1
NAME = "checks"
KIND = f"qmsdoc-checks-{FORMAT}"
# one finding as kept: severity, code, field, line, column, message
Kept = tuple[str, str, str, int, int, str]
# the file's inode, mode, size, modification and change times (ns) when it was kept
Stamp = tuple[int, int, int, int, int]
# an entry: blob id, stamp, the findings but the attachments', the attachment paths (None:
# not known)
Entry = tuple[str, Stamp, tuple[Kept, ...], tuple[str, ...] | None]

_code: str | None = None


def _code_digest() -> str:
    """Size and time of every file of qmsdoc's package (its code, schemas, catalogs) and of
    the compiled libraries the checks run: another build is another cache."""
    global _code
    if _code is not None:
        return _code
    digest = hashlib.sha256(sys.version.encode())
    package = Path(__file__).resolve().parent.parent
    for folder, dirs, files in os.walk(package):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith((".pyc", ".pyo")):
                continue
            _stamp(digest, os.path.join(folder, name))
    for module in ("ryml", "jsonschema_rs", "orjson", "yaml", "_yaml"):
        found = sys.modules.get(module)
        where = getattr(found, "__file__", None)
        if isinstance(where, str):
            _stamp(digest, where)
    _code = digest.hexdigest()
    return _code


def _stamp(digest: Any, path: str) -> None:
    try:
        info = os.stat(path)
    except OSError:
        return
    digest.update(f"{path}\0{info.st_size}\0{info.st_mtime_ns}\n".encode("utf-8",
                                                                         "surrogateescape"))


def fingerprint(config: Config, store: SchemaStore) -> str:
    """Changes whenever the own findings of the same record could differ."""
    return contentkey.fingerprint(config, store,
                                  f"{NAME}{FORMAT}|{i18n.language()}|{_code_digest()}")


def keep(finding: Finding) -> Kept:
    loc = finding.location
    return (str(finding.severity), finding.code, finding.field, loc.line, loc.column,
            finding.message)


def entry(status: os.stat_result | None, blob: str, own: Iterable[Finding],
          named: tuple[str, ...] | None) -> bytes:
    """The entry of a record just read (the status of the file it was read from, its blob
    id, own findings and attachment paths), made where it was checked and kept as marshal
    bytes (sent from a worker and written as they are); b"" without a status or blob."""
    if status is None or not blob:
        return b""
    return marshal.dumps((blob, _of(status), tuple(keep(f) for f in own), named))


def made(path: str, kept: Iterable[Kept]) -> tuple[Finding, ...]:
    """The findings of the record at ``path`` from their kept form; ValueError for an entry
    of another shape."""
    try:
        return tuple(Finding(Severity(severity), code, field, Location(path, line, column),
                             message)
                     for severity, code, field, line, column, message in kept)
    except (TypeError, ValueError):
        raise ValueError("not a cache entry") from None


def stamp(path: str) -> Stamp | None:
    """What ``os.stat`` says of the file at ``path`` that a change of it changes; None when
    there is no such file."""
    try:
        return _of(os.stat(path))
    except OSError:
        return None


def _of(info: os.stat_result) -> Stamp:
    return info.st_ino, info.st_mode, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def _sane(entry: Any) -> bool:
    if not (isinstance(entry, tuple) and len(entry) == 4 and isinstance(entry[0], str)
            and isinstance(entry[1], tuple) and isinstance(entry[2], tuple)):
        return False
    named = entry[3]
    if named is not None and not (isinstance(named, tuple)
                                  and all(isinstance(p, str) for p in named)):
        return False
    return all(isinstance(k, tuple) and len(k) == 6 and all(isinstance(x, str) for x in k[:3])
               and type(k[3]) is int and type(k[4]) is int and isinstance(k[5], str)
               for k in entry[2])


class CheckCache:
    """Record path → its own findings for one blob (an ``Entry`` as marshal bytes, loaded
    only when asked for), read once, written back when changed."""

    def __init__(self, folder: Path | None, key: str) -> None:
        self.key = key
        # one file per language: another configuration, schema or build replaces it
        self.path = folder / f"{NAME}-{i18n.language()}.marshal" if folder is not None \
            else None
        loaded = cachefile.load(self.path, KIND, key, private=True)
        self.entries: dict[str, bytes] = loaded if isinstance(loaded, dict) else {}
        self.dirty = False

    def get(self, rel: str, blob: str, now: Stamp | None) -> Entry | None:
        """The entry of ``rel`` when it was made for ``blob``, from a file of the stamp
        ``now``, and has the right shape."""
        raw = self.entries.get(rel)
        if not isinstance(raw, bytes) or now is None:
            return None
        try:
            found = marshal.loads(raw)
        except (ValueError, EOFError, TypeError):
            return None
        if not _sane(found) or found[0] != blob or found[1] != now:
            return None
        return found  # type: ignore[no-any-return]

    def put(self, rel: str, raw: bytes) -> None:
        if self.entries.get(rel) != raw:
            self.entries[rel] = raw
            self.dirty = True

    def save(self, present: set[str]) -> None:
        """Write the cache with the entries of the records in ``present`` (the records the
        run saw: the others were deleted or renamed). A cache that cannot be written only
        costs time."""
        if self.path is None:
            return
        if any(rel not in present for rel in self.entries):
            self.entries = {rel: e for rel, e in self.entries.items() if rel in present}
            self.dirty = True
        if self.dirty and cachefile.save(self.path, KIND, self.key, self.entries):
            self.dirty = False
