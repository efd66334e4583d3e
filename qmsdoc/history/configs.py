"""The roster and the approval policy as a controlled record.

``qmsdoc.yaml``'s controlled sections (roster, roles, departments, approvals) say who may
sign what, so a change to them counts only once it is approved, like a record:
``qmsdoc approve qmsdoc.yaml --as approve`` by a person whose role the configuration in
force before the change allows (``approvals.matrix.config``), who did not author or commit
the change. The first version of ``qmsdoc.yaml`` in history is trusted (it is the
repository's bootstrap). Every approval of a record is judged against the configuration in
force at that approval; an unapproved change has no effect and is reported as pending.

The trusted keys file (``approvals.trusted_keys``, SSH allowed signers) is part of the
controlled configuration: a change to it counts once ``qmsdoc.yaml`` is approved after it,
so a branch that adds a key for someone cannot make its own signatures trusted. Signatures
are checked against the keys file as it was when the configuration in force was approved.

The TSA's CA certificate (``audit.tsa.ca_file``, what the release anchors' RFC 3161
time-stamps are checked against) is controlled the same way: the setting and the file's
content count once ``qmsdoc.yaml`` is approved after a change of either, so that a commit
that puts in a CA of its own cannot make a forged time-stamp verify.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..config import CONFIG_FILE, Config, controlled_part, email_key, from_bytes
from ..errors import ConfigError
from ..git import log as gitlog
from ..git import pathlog
from ..git.log import Commit, Ident, RepoInfo, SigCheck, approval_of
from ..i18n import _

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
    keys_tracked: bool = False  # the trusted keys file is read from history (else: work tree)
    key_steps: list[tuple[int, str | None]] = field(default_factory=list)  # from position on
    key_contents: dict[str, bytes] = field(default_factory=dict)  # keys blob → its bytes
    ca_tracked: bool = False  # the TSA's CA file was read from history (else: none approved)
    ca_in_force: str | None = None  # its blob as approved with the configuration in force
    ca_content: bytes | None = None  # that blob's bytes

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

    def keys_in_force(self, commit: str) -> str | None:
        """The trusted keys file's blob an approval made in ``commit`` is checked against
        (None: no keys file was approved)."""
        position = self.order.get(commit, len(self.order))
        found: str | None = None
        for start, blob in self.key_steps:
            if start > position:
                break
            found = blob
        return found


@dataclass
class _Tracked:
    """The TSA's CA file: its setting and content count once qmsdoc.yaml is approved after
    a change of either."""

    changes: Mapping[str, str | None]  # commit → the file's blob it made (None: removed)
    latest: str | None = None
    in_force: str | None = None
    preparers: dict[str, str] = field(default_factory=dict)  # identity → commit

    def see(self, commit: Commit, started: bool, in_force: Config,
            newest: Config | None, config_changed: bool) -> None:
        """``commit`` (after the bootstrap: ``started``) with the newest committed
        configuration ``newest`` (``config_changed``: this commit made it)."""
        touched = commit.id in self.changes
        if touched:
            self.latest = self.changes[commit.id]
        if not started:
            self.in_force = self.latest
            return
        if not touched and not config_changed:
            return
        path = tsa_ca_path(newest) if newest is not None else tsa_ca_path(in_force)
        if (path, self.latest) == (tsa_ca_path(in_force), self.in_force):  # a revert
            self.preparers.clear()
        else:
            for ident in (commit.author, commit.committer):
                self.preparers.setdefault(_identity(in_force, ident.email), commit.id)

    def approve(self) -> None:
        self.in_force = self.latest
        self.preparers.clear()


SignatureLookup = Callable[[str, str | None], SigCheck | None]  # commit, keys blob → check


def build(commits: Sequence[Commit], changes: Mapping[str, str], contents: Mapping[str, bytes],
          fallback: Config, order: Mapping[str, int],
          signatures: Mapping[str, SigCheck] | SignatureLookup | None = None,
          key_changes: Mapping[str, str | None] | None = None,
          keys_file: str | None = None,
          ca_changes: Mapping[str, str | None] | None = None,
          ca_file: str | None = None) -> ConfigHistory:
    """Walk ``commits`` (oldest first: those that change qmsdoc.yaml or the trusted keys file,
    and those that approve qmsdoc.yaml): ``changes`` maps a commit to the qmsdoc.yaml blob it
    made, ``key_changes`` a commit to the keys file's blob it made (None: removed),
    ``contents`` a blob to its bytes, ``order`` a commit to its position in history.
    ``fallback`` is in force before the first qmsdoc.yaml. ``signatures`` gives a commit's
    signature check, or is called with the commit and the keys blob in force.
    ``ca_changes``: a commit to the blob it made of the TSA's CA file ``ca_file``."""
    from .policy import Policy, right_problem, signature_evidence, signature_problem

    history = ConfigHistory(initial=fallback, order=order, keys_tracked=key_changes is not None,
                            ca_tracked=ca_changes is not None)
    ca = _Tracked(ca_changes or {})
    key_changes = key_changes or {}
    in_force = fallback
    latest: tuple[str, Config | None, str] | None = None  # blob, its config, problem
    preparers: dict[str, str] = {}  # identity → commit that changed the controlled part
    key_preparers: dict[str, str] = {}  # identity → commit that changed the keys file
    keys_latest: str | None = None
    keys_in_force: str | None = None
    started = False

    def signature(commit_id: str) -> SigCheck | None:
        if callable(signatures):
            return signatures(commit_id, keys_in_force)
        return (signatures or {}).get(commit_id)

    for commit in commits:
        bootstrap = not started
        if commit.id in key_changes:
            keys_latest = key_changes[commit.id]
            if not started or keys_latest == keys_in_force:  # the bootstrap, or a revert
                keys_in_force = keys_latest if not started else keys_in_force
                key_preparers.clear()
            else:
                for ident in (commit.author, commit.committer):
                    key_preparers.setdefault(_identity(in_force, ident.email), commit.id)
        blob = changes.get(commit.id)
        if blob is not None:
            config, problem = _parse(contents.get(blob, b""), blob)
            if not started:  # the bootstrap: the first qmsdoc.yaml is trusted
                started = True
                in_force = config or fallback
                latest = (blob, config, problem)
                history.steps.append((order.get(commit.id, -1), in_force))
                history.key_steps.append((order.get(commit.id, -1), keys_in_force))
            else:
                latest = (blob, config, problem)
                if config is not None and _same(config, in_force):
                    preparers.clear()
                else:
                    for ident in (commit.author, commit.committer):
                        preparers.setdefault(_identity(in_force, ident.email), commit.id)
        ca.see(commit, started and not bootstrap, in_force, latest[1] if latest else None,
               blob is not None)
        approval = approval_of(commit)
        if approval is None or approval.record_id != CONFIG_ID:
            continue
        history.approvals += 1
        person = in_force.person_by_email(commit.committer.email)
        sig = signature(commit.id)
        history.evidence.append(signature_evidence(person, sig))
        who = f"{commit.committer.name} <{commit.committer.email}>"
        problems = list(approval.problems)
        policy = Policy.from_config(in_force)
        if person is None:
            problems.append(_("the committer {who} is not in the roster in force").format(
                                who=who))
        else:
            problems.extend(p for p in [right_problem(policy, person, CONFIG_KIND,
                                                      approval.action)] if p)
            if _identity(in_force, commit.committer.email) in {**preparers, **key_preparers,
                                                              **ca.preparers}:
                problems.append(_("self-approval: {name} changed the configuration being "
                                  "approved").format(name=person.name))
            if policy.require_signed:
                problems.extend(p for p in [signature_problem(person, sig)] if p)
        if blob is not None:
            problems.append(_("an approval commit must change no file, this one changes "
                              "{config_file}").format(config_file=CONFIG_FILE))
        if latest is None or approval.blob != latest[0]:
            problems.append(_("Record-Blob {blob} is not the current {config_file}").format(
                                blob=approval.blob[:12], config_file=CONFIG_FILE))
        elif latest[1] is None:
            problems.append(_("{file} {commit} is not a valid configuration: {problem}").format(
                file=CONFIG_FILE, commit=latest[0][:12], problem=latest[2]))
        if problems:
            history.violations.extend((commit.id, who, p) for p in problems)
            continue
        if approval.action == gitlog.APPROVE and latest is not None and latest[1] is not None:
            in_force = latest[1]
            keys_in_force = keys_latest
            preparers.clear()
            key_preparers.clear()
            ca.approve()
            history.steps.append((order.get(commit.id, -1), in_force))
            history.key_steps.append((order.get(commit.id, -1), keys_in_force))
    history.current = in_force
    history.ca_in_force = ca.in_force
    if latest is not None and preparers:
        first = min(preparers.values(), key=lambda c: order.get(c, -1))
        history.pending.append(
            _("{config_file}: a change of its roster/roles/departments/approvals since "
              "{first} is pending approval (qmsdoc approve {config_file} --as approve); until "
              "then the last approved configuration is in force").format(
                config_file=CONFIG_FILE, first=first[:12]))
    if latest is not None and key_preparers:
        first = min(key_preparers.values(), key=lambda c: order.get(c, -1))
        history.pending.append(
            _("{keys_file}: a change of the trusted signing keys since {first} is pending "
              "approval (qmsdoc approve {config_file} --as approve); until then the keys "
              "approved last are trusted").format(
                keys_file=keys_file or _("the trusted keys file"), first=first[:12],
                config_file=CONFIG_FILE))
    if latest is not None and ca.preparers:
        first = min(ca.preparers.values(), key=lambda c: order.get(c, -1))
        history.pending.append(
            _("{ca_file}: a change of the time-stamping authority's CA certificate "
              "(audit.tsa.ca_file) since {first} is pending approval (qmsdoc approve "
              "{config_file} --as approve); until then time-stamps are checked against the "
              "CA certificate approved last").format(
                ca_file=ca_file or "audit.tsa.ca_file", first=first[:12],
                config_file=CONFIG_FILE))
    return history


def tsa_ca_path(config: Config) -> str | None:
    """The TSA's CA file ``audit.tsa.ca_file`` names, repository-relative (None: not set)."""
    audit = config.data.get("audit") or {}
    tsa = audit.get("tsa") if isinstance(audit, dict) else None
    value = tsa.get("ca_file") if isinstance(tsa, dict) else None
    return str(value) if value else None


def key_path(config: Config) -> str | None:
    """The trusted keys file ``approvals.trusted_keys`` names, repository-relative."""
    from .policy import Policy

    return Policy.from_config(config).trusted_keys


def check_signatures(info: RepoInfo, commits: Iterable[str], keys_of: Callable[[str], str | None],
                     contents: Mapping[str, bytes], trusted: Path | None = None,
                     unsigned: Collection[str] = frozenset()) -> dict[str, SigCheck]:
    """The signature checks of ``commits``, each against the keys file blob ``keys_of`` gives
    it (``contents``: blob → bytes), or against ``trusted`` for all: one git call per keys
    file version; ``unsigned``: commits known to carry no signature (not asked of git)."""
    wanted = list(commits)
    if trusted is not None:
        return gitlog.check_signatures(info, wanted, trusted, unsigned)
    groups: dict[str | None, list[str]] = {}
    for commit in wanted:
        groups.setdefault(keys_of(commit), []).append(commit)
    checks: dict[str, SigCheck] = {}
    if set(groups) == {None}:  # no keys file: nothing to write out
        return gitlog.check_signatures(info, groups[None], None, unsigned)
    if all(c in unsigned for c in wanted):  # no keys file to write out either
        return gitlog.check_signatures(info, wanted, None, unsigned)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="qmsdoc-keys-") as folder:
        for blob, members in groups.items():
            keys = None
            if blob is not None:
                keys = Path(folder) / blob
                keys.write_bytes(contents.get(blob, b""))
            checks.update(gitlog.check_signatures(info, members, keys, unsigned))
    return checks


def _parse(raw: bytes, blob: str) -> tuple[Config | None, str]:
    """The configuration a committed qmsdoc.yaml gives (None and why, when it gives none);
    parsed once per process (a blob id names its content)."""
    if blob not in _parsed or _parsed[blob][0] != raw:
        try:
            _parsed[blob] = (raw, from_bytes(raw, None, f"{CONFIG_FILE}@{blob[:12]}"), "")
        except ConfigError as exc:
            _parsed[blob] = (raw, None, str(exc).splitlines()[0])
    _raw, config, problem = _parsed[blob]
    return config, problem


_parsed: dict[str, tuple[bytes, Config | None, str]] = {}
_FULL_ID = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


def _same(a: Config, b: Config) -> bool:
    return controlled_part(a.data) == controlled_part(b.data)


def _identity(config: Config, email: str) -> str:
    person = config.person_by_email(email)
    return person.key if person is not None else email_key(email)


def load(info: RepoInfo, fallback: Config, trusted: object = None,
         rev: str = "HEAD", extra: Commit | None = None,
         approvals: list[Commit] | None = None,
         order: Mapping[str, int] | None = None,
         folder: Path | None = None) -> ConfigHistory:
    """The configuration history of the repository up to ``rev``: the commits that change
    qmsdoc.yaml and those that approve it, in history order (a few git calls). ``extra`` is
    an approval about to be made, judged after everything else. ``approvals`` (the approval
    commits naming qmsdoc.yaml) and ``order`` (each commit's position in history), when
    the caller has read them already; ``folder``: the cache of path logs (pathlog.py; used
    when ``rev`` is a commit id)."""
    def path_log(path: str) -> list[Commit]:
        if folder is not None and _FULL_ID.fullmatch(rev):
            return pathlog.path_log(info, rev, path, path, folder)
        return gitlog.read_log(info, rev, path, under=path)

    changed = path_log(CONFIG_FILE)
    changes = {c.id: f.new for c in changed for f in c.files
               if f.path == CONFIG_FILE and f.new != gitlog.ZERO}
    if approvals is None:
        approvals = gitlog.read_approvals(info, CONFIG_ID, rev)
    if not changes and not approvals:
        return ConfigHistory(initial=fallback, current=fallback)
    contents = gitlog.read_blobs(info, sorted(set(changes.values())))
    keys_file = _keys_file(changes, changed, contents)
    ca_file = _newest(changes, changed, contents, tsa_ca_path)
    ca_log = path_log(ca_file) if ca_file else []
    ca_changes: dict[str, str | None] = {
        c.id: (f.new if f.new != gitlog.ZERO else None)
        for c in ca_log for f in c.files if f.path == ca_file}
    key_log = path_log(keys_file) if keys_file else []
    key_changes: dict[str, str | None] = {
        c.id: (f.new if f.new != gitlog.ZERO else None)
        for c in key_log for f in c.files if f.path == keys_file}
    order = dict(order if order is not None else gitlog.commit_order(info, rev))
    seen = {c.id for c in changed}
    commits = sorted({c.id: c for c in [*changed, *key_log, *ca_log, *(c for c in approvals
                                                             if c.id not in seen)]}.values(),
                     key=lambda c: order.get(c.id, -1))
    if extra is not None:
        order[extra.id] = len(order)
        commits.append(extra)
    contents.update(gitlog.read_blobs(info, sorted({b for b in key_changes.values()
                                                    if b and b not in contents})))
    override = trusted if isinstance(trusted, Path) else None
    cache: dict[str | None, dict[str, SigCheck]] = {}
    approval_ids = [c.id for c in approvals]

    def signature(commit_id: str, keys_blob: str | None) -> SigCheck | None:
        group = None if override is not None else keys_blob
        if group not in cache:
            cache[group] = check_signatures(info, approval_ids, lambda _c: keys_blob,
                                            contents, override)
        return cache[group].get(commit_id)

    history = build(commits, changes, contents, fallback, order,
                    signature if approvals else None, key_changes, keys_file, ca_changes,
                    ca_file)
    history.key_contents.update({b: contents[b] for b in key_changes.values()
                                 if b and b in contents})
    approved = history.current or fallback
    if history.ca_in_force is not None and tsa_ca_path(approved) != ca_file:
        history.ca_in_force = None  # the approved setting names another file: not this one
    if history.ca_in_force is not None:
        blob = history.ca_in_force
        history.ca_content = (contents.get(blob)
                              or gitlog.read_blobs(info, [blob]).get(blob, b""))
    return history


def _keys_file(changes: Mapping[str, str], changed: Sequence[Commit],
               contents: Mapping[str, bytes]) -> str | None:
    """The trusted keys file the newest committed qmsdoc.yaml names (``contents``: the
    committed contents, blob → bytes)."""
    return _newest(changes, changed, contents, key_path)


def _newest(changes: Mapping[str, str], changed: Sequence[Commit],
            contents: Mapping[str, bytes],
            setting: Callable[[Config], str | None]) -> str | None:
    """The file ``setting`` reads from the newest committed qmsdoc.yaml."""
    newest = next((changes[c.id] for c in reversed(changed) if c.id in changes), None)
    if newest is None:
        return None
    config, _ = _parse(contents.get(newest, b""), newest)
    return setting(config) if config is not None else None


def would_refuse(info: RepoInfo, fallback: Config, committer: Ident, action: str,
                 blob: str) -> str | None:
    """Why approving qmsdoc.yaml's content ``blob`` as ``committer`` now would not count
    (None when it would)."""
    if not load(info, fallback).pending:
        return (_("nothing to approve: the roster and approvals of {config_file} are the ones "
                  "in force").format(config_file=CONFIG_FILE))
    message = f"x\n\nApproval: {action}\nRecord: {CONFIG_ID}\nRecord-Blob: {blob}\n"
    pending = Commit(gitlog.ZERO, (), committer, committer, message)
    history = load(info, fallback, extra=pending)
    mine = [p for c, _, p in history.violations if c == gitlog.ZERO]
    return mine[0] if mine else None
