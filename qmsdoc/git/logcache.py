"""The whole history's parsed log (``read_log``), kept between runs of ``verify``.

A commit id names the commit for good: its parents, author, committer, message and what it
changes against its parents. So each parsed commit is kept under its id, and a later run
asks git only for the order of the commits reachable from HEAD (``git rev-list
--topo-order``, the order ``git log`` gives them in: milliseconds with the commit-graph) and
reads the commits it does not hold yet. With each commit is kept the approval its message
declares (``approval_of``: its action, record, blob and attachments' digest; one with
problems is parsed again, its messages in the language of the run). A commit the history
no longer reaches (a rewritten or dropped branch) is simply not used, and is left out when
the cache is written again; a history mostly new to the cache is read in one pass as
without it.

What this cannot protect against: the file is checksummed against damage, not signed. A
person who can write in the cache folder (``.git/qmsdoc`` or ``$QMSDOC_CACHE_DIR``) can
change what a cached commit says, and ``verify`` would judge that; ``verify --no-cache``
(and ``audit-pack``) read everything from git again.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping, Sequence
from itertools import chain
from operator import itemgetter
from pathlib import Path
from types import NoneType
from typing import Any

from .. import __version__, cachefile
from . import cmd as gitcmd
from .log import (
    NO_SIGNATURE,
    RECORDS_PREFIX,
    ApprovalEvent,
    Commit,
    FileChange,
    Ident,
    RepoInfo,
    SigCheck,
    approval_event,
    approval_of,
    read_commits,
    read_log,
)

KIND = "qmsdoc-log-2"  # 1: each field apart, no approvals
FILE = "log.marshal"
Plain = tuple[Any, ...]
Declared = dict[str, ApprovalEvent | None]  # commit id → the approval it declares (or None)


def cached_log(info: RepoInfo, folder: Path | None,
               meanwhile: Callable[[bytes], None] | None = None,
               declared: Declared | None = None) -> list[Commit]:
    """``read_log(info)`` (every commit reachable from HEAD, oldest first, with its changes
    to records), through the cache in ``folder`` (None: no cache); ``meanwhile`` as for
    ``read_log``, when the whole log is read from git. ``declared``, when given, receives
    the approval each commit the cache held declares (``approval_of``'s answer, for
    ``timelines``), where it is known without parsing the message again."""
    if folder is None or info.head is None:
        return read_log(info, info.head or "HEAD", meanwhile=meanwhile)
    path = folder / FILE
    key = _key(info)
    # the order of the commits reachable now, asked while the cache is read (a cache of
    # none: the whole log is read, the order is not wanted)
    listing = gitcmd.start(info.root, "rev-list", "--topo-order", "--reverse", info.head) \
        if os.path.isfile(path) else None
    try:
        saved = cachefile.load(path, KIND, key)
        entries: dict[str, Plain] = saved if _is_log(saved) else {}
    except BaseException:
        if listing is not None:
            listing.stop()
        raise
    order: list[str] = []
    if listing is not None and entries:
        order = listing.result().decode("ascii", "replace").split()
    elif listing is not None:
        listing.stop()
    missing = [cid for cid in order if cid not in entries]
    commits = None
    if order and len(missing) * 2 <= len(order):  # else one pass over everything is quicker
        commits = _assemble(info, order, entries, missing, declared)
    if commits is None:
        if declared is not None:
            declared.clear()
        commits = read_log(info, info.head, meanwhile=meanwhile)
        entries = {}  # one of them may be what made the cache unusable: none is kept
    if missing or not order or len(entries) != len(commits):  # new, or unreachable to drop
        kept: dict[str, Plain] = {}
        for commit in commits:
            entry = entries.get(commit.id)
            if entry is None:  # the approval found for the entry serves this run too
                entry, approval = _entry(commit)
                if declared is not None:
                    declared[commit.id] = approval
            kept[commit.id] = entry
        cachefile.save(path, KIND, key, kept)
    return commits


UNSIGNED_KIND = "qmsdoc-unsigned-1"
UNSIGNED_FILE = "unsigned.marshal"


def unsigned(info: RepoInfo, folder: Path | None) -> frozenset[str]:
    """The commits git said carry no signature (``NO_SIGNATURE``), as the last run kept
    them in ``folder`` (None: none kept). A commit id fixes whether the commit is signed, so
    these need not be asked again; every other commit's signature is checked every run."""
    if folder is None:
        return frozenset()
    saved = cachefile.load(folder / UNSIGNED_FILE, UNSIGNED_KIND, _key(info))
    return frozenset(saved.split()) if type(saved) is str else frozenset()


def keep_unsigned(info: RepoInfo, folder: Path | None, known: frozenset[str],
                  checks: Mapping[str, SigCheck]) -> None:
    """Keep in ``folder`` the commits of ``checks`` that carry no signature, when they are
    not the ``known`` ones (the commits no longer checked are left out)."""
    now = frozenset(c for c, check in checks.items() if check == NO_SIGNATURE)
    if folder is not None and now != known:
        cachefile.save(folder / UNSIGNED_FILE, UNSIGNED_KIND, _key(info), " ".join(sorted(now)))


def _key(info: RepoInfo) -> str:
    """What the parsed commits depend on besides the commits: qmsdoc's version, the records
    repository's folder in the work tree and the part of it the log keeps."""
    text = f"{__version__}\0{info.prefix}\0{RECORDS_PREFIX}"
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _is_log(saved: Any) -> bool:
    """Whether ``saved`` has the shape ``plain`` gives every entry (checked for the whole
    file at once, as a damaged or foreign file must not be believed; ``from_plain`` then
    splits the texts)."""
    if type(saved) is not dict or not saved:
        return False
    entries = list(saved.values())
    if set(map(type, entries)) != {tuple} or set(map(len, entries)) != {5}:
        return False
    texts = set(map(type, chain.from_iterable(map(_TEXTS, entries))))
    declared = set(map(type, map(_DECLARED, entries)))
    return set(map(type, saved)) == {str} and texts == {str} and declared <= {str, NoneType}


_TEXTS = itemgetter(0, 1, 2, 3)
_DECLARED = itemgetter(4)


def _assemble(info: RepoInfo, order: Sequence[str], entries: dict[str, Plain],
              missing: Sequence[str], declared: Declared | None) -> list[Commit] | None:
    """The commits in ``order``, from the cache and, for ``missing``, from git; None when
    an entry is not what the cache writes (the caller reads the whole log)."""
    fetched = {c.id: c for c in read_commits(info, list(missing))}
    try:
        return [fetched.get(cid) or from_plain(cid, entries[cid], declared) for cid in order]
    except ValueError:  # texts that do not split as written: read the whole log
        return None


def plain(commit: Commit) -> Plain:
    """A parsed commit as marshal-able values (without its id, the key): its parents, its
    people and message, its changes and other paths, each as one text of parts that git's
    output cannot hold (NUL: the log is read NUL-separated); and the approval its message
    declares: "" none; action, record id, blob and attachments for one without problems;
    None for one with problems (parsed again when read)."""
    return _entry(commit)[0]


def _entry(commit: Commit) -> tuple[Plain, ApprovalEvent | None]:
    """``plain(commit)``, and ``approval_of(commit)``."""
    a, c = commit.author, commit.committer
    texts = "\0".join((a.name, a.email, a.date, c.name, c.email, c.date, commit.message))
    files = "\0".join(part for f in commit.files
                      for part in (f.status, f.path, f.old, f.new, f.mode))
    approval = approval_of(commit)
    declared: str | None = "" if approval is None else None
    if approval is not None and not approval.problems:
        declared = "\0".join((approval.action, approval.record_id, approval.blob,
                              approval.attachments))
    return (" ".join(commit.parents), texts, files, "\0".join(commit.other_files),
            declared), approval


_new = object.__new__


def from_plain(cid: str, entry: Plain, declared: Declared | None = None) -> Commit:
    """The commit a cache entry holds (of the shape ``_is_log`` checked; ValueError when its
    texts do not split as ``plain`` joined them); the approval it declares goes into
    ``declared`` when the entry holds it."""
    parents, texts, files, others, approval = entry
    an, ae, ad, cn, ce, cd, message = texts.split("\0")
    # the frozen dataclasses built without their __init__ (the values are all their fields):
    # half the time, for every commit of the history
    author = _new(Ident)
    author.__dict__.update(name=an, email=ae, date=ad)
    committer = author
    if cn != an or ce != ae or cd != ad:
        committer = _new(Ident)
        committer.__dict__.update(name=cn, email=ce, date=cd)
    changes: tuple[FileChange, ...] = ()
    if files:
        parts = files.split("\0")
        if len(parts) % 5:
            raise ValueError("not a cache entry")
        made = []
        for i in range(0, len(parts), 5):
            change = _new(FileChange)
            change.__dict__.update(status=parts[i], path=parts[i + 1], old=parts[i + 2],
                                   new=parts[i + 3], mode=parts[i + 4])
            made.append(change)
        changes = tuple(made)
    commit = _new(Commit)
    commit.__dict__.update(id=cid, parents=tuple(parents.split()), author=author,
                           committer=committer, message=message, files=changes,
                           other_files=tuple(others.split("\0")) if others else ())
    if declared is not None and approval is not None:
        if approval:
            action, record, blob, attachments = approval.split("\0")
            declared[cid] = approval_event(commit, action, record, blob,
                                           attachments=attachments)
        else:
            declared[cid] = None
    return commit
