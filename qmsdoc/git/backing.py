"""Whether git backs a file of the records repository: committed, unchanged, not hidden.

A form is a controlled copy only when everything it is printed from — the record, its
template, ``qmsdoc.yaml`` — is exactly the content committed at HEAD. The working tree's
bytes are hashed by git itself (``hash-object``, with the repository's filters), so an edit
hidden by ``assume-unchanged`` or ``skip-worktree`` is found like any other; those two flags
are reported on their own too, since they hide future edits from ``git status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..records.files import blob_id as blob_id  # one definition, with the reader
from . import cmd as gitcmd
from .log import RepoInfo, parse_tree

# Why a file is not backed, in the language of the forms (they print it).
NO_HISTORY = "无 git 历史"
UNTRACKED = "未纳入 git"
MODIFIED = "有未提交的修改"
ASSUME_UNCHANGED = "标记为 assume-unchanged"
SKIP_WORKTREE = "标记为 skip-worktree"
MISSING = "文件不存在"


@dataclass(frozen=True)
class Backing:
    """One file: the blob committed at HEAD, and why it does not back the file (if so)."""

    path: str  # relative to the records repository
    blob: str | None  # committed blob at HEAD, None when the file is not committed
    problems: tuple[str, ...] = ()

    @property
    def backed(self) -> bool:
        return not self.problems

    def describe(self) -> str:
        """``qmsdoc.yaml 有未提交的修改`` (empty when backed)."""
        return f"{self.path} {'、'.join(self.problems)}" if self.problems else ""


def parse_flags(data: bytes, prefix: str = "") -> dict[str, str]:
    """``git ls-files -v -z``: path (relative to ``prefix``) → its tag letter."""
    flags: dict[str, str] = {}
    for entry in gitcmd.split_z(data):
        tag, _, path = entry.partition(" ")
        if path.startswith(prefix):
            flags[path[len(prefix):]] = tag
    return flags


def check(info: RepoInfo, paths: Sequence[str]) -> dict[str, Backing]:
    """The backing of each path (relative to the records repository), in three git calls."""
    wanted = list(dict.fromkeys(paths))
    if not info.git or info.head is None:
        return {p: Backing(p, None, (NO_HISTORY,)) for p in wanted}
    if not wanted:
        return {}
    committed = _committed(info, wanted)
    flags = parse_flags(gitcmd.run(info.root, "ls-files", "-v", "-z", "--full-name", "--",
                                   *wanted), info.prefix)
    present = [p for p in wanted if (info.root / p).is_file()]
    hashes = dict(zip(present, _hash(info.root, present), strict=True))
    result = {}
    for path in wanted:
        blob = committed.get(path)
        problems: list[str] = []
        if path not in hashes:
            problems.append(MISSING)
        elif blob is None:
            problems.append(UNTRACKED)
        elif hashes[path] != blob:
            problems.append(MODIFIED)
        tag = flags.get(path, "")
        if tag.islower():
            problems.append(ASSUME_UNCHANGED)
        if tag.upper() == "S":
            problems.append(SKIP_WORKTREE)
        result[path] = Backing(path, blob, tuple(problems))
    return result


def _committed(info: RepoInfo, paths: Sequence[str]) -> dict[str, str]:
    """The blob of each path in HEAD's tree (one ``ls-tree``: a thousand ``HEAD:path``
    look-ups cost git several times more)."""
    names = [f"{info.prefix}{p}" for p in paths]
    if sum(len(n) + 1 for n in names) > _MAX_ARGS:
        names = [info.prefix] if info.prefix else []  # the whole tree, filtered below
    out = gitcmd.run(info.root, "ls-tree", "-r", "-z", "--full-tree", "HEAD", "--", *names)
    blobs = parse_tree(out, info.prefix)
    return {p: blobs[p] for p in paths if p in blobs}


_MAX_ARGS = 100_000  # bytes of paths on one command line


def _hash(root: Path, paths: Sequence[str]) -> list[str]:
    if not paths:
        return []
    out = gitcmd.run(root, "hash-object", "--", *paths)
    return out.decode("ascii").split()
