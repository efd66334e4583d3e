"""Every record's revisions from git: which contents were released (A, B, …), by whom,
what changed since, and which approvals are stale.

One engine judges every approval in history order; ``history``, ``approve`` and ``verify``
all use it, so that what the form prints, what ``approve`` allows and what ``verify``
accepts cannot disagree. The whole repository is read in one ``git log`` pass
(:func:`load_states`); one record's history reads only the commits that touched its file
and the approval commits that name it (:func:`record_state`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .. import cachefile
from ..config import Config, Person, builtin_config
from ..errors import GitError, UsageError
from ..git import cmd as gitcmd
from ..git import log as gitlog
from ..git import logcache, pathlog
from ..git.backing import parse_flags
from ..git.log import (
    ApprovalEvent,
    Commit,
    Event,
    Ident,
    RepoInfo,
    Timeline,
    record_id_of,
    timelines,
)
from ..i18n import N_, _
from ..kinds import KINDS
from ..records.files import (
    SUFFIXES,
    blob_id,
    display_path,
    folder_kind,
    locate,
    regular_bytes,
    relative_index,
)
from . import blobs
from .configs import CONFIG_ID, ConfigHistory, check_signatures
from .configs import load as load_configs
from .coverage import PATHS, digest_in_work_tree, digest_of_paths, digests_at, named_paths
from .policy import Policy, trusted_keys_path
from .releases import DUPLICATE, PENDING, RELEASED_ALREADY, Judge, ReleaseOutcome, evaluate
from .revision import RecordState
from .revision import uncontrolled as uncontrolled_state

SHALLOW_NOTE = N_("shallow clone: the history is incomplete, so approvals cannot be established "
                   "(fetch the full history: git fetch --unshallow; in CI, fetch-depth: 0)")


# --- reading git ------------------------------------------------------------------------------


def find_record(repo: Path, info: RepoInfo | None, id_or_path: str) -> str:
    """The repository-relative path of a record, by id (its file name) or by path."""
    if id_or_path.endswith(SUFFIXES) or "/" in id_or_path:
        candidate = Path(id_or_path)
        path = candidate if candidate.is_absolute() else repo / candidate
        rel = display_path(repo, path)
        if folder_kind(rel) is None:
            raise UsageError(_("{path}: not a record file under records/<kind folder>/")
                             .format(path=id_or_path))
        return rel
    found = locate(repo, id_or_path)
    if found is not None:
        return display_path(repo, found)
    if info is not None and info.git:
        for rel in gitlog.tree_blobs(info):
            if record_id_of(rel) == id_or_path:
                return rel
    raise UsageError(_("unknown record id '{id_or_path}' (no records/**/{id_or_path}.yaml)").format(
                         id_or_path=id_or_path))


def _judge(repo: Path, config: Config, info: RepoInfo, events: Iterable[Event],
           signatures: bool, trusted: Path | None = None,
           require_signed: bool = False, rev: str = "HEAD",
           config_approvals: list[Commit] | None = None,
           order: Mapping[str, int] | None = None,
           replay: gitlog.Replay | None = None, folder: Path | None = None,
           extra: Iterable[tuple[str, str]] = (), unsigned: Collection[str] = (),
           approved: Mapping[tuple[str, str], str] | None = None) -> Judge:
    """The judge of ``events``: each approval against the configuration approved before it
    (configs.py), the trusted keys file approved with it (or ``trusted``) added to the
    roster's keys; ``require_signed`` requires signatures whatever the configuration says.
    ``config_approvals`` (the approvals of qmsdoc.yaml) and ``order`` (each commit's
    position in history), when already read; ``replay``: the record files' blobs at each
    approval from the whole log, when it was read; ``folder``: the cache of path logs
    (pathlog.py), None for none; ``extra``: more (commit, path) pairs whose blobs the
    judge's ``tree_blobs`` is to hold (asked of git in the same call; the judge looks up
    only its approvals' pairs); ``unsigned``: approval commits known to carry no signature;
    ``approved``: the blob of every approval's record path at its commit, when already known
    (``Replay.approved``; then ``extra`` must be empty)."""
    configs = config_history(info, config, trusted, rev, config_approvals, order, folder)
    in_force = configs.current or config
    policy = Policy.from_config(in_force)
    approvals = [e for e in events if isinstance(e, ApprovalEvent)]
    wanted = [(e.commit.id, e.path) for e in approvals if e.path is not None]
    made = [(c, p) for c, p in wanted if c != PENDING]
    if approved is not None:
        tree = dict(approved)
    elif replay is not None:
        tree = replay.blobs_at([*made, *extra])
    else:
        tree = gitlog.blobs_at(info, [*made, *extra])
    sigs = None
    if signatures or require_signed or configs.any_signed:
        signed = [e.commit.id for e in approvals if e.commit.id != PENDING]
        if configs.keys_tracked:  # the keys file as approved with the configuration in force
            sigs = check_signatures(info, signed, configs.keys_in_force, configs.key_contents,
                                    trusted, unsigned)
        else:  # qmsdoc.yaml is not committed yet: the work tree's keys file
            keys = trusted_keys_path(repo, Policy.from_config(config), trusted)
            sigs = gitlog.check_signatures(info, signed, keys, unsigned)
    digests = digests_at(info, [(e.commit.id, e.blob) for e in approvals
                                if e.commit.id != PENDING and e.path is not None
                                and tree.get((e.commit.id, e.path)) == e.blob], replay)
    return Judge(policy, in_force, tree, sigs, require_signed, configs, digests)


def config_history(info: RepoInfo, config: Config, trusted: Path | None = None,
                   rev: str = "HEAD", approvals: list[Commit] | None = None,
                   order: Mapping[str, int] | None = None,
                   folder: Path | None = None) -> ConfigHistory:
    """Which configuration was in force when (``config``, the work tree's, when qmsdoc.yaml
    has no history); ``folder``: the cache of path logs, None for none."""
    configs = load_configs(info, builtin_config(), trusted, rev, approvals=approvals,
                           order=order, folder=folder)
    if configs.current is None or not configs.steps:
        return ConfigHistory(initial=config, current=config)
    return configs


def _record_files(repo: Path) -> dict[str, str]:
    """record id → path of every record file in the work tree."""
    return relative_index(repo)


def load_states(repo: Path, config: Config, *, ids: Collection[str] | None = None,
                signatures: bool = True,
                read: Mapping[str, Any] | None = None,
                blobs: Mapping[str, str] | None = None) -> dict[str, RecordState]:
    """The state of every record in the work tree (or of those in ``ids``), from one pass over
    the whole history: what the forms print. ``read``: record path → its content as already
    parsed (the attachments it names are then not read again); ``blobs``: record path → the
    blob id of that content, which is then the content judged (see ``StateBook.moved``).

    Signatures of the approval commits are checked (one git call, plus one gpg or ssh-keygen
    run per signed approval) unless ``signatures`` is False and the policy does not require
    them; unchecked signatures print as unsigned.
    """
    book = state_book(repo, config, ids=ids, signatures=signatures)
    if blobs:  # a content read before git was asked (a pull in between) is not HEAD's
        book = replace(book, dirty={*book.dirty, *book.moved(blobs)})
    return {rid: book.state(rid, read) for rid in book.files}


@dataclass(frozen=True)
class StateBook:
    """What one pass over the whole history says, from which each record's state is then
    built on its own (``state``): where its content is at hand, e.g. in the process that
    renders it. ``files``: record id → path of the records it can tell."""

    repo: Path
    info: RepoInfo
    files: Mapping[str, str]
    timelines: Mapping[str, Timeline] = field(default_factory=dict)
    judge: Judge | None = None
    heads: Mapping[str, str] = field(default_factory=dict)
    dirty: Collection[str] = ()

    def state(self, rid: str, read: Mapping[str, Any] | None = None,
              content: str = "") -> RecordState:
        """The state of the record ``rid`` (one of ``files``); ``read`` as for load_states;
        ``content``: the blob id of the content at hand, read after git was asked (a content
        that is not HEAD's is then a modified file, as a run after the edit says)."""
        path = self.files[rid]
        if self.judge is None:
            return replace(uncontrolled_state(rid, self.info.reason), path=path)
        if content and self.moved({path: content}):
            return replace(self, dirty={*self.dirty, path}).state(rid, read)
        timeline = self.timelines.get(rid)
        outcome = evaluate(timeline, self.judge) if timeline else None
        blob = self.heads.get(path)
        attachments = _attachments_now(self.repo, path, read) \
            if _may_be_released(outcome, blob) else None
        return _pending(self.judge, build_state(rid, outcome, self.judge.policy, self.info,
                                                blob, path in self.dirty, path, attachments))


    def moved(self, blobs: Mapping[str, str]) -> set[str]:
        """The paths whose content read (``blobs``: path → its blob id) is not the one HEAD
        holds, where git did not already say so: the file changed between the reading and
        git's look. A blob id hashed from the bytes read can differ from git's for the same
        content when the repository converts files (eol, filters): when the file still has
        the bytes read, git hashes it with its filters (none of this happens unless the ids
        differ)."""
        if not self.info.git:
            return set()
        odd = sorted(p for p, b in blobs.items()
                     if b and p not in self.dirty and p in self.heads and b != self.heads[p])
        if not odd:
            return set()
        try:  # a file git is told not to look at is the forms' backing's (git/backing.py)
            hidden = _hidden(self.info, odd)
            odd = [p for p in odd if p not in hidden]
            same = [p for p in odd if self._unchanged(p, blobs[p])]  # the bytes read, still there
            hashed = _hashed(self.info, same) if same else {}
        except GitError:
            return set(odd)
        return {p for p in odd
                if hashed.get(p) != self.heads[p] or not self._unchanged(p, blobs[p])}

    def _unchanged(self, path: str, blob: str) -> bool:
        try:
            return blob_id(regular_bytes(self.repo / path)) == blob
        except OSError:
            return False


def _hidden(info: RepoInfo, paths: Sequence[str]) -> set[str]:
    """The paths marked assume-unchanged or skip-worktree: git status does not see their
    edits, so the states never call them modified; the forms' backing does (their stamp is
    非受控 whatever their content), and their revision stays the states' as before."""
    out = gitcmd.run(info.root, "ls-files", "-v", "-z", "--full-name", "--",
                     *(info.prefix + p for p in paths))
    return {p for p, tag in parse_flags(out, info.prefix).items()
            if tag.islower() or tag.upper() == "S"}


def _hashed(info: RepoInfo, paths: Sequence[str]) -> dict[str, str]:
    """Each work-tree file's blob id as git would store it now (its filters applied)."""
    out = gitcmd.run(info.root, "hash-object", "--", *(info.prefix + p for p in paths))
    return dict(zip(paths, out.decode("ascii").split(), strict=False))


def state_book(repo: Path, config: Config, *, ids: Collection[str] | None = None,
               signatures: bool = True) -> StateBook:
    """The one pass over the history of ``load_states``, each record's state not yet built."""
    info = gitlog.probe(repo)
    if not info.git:
        return StateBook(repo, info, _named_files(repo, ids))
    # record files live in the kinds' folders: git need not look at the attachments. HEAD's
    # blobs, the uncommitted changes and the work tree's record files are asked in threads
    # of their own while the log is read (git's diff of every commit is the long part)
    from .. import parallel  # not for verify: a process pool's modules take a while to load

    listed = parallel.beside(_named_files, repo, ids)
    folders = [f"{gitlog.RECORDS_PREFIX}{kind.folder}/" for kind in KINDS]
    heads = parallel.beside(gitlog.tree_blobs, info, under=folders)
    dirty = parallel.beside(gitlog.dirty_paths, info, under=folders)
    try:
        all_timelines = timelines(gitlog.read_log(info))
    except BaseException:
        for pending in (heads, dirty):  # waited for; the error is the log's
            with contextlib.suppress(Exception):
                pending()
        listed()  # unless the work tree's records say what is wrong first, as they did
        raise
    files = listed()
    events = [e for rid in files if rid in all_timelines for e in all_timelines[rid].events]
    judge = _judge(repo, config, info, events, signatures)
    return StateBook(repo, info, files, all_timelines, judge, heads(), dirty())


def _named_files(repo: Path, ids: Collection[str] | None) -> dict[str, str]:
    """record id → path of the record files in the work tree (of those in ``ids``)."""
    files = _record_files(repo)
    return files if ids is None else {rid: path for rid, path in files.items() if rid in ids}


def _pending(judge: Judge, state: RecordState) -> RecordState:
    """The state with a note on an unapproved change of the roster or policy (no effect)."""
    pending = judge.configs.pending if judge.configs is not None else []
    return replace(state, notes=(*state.notes, *pending), config_pending=True) if pending \
        else state


def analyse(repo: Path, config: Config, *, signatures: bool = False,
            trusted: Path | None = None, require_signed: bool = False,
            cache: Path | None = None) -> tuple[RepoInfo, list[ReleaseOutcome], Judge]:
    """Every record's history as the policy reads it (for ``verify``), and the judge (with
    the configuration history); ``require_signed`` requires signatures whatever the policy
    in force says; ``cache``: the folder of the parsed log kept between runs (logcache.py)."""
    info = gitlog.probe(repo)
    if not info.git:
        raise UsageError(_("cannot check approvals: {reason}").format(reason=_(info.reason)))
    def prefetch(messages: bytes) -> None:  # while git computes the log's changes
        blobs.prefetch(info, blobs.named_in(messages), PATHS)

    head = info.head or "HEAD"
    declared: logcache.Declared = {}
    commits = logcache.cached_log(info, cache, prefetch, declared) if cache is not None \
        else gitlog.read_log(info, head, meanwhile=prefetch)
    approvals: list[ApprovalEvent] = []
    all_timelines = timelines(commits, approvals, declared)
    events = [e for t in all_timelines.values() for e in t.events]
    unsigned = logcache.unsigned(info, cache)
    order = {c.id: i for i, c in enumerate(commits)}
    replay = gitlog.Replay(info, commits, position=order)
    judge = _judge(repo, config, info, events, signatures, trusted, require_signed,
                   config_approvals=[a.commit for a in approvals if a.record_id == CONFIG_ID],
                   order=order, replay=replay, unsigned=unsigned,
                   approved=replay.approved(all_timelines.values()))
    if judge.signatures is not None:
        logcache.keep_unsigned(info, cache, unsigned, judge.signatures)
    return info, [evaluate(t, judge) for t in all_timelines.values()], judge


def record_events(info: RepoInfo, record_id: str, path: str, rev: str = "HEAD",
                  approvals: list[Commit] | None = None,
                  folder: Path | None = None) -> Timeline:
    """One record's timeline without reading the whole history: the commits that changed its
    file, and the approval commits that name it (``approvals``, when already read), put in
    the whole history's order; ``folder``: the cache of path logs (``rev`` a commit id)."""
    gitlog.ensure_commit_graph(info)  # the path's log then reads Bloom filters, not trees
    if folder is not None:
        changes = pathlog.path_log(info, rev, path, gitlog.RECORDS_PREFIX, folder)
    else:
        changes = gitlog.read_log(info, rev, path)
    if approvals is None:
        approvals = gitlog.read_approvals(info, record_id, rev)
    seen = {c.id for c in changes}
    commits = changes + [c for c in approvals if c.id not in seen]
    if approvals and changes:
        order = gitlog.commit_order(info, rev)
        commits.sort(key=lambda c: order.get(c.id, -1))
    timeline = timelines(commits).get(record_id, Timeline(record_id))
    if timeline.path is None:
        timeline.path = path
    return timeline


def record_state(repo: Path, config: Config, id_or_path: str, *, signatures: bool = True,
                 rev: str = "HEAD", cache: bool = True) -> RecordState:
    """One record's state at ``rev`` (the work tree's uncommitted changes count at HEAD);
    ``cache=False``: nothing read from the caches kept between runs (``audit-pack``)."""
    info = gitlog.probe(repo)
    path = find_record(repo, info, id_or_path)
    record_id = record_id_of(path) or id_or_path
    if not info.git:
        return replace(uncontrolled_state(record_id, info.reason), path=path)
    commit = info.head if rev == "HEAD" else gitlog.resolve_commit(info, rev)
    if commit is None:
        raise UsageError(_("unknown git revision '{rev}'").format(rev=rev))
    # the approvals of the record and of the configuration: from the trailers index
    approvals = gitlog.read_approvals_of(info, [record_id, CONFIG_ID], commit, cache)
    # the path logs at HEAD kept between runs (none in a shallow or grafted clone)
    keep = cache and commit == info.head
    folder = cachefile.location(info.root, ancestry=True) if keep else None
    timeline = record_events(info, record_id, path, commit, approvals[record_id], folder)
    judge = _judge(repo, config, info, timeline.events, signatures, rev=commit,
                   config_approvals=approvals[CONFIG_ID], folder=folder,
                   extra=[(commit, path)])
    outcome = evaluate(timeline, judge) if timeline.events else None
    head = judge.tree_blobs.get((commit, path))
    dirty = rev == "HEAD" and path in gitlog.dirty_paths(info, path, untracked=head is None)
    if rev == "HEAD":
        attachments = _attachments_now(repo, path)
    else:
        attachments = digests_at(info, [(commit, head)]).get((commit, head)) if head else None
    return _pending(judge, build_state(record_id, outcome, judge.policy,
                                       replace(info, head=commit), head, dirty, path,
                                       attachments))


def _may_be_released(outcome: ReleaseOutcome | None, blob: str | None) -> bool:
    """Whether ``build_state`` can find the content released, the only case in which it
    compares the attachments: a record never released needs no digest of them."""
    return outcome is not None and blob is not None and bool(outcome.revisions) \
        and outcome.revisions[-1].blob == blob


def _attachments_now(repo: Path, path: str,
                     read: Mapping[str, Any] | None = None) -> str | None:
    if read is not None and path in read:
        return digest_of_paths(repo, named_paths(read[path]))
    try:
        return digest_in_work_tree(repo, regular_bytes(repo / path))
    except OSError:
        return None


def build_state(record_id: str, outcome: ReleaseOutcome | None, policy: Policy, info: RepoInfo,
                blob: str | None, dirty: bool, path: str | None = None,
                attachments: str | None = None) -> RecordState:
    """A record's RecordState from its outcome and where its file stands; ``attachments``
    is the digest of its attachments as they are now (None: not checked)."""
    if outcome is None or blob is None:
        return replace(uncontrolled_state(record_id, "not committed: an uncontrolled copy"),
                       path=path)
    revisions = tuple(outcome.revisions)
    released = bool(revisions) and not outcome.changes and revisions[-1].blob == blob
    notes = list(outcome.notes)
    causes: list[str] = []
    changes = tuple(outcome.changes)
    if outcome.last_blob != blob and revisions and revisions[-1].blob == blob:
        released, changes = True, ()  # a merge kept the released content: judged by content
        notes = [n for n in notes if not n.startswith(("changed since", "stale "))]
    elif outcome.last_blob != blob:
        notes.insert(0, _("the committed content is not the one the history shows last"))
        released = False
    if released and attachments is not None and attachments != revisions[-1].attachments:
        released = False
        notes.insert(0, _("an attachment changed since revision {letter} was released: its "
                          "approvals do not cover the attachments shown").format(
                            letter=revisions[-1].letter))
    if dirty:  # the work tree's content is not the committed one: no blob, not released
        notes.insert(0, _("uncommitted changes: an uncontrolled copy"))
        causes.append("记录有未提交的修改")
        released, blob = False, None
    if info.shallow:
        notes.insert(0, _(SHALLOW_NOTE))
        causes.append("浅克隆：历史不完整，无法确认审批")
    controlled = not dirty and not info.shallow
    state = "uncontrolled" if not controlled else "released" if released else "draft"
    label = revisions[-1].letter if released else policy.label(len(revisions))
    revision_commit = (revisions[-1].commit if released
                       else changes[-1].commit if changes else info.head)
    return RecordState(record_id, state, label, controlled, info.head, blob, revisions,
                       changes, tuple(notes), pending=tuple(outcome.pending), path=path,
                       causes=tuple(causes), stale=tuple(outcome.stale),
                       ignored=len(outcome.violations), revision_commit=revision_commit)


def record_at(repo: Path, config: Config, id_or_path: str,
              rev: str) -> tuple[bytes, RecordState]:
    """The record's file and state as they were at ``rev``: a commit-ish, or a released
    revision label of the record (``B``, ``A/1``, ``2.0``)."""
    content, state, _commit = record_at_commit(repo, config, id_or_path, rev)
    return content, state


def record_at_commit(repo: Path, config: Config, id_or_path: str,
                     rev: str) -> tuple[bytes, RecordState, str]:
    """As ``record_at``, and the commit ``rev`` names."""
    info = gitlog.probe(repo)
    if not info.git:
        raise UsageError(f"--at {rev}: {_(info.reason)}")
    path = find_record(repo, info, id_or_path)
    current = record_state(repo, config, path, signatures=False)
    commit = next((r.commit for r in current.revisions if r.letter == rev), None)
    commit = commit or gitlog.resolve_commit(info, rev)
    if commit is None:
        labels = ", ".join(r.letter for r in current.revisions) or "none yet"
        raise UsageError(_("--at {rev}: neither a released revision of {record_id} ({labels}) "
                           "nor a git revision").format(
                             rev=rev, record_id=current.record_id, labels=labels))
    try:
        content = gitlog.read_blob(info, commit, path)
    except GitError:
        raise UsageError(_("--at {rev}: {path} does not exist in commit {commit}").format(
                             rev=rev, path=path, commit=commit[:12])) from None
    past = record_state(repo, config, path, signatures=False, rev=commit)
    return content, _as_reference(past, current), commit


def _as_reference(past: RecordState, current: RecordState) -> RecordState:
    """A past content as the document status model reads it: the latest released revision
    is in force (also when a newer draft exists); an earlier release is superseded — an
    obsolete document must be identified as such (ISO 9001 7.5.3.2 d)."""
    latest = current.revisions[-1] if current.revisions else None
    if past.state != "released" or latest is None:
        return past
    if latest.blob == past.blob and latest.letter == past.revision:
        return past  # the revision in force now
    return replace(past, superseded_by=latest.letter)


def would_refuse(repo: Path, config: Config, info: RepoInfo, record_id: str, path: str,
                 blob: str, action: str, person: Person) -> str | None:
    """Why the policy forbids ``person`` to give ``action`` on the record's content ``blob``
    now (None when it allows it): the engine judges the approval as if it were made. The
    approvals are read from git itself, never from the index kept between runs: what an
    approval may be given is decided on nothing a file in .git/qmsdoc could hide."""
    found = gitlog.read_approvals_of(info, [record_id, CONFIG_ID], cache=False)
    timeline = record_events(info, record_id, path, approvals=found[record_id])
    judge = _judge(repo, config, info, timeline.events, signatures=False,
                   config_approvals=found[CONFIG_ID])
    ident = Ident(person.name, person.email, "")
    head = info.head or ""
    covers = digests_at(info, [(head, blob)]).get((head, blob), "")
    pending = ApprovalEvent(Commit(PENDING, (), ident, ident, ""), action, record_id, blob, path,
                            attachments=covers)
    timeline.events.append(pending)
    judge = replace(judge, tree_blobs={**judge.tree_blobs, (PENDING, path): blob})
    outcome = evaluate(timeline, judge)
    status = outcome.status[PENDING]
    if status == RELEASED_ALREADY:
        return _("already released as revision {letter}; nothing to {action}").format(
                   letter=outcome.revisions[-1].letter, action=action)
    if status == DUPLICATE:
        return _("{name} already gave the {action} of this content").format(
                   name=person.name, action=action)
    mine = [v.problem for v in outcome.violations if v.commit == PENDING]
    return mine[0] if mine else None
