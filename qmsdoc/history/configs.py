"""The roster and the approval policy as a controlled record.

``qmsdoc.yaml``'s controlled sections (roster, roles, departments, approvals) say who may
sign what, so a change to them counts only once it is approved, like a record:
``qmsdoc approve qmsdoc.yaml --as approve`` by a person whose role the configuration in
force before the change allows (``approvals.matrix.config``), who did not author or commit
the change. The first version of ``qmsdoc.yaml`` in history is trusted (it is the
repository's bootstrap). Every approval of a record is judged against the configuration in
force at that approval; an unapproved change has no effect and is reported as pending.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import CONFIG_FILE, Config, controlled_part, email_key, from_bytes
from ..errors import ConfigError
from ..git import log as gitlog
from ..git.log import Commit, Ident, RepoInfo, SigCheck, approval_of

CONFIG_ID = CONFIG_FILE  # the record id approvals of the configuration name
CONFIG_KIND = "config"


@dataclass
class ConfigHistory:
    """The configuration in force at every commit of history, and what is pending."""

    initial: Config
    order: Mapping[str, int] = field(default_factory=dict)  # commit id → position in history
    steps: list[tuple[int, Config]] = field(default_factory=list)  # from position on: config
    current: Config | None = None  # in force after the last commit
    pending: list[str] = field(default_factory=list)  # unapproved changes, one line each
    violations: list[tuple[str, str, str]] = field(default_factory=list)  # commit, who, problem
    approvals: int = 0
    evidence: list[str] = field(default_factory=list)  # of each approval's signature

    @property
    def any_signed(self) -> bool:
        """Whether some configuration in force ever required signatures."""
        return any(bool((c.data.get("approvals") or {}).get("require_signed"))
                   for c in (self.initial, *(c for _, c in self.steps)))

    def in_force(self, commit: str) -> Config:
        """The configuration an approval made in ``commit`` is judged by (the last one
        approved before it; the one in force now for a commit not yet made)."""
        position = self.order.get(commit)
        if position is None:
            return self.current or self.initial
        found = self.initial
        for start, config in self.steps:
            if start > position:
                break
            found = config
        return found


def build(commits: Sequence[Commit], changes: Mapping[str, str], contents: Mapping[str, bytes],
          fallback: Config, order: Mapping[str, int],
          signatures: Mapping[str, SigCheck] | None = None) -> ConfigHistory:
    """Walk ``commits`` (oldest first: those that change qmsdoc.yaml and those that approve
    it): ``changes`` maps a commit to the qmsdoc.yaml blob it made, ``contents`` a blob to its
    bytes, ``order`` a commit to its position in history. ``fallback`` is in force before the
    first qmsdoc.yaml."""
    from .policy import Policy, right_problem, signature_evidence, signature_problem

    history = ConfigHistory(initial=fallback, order=order)
    in_force = fallback
    latest: tuple[str, Config | None, str] | None = None  # blob, its config, problem
    preparers: dict[str, str] = {}  # identity → commit that changed the controlled part
    started = False
    for commit in commits:
        blob = changes.get(commit.id)
        if blob is not None:
            config, problem = _parse(contents.get(blob, b""), blob)
            if not started:  # the bootstrap: the first qmsdoc.yaml is trusted
                started = True
                in_force = config or fallback
                latest = (blob, config, problem)
                history.steps.append((order.get(commit.id, -1), in_force))
            else:
                latest = (blob, config, problem)
                if config is not None and _same(config, in_force):
                    preparers.clear()
                else:
                    for ident in (commit.author, commit.committer):
                        preparers.setdefault(_identity(in_force, ident.email), commit.id)
        approval = approval_of(commit)
        if approval is None or approval.record_id != CONFIG_ID:
            continue
        history.approvals += 1
        person = in_force.person_by_email(commit.committer.email)
        history.evidence.append(signature_evidence(person, (signatures or {}).get(commit.id)))
        who = f"{commit.committer.name} <{commit.committer.email}>"
        problems = list(approval.problems)
        policy = Policy.from_config(in_force)
        if person is None:
            problems.append(f"the committer {who} is not in the roster in force")
        else:
            problems.extend(p for p in [right_problem(policy, person, CONFIG_KIND,
                                                      approval.action)] if p)
            if _identity(in_force, commit.committer.email) in preparers:
                problems.append(f"self-approval: {person.name} changed the configuration "
                                "being approved")
            if policy.require_signed:
                sig = (signatures or {}).get(commit.id)
                problems.extend(p for p in [signature_problem(person, sig)] if p)
        if blob is not None:
            problems.append(f"an approval commit must change no file, this one changes "
                            f"{CONFIG_FILE}")
        if latest is None or approval.blob != latest[0]:
            problems.append(f"Record-Blob {approval.blob[:12]} is not the current "
                            f"{CONFIG_FILE}")
        elif latest[1] is None:
            problems.append(f"{CONFIG_FILE} {latest[0][:12]} is not a valid configuration: "
                            f"{latest[2]}")
        if problems:
            history.violations.extend((commit.id, who, p) for p in problems)
            continue
        if approval.action == gitlog.APPROVE and latest is not None and latest[1] is not None:
            in_force = latest[1]
            preparers.clear()
            history.steps.append((order.get(commit.id, -1), in_force))
    history.current = in_force
    if latest is not None and preparers:
        first = min(preparers.values(), key=lambda c: order.get(c, -1))
        history.pending.append(
            f"{CONFIG_FILE}: a change of its roster/roles/departments/approvals since "
            f"{first[:12]} is pending approval (qmsdoc approve {CONFIG_FILE} --as approve); "
            "until then the last approved configuration is in force")
    return history


def _parse(raw: bytes, blob: str) -> tuple[Config | None, str]:
    try:
        return from_bytes(raw, None, f"{CONFIG_FILE}@{blob[:12]}"), ""
    except ConfigError as exc:
        return None, str(exc).splitlines()[0]


def _same(a: Config, b: Config) -> bool:
    return controlled_part(a.data) == controlled_part(b.data)


def _identity(config: Config, email: str) -> str:
    person = config.person_by_email(email)
    return person.key if person is not None else email_key(email)


def load(info: RepoInfo, fallback: Config, trusted: object = None,
         rev: str = "HEAD", extra: Commit | None = None,
         approvals: list[Commit] | None = None,
         order: Mapping[str, int] | None = None) -> ConfigHistory:
    """The configuration history of the repository up to ``rev``: the commits that change
    qmsdoc.yaml and those that approve it, in history order (a few git calls). ``extra`` is
    an approval about to be made, judged after everything else. ``approvals`` (the approval
    commits naming qmsdoc.yaml) and ``order`` (each commit's position in history), when
    the caller has read them already."""
    changed = gitlog.read_log(info, rev, CONFIG_FILE, under=CONFIG_FILE)
    changes = {c.id: f.new for c in changed for f in c.files
               if f.path == CONFIG_FILE and f.new != gitlog.ZERO}
    if approvals is None:
        approvals = gitlog.read_approvals(info, CONFIG_ID, rev)
    if not changes and not approvals:
        return ConfigHistory(initial=fallback, current=fallback)
    order = dict(order if order is not None else gitlog.commit_order(info, rev))
    seen = {c.id for c in changed}
    commits = sorted([*changed, *(c for c in approvals if c.id not in seen)],
                     key=lambda c: order.get(c.id, -1))
    if extra is not None:
        order[extra.id] = len(order)
        commits.append(extra)
    contents = gitlog.read_blobs(info, sorted(set(changes.values())))
    signatures = None
    if approvals:
        signatures = gitlog.check_signatures(info, [c.id for c in approvals],
                                             trusted if isinstance(trusted, Path) else None)
    return build(commits, changes, contents, fallback, order, signatures)


def would_refuse(info: RepoInfo, fallback: Config, committer: Ident, action: str,
                 blob: str) -> str | None:
    """Why approving qmsdoc.yaml's content ``blob`` as ``committer`` now would not count
    (None when it would)."""
    if not load(info, fallback).pending:
        return (f"nothing to approve: the roster and approvals of {CONFIG_FILE} are the "
                "ones in force")
    message = f"x\n\nApproval: {action}\nRecord: {CONFIG_ID}\nRecord-Blob: {blob}\n"
    pending = Commit(gitlog.ZERO, (), committer, committer, message)
    history = load(info, fallback, extra=pending)
    mine = [p for c, _, p in history.violations if c == gitlog.ZERO]
    return mine[0] if mine else None
