"""Which commits approve which record: the ``Record:`` trailers of the approval commits,
kept between runs so that one record's history need not read every commit message.

Finding a record's approvals means reading every commit message (an approval commit
changes no file, so the path's log cannot find it); that walk alone costs as much as
``git log`` printing the whole history. A commit id names its message for good, and the
commits reachable from a commit never change, so the index of the approvals reachable from
one commit (the *tip*) stays true: a later run reads only the commits since the tip (``git
log NEW ^TIP``) when the tip is an ancestor of the revision asked for, and the whole history
again otherwise (a rewritten history, another clone's cache).

The index only says which commits to read; the commits themselves are read from git and
their messages checked again (:func:`names`), so a damaged index can cost a full walk but
never add an approval. A tampered index can leave one out; ``verify`` and ``audit-pack``
do not use it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from .. import __version__, cachefile
from . import cmd as gitcmd

KIND = "qmsdoc-approvals-1"
FILE = "approvals.marshal"
# git's ``-i -E --grep`` in the C locale (git runs with LC_ALL=C): ASCII letters fold
_APPROVAL = re.compile(r"^approval:", re.IGNORECASE | re.MULTILINE | re.ASCII)
_RECORD = re.compile(r"^record:[ \t\r\f\v]*(.*?)[ \t\r\f\v]*$",
                     re.IGNORECASE | re.MULTILINE | re.ASCII)
_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_LOG_CONFIG = {"log.showSignature": "false"}
_COMMIT_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")

Index = dict[str, list[str]]  # folded Record value → approval commit ids


def fold(text: str) -> str:
    return text.translate(_FOLD)


def names(message: str) -> set[str]:
    """The folded record ids an approval message names in ``Record:`` lines (none when it
    has no ``Approval:`` line): what ``git log -i -E --all-match --grep=^Approval:
    --grep='^Record:[[:space:]]*ID[[:space:]]*$'`` matches."""
    if _APPROVAL.search(message) is None:
        return set()
    return {fold(value) for value in _RECORD.findall(message)}


def approvals_naming(repo: Path, record_ids: Sequence[str], commit: str,
                     folder: Path | None, keep: bool = True,
                     fresh: bool = False) -> dict[str, list[str]] | None:
    """Record id → the ids of the approval commits reachable from ``commit`` (a full id)
    whose trailers may name it, from the index in ``folder`` brought up to ``commit`` (and
    written back when ``keep``: a look at a past commit leaves the index of HEAD as it is);
    None without a cache folder (the caller walks the messages itself). ``fresh``: an
    index made from git in this process, whatever the folder holds (``audit-pack``)."""
    if fresh:
        index = _fresh.get(commit)
        if index is None:
            if len(_fresh) >= 4:
                _fresh.clear()
            index = _fresh[commit] = _extend({}, repo, commit, None)
    elif folder is None:
        return None
    else:
        path = folder / FILE
        index, tip = _load(path)
        if tip != commit:
            if tip is None or gitcmd.run_status(repo, "merge-base", "--is-ancestor", tip,
                                                commit) != 0:
                index, tip = {}, None
            index = _extend(index, repo, commit, tip)
            if keep:
                cachefile.save(path, KIND, __version__, (commit, index))
    return {rid: list(dict.fromkeys(index.get(fold(rid), []))) for rid in record_ids}


_fresh: dict[str, Index] = {}  # commit → its index made from git in this process


def _extend(index: Index, repo: Path, commit: str, since: str | None) -> Index:
    """``index`` with the approvals reachable from ``commit`` and not from ``since``."""
    for cid, message in _scan(repo, commit, since):
        for name in names(message):
            index.setdefault(name, []).append(cid)
    return index


def _load(path: Path) -> tuple[Index, str | None]:
    value = cachefile.load(path, KIND, __version__)
    if not (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], dict)):
        return {}, None
    tip, index = value
    if _COMMIT_ID.fullmatch(tip) is None:  # it is handed to git: an id, never an option
        return {}, None
    if not all(isinstance(k, str) and isinstance(v, list) and all(isinstance(c, str) for c in v)
               for k, v in index.items()):
        return {}, None
    return index, tip


def _scan(repo: Path, commit: str, since: str | None) -> Iterable[tuple[str, str]]:
    """(id, message) of the commits reachable from ``commit`` and not from ``since`` that
    have an ``Approval:`` line (git filters; the messages are read here)."""
    args = ["log", "--regexp-ignore-case", "--extended-regexp", "--grep=^Approval:",
            "--no-color", "--encoding=UTF-8", "--format=%H%x00%B%x00", commit]
    if since is not None:
        args.append(f"^{since}")
    fields = gitcmd.run(repo, *args, config=_LOG_CONFIG).split(b"\0")
    for i in range(0, len(fields) - 1, 2):
        cid = fields[i].strip().decode("ascii", "replace")
        if cid:
            yield cid, fields[i + 1].decode("utf-8", "surrogateescape")
