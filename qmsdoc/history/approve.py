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
from ..errors import ApprovalRefused, GitError, UsageError
from ..git import cmd as gitcmd
from ..git import log as gitlog
from ..git.log import ACTIONS
from ..i18n import _
from ..records.files import regular_bytes
from . import states as history
from .configs import CONFIG_ID
from .coverage import digest_in_work_tree, digests_at
from .policy import VERBS, Policy, trusted_keys_path


@dataclass(frozen=True)
class Done:
    commit: str
    record_id: str
    action: str
    blob: str
    person: Person
    released: str | None  # the revision label the record now has, when this released it
    anchor: str | None = None  # the release tag written for it (history/anchors.py)
    anchor_note: str | None = None  # why it could not be anchored, or what else was


def message(record_id: str, action: str, blob: str, note: str = "",
            attachments: str = "") -> str:
    """The approval commit's message: subject, optional note, and the trailers (the
    attachments' digest when the record has attachments)."""
    parts = [f"{VERBS[action]} {record_id} ({action})"]
    if note.strip():
        parts.append(note.strip())
    covers = f"\nAttachments: {attachments}" if attachments else ""
    parts.append(f"Approval: {action}\nRecord: {record_id}\nRecord-Blob: {blob}{covers}")
    return "\n\n".join(parts) + "\n"


def committer(repo: Path, env: Mapping[str, str] | None = None) -> tuple[str, str]:
    """The name and e-mail git will record as committer (config and GIT_COMMITTER_* env)."""
    raw = gitcmd.run(repo, "var", "GIT_COMMITTER_IDENT", env=env)
    out = raw.decode("utf-8", "replace").strip()
    match = re.match(r"^(.*?)\s*<([^>]*)>", out)
    if match is None:
        raise UsageError(_("cannot tell who the git committer is: {out!r}").format(out=out))
    return match.group(1), match.group(2)


def approve(repo: Path, config: Config, store: Any, record_id: str, action: str,
            note: str = "", sign: bool = False, env: Mapping[str, str] | None = None) -> Done:
    """Check the request against the record's state and the policy, then commit it.

    ``record_id`` is a record's id, its path, or ``qmsdoc.yaml`` (approving a change of the
    roster and the approvals section). The configuration that judges the request is the one
    in force (the last approved), not the work tree's. ``env`` adds variables to the git
    calls that make the commit (a scripted history sets the dates with ``GIT_*_DATE``)."""
    if action not in ACTIONS:
        raise UsageError(_("--as must be one of: {values}").format(values=', '.join(ACTIONS)))
    info = gitlog.probe(repo)
    if not info.git:
        raise UsageError(_("cannot approve: {reason}").format(reason=_(info.reason)))
    if info.shallow:
        raise ApprovalRefused(_("{record_id}: this is a shallow clone; the policy needs the "
                                "full history (git fetch --unshallow)").format(
                                  record_id=record_id))
    if gitcmd.run(repo, "symbolic-ref", "-q", "HEAD", check=False).strip() == b"":
        raise ApprovalRefused(_("{record_id}: HEAD is detached (no branch): the approval "
                                "commit would be lost on the next checkout; git switch "
                                "<branch> first").format(record_id=record_id))
    in_force = history.config_history(info, config).current or config
    if record_id == CONFIG_ID or Path(record_id).name == CONFIG_ID:
        return _approve_config(repo, info, config, in_force, action, note, sign, env)
    path = history.find_record(repo, info, record_id)
    record_id = gitlog.record_id_of(path) or record_id
    _check_valid(repo, config, store, record_id, path)
    if path in gitlog.dirty_paths(info):
        raise ApprovalRefused(_("{record_id}: {path} has uncommitted changes; commit them "
                                "first (an approval binds committed content)").format(
                                  record_id=record_id, path=path))
    blob = gitlog.tree_blobs(info).get(path)
    if blob is None:
        raise ApprovalRefused(_("{record_id}: {path} is not committed; commit it first").format(
                                  record_id=record_id, path=path))
    if _attachments_dirty(repo, info, path, blob):
        raise ApprovalRefused(_("{record_id}: an attachment of the record has uncommitted "
                                "changes; commit them first (an approval covers the "
                                "attachments)").format(record_id=record_id))
    person, policy = _approver(repo, in_force, record_id, env)
    problem = history.would_refuse(repo, config, info, record_id, path, blob, action, person)
    if problem:
        raise ApprovalRefused(f"{record_id}: {problem}")
    signing = sign or policy.require_signed or _signs_by_default(repo, env)
    _check_signing(repo, policy, person, signing, record_id)
    digest = digests_at(info, [(info.head or "", blob)]).get((info.head or "", blob), "")
    commit = _commit(info, message(record_id, action, blob, note, digest), signing, person,
                     env)
    state = history.record_state(repo, config, record_id, signatures=False, cache=False)
    released = state.revision if state.state == "released" and state.commit == commit else None
    if released is None or not state.revisions:
        return Done(commit, record_id, action, blob, person, released)
    from .anchors import anchor_after_approval

    tag, problem = anchor_after_approval(repo, config, info, record_id, path,
                                         state.revisions[-1], signing)
    return Done(commit, record_id, action, blob, person, released, tag, problem)


def _attachments_dirty(repo: Path, info: gitlog.RepoInfo, path: str, blob: str) -> bool:
    head = info.head or ""
    return digests_at(info, [(head, blob)]).get((head, blob), "") != digest_in_work_tree(
        repo, regular_bytes(repo / path))


def _approver(repo: Path, in_force: Config, record_id: str,
              env: Mapping[str, str] | None) -> tuple[Person, Policy]:
    name, email = committer(repo, env)
    person = in_force.person_by_email(email)
    if person is None:
        raise ApprovalRefused(_("{record_id}: the git committer {name} <{email}> is not in "
                                "the roster of qmsdoc.yaml (set git user.email to your roster "
                                "e-mail)").format(record_id=record_id, name=name, email=email))
    return person, Policy.from_config(in_force)


def _approve_config(repo: Path, info: gitlog.RepoInfo, config: Config, in_force: Config,
                    action: str, note: str, sign: bool,
                    env: Mapping[str, str] | None) -> Done:
    from ..config import builtin_config
    from . import configs

    if gitcmd.run(repo, "status", "--porcelain", "--", CONFIG_ID).strip():
        raise ApprovalRefused(_("{config_id}: has uncommitted changes; commit them first (an "
                                "approval binds committed content)").format(config_id=CONFIG_ID))
    out = gitcmd.run(repo, "rev-parse", "-q", "--verify", f"HEAD:{info.prefix}{CONFIG_ID}",
                     check=False)
    blob = out.decode("ascii", "replace").strip()
    if not blob:
        raise ApprovalRefused(_("{config_id}: not committed; nothing to approve").format(
                                  config_id=CONFIG_ID))
    person, policy = _approver(repo, in_force, CONFIG_ID, env)
    ident = gitlog.Ident(person.name, person.email, "")
    problem = configs.would_refuse(info, builtin_config(), ident, action, blob)
    if problem:
        raise ApprovalRefused(f"{CONFIG_ID}: {problem}")
    signing = sign or policy.require_signed or _signs_by_default(repo, env)
    _check_signing(repo, policy, person, signing, CONFIG_ID)
    commit = _commit(info, message(CONFIG_ID, action, blob, note), signing, person, env)
    return Done(commit, CONFIG_ID, action, blob, person, None)


def _check_signing(repo: Path, policy: Policy, person: Person, signing: bool,
                   record_id: str) -> None:
    """Refuse a signed approval that could never be verified, and name a missing tool."""
    if not signing:
        return
    import shutil

    fmt = gitcmd.run(repo, "config", "--get", "gpg.format", check=False).decode().strip()
    tool = "ssh-keygen" if fmt == "ssh" else "gpg"
    if shutil.which(tool) is None:
        package = "openssh-client" if tool == "ssh-keygen" else "gnupg"
        raise UsageError(_("{record_id}: signing needs {tool}, which is not installed "
                           "(apt-get install {package})").format(
                             record_id=record_id, tool=tool, package=package))
    keys = trusted_keys_path(repo, policy)
    if policy.require_signed and not person.signing_keys and (keys is None or not keys.is_file()):
        raise ApprovalRefused(
            _("{record_id}: signatures are required, but the roster gives {name} ({key}) no "
              "signing key and the trusted keys file {value} does not exist: add your public "
              "key to your roster entry's signing_keys (qmsdoc keys prints the line)").format(
                record_id=record_id,
                name=person.name,
                key=person.key,
                value=policy.trusted_keys or '(none configured)'))


def _check_valid(repo: Path, config: Config, store: Any, record_id: str, path: str) -> None:
    from ..checks.pipeline import validate_repo

    report = validate_repo(repo, config, store, [repo / path])
    if report.errors:
        first = next(f for f in report.findings if f.is_error)
        loc = first.location
        raise ApprovalRefused(_("{record_id}: the record is invalid ({errors} error(s), "
                                "first: {path}:{line}:{column}: {message}); fix it and run "
                                "qmsdoc validate").format(
                                  record_id=record_id,
                                  errors=report.errors,
                                  path=loc.path,
                                  line=loc.line,
                                  column=loc.column,
                                  message=first.message))


def _signs_by_default(repo: Path, env: Mapping[str, str] | None = None) -> bool:
    """``commit.gpgSign``: `git commit` would sign, but the plumbing we use does not read it."""
    out = gitcmd.run(repo, "config", "--type=bool", "--get", "commit.gpgsign", check=False,
                     env=env)
    return out.strip() == b"true"


def _commit(info: gitlog.RepoInfo, text: str, sign: bool, person: Person,
            env: Mapping[str, str] | None = None) -> str:
    """The approval commit, with the approver as author and committer."""
    head = info.head or ""
    args = ["commit-tree", f"{head}^{{tree}}", "-p", head, "-F", "-"]
    if sign:
        args.insert(1, "-S")
    name, email = committer(info.root, env)
    ident = {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email}
    if env and "GIT_COMMITTER_DATE" in env:
        ident["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"]
    try:
        out = gitcmd.run(info.root, *args, input_=text.encode("utf-8"), env={**(env or {}),
                                                                              **ident})
    except GitError as exc:
        if not sign:
            raise
        raise UsageError(
            _("signing the approval commit failed ({value}): set a signing key: qmsdoc keys "
              "(SSH: sets gpg.format ssh and user.signingkey), or for GPG git config "
              "user.signingkey <key id>; and add the public key to your roster entry's "
              "signing_keys").format(value=str(exc).splitlines()[0])) from None
    commit = out.decode("ascii").strip()
    first = text.split("\n", 1)[0]
    gitcmd.run(info.root, "update-ref", "-m", f"qmsdoc: {first}", "HEAD", commit, head, env=env)
    return commit
