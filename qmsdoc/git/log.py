"""What git knows about the records: one ``git log`` pass, pure parsers for its output, and
the state of the work tree (no git, no commits, shallow clone, uncommitted changes).

The whole history is read in one pass (``--raw --no-abbrev -z``) and parsed here; the
history module turns it into revisions. Signature checks are slow (one ``ssh-keygen`` or
``gpg`` run per signed commit), so they are a separate call for the approval commits only.
"""

from __future__ import annotations

import bisect
import os
import re
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import IO

from .. import cachefile
from ..i18n import N_, _
from ..records.files import SUFFIXES, folder_kind, index_order
from . import cmd as gitcmd
from . import trailers

RECORDS_PREFIX = "records/"
CONFIG_FILE = "qmsdoc.yaml"  # its approvals are read by history/configs.py
ZERO = "0" * 40
REVIEW, APPROVE = "review", "approve"
ACTIONS = (REVIEW, APPROVE)  # the values of an ``Approval:`` trailer
_APPROVAL_LINE = re.compile(r"^approval:", re.IGNORECASE | re.MULTILINE)

# Commit fields, NUL-separated, after a record separator that starts every commit:
# id, parents, author name/email/date, committer name/email/date, raw message.
LOG_FORMAT = "%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%B%x00"
_FIELDS = 9
SIG_FORMAT = "%H%x00%G?%x00%GK%x00%GF%x00%GS%x00"

# Settings of the user's git config that would change what `git log` prints.
_LOG_CONFIG = {"log.showRoot": "true", "log.follow": "false", "log.showSignature": "false",
               "core.quotePath": "false"}
_LOG_OPTIONS = ("--topo-order", "--raw", "--no-abbrev", "-z", "--no-renames", "-c",
                "--no-color", "--encoding=UTF-8", f"--format={LOG_FORMAT}")

# The whole log in two passes that run side by side (``read_log(..., meanwhile=...)``): the
# commits with their messages (git's quick part), and each commit's changes (its tree diffs,
# most of git's time) under a record separator and the commit id.
_MESSAGE_OPTIONS = ("--topo-order", "--no-color", "--encoding=UTF-8", "-z",
                    f"--format={LOG_FORMAT}")
_CHANGE_OPTIONS = ("--topo-order", "--raw", "--no-abbrev", "-z", "--no-renames", "-c",
                   "--no-color", "--format=%x1e%H%x00")

_TRAILER = re.compile(r"^([A-Za-z0-9][A-Za-z0-9-]*):[ \t]*(.*?)\s*$")
_PARAGRAPH = re.compile(r"\n[ \t]*\n")
_FULL_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


@dataclass(frozen=True)
class Ident:
    name: str
    email: str
    date: str  # strict ISO 8601 with the offset the person's clock had


@dataclass(frozen=True)
class FileChange:
    status: str  # A, M, D, T (for a merge: one letter per parent)
    path: str  # relative to the records repository
    old: str  # blob before (the first parent's for a merge); ZERO when added
    new: str  # blob after; ZERO when deleted
    mode: str = field(default="", compare=False)  # after (160000: a submodule, no blob)


@dataclass(frozen=True)
class Commit:
    id: str
    parents: tuple[str, ...]
    author: Ident
    committer: Ident
    message: str
    files: tuple[FileChange, ...] = ()
    other_files: tuple[str, ...] = ()  # changed paths outside the records read (first few)

    @cached_property
    def subject(self) -> str:
        return self.message.split("\n", 1)[0].strip()

    @property
    def trailers(self) -> tuple[tuple[str, str], ...]:
        return parse_trailers(self.message)


@dataclass(frozen=True)
class SigCheck:
    """``git log`` signature placeholders for one commit (``%G?``, ``%GK``, ``%GF``, ``%GS``)."""

    status: str  # G good and trusted; U good, untrusted key; N none; B bad; E cannot check; ...
    key: str
    fingerprint: str
    signer: str  # for SSH: the principal of the allowed-signers file that holds the key


@dataclass(frozen=True)
class RepoInfo:
    """Where the records repository stands in git."""

    root: Path
    git: bool  # a git work tree with at least one commit
    head: str | None = None
    prefix: str = ""  # the records repository's folder inside the git work tree ("" or "a/b/")
    shallow: bool = False
    reason: str = ""  # why there is no git history, when ``git`` is False
    common_dir: str = ""  # the git directory shared by the worktrees (absolute)


def parse_trailers(message: str) -> tuple[tuple[str, str], ...]:
    """The ``Key: value`` lines of the message's last paragraph (none if any line is not one)."""
    paragraphs = [p for p in _PARAGRAPH.split(message.strip()) if p.strip()]
    if len(paragraphs) < 2:
        return ()
    result: list[tuple[str, str]] = []
    for line in paragraphs[-1].splitlines():
        if line[:1] in (" ", "\t") and result:  # a folded continuation line
            key, value = result[-1]
            result[-1] = (key, f"{value} {line.strip()}")
            continue
        match = _TRAILER.match(line)
        if match is None:
            return ()
        result.append((match.group(1), match.group(2)))
    return tuple(result)


Changes = tuple[tuple[FileChange, ...], tuple[str, ...]]  # a commit's files, other paths


def parse_log(data: bytes, prefix: str = "", under: str = "",
              changes: Mapping[str, Changes] | None = None) -> list[Commit]:
    """Commits of ``git log --format=LOG_FORMAT --raw --no-abbrev -z [-c]``, in git's order.

    Only changes to paths under ``prefix + under`` are kept, with ``prefix`` removed.
    ``changes``: each commit's changes as ``parse_changes`` read them from a second log
    (this one then holds none).
    """
    tokens = data.split(b"\0")
    commits: list[Commit] = []
    i = 0
    while i < len(tokens):
        if not tokens[i].startswith(b"\x1e"):
            i += 1
            continue
        fields = [tokens[i][1:], *tokens[i + 1:i + _FIELDS]]
        if len(fields) < _FIELDS:
            break
        i += _FIELDS
        files, others, i = _raw_changes(tokens, i, prefix, under)
        if changes is not None:
            found, other = changes.get(_text(fields[0]), ((), ()))
            files, others = list(found), list(other)
        commit = _commit([_text(f) for f in fields], tuple(files))
        commits.append(replace(commit, other_files=tuple(others)) if others else commit)
    return commits


def parse_changes(data: bytes, prefix: str = "", under: str = ""
                  ) -> list[tuple[str, Changes]]:
    """Each commit's id, changes under ``prefix + under`` and first other changed paths, from
    ``git log --format=%x1e%H%x00 --raw --no-abbrev -z [-c]``, as ``parse_log`` reads them."""
    tokens = data.split(b"\0")
    result: list[tuple[str, Changes]] = []
    i = 0
    while i < len(tokens):
        if not tokens[i].startswith(b"\x1e"):
            i += 1
            continue
        cid = _text(tokens[i][1:])
        i += 1
        files, others, i = _raw_changes(tokens, i, prefix, under)
        result.append((cid, (tuple(files), tuple(others))))
    return result


def _raw_changes(tokens: list[bytes], i: int, prefix: str, under: str
                 ) -> tuple[list[FileChange], list[str], int]:
    """The changes under ``prefix + under`` of the commit whose ``--raw`` entries start at
    ``tokens[i]``, its first three other changed paths, and where the next commit starts."""
    files: list[FileChange] = []
    others: list[str] = []
    while i < len(tokens) and not tokens[i].startswith(b"\x1e"):
        meta = tokens[i].lstrip(b"\n")
        if meta.startswith(b":") and i + 1 < len(tokens):
            change = _raw_change(meta, _text(tokens[i + 1]), prefix, under)
            if change is not None:
                files.append(change)
            elif len(others) < 3:
                others.append(_text(tokens[i + 1]))
            i += 2
        else:
            i += 1
    return files, others, i


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "surrogateescape")


def _commit(fields: list[str], files: tuple[FileChange, ...]) -> Commit:
    cid, parents, an, ae, ad, cn, ce, cd, message = fields
    return Commit(cid, tuple(parents.split()), Ident(an, ae, ad), Ident(cn, ce, cd),
                  message, files)


def _raw_change(meta: bytes, path: str, prefix: str, under: str) -> FileChange | None:
    """One ``--raw`` entry: ``:old new oldsha newsha S`` or, for a merge, ``::m m m s s s SS``."""
    if not path.startswith(prefix + under):
        return None
    parents = len(meta) - len(meta.lstrip(b":"))
    parts = meta.lstrip(b":").decode("ascii", "replace").split()
    if len(parts) != 2 * (parents + 1) + 1:
        return None
    shas = parts[parents + 1:2 * parents + 2]
    return FileChange(parts[-1], path[len(prefix):], shas[0], shas[-1], parts[parents])


def parse_signatures(data: bytes) -> dict[str, SigCheck]:
    """Output of ``git log --format=SIG_FORMAT``: commit id → its signature check."""
    fields = [_text(f).strip() for f in data.split(b"\0")]
    result: dict[str, SigCheck] = {}
    for j in range(0, len(fields) - 4, 5):
        cid, status, key, fingerprint, signer = fields[j:j + 5]
        if cid:
            result[cid] = SigCheck(status or "N", key, fingerprint, signer)
    return result


def parse_status(data: bytes, prefix: str = "") -> set[str]:
    """Paths (under ``prefix``, made relative to it) that ``git status --porcelain -z``
    reports as changed, staged, deleted or untracked."""
    paths: set[str] = set()
    for entry in gitcmd.split_z(data):
        path = entry[3:]
        if len(entry) > 3 and path.startswith(prefix):
            paths.add(path[len(prefix):])
    return paths


def parse_tree(data: bytes, prefix: str = "") -> dict[str, str]:
    """``git ls-tree -r -z`` output: path (relative to ``prefix``) → blob id."""
    blobs: dict[str, str] = {}
    for entry in gitcmd.split_z(data):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and path.startswith(prefix):
            blobs[path[len(prefix):]] = parts[2]
    return blobs


# --- records and approvals in the log ------------------------------------------------------


@dataclass(frozen=True)
class ChangeEvent:
    commit: Commit
    file: FileChange


@dataclass(frozen=True)
class ApprovalEvent:
    commit: Commit
    action: str
    record_id: str
    blob: str
    path: str | None = None  # the record's path when the approval was made
    problems: tuple[str, ...] = ()
    attachments: str = ""  # the ``Attachments:`` digest: the attachments' content it covers

    @property
    def content(self) -> str:
        """What the approval covers: the record's blob and its attachments' digest."""
        return f"{self.blob}+{self.attachments}" if self.attachments else self.blob


Event = ChangeEvent | ApprovalEvent

_new = object.__new__


def approval_event(commit: Commit, action: str, record_id: str, blob: str,
                   path: str | None = None, problems: tuple[str, ...] = (),
                   attachments: str = "") -> ApprovalEvent:
    """``ApprovalEvent(...)`` built without the frozen dataclass's ``__init__`` (the values
    are all its fields): a third of the time, for every approval of a whole history."""
    event = _new(ApprovalEvent)
    event.__dict__.update(commit=commit, action=action, record_id=record_id, blob=blob,
                          path=path, problems=problems, attachments=attachments)
    return event


@dataclass
class Timeline:
    record_id: str
    path: str | None = None
    events: list[Event] = field(default_factory=list)


def record_id_of(path: str) -> str | None:
    """The id a record file stands for: its name (renames are not followed)."""
    if folder_kind(path) is None or not path.endswith(SUFFIXES):
        return None
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def approval_of(commit: Commit) -> ApprovalEvent | None:
    """The approval a commit's trailers declare, or None when it has no ``Approval`` trailer."""
    if _APPROVAL_LINE.search(commit.message) is None:  # most commits: skip parsing trailers
        return None
    values: dict[str, list[str]] = {}
    for key, value in commit.trailers:
        values.setdefault(key.lower(), []).append(value)
    if "approval" not in values:
        return None
    problems = [_("malformed approval: the '{name}' trailer must appear exactly once").format(
                    name=name)
                for name in ("Approval", "Record", "Record-Blob")
                if len(values.get(name.lower(), [])) != 1]
    action = values["approval"][0]
    if action not in ACTIONS:
        problems.append(_("malformed approval: 'Approval: {action}' (review or approve)").format(
                            action=action))
    blob = (values.get("record-blob") or [""])[0]
    if _FULL_ID.fullmatch(blob) is None:  # 40 or 64 lowercase hex digits
        problems.append(_("malformed approval: 'Record-Blob: {blob}' is not a full blob id").format(
                            blob=blob))
    changed = [f.path for f in commit.files] or list(commit.other_files)
    if changed:
        problems.append(_("an approval commit must change no file, this one changes {path}")
                        .format(path=changed[0]))
    record_id = (values.get("record") or [""])[0]
    if len(values.get("attachments", [])) > 1:
        problems.append(_("malformed approval: the 'Attachments' trailer must appear at most "
                          "once"))
    attachments = (values.get("attachments") or [""])[0]
    return ApprovalEvent(commit, action, record_id, blob, problems=tuple(problems),
                         attachments=attachments)


def timelines(commits: Iterable[Commit], approvals: list[ApprovalEvent] | None = None,
              declared: Mapping[str, ApprovalEvent | None] | None = None
              ) -> dict[str, Timeline]:
    """Each record's changes and approvals, in history order (``commits`` oldest first);
    every approval found (of records and of qmsdoc.yaml) is also added to ``approvals``.
    ``declared``: commit id → ``approval_of(commit)``, where already known."""
    known = declared or {}
    result: dict[str, Timeline] = {}
    ids: dict[str, str | None] = {}  # path → record_id_of(path), once per path
    for commit in commits:
        chosen: dict[str, FileChange] = {}  # record id → the change its path is now from
        for change in commit.files:
            path = change.path
            record_id = ids[path] if path in ids else ids.setdefault(path, record_id_of(path))
            if record_id is not None:
                timeline = result.get(record_id)
                if timeline is None:
                    timeline = result[record_id] = Timeline(record_id)
                timeline.events.append(ChangeEvent(commit, change))
                before = chosen.get(record_id)
                if before is None or path_rank(change) < path_rank(before):
                    chosen[record_id] = change
                    timeline.path = path
        approval = known[commit.id] if commit.id in known else approval_of(commit)
        if approval is None:
            continue
        if approvals is not None:
            approvals.append(approval)
        if approval.record_id != CONFIG_FILE:
            timeline = result.setdefault(approval.record_id, Timeline(approval.record_id))
            timeline.events.append(approval_event(  # the approval, with the record's path now
                commit, approval.action, approval.record_id, approval.blob, timeline.path,
                approval.problems, approval.attachments))
    return result


def path_rank(change: FileChange) -> tuple[bool, tuple[tuple[int, str], ...]]:
    """Which of a commit's changes to files of one record id says where the record is now
    (the least): a file left in the commit before one deleted in it (a move lists both, in
    the order of their paths), then the file ``approve`` would approve (of two with the
    same id, the one the work tree's index finds first)."""
    return change.new == ZERO, index_order(change.path)


# --- I/O: every call goes through gitcmd.run -------------------------------------------------


def probe(repo: Path) -> RepoInfo:
    """Whether ``repo`` has git history, and whether it is complete (one ``git rev-parse``:
    outside a work tree it prints nothing, or ``false`` first)."""
    if not _has_git():
        return RepoInfo(repo, git=False, reason=N_("git is not installed"))
    out = gitcmd.run(repo, "rev-parse", "--is-inside-work-tree", "--show-prefix",
                     "--is-shallow-repository", "--path-format=absolute", "--git-common-dir",
                     "--verify", "-q", "HEAD", check=False)
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    if not lines or lines[0] != "true":
        return RepoInfo(repo, git=False, reason=N_("not in a git repository"))
    prefix = lines[1] if len(lines) > 1 else ""
    shallow = len(lines) > 2 and lines[2] == "true"
    common = lines[3] if len(lines) > 3 else ""
    head = lines[4] if len(lines) > 4 else None
    if head is None:
        return RepoInfo(repo, git=False, prefix=prefix, reason=N_("no commits yet"))
    return RepoInfo(repo, git=True, head=head, prefix=prefix, shallow=shallow,
                    common_dir=common)


def _has_git() -> bool:
    import shutil

    return shutil.which("git") is not None


def read_log(info: RepoInfo, rev: str = "HEAD", path: str | None = None,
             under: str = RECORDS_PREFIX,
             meanwhile: Callable[[bytes], None] | None = None) -> list[Commit]:
    """Every commit reachable from ``rev``, oldest first, with its changes to records.

    With ``path``, only the commits that changed that file (``--full-history``: side
    branches too, so that every author of the content is seen); git's commit-graph Bloom
    filters make this fast when they have been written.

    ``meanwhile`` (the whole log only): called with git's output of the commits and their
    messages (``LOG_FORMAT``, newest first) while git still computes their changes in a
    second process: work that needs only the messages runs on the other core. The result
    is the same.
    """
    if meanwhile is not None and path is None:
        commit = rev if _FULL_ID.fullmatch(rev) else resolve_commit(info, rev)
        if commit is not None:
            return _read_log_beside(info, commit, under, meanwhile)
    args = ["log", *_LOG_OPTIONS, rev]
    if path is not None:
        args += ["--full-history", "--", path]  # a pathspec is relative to the -C folder
    out = gitcmd.run(info.root, *args, config=_LOG_CONFIG)
    return parse_log(out, info.prefix, under)[::-1]


def _read_log_beside(info: RepoInfo, commit: str, under: str,
                     meanwhile: Callable[[bytes], None]) -> list[Commit]:
    """``read_log(info, commit)`` as two git processes: the changes started first, then the
    messages read and given to ``meanwhile`` while the changes are computed. Both walk the
    same commit id in the same order; should the two not hold the same commits in the same
    order, the log is read again in one pass."""
    changes = gitcmd.start(info.root, "log", *_CHANGE_OPTIONS, commit, config=_LOG_CONFIG)
    try:
        out = gitcmd.run(info.root, "log", *_MESSAGE_OPTIONS, commit, config=_LOG_CONFIG)
        meanwhile(out)
    except BaseException:
        changes.stop()
        raise
    found = parse_changes(changes.result(), info.prefix, under)
    commits = parse_log(out, info.prefix, under, dict(found))
    if len(found) != len(commits) or any(c.id != f[0] for c, f in zip(commits, found, strict=True)):
        return read_log(info, commit, under=under)  # pragma: no cover - git walked differently
    return commits[::-1]


def ensure_commit_graph(info: RepoInfo) -> bool:
    """Write git's commit-graph with changed-path Bloom filters when the repository has none
    (once: git keeps it up to date on gc and fetch), so that the log of one path skips the
    commits that did not touch it. True when it was written; a repository that cannot be
    written to (read-only, shallow) is left as it is."""
    common = info.common_dir
    if not common:
        out = gitcmd.run(info.root, "rev-parse", "--path-format=absolute", "--git-common-dir",
                         check=False)
        common = out.decode("utf-8", "surrogateescape").strip()
    if not common or info.shallow:
        return False
    objects = Path(common) / "objects" / "info"
    if (objects / "commit-graph").exists() or (objects / "commit-graphs").exists():
        return False
    gitcmd.run(info.root, "commit-graph", "write", "--reachable", "--changed-paths", check=False)
    return (objects / "commit-graph").exists()


def read_approvals(info: RepoInfo, record_id: str, rev: str = "HEAD") -> list[Commit]:
    """The commits whose message names ``record_id`` in an approval trailer, oldest first."""
    return read_approvals_of(info, [record_id], rev)[record_id]


def read_approvals_of(info: RepoInfo, record_ids: Sequence[str], rev: str = "HEAD",
                      cache: bool = True) -> dict[str, list[Commit]]:
    """As ``read_approvals`` for several ids (one record and the configuration): the
    approval commits come from the index of approval trailers kept between runs
    (``trailers.py``: only the commits since its last run are read), else from one walk of
    every commit message; ``cache=False``: from an index this process makes from git."""
    ids = list(dict.fromkeys(record_ids))
    commit = rev if _FULL_ID.fullmatch(rev) else resolve_commit(info, rev)
    found = None if commit is None else trailers.approvals_naming(
        info.root, ids, commit, cachefile.location(info.root, ancestry=True) if cache else None,
        keep=commit == info.head, fresh=not cache)
    if found is not None and commit is not None:  # only commits of this history are read
        order = commit_order(info, commit)
        listed = {c for cids in found.values() for c in cids if c in order}
        commits = read_commits(info, sorted(listed, key=order.__getitem__))
    else:  # git keeps the messages that hold an id (fixed strings: its quickest search)
        grep = [f"--grep={rid}" for rid in ids]
        out = gitcmd.run(info.root, "log", *_LOG_OPTIONS, "--regexp-ignore-case",
                         "--fixed-strings", *grep, commit or rev, config=_LOG_CONFIG)
        commits = parse_log(out, info.prefix, RECORDS_PREFIX)[::-1]
    named = {id(c): trailers.names(c.message) for c in commits}
    return {rid: [c for c in commits if trailers.fold(rid) in named[id(c)]] for rid in ids}


def read_commits(info: RepoInfo, ids: Sequence[str]) -> list[Commit]:
    """The commits ``ids`` as ``read_log`` gives them (each with its changes), in that order;
    one ``git log --no-walk`` call."""
    if not ids:
        return []
    options = [o for o in _LOG_OPTIONS if o != "--topo-order"]
    out = gitcmd.run(info.root, "log", "--no-walk=unsorted", "--stdin", *options,
                     input_="".join(f"{c}\n" for c in ids).encode("ascii"),
                     config=_LOG_CONFIG)
    return parse_log(out, info.prefix, RECORDS_PREFIX)


def tree_blobs(info: RepoInfo, rev: str = "HEAD",
               under: Sequence[str] = (RECORDS_PREFIX,)) -> dict[str, str]:
    """Record path → blob id in the tree of ``rev`` (of the files in the folders ``under``,
    relative to the records repository: the kinds' folders leave the attachments out)."""
    out = gitcmd.run(info.root, "ls-tree", "-r", "-z", "--full-tree", rev, "--",
                     *(info.prefix + folder for folder in under))
    return parse_tree(out, info.prefix)


def dirty_paths(info: RepoInfo, path: str | None = None,
                under: Sequence[str] = (RECORDS_PREFIX,), untracked: bool = True) -> set[str]:
    """Record paths with uncommitted changes (staged or not) or not committed at all (of the
    one record file ``path`` when given: git then looks at that file only; else of the
    folders ``under``). ``untracked=False`` when ``path`` is in HEAD's tree: git then need
    not look for untracked files, as the file is either in the index or its removal from
    it is a staged change (~30% of the call on a large work tree)."""
    show = "--untracked-files=all" if untracked or path is None else "--untracked-files=no"
    out = gitcmd.run(info.root, "status", "--porcelain=v1", "-z", show,
                     "--no-renames", "--", *(under if path is None else [f":(literal){path}"]))
    return parse_status(out, info.prefix)


class Replay:
    """The blob of a path at a commit, from the log already read, where that is exact: a
    history without merges (each commit's changes then make its tree from its parent's) and
    paths under the part of the repository the log holds (``under``). Anything else is
    asked of git (``blobs_at``)."""

    def __init__(self, info: RepoInfo, commits: Sequence[Commit],
                 under: str = RECORDS_PREFIX, position: Mapping[str, int] | None = None
                 ) -> None:
        """``position``: each commit's index in ``commits``, when already at hand."""
        self.info, self.under = info, under
        self.commits = commits
        self.linear = all(len(c.parents) <= 1 for c in commits)
        self.position = position if position is not None \
            else {c.id: i for i, c in enumerate(commits)}

    @cached_property
    def changes(self) -> dict[str, tuple[list[int], list[str | None]]]:
        """Path → the positions of the commits that changed it and the blob each left
        (None: none), made when first asked (a run whose answers are kept asks nothing)."""
        changes: dict[str, tuple[list[int], list[str | None]]] = {}
        for i, commit in enumerate(self.commits):
            for change in commit.files:
                positions, blobs = changes.setdefault(change.path, ([], []))
                positions.append(i)
                blobs.append(_left(change))
        return changes

    def approved(self, timelines: Iterable[Timeline]) -> dict[tuple[str, str], str] | None:
        """``blobs_at`` of every (approval commit, record path) pair of ``timelines`` (of
        the commits of this replay), from the timelines themselves: in a history without
        merges, each change of a record file is in its record's timeline, in history order,
        so the blob at an approval is the one the last change of its path before it left.
        None in a history with merges (``blobs_at`` then asks git)."""
        if not self.linear:
            return None
        result: dict[tuple[str, str], str] = {}
        for timeline in timelines:
            now: dict[str, str | None] = {}
            for event in timeline.events:
                if isinstance(event, ChangeEvent):
                    now[event.file.path] = _left(event.file)
                elif event.path is not None:
                    if not event.path.startswith(self.under):
                        return None  # not in the log read: git is asked
                    blob = now.get(event.path)
                    if blob is not None:
                        result[(event.commit.id, event.path)] = blob
        return result

    def blobs_at(self, wanted: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
        """As ``blobs_at`` (files only)."""
        result: dict[tuple[str, str], str] = {}
        ask: list[tuple[str, str]] = []
        for commit, path in dict.fromkeys(wanted):
            position = self.position.get(commit)
            if not self.linear or position is None or not path.startswith(self.under):
                ask.append((commit, path))
                continue
            positions, blobs = self.changes.get(path, ([], []))
            at = bisect.bisect_right(positions, position) - 1
            blob = blobs[at] if at >= 0 else None
            if blob is not None:
                result[(commit, path)] = blob
        if ask:
            result.update(blobs_at(self.info, ask))
        return result


def _left(change: FileChange) -> str | None:
    """The blob a change left at its path (None: deleted, or a submodule)."""
    return None if change.new == ZERO or change.mode == "160000" else change.new


def blobs_at(info: RepoInfo, wanted: Iterable[tuple[str, str]],
             kind: str = "blob") -> dict[tuple[str, str], str]:
    """The blob of each (commit, record path) pair, in one ``git cat-file`` call; pairs whose
    path does not exist in that commit are left out. ``kind="tree"``: the folder's tree at
    each (commit, folder path) pair ("" the records repository's own folder)."""
    pairs = list(dict.fromkeys(wanted))
    if not pairs:
        return {}
    lines = "".join(f"{commit}:{(info.prefix + path).rstrip('/')}\n" for commit, path in pairs)
    out = gitcmd.run(info.root, "cat-file", "--batch-check=%(objectname) %(objecttype)",
                     input_=lines.encode("utf-8", "surrogateescape"))
    result: dict[tuple[str, str], str] = {}
    for pair, line in zip(pairs, out.decode("utf-8", "replace").splitlines(), strict=False):
        parts = line.split()
        if len(parts) == 2 and parts[1] == kind:
            result[pair] = parts[0]
    return result


_BLOB_MODES = (b"100644", b"100755", b"120000")


def read_trees(info: RepoInfo, trees: list[str]) -> dict[str, dict[str, str]]:
    """Tree id → the name → blob id of each file in it (not its folders or submodules), in
    one ``git cat-file --batch`` call."""
    result: dict[str, dict[str, str]] = {}
    for tree, data in read_objects(info, trees, "tree").items():
        width = len(tree) // 2  # bytes of an object id: 20 (SHA-1) or 32 (SHA-256)
        entries: dict[str, str] = {}
        pos = 0
        while pos < len(data):
            space = data.index(b" ", pos)
            nul = data.index(b"\0", space)
            if data[pos:space] in _BLOB_MODES:
                entries[_text(data[space + 1:nul])] = data[nul + 1:nul + 1 + width].hex()
            pos = nul + 1 + width
        result[tree] = entries
    return result


def checkout_records(info: RepoInfo, rev: str, target: Path) -> None:
    """Write ``records/`` as it is in the tree of ``rev`` into the folder ``target`` (git
    writes the files: ``read-tree`` of the subtree into a scratch index, then
    ``checkout-index`` into ``target/records`` as the work tree)."""
    index = target / ".qmsdoc-index"
    records = target / RECORDS_PREFIX.rstrip("/")
    records.mkdir(parents=True, exist_ok=True)
    env = {"GIT_INDEX_FILE": str(index)}
    git_dir = gitcmd.run(info.root, "rev-parse", "--absolute-git-dir").decode().strip()
    gitcmd.run(info.root, "read-tree", f"{rev}:{info.prefix}{RECORDS_PREFIX.rstrip('/')}",
               env=env)
    gitcmd.run(info.root, f"--git-dir={git_dir}", f"--work-tree={records}", "checkout-index",
               "-a", "-f", env=env)
    index.unlink(missing_ok=True)


def read_blobs(info: RepoInfo, blobs: list[str]) -> dict[str, bytes]:
    """Blob id → content, in one ``git cat-file --batch`` call."""
    return read_objects(info, blobs)


def read_objects(info: RepoInfo, ids: list[str], kind: str = "blob") -> dict[str, bytes]:
    """Object id → content of the objects of that ``kind``, in one ``git cat-file --batch``."""
    if not ids:
        return {}
    out = gitcmd.run(info.root, "cat-file", "--batch",
                     input_="".join(f"{b}\n" for b in ids).encode())
    return parse_batch(out, kind)


def iter_objects(info: RepoInfo, ids: list[str], kind: str = "blob",
                 largest: int | None = None) -> Iterator[tuple[str, bytes | None]]:
    """As ``read_objects``, each (object id, content) given as soon as git has written it:
    the caller works on one while git reads the next. A content over ``largest`` bytes is
    given as None, never held (a commit message may name any blob, e.g. a video)."""
    if not ids:
        return
    wanted = kind.encode()
    with gitcmd.streamed(info.root, "cat-file", "--batch",
                         input_="".join(f"{b}\n" for b in ids).encode()) as out:
        while line := out.readline():
            head = line.split()
            if len(head) == 3:
                size = int(head[2])
                if largest is not None and size > largest:
                    if not _skip(out, size + 1):
                        break
                    if head[1] == wanted:
                        yield head[0].decode(), None
                    continue
                content = out.read(size + 1)  # the content is followed by a newline
                if len(content) != size + 1:
                    break  # git stopped: its error is raised when the block ends
                if head[1] == wanted:
                    yield head[0].decode(), content[:size]


def _skip(out: IO[bytes], size: int) -> bool:
    """Read past ``size`` bytes of ``out``; False when it ended first."""
    while size:
        chunk = out.read(min(size, 1 << 20))
        if not chunk:
            return False
        size -= len(chunk)
    return True


def parse_batch(data: bytes, kind: str = "blob") -> dict[str, bytes]:
    """``git cat-file --batch`` output (``<oid> blob <size>\\n<content>\\n``, or
    ``<name> missing``): blob id → content (of the objects of ``kind``)."""
    result: dict[str, bytes] = {}
    wanted = kind.encode()
    pos = 0
    while pos < len(data):
        end = data.index(b"\n", pos)
        head = data[pos:end].split()
        pos = end + 1
        if len(head) == 3:
            size = int(head[2])
            if head[1] == wanted:
                result[head[0].decode()] = data[pos:pos + size]
            pos += size + 1  # the content is followed by a newline
    return result


def read_blob(info: RepoInfo, rev: str, path: str) -> bytes:
    return gitcmd.run(info.root, "cat-file", "blob", f"{rev}:{info.prefix}{path}")


def resolve_commit(info: RepoInfo, rev: str) -> str | None:
    """The full id of the commit ``rev`` names, or None."""
    if not rev or rev.startswith("-"):
        return None
    out = gitcmd.run(info.root, "rev-parse", "--verify", "-q", f"{rev}^{{commit}}", check=False)
    text = out.decode("ascii", "replace").strip()
    return text or None


NO_SIGNATURE = SigCheck("N", "", "", "")  # what git says of a commit that carries none


def check_signatures(info: RepoInfo, commits: Sequence[str], allowed_signers: Path | None,
                     unsigned: Collection[str] = frozenset()) -> dict[str, SigCheck]:
    """Verify the signatures of ``commits`` (one git call). SSH signatures are trusted only
    when their key is in ``allowed_signers``; GPG ones per the keyring's trust.
    ``unsigned``: commits known to carry no signature (git said ``NO_SIGNATURE`` of them
    before: a commit id fixes its content), not asked again."""
    ask = [c for c in commits if c not in unsigned] if unsigned else list(commits)
    checks: dict[str, SigCheck] = {}
    if ask:
        signers = str(allowed_signers) if allowed_signers is not None else os.devnull
        out = gitcmd.run(info.root, "log", "--no-walk=unsorted", "--stdin",
                         f"--format={SIG_FORMAT}",
                         input_="".join(f"{c}\n" for c in ask).encode("ascii"),
                         config={**_LOG_CONFIG, "gpg.ssh.allowedSignersFile": signers})
        checks = parse_signatures(out)
        _tools_present(checks)
    if len(ask) == len(commits):
        return checks
    return {c: NO_SIGNATURE if c in unsigned else checks[c]
            for c in commits if c in unsigned or c in checks}


def _tools_present(checks: dict[str, SigCheck]) -> None:
    """A signature git could not check because ssh-keygen or gpg is missing is an
    environment problem (exit 2), not a bad signature."""
    import shutil

    from ..errors import UsageError

    failed = [c for c, s in checks.items() if s.status in ("B", "E")]
    if not failed:
        return
    missing = [tool for tool in ("ssh-keygen", "gpg") if shutil.which(tool) is None]
    if missing:
        raise UsageError(_("cannot check the signature of commit {value}: {values} not "
                           "installed (apt-get install openssh-client gnupg)").format(
                             value=failed[0][:12], values=' and '.join(missing)))


def commit_order(info: RepoInfo, rev: str = "HEAD") -> dict[str, int]:
    """Position of every commit reachable from ``rev`` in ``read_log``'s order (oldest first);
    of a commit id, read once per process (a commit's ancestry never changes)."""
    if _FULL_ID.fullmatch(rev):
        return _commit_order(info.root, rev)
    return _read_commit_order(info.root, rev)


@lru_cache(maxsize=4)
def _commit_order(root: Path, commit: str) -> dict[str, int]:
    return _read_commit_order(root, commit)


def _read_commit_order(root: Path, rev: str) -> dict[str, int]:
    out = gitcmd.run(root, "rev-list", "--topo-order", "--reverse", rev)
    return {cid: i for i, cid in enumerate(out.decode("ascii").split())}
