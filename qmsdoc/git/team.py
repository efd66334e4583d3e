"""What the other clones of a shared records repository know: fetching the remotes, the
record ids in every branch and in history, and the records of another revision."""

from __future__ import annotations

from pathlib import Path

from ..i18n import _
from ..records.files import blob_id as blob_id  # one definition, with the reader
from ..records.files import regular_bytes
from . import cmd as gitcmd
from .log import RECORDS_PREFIX, RepoInfo, parse_tree, record_id_of

FETCH_TIMEOUT = 8.0  # seconds: `new` must not hang on a factory network


def fetch(info: RepoInfo, timeout: float = FETCH_TIMEOUT) -> str:
    """Fetch every remote (quietly, with a short timeout); "" when done or when there is no
    remote, else one line saying what is known instead."""
    remotes = gitcmd.run(info.root, "remote", check=False).decode("utf-8", "replace").split()
    if not remotes:
        return ""
    status = gitcmd.run_status(info.root, "fetch", "--quiet", "--all", "--no-tags",
                               timeout=timeout)
    if status == 0:
        return ""
    return _("could not fetch from {remotes} (offline?): the id is free in what this clone "
             "knows; validate --changed-since origin/main before pushing catches a collision"
             ).format(remotes=", ".join(remotes))


def ids_ever(info: RepoInfo, folder: str) -> set[str]:
    """The id of every record file under ``records/<folder>`` in any branch (local or
    remote-tracking) or commit of history, deleted ones included (one git call)."""
    out = gitcmd.run(info.root, "log", "--all", "--format=", "--name-only", "--no-renames",
                     "-z", "--", f"{RECORDS_PREFIX}{folder}", check=False,
                     config={"core.quotePath": "false"})
    ids: set[str] = set()
    for name in gitcmd.split_z(out):
        rel = name.strip()
        if rel.startswith(info.prefix):
            rel = rel[len(info.prefix):]
        record_id = record_id_of(rel)
        if record_id is not None:
            ids.add(record_id)
    return ids


def records_at(info: RepoInfo, rev: str) -> dict[str, tuple[str, str]]:
    """Record id → (path, blob) in the tree of ``rev``."""
    out = gitcmd.run(info.root, "ls-tree", "-r", "-z", "--full-tree", rev, "--",
                     info.prefix + RECORDS_PREFIX)
    found: dict[str, tuple[str, str]] = {}
    for path, blob in parse_tree(out, info.prefix).items():
        record_id = record_id_of(path)
        if record_id is not None:
            found[record_id] = (path, blob)
    return found


def merge_base(info: RepoInfo, rev: str) -> str | None:
    out = gitcmd.run(info.root, "merge-base", "HEAD", rev, check=False)
    return out.decode("ascii", "replace").strip() or None


def commit_of(info: RepoInfo, rev: str) -> str | None:
    """The commit id ``rev`` names, or None."""
    out = gitcmd.run(info.root, "rev-parse", "--verify", "--quiet", rev + "^{commit}",
                     check=False)
    return out.decode("ascii", "replace").strip() or None


def both_added(info: RepoInfo) -> set[str]:
    """Paths (relative to the records repository) that a merge left as added by both sides."""
    out = gitcmd.run(info.root, "status", "--porcelain=v1", "-z", "--", RECORDS_PREFIX,
                     check=False)
    return {entry[3:][len(info.prefix):] for entry in gitcmd.split_z(out)
            if entry[:2] == "AA" and entry[3:].startswith(info.prefix)}


def file_blob(path: Path) -> str | None:
    try:
        return blob_id(regular_bytes(path))
    except OSError:
        return None


def approved_since(repo: Path, ref: str) -> set[str]:
    """The ids of the records an approval commit in ``ref..HEAD`` names (``render
    --changed-since``: an approval turns a form from 草稿 into a released revision)."""
    from .log import _LOG_CONFIG, LOG_FORMAT, approval_of, parse_log

    out = gitcmd.run(repo, "log", "--regexp-ignore-case", "--grep=^Approval:", "-z",
                     f"--format={LOG_FORMAT}", f"{ref}..HEAD", check=False, config=_LOG_CONFIG)
    found = set()
    for commit in parse_log(out):
        approval = approval_of(commit)
        if approval is not None:
            found.add(approval.record_id)
    return found
