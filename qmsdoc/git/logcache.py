"""The whole history's parsed log (``read_log``), kept between runs of ``verify``.

A commit id names the commit for good: its parents, author, committer, message and what it
changes against its parents. So each parsed commit is kept under its id, and a later run
asks git only for the order of the commits reachable from HEAD (``git rev-list
--topo-order``, the order ``git log`` gives them in: milliseconds with the commit-graph) and
reads the commits it does not hold yet. A commit the history no longer reaches (a rewritten
or dropped branch) is simply not used, and is left out when the cache is written again; a
history mostly new to the cache is read in one pass as without it.

What this cannot protect against: the file is checksummed against damage, not signed. A
person who can write in the cache folder (``.git/qmsdoc`` or ``$QMSDOC_CACHE_DIR``) can
change what a cached commit says, and ``verify`` would judge that; ``verify --no-cache``
(and ``audit-pack``) read everything from git again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .. import __version__, cachefile
from . import cmd as gitcmd
from .log import RECORDS_PREFIX, Commit, FileChange, Ident, RepoInfo, read_commits, read_log

KIND = "qmsdoc-log-1"
FILE = "log.marshal"
Plain = tuple[Any, ...]


def cached_log(info: RepoInfo, folder: Path | None,
               meanwhile: Callable[[bytes], None] | None = None) -> list[Commit]:
    """``read_log(info)`` (every commit reachable from HEAD, oldest first, with its changes
    to records), through the cache in ``folder`` (None: no cache); ``meanwhile`` as for
    ``read_log``, when the whole log is read from git."""
    if folder is None or info.head is None:
        return read_log(info, info.head or "HEAD", meanwhile=meanwhile)
    path = folder / FILE
    key = _key(info)
    saved = cachefile.load(path, KIND, key)
    entries: dict[str, Plain] = saved if isinstance(saved, dict) else {}
    order: list[str] = []
    if entries:  # the order of the commits reachable now (a cache of none: read them all)
        order = gitcmd.run(info.root, "rev-list", "--topo-order", "--reverse", info.head
                           ).decode("ascii", "replace").split()
    missing = [cid for cid in order if cid not in entries]
    commits = None
    if order and len(missing) * 2 <= len(order):  # else one pass over everything is quicker
        commits = _assemble(info, order, entries, missing)
    if commits is None:
        commits = read_log(info, info.head, meanwhile=meanwhile)
    if missing or not order or len(entries) != len(commits):  # new, or unreachable to drop
        cachefile.save(path, KIND, key, {c.id: plain(c) for c in commits})
    return commits


def _key(info: RepoInfo) -> str:
    """What the parsed commits depend on besides the commits: qmsdoc's version, the records
    repository's folder in the work tree and the part of it the log keeps."""
    text = f"{__version__}\0{info.prefix}\0{RECORDS_PREFIX}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _assemble(info: RepoInfo, order: Sequence[str], entries: dict[str, Plain],
              missing: Sequence[str]) -> list[Commit] | None:
    """The commits in ``order``, from the cache and, for ``missing``, from git; None when
    an entry is not what the cache writes (the caller reads the whole log)."""
    fetched = {c.id: c for c in read_commits(info, list(missing))}
    commits = []
    try:
        for cid in order:
            commit = fetched.get(cid) or from_plain(cid, entries[cid])
            commits.append(commit)
    except (KeyError, TypeError, ValueError):
        return None
    return commits


def plain(commit: Commit) -> Plain:
    """A parsed commit as marshal-able values (without its id, the key)."""
    a, c = commit.author, commit.committer
    files = tuple((f.status, f.path, f.old, f.new, f.mode) for f in commit.files)
    return (commit.parents, a.name, a.email, a.date, c.name, c.email, c.date, commit.message,
            files, commit.other_files)


def from_plain(cid: str, entry: Plain) -> Commit:
    """The commit a cache entry holds; TypeError or ValueError when it is not one."""
    parents, an, ae, ad, cn, ce, cd, message, files, others = entry
    if type(parents) is not tuple or type(files) is not tuple or type(others) is not tuple:
        raise ValueError("not a cache entry")
    for text in (an, ae, ad, cn, ce, cd, message, *parents, *others):
        if type(text) is not str:
            raise ValueError("not a cache entry")
    changes = []
    for status, path, old, new, mode in files:
        if type(status) is not str or type(path) is not str or type(old) is not str \
                or type(new) is not str or type(mode) is not str:
            raise ValueError("not a cache entry")
        changes.append(FileChange(status, path, old, new, mode))
    return Commit(cid, parents, Ident(an, ae, ad), Ident(cn, ce, cd), message, tuple(changes),
                  others)
