"""The log of one file at one commit (``read_log(info, commit, path)``), kept between runs.

One record's history reads three path logs: the record's file, qmsdoc.yaml and the trusted
keys file. Each is a walk of every commit (Bloom filters make it ~10 ms on 20,000 commits),
and the last two are the same for every record. A commit id names everything reachable from
it for good, so the log of a path at a commit never changes: it is kept under the commit id
and the path (and what the parsed log depends on besides: qmsdoc's version, the records
repository's folder, the part of the tree kept). Only the logs at one commit are kept: a run
at another commit (a new commit, a checkout) starts the file again, so it stays small.

Like the approvals index it is off in a shallow or grafted clone (``cachefile.location``
with ``ancestry``), where the log at the same commit changes when the history is deepened.
As with the other caches (cachefile.py): checksummed against damage, not signed. A person
who can write in the cache folder can change what a cached log says; ``audit-pack`` and
``verify`` do not read this cache.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .. import __version__, cachefile
from .log import Commit, RepoInfo, read_log
from .logcache import Plain, from_plain, plain

KIND = "qmsdoc-pathlog-1"
FILE = "pathlog.marshal"
MAX_ENTRIES = 64  # paths kept at one commit; the oldest go first (render --at of many records)


def path_log(info: RepoInfo, commit: str, path: str, under: str,
             folder: Path | None) -> list[Commit]:
    """``read_log(info, commit, path, under)`` through the cache in ``folder`` (None: no
    cache); ``commit`` is a full commit id."""
    if folder is None:
        return read_log(info, commit, path, under)
    file = folder / FILE
    saved = cachefile.load(file, KIND, __version__)
    entries: dict[str, tuple[Plain, ...]] = {}
    if isinstance(saved, tuple) and len(saved) == 2 and saved[0] == commit \
            and isinstance(saved[1], dict):
        entries = saved[1]
    name = _name(info, path, under)
    entry = entries.get(name)
    if type(entry) is tuple:
        try:
            return [_commit(item) for item in entry]
        except (TypeError, ValueError):
            pass  # damaged: read from git, and write it again
    commits = read_log(info, commit, path, under)
    entries = {k: v for k, v in entries.items() if k != name}
    while len(entries) >= MAX_ENTRIES:
        del entries[next(iter(entries))]
    entries[name] = tuple((c.id, *plain(c)) for c in commits)
    cachefile.save(file, KIND, __version__, (commit, entries))
    return commits


def _commit(item: object) -> Commit:
    if type(item) is not tuple or not item or type(item[0]) is not str:
        raise ValueError("not a cache entry")
    return from_plain(item[0], item[1:])


def _name(info: RepoInfo, path: str, under: str) -> str:
    text = f"{info.prefix}\0{path}\0{under}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]
