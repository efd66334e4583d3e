"""The approval policy: who may review and approve which kind of record, revision labels,
and whether a commit's signature proves who made it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Config, Person, email_key
from ..git import log as gitlog
from ..git.log import APPROVE, REVIEW
from ..i18n import _

VERBS = {REVIEW: "Review", APPROVE: "Approve"}
ACTION_ZH = {REVIEW: "审核", APPROVE: "批准"}
SCHEMES = ("A", "A/0", "1.0")


@dataclass(frozen=True)
class Step:
    """One kind of signature a release needs: who may give it and how many people."""

    roles: tuple[str, ...]
    count: int = 1


@dataclass(frozen=True)
class ApprovalRule:
    review: Step
    approve: Step
    review_before_approve: bool = True

    def step(self, action: str) -> Step:
        return self.review if action == REVIEW else self.approve


NOBODY = ApprovalRule(Step(()), Step(()))


@dataclass(frozen=True)
class Policy:
    """``approvals`` of qmsdoc.yaml."""

    rules: Mapping[str, ApprovalRule]
    scheme: str = "A"
    require_signed: bool = False
    trusted_keys: str | None = None  # allowed-signers file, relative to the repository
    unknown_preparers: str = "block"  # "allow": a change by someone not in the roster may
    # still be released

    @classmethod
    def from_config(cls, config: Config) -> Policy:
        """``approvals`` of the configuration, parsed once per configuration."""
        return config.parsed("approvals", cls._parse)

    @classmethod
    def _parse(cls, config: Config) -> Policy:
        data: dict[str, Any] = config.data.get("approvals", {}) or {}
        rules = {kind: _rule(entry) for kind, entry in (data.get("matrix") or {}).items()}
        return cls(rules=rules, scheme=str(data.get("revision_scheme", "A")),
                   require_signed=bool(data.get("require_signed", False)),
                   trusted_keys=data.get("trusted_keys") or None,
                   unknown_preparers=str(data.get("unknown_preparers", "block")))

    def rule(self, kind: str | None) -> ApprovalRule:
        return self.rules.get(kind or "", NOBODY)

    def label(self, index: int) -> str:
        """The revision label of the ``index``-th release (0 → A, A/0 or 1.0)."""
        return revision_label(self.scheme, index)


def _rule(entry: Mapping[str, Any]) -> ApprovalRule:
    def step(name: str) -> Step:
        raw = entry.get(name) or {}
        return Step(tuple(raw.get("roles", ())), int(raw.get("count", 1)))

    return ApprovalRule(step(REVIEW), step(APPROVE), bool(entry.get("review_before_approve", True)))


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


def right_problem(policy: Policy, person: Person, kind: str | None, action: str) -> str | None:
    """Why ``person`` may not give ``action`` on records of ``kind`` (None when they may)."""
    step = policy.rule(kind).step(action)
    if set(person.roles) & set(step.roles):
        return None
    needed = ", ".join(step.roles) or _("nobody (approvals.matrix has no rule for this kind)")
    return _("{name} ({key}) has no role that may {action} {kind} records (needs one of: "
             "{needed})").format(name=person.name, key=person.key, action=action,
                                 kind=kind or _("these"), needed=needed)


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


TRUSTED, UNKNOWN_KEY, BAD, UNSIGNED, UNCHECKED = (
    "trusted", "unknown-key", "bad", "unsigned", "unchecked")


def signature_evidence(person: Person | None, sig: gitlog.SigCheck | None) -> str:
    """What a commit's signature proves about ``person``: TRUSTED (a good signature by a key
    the roster, or the trusted keys file, gives that person), UNKNOWN_KEY (signed, by a key
    not given to them), BAD or UNSIGNED."""
    if sig is None or sig.status == "N":
        return UNSIGNED
    if sig.status == "B":
        return BAD
    if person is not None and signature_problem(person, sig) is None:
        return TRUSTED
    return UNKNOWN_KEY


def signature_problem(person: Person, sig: gitlog.SigCheck | None) -> str | None:
    """Why the approval commit's signature does not prove ``person`` made it (None if it does).

    The roster's ``signing_keys`` are the trusted keys: a good signature (GPG or SSH) counts
    when its key's fingerprint is one of the committer's. A person with no key in the roster
    can prove an SSH signature only through the trusted keys file (principal = their e-mail);
    a GPG key in a keyring proves nobody."""
    if sig is None or sig.status == "N":
        return _("the commit is not signed (signatures are required)")
    if sig.status in ("G", "U") and person.signing_keys:
        if key_matches(person, sig):
            return None
        return _("signed with key {key}, which the roster does not assign to {name} "
                 "({person})").format(key=sig.fingerprint or sig.key, name=person.name,
                                      person=person.key)
    if sig.status == "G" and not sig.fingerprint.startswith("SHA256:"):
        return _("signed with GPG key {key}, which the roster does not assign to {name} "
                 "({person}): add its fingerprint to their signing_keys").format(
                     key=sig.fingerprint or sig.key, name=person.name, person=person.key)
    if sig.status != "G":
        what = {"U": _("by a key that is not trusted (not in the trusted keys file)"),
                "B": _("a bad signature"), "E": _("cannot be checked (key not available)"),
                "X": _("an expired signature"), "Y": _("by an expired key"),
                "R": _("by a revoked key")}
        key = sig.fingerprint or sig.key
        return _("the signature is not good: {why}").format(
            why=what.get(sig.status, sig.status)) + (
                _(" (key {key})").format(key=key) if key else "")
    ssh = sig.fingerprint.startswith("SHA256:")
    principals = {email_key(e) for e in person.emails} | {person.key.lower()}
    if ssh and email_key(sig.signer) not in principals:
        return _("signed with key {key}, which the trusted keys file assigns to {signer}, "
                 "not to {name} <{email}>").format(key=sig.fingerprint,
                                                   signer=sig.signer or _("someone else"),
                                                   name=person.name, email=person.email)
    if not key_matches(person, sig):
        return _("signed with key {key}, which the roster does not assign to {name} "
                 "({person})").format(key=sig.fingerprint or sig.key, name=person.name,
                                      person=person.key)
    return None


def trusted_keys_path(repo: Path, policy: Policy, override: Path | None = None) -> Path | None:
    """The allowed-signers file that SSH signatures are checked against."""
    if override is not None:
        return override
    if policy.trusted_keys is None:
        return None
    return repo / policy.trusted_keys
