"""``qmsdoc approve``: checking a request against the record's state and the approval policy,
and writing the approval commit.

An approval commit changes no file. It is made with ``git commit-tree`` on HEAD's own tree
and moves HEAD with a compare-and-swap ``update-ref``, so that nothing the user has
staged can slip into it; the committer is the current git identity.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config, Person
from ..errors import ApprovalRefused, UsageError
from ..git import cmd as gitcmd
from ..git import log as gitlog
from ..git.log import ACTIONS
from . import states as history
from .policy import VERBS, Policy


@dataclass(frozen=True)
class Done:
    commit: str
    record_id: str
    action: str
    blob: str
    person: Person
    released: str | None  # the revision label the record now has, when this released it


def message(record_id: str, action: str, blob: str, note: str = "") -> str:
    """The approval commit's message: subject, optional note, and the trailers."""
    parts = [f"{VERBS[action]} {record_id} ({action})"]
    if note.strip():
        parts.append(note.strip())
    parts.append(f"Approval: {action}\nRecord: {record_id}\nRecord-Blob: {blob}")
    return "\n\n".join(parts) + "\n"


def committer(repo: Path, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The name and e-mail git will record as committer (config and GIT_COMMITTER_* env)."""
    raw = gitcmd.run(repo, "var", "GIT_COMMITTER_IDENT", env=env)
    out = raw.decode("utf-8", "replace").strip()
    match = re.match(r"^(.*?)\s*<([^>]*)>", out)
    if match is None:
        raise UsageError(f"cannot tell who the git committer is: {out!r}")
    return match.group(1), match.group(2)


def approve(repo: Path, config: Config, store: Any, record_id: str, action: str,
            note: str = "", sign: bool = False, env: Mapping[str, str] | None = None) -> Done:
    """Check the request against the record's state and the policy, then commit it.

    ``env`` adds variables to the git calls that make the commit (a scripted history sets
    the committer and the date with ``GIT_COMMITTER_*`` and ``GIT_AUTHOR_*``)."""
    if action not in ACTIONS:
        raise UsageError(f"--as must be one of: {', '.join(ACTIONS)}")
    policy = Policy.from_config(config)
    info = gitlog.probe(repo)
    if not info.git:
        raise UsageError(f"cannot approve: {info.reason}")
    if info.shallow:
        raise ApprovalRefused(f"{record_id}: this is a shallow clone; the policy needs the "
                              "full history (git fetch --unshallow)")
    path = history.find_record(repo, info, record_id)
    _check_valid(repo, config, store, record_id, path)
    if path in gitlog.dirty_paths(info):
        raise ApprovalRefused(f"{record_id}: {path} has uncommitted changes; commit them first "
                              "(an approval binds committed content)")
    blob = gitlog.tree_blobs(info).get(path)
    if blob is None:
        raise ApprovalRefused(f"{record_id}: {path} is not committed; commit it first")
    name, email = committer(repo, env)
    person = config.person_by_email(email)
    if person is None:
        raise ApprovalRefused(f"{record_id}: the git committer {name} <{email}> is not in the "
                              "roster of qmsdoc.yaml (set git user.email to your roster e-mail)")
    problem = history.would_refuse(repo, config, info, record_id, path, blob, action, person)
    if problem:
        raise ApprovalRefused(f"{record_id}: {problem}")
    commit = _commit(info, message(record_id, action, blob, note),
                     sign or policy.require_signed or _signs_by_default(repo, env), env)
    state = history.record_state(repo, config, record_id, signatures=False)
    released = state.revision if state.state == "released" and state.commit == commit else None
    return Done(commit, record_id, action, blob, person, released)


def _check_valid(repo: Path, config: Config, store: Any, record_id: str, path: str) -> None:
    from ..checks.pipeline import validate_repo

    report = validate_repo(repo, config, store, [repo / path])
    if report.errors:
        first = next(f for f in report.findings if f.is_error)
        loc = first.location
        raise ApprovalRefused(f"{record_id}: the record is invalid ({report.errors} error(s), "
                              f"first: {loc.path}:{loc.line}:{loc.column}: {first.message}); "
                              "fix it and run qmsdoc validate")


def _signs_by_default(repo: Path, env: Mapping[str, str] | None = None) -> bool:
    """``commit.gpgSign``: `git commit` would sign, but the plumbing we use does not read it."""
    out = gitcmd.run(repo, "config", "--type=bool", "--get", "commit.gpgsign", check=False,
                     env=env)
    return out.strip() == b"true"


def _commit(info: gitlog.RepoInfo, text: str, sign: bool,
            env: Mapping[str, str] | None = None) -> str:
    head = info.head or ""
    args = ["commit-tree", f"{head}^{{tree}}", "-p", head, "-F", "-"]
    if sign:
        args.insert(1, "-S")
    out = gitcmd.run(info.root, *args, input_=text.encode("utf-8"), env=env)
    commit = out.decode("ascii").strip()
    first = text.split("\n", 1)[0]
    gitcmd.run(info.root, "update-ref", "-m", f"qmsdoc: {first}", "HEAD", commit, head, env=env)
    return commit
