"""The approval policy (who may review and approve which kind of record) and
``qmsdoc approve``: checking a request against it and writing the approval commit.

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

from . import gitcmd, gitlog
from .config import Config, Person
from .errors import QmsdocError, UsageError
from .gitlog import ACTIONS, APPROVE, REVIEW

VERBS = {REVIEW: "Review", APPROVE: "Approve"}
ACTION_ZH = {REVIEW: "审核", APPROVE: "批准"}
SCHEMES = ("A", "A/0", "1.0")


class Refused(QmsdocError):
    """The policy (or the record's state) forbids this approval: exit 1, one line."""


@dataclass(frozen=True)
class Step:
    """One kind of signature a release needs: who may give it and how many people."""

    roles: tuple[str, ...]
    count: int = 1


@dataclass(frozen=True)
class Rule:
    review: Step
    approve: Step
    review_before_approve: bool = True

    def step(self, action: str) -> Step:
        return self.review if action == REVIEW else self.approve


NOBODY = Rule(Step(()), Step(()))


@dataclass(frozen=True)
class Policy:
    """``approvals`` of qmsdoc.yaml."""

    rules: Mapping[str, Rule]
    scheme: str = "A"
    require_signed: bool = False
    trusted_keys: str | None = None  # allowed-signers file, relative to the repository

    @classmethod
    def from_config(cls, config: Config) -> Policy:
        data: dict[str, Any] = config.data.get("approvals", {}) or {}
        rules = {kind: _rule(entry) for kind, entry in (data.get("matrix") or {}).items()}
        return cls(rules=rules, scheme=str(data.get("revision_scheme", "A")),
                   require_signed=bool(data.get("require_signed", False)),
                   trusted_keys=data.get("trusted_keys") or None)

    def rule(self, kind: str | None) -> Rule:
        return self.rules.get(kind or "", NOBODY)

    def label(self, index: int) -> str:
        """The revision label of the ``index``-th release (0 → A, A/0 or 1.0)."""
        return revision_label(self.scheme, index)


def _rule(entry: Mapping[str, Any]) -> Rule:
    def step(name: str) -> Step:
        raw = entry.get(name) or {}
        return Step(tuple(raw.get("roles", ())), int(raw.get("count", 1)))

    return Rule(step(REVIEW), step(APPROVE), bool(entry.get("review_before_approve", True)))


def revision_label(scheme: str, index: int) -> str:
    if scheme == "A/0":
        return f"A/{index}"
    if scheme == "1.0":
        return f"{index + 1}.0"
    letters = ""
    n = index + 1
    while n:  # bijective base 26: A … Z, AA, AB …
        n, rest = divmod(n - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def find_person(roster: Mapping[str, Person], email: str) -> Person | None:
    """The roster person whose e-mail is ``email`` (git identities compare case-insensitively)."""
    wanted = email.strip().lower()
    if not wanted:
        return None
    for person in roster.values():
        if person.email.strip().lower() == wanted:
            return person
    return None


def right_problem(policy: Policy, person: Person, kind: str | None, action: str) -> str | None:
    """Why ``person`` may not give ``action`` on records of ``kind`` (None when they may)."""
    step = policy.rule(kind).step(action)
    if set(person.roles) & set(step.roles):
        return None
    needed = ", ".join(step.roles) or "nobody (approvals.matrix has no rule for this kind)"
    return (f"{person.name} ({person.key}) has no role that may {action} {kind or 'these'} "
            f"records (needs one of: {needed})")


# --- signatures -------------------------------------------------------------------------------


def key_matches(person: Person, sig: gitlog.SigCheck) -> bool:
    """Whether the signing key is one the roster assigns to ``person`` (any key when the roster
    lists none: then the trusted allowed-signers file alone decides)."""
    if not person.signing_keys:
        return True
    have = {_norm_key(sig.fingerprint), _norm_key(sig.key)} - {""}
    for key in person.signing_keys:
        wanted = _norm_key(ssh_fingerprint(key) or key)
        if wanted in have or any(h.endswith(wanted) for h in have if len(wanted) >= 16):
            return True
    return False


def _norm_key(key: str) -> str:
    key = key.strip()
    if key.startswith("SHA256:"):
        return key
    return re.sub(r"\s+", "", key).upper()


def ssh_fingerprint(public_key: str) -> str | None:
    """``SHA256:…`` of an OpenSSH public key line (``ssh-ed25519 AAAA… comment``)."""
    import base64
    import binascii
    import hashlib

    parts = public_key.split()
    if len(parts) < 2 or not parts[0].startswith(("ssh-", "ecdsa-", "sk-")):
        return None
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        return None
    digest = base64.b64encode(hashlib.sha256(blob).digest()).decode().rstrip("=")
    return f"SHA256:{digest}"


def signature_problem(person: Person, sig: gitlog.SigCheck | None) -> str | None:
    """Why the approval commit's signature does not prove ``person`` made it (None if it does)."""
    if sig is None or sig.status == "N":
        return "the commit is not signed (signatures are required)"
    if sig.status != "G":
        what = {"U": "by a key that is not trusted (not in the trusted keys file)",
                "B": "a bad signature", "E": "cannot be checked (key not available)",
                "X": "an expired signature", "Y": "by an expired key", "R": "by a revoked key"}
        return (f"the signature is not good: {what.get(sig.status, sig.status)}"
                f"{f' (key {sig.fingerprint or sig.key})' if sig.fingerprint or sig.key else ''}")
    ssh = sig.fingerprint.startswith("SHA256:")
    if ssh and sig.signer.strip().lower() not in {person.email.lower(), person.key.lower()}:
        return (f"signed with key {sig.fingerprint}, which the trusted keys file assigns to "
                f"{sig.signer or 'someone else'}, not to {person.name} <{person.email}>")
    if not key_matches(person, sig):
        return (f"signed with key {sig.fingerprint or sig.key}, which the roster does not assign "
                f"to {person.name} ({person.key})")
    return None


def trusted_keys_path(repo: Path, policy: Policy, override: Path | None = None) -> Path | None:
    """The allowed-signers file that SSH signatures are checked against."""
    if override is not None:
        return override
    if policy.trusted_keys is None:
        return None
    return repo / policy.trusted_keys


# --- writing the approval ---------------------------------------------------------------------


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
    from . import history

    if action not in ACTIONS:
        raise UsageError(f"--as must be one of: {', '.join(ACTIONS)}")
    policy = Policy.from_config(config)
    info = gitlog.probe(repo)
    if not info.git:
        raise UsageError(f"cannot approve: {info.reason}")
    if info.shallow:
        raise Refused(f"{record_id}: this is a shallow clone; the policy needs the full history "
                      "(git fetch --unshallow)")
    path = history.find_record(repo, info, record_id)
    _check_valid(repo, config, store, record_id, path)
    if path in gitlog.dirty_paths(info):
        raise Refused(f"{record_id}: {path} has uncommitted changes; commit them first "
                      "(an approval binds committed content)")
    blob = gitlog.tree_blobs(info).get(path)
    if blob is None:
        raise Refused(f"{record_id}: {path} is not committed; commit it first")
    name, email = committer(repo, env)
    person = find_person(config.roster, email)
    if person is None:
        raise Refused(f"{record_id}: the git committer {name} <{email}> is not in the roster of "
                      "qmsdoc.yaml (set git user.email to your roster e-mail)")
    problem = history.would_refuse(repo, config, info, record_id, path, blob, action, person)
    if problem:
        raise Refused(f"{record_id}: {problem}")
    commit = _commit(info, message(record_id, action, blob, note),
                     sign or policy.require_signed or _signs_by_default(repo, env), env)
    state = history.record_state(repo, config, record_id, signatures=False)
    released = state.revision if state.state == "released" and state.commit == commit else None
    return Done(commit, record_id, action, blob, person, released)


def _check_valid(repo: Path, config: Config, store: Any, record_id: str, path: str) -> None:
    from .validation import validate_repo

    report = validate_repo(repo, config, store, [repo / path])
    if report.errors:
        first = next(f for f in report.findings if f.is_error)
        loc = first.location
        raise Refused(f"{record_id}: the record is invalid ({report.errors} error(s), first: "
                      f"{loc.path}:{loc.line}:{loc.column}: {first.message}); "
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
