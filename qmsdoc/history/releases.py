"""The release engine: every approval of a record judged in history order.

Given a record's timeline (its changes and the approval commits that name it) and a Judge
(the policy, the roster, the record blobs in each approval's tree, the signature checks),
``evaluate`` says which contents were released (A, B, …), by whom, what changed since,
which approvals are stale and which break the policy. ``history``, ``approve`` and
``verify`` all use it, so that what a form prints, what ``approve`` allows and what
``verify`` accepts cannot disagree.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from ..config import Config, Person, email_key
from ..git import log as gitlog
from ..git.log import (
    APPROVE,
    REVIEW,
    ApprovalEvent,
    ChangeEvent,
    Commit,
    Ident,
    SigCheck,
    Timeline,
)
from ..i18n import _
from ..records.files import folder_kind
from .configs import ConfigHistory
from .policy import (
    TRUSTED,
    UNCHECKED,
    ApprovalRule,
    Policy,
    right_problem,
    signature_evidence,
    signature_problem,
)
from .revision import APPROVED, PREPARED, REVIEWED, Change, Revision, Signature

PENDING = gitlog.ZERO  # commit id of the approval `approve` is about to make


@dataclass(frozen=True)
class Violation:
    commit: str
    record_id: str
    action: str
    who: str
    problem: str

    def __str__(self) -> str:
        return f"{self.commit[:12]} {self.record_id} {self.action} by {self.who}: {self.problem}"


# --- the engine -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Judge:
    """What every approval is judged against: the configuration in force at each approval
    (``configs``; ``config`` when there is no configuration history)."""

    policy: Policy
    config: Config
    tree_blobs: Mapping[tuple[str, str], str]  # (approval commit, path) → the record's blob
    signatures: Mapping[str, SigCheck] | None = None  # None: signatures not checked
    require_signed: bool = False  # required whatever the policy in force says
    configs: ConfigHistory | None = None
    attachments: Mapping[tuple[str, str], str] | None = None  # (commit, blob) → digest
    _in_force: dict[str, Config] = field(default_factory=dict, init=False, compare=False,
                                         repr=False)  # commit → config_at, once per commit
    # what the methods below found, once per question (a whole history asks each many times)
    _people: dict[tuple[str, str], Person | None] = field(
        default_factory=dict, init=False, compare=False, repr=False)  # (commit, e-mail) → …
    _signed: dict[tuple[str, str, str, str, str], Signature] = field(
        default_factory=dict, init=False, compare=False, repr=False)
    _changes: dict[str, Change] = field(default_factory=dict, init=False, compare=False,
                                        repr=False)  # commit → its Change
    _policies: dict[str, Policy] = field(default_factory=dict, init=False, compare=False,
                                         repr=False)  # commit → policy_at
    _makers: dict[str, tuple[tuple[str, bool], ...]] = field(
        default_factory=dict, init=False, compare=False, repr=False)  # commit → ``makers``
    _rights: dict[tuple[int, int, str | None, str], tuple[Policy, Person, str | None]] = field(
        default_factory=dict, init=False, compare=False, repr=False)  # ``right`` asked before

    def config_at(self, commit: str) -> Config:
        if self.configs is None:
            return self.config
        found = self._in_force.get(commit)
        if found is None:
            found = self._in_force[commit] = self.configs.in_force(commit)
        return found

    def policy_at(self, commit: str) -> Policy:
        found = self._policies.get(commit)
        if found is None:
            config = self.config_at(commit)
            found = self._policies[commit] = self.policy if config is self.config \
                else Policy.from_config(config)
        return found

    def person(self, ident: Ident, commit: str = PENDING) -> Person | None:
        key = (commit, ident.email)
        try:
            return self._people[key]
        except KeyError:
            found = self._people[key] = self.config_at(commit).person_by_email(ident.email)
            return found

    def identity(self, ident: Ident, commit: str = PENDING) -> str:
        """The person's roster key, or the e-mail as compared when not in the roster."""
        person = self.person(ident, commit)
        return person.key if person is not None else email_key(ident.email)

    def makers(self, commit: Commit) -> tuple[tuple[str, bool], ...]:
        """The author's and the committer's ``identity`` in ``commit``, each with whether
        the roster knows them (once per commit: every record the commit changed asks)."""
        found = self._makers.get(commit.id)
        if found is None:
            made = []
            for ident in (commit.author, commit.committer):
                person = self.person(ident, commit.id)
                made.append((person.key, True) if person is not None
                            else (email_key(ident.email), False))  # as ``identity``
            found = self._makers[commit.id] = tuple(made)
        return found

    def right(self, policy: Policy, person: Person, kind: str | None,
              action: str) -> str | None:
        """``right_problem``, once per policy, person, kind and action (the message is in
        the language of the run, which does not change within it)."""
        key = (id(policy), id(person), kind, action)  # both are held with the answer
        found = self._rights.get(key)
        if found is None:
            found = self._rights[key] = (policy, person,
                                         right_problem(policy, person, kind, action))
        return found[2]

    def signature(self, role: str, ident: Ident, commit: str) -> Signature:
        key = (role, commit, ident.name, ident.email, ident.date)
        found = self._signed.get(key)
        if found is None:
            found = self._signed[key] = self._signature(role, ident, commit)
        return found

    def evidence(self, ident: Ident, commit: str) -> str:
        """What the signature of ``commit`` proves about ``ident`` (``Signature.evidence``)."""
        if self.signatures is not None and commit in self.signatures:
            return signature_evidence(self.person(ident, commit), self.signatures[commit])
        return UNCHECKED

    def change(self, event: ChangeEvent) -> Change:
        """The change ``event`` as a revision lists it (the same for every record it changed)."""
        commit = event.commit
        found = self._changes.get(commit.id)
        if found is None:
            author = commit.author
            person = self.person(author, commit.id)
            found = self._changes[commit.id] = Change(
                commit.id, person.name if person else author.name, author.date, commit.subject)
        return found

    def _signature(self, role: str, ident: Ident, commit: str) -> Signature:
        config = self.config_at(commit)
        person = self.person(ident, commit)
        evidence = self.evidence(ident, commit)
        signed = evidence == TRUSTED
        key = self.signatures[commit].fingerprint if signed and self.signatures else ""
        if person is None:
            return Signature(role, ident.name, ident.name, "", ident.date, commit, signed,
                             evidence=evidence)
        department = config.departments.get(person.department, person.department)
        return Signature(role, person.key, person.name, department, ident.date, commit, signed,
                         person.position, key, evidence)


@dataclass
class ReleaseOutcome:
    """One record's history as the policy reads it."""

    record_id: str
    kind: str | None
    path: str | None
    revisions: list[Revision] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)  # since the last release
    notes: list[str] = field(default_factory=list)
    violations: list[Violation] = field(default_factory=list)
    status: dict[str, str] = field(default_factory=dict)  # approval commit → how it counted
    evidence: dict[str, str] = field(default_factory=dict)  # approval commit → its signature
    last_blob: str | None = None  # the content after the last change
    pending: list[Signature] = field(default_factory=list)  # given to the last content
    stale: list[Signature] = field(default_factory=list)  # given to an earlier draft content


@dataclass
class _Cycle:
    """From one release to the next: the changes, their authors, the signatures counted."""

    changes: list[ChangeEvent] = field(default_factory=list)
    authors: dict[str, ChangeEvent] = field(default_factory=dict)  # person key or e-mail
    unknown: dict[str, ChangeEvent] = field(default_factory=dict)  # e-mail not in the roster
    signed: dict[str, list[tuple[str, Signature]]] = field(default_factory=dict)  # blob → …
    counts: dict[tuple[str, str], int] = field(default_factory=dict)  # (blob, action) → …
    firsts: dict[tuple[str, str], str] = field(default_factory=dict)  # (blob, person) → …

    def add(self, blob: str, action: str, signature: Signature) -> None:
        self.signed.setdefault(blob, []).append((action, signature))
        self.counts[(blob, action)] = self.counts.get((blob, action), 0) + 1
        self.firsts.setdefault((blob, signature.person), action)

    def count(self, blob: str, action: str) -> list[Signature]:
        return [s for a, s in self.signed.get(blob, []) if a == action]

    def number(self, blob: str, action: str) -> int:
        """``len(count(blob, action))``."""
        return self.counts.get((blob, action), 0)

    def action_of(self, blob: str, person: str) -> str | None:
        """The action of ``person``'s first signature counted on ``blob`` (None: none)."""
        return self.firsts.get((blob, person))


COUNTED, DUPLICATE, RELEASED_ALREADY, REJECTED = "counted", "duplicate", "released", "rejected"


def evaluate(timeline: Timeline, judge: Judge) -> ReleaseOutcome:
    kind = folder_kind(timeline.path) if timeline.path else None
    out = ReleaseOutcome(timeline.record_id, kind, timeline.path)
    cycle = _Cycle()
    last: ChangeEvent | None = None  # the change ``last_blob`` is from
    for event in timeline.events:
        commit = event.commit
        if isinstance(event, ChangeEvent):
            if len(commit.parents) > 1 and _merge_keeps(event, out, cycle):
                continue
            cycle.changes.append(event)
            for key, known in judge.makers(commit):
                cycle.authors[key] = event
                if not known:
                    cycle.unknown.setdefault(key, event)
            if last is None or last.commit.id != commit.id \
                    or gitlog.path_rank(event.file) < gitlog.path_rank(last.file):
                last = event  # of a commit's changes, the one at the record's path now
                new = event.file.new
                out.last_blob = None if new == gitlog.ZERO else new
            continue
        cid, committer, content = commit.id, commit.committer, event.content
        rule = judge.policy_at(cid).rule(kind)
        status, problems = judge_approval(event, judge, rule, cycle, out, content)
        out.status[cid] = status
        out.evidence[cid] = judge.evidence(committer, cid)
        if problems:
            who = f"{committer.name} <{committer.email}>"
            out.violations.extend(Violation(cid, event.record_id, event.action, who, p)
                                  for p in problems)
        if status == COUNTED:
            signature = judge.signature(REVIEWED if event.action == REVIEW else APPROVED,
                                        committer, cid)
            cycle.add(content, event.action, signature)
            if _complete(rule, cycle, content):
                later = _after_content(cycle, event.blob)
                cycle.changes = cycle.changes[:len(cycle.changes) - len(later)]
                out.revisions.append(_release(judge, out, cycle, event))
                cycle = _Cycle()
                for change in later:  # merged from another line: changes of the next draft
                    cycle.changes.append(change)
                    for key, _known in judge.makers(change.commit):
                        cycle.authors[key] = change
    out.changes = [judge.change(c) for c in cycle.changes]
    out.pending = [s for key, signed in cycle.signed.items()
                   if key.split("+")[0] == out.last_blob for _, s in signed]
    out.stale = [s for key, signed in cycle.signed.items()
                 if key.split("+")[0] != out.last_blob for _, s in signed]
    out.notes.extend(_stale_notes(out, cycle))
    return out


def _after_content(cycle: _Cycle, blob: str) -> list[ChangeEvent]:
    """The changes after the last one that made ``blob`` (on another line of history, read
    before an approval merged from a side branch): not part of the content it releases."""
    changes = cycle.changes
    for i in range(len(changes) - 1, -1, -1):
        if changes[i].file.new == blob:
            made = changes[i].commit.id  # the commit's other changes (a move's deletion) too
            while i + 1 < len(changes) and changes[i + 1].commit.id == made:
                i += 1
            return changes[i + 1:]
    return []


def _merge_keeps(event: ChangeEvent, out: ReleaseOutcome, cycle: _Cycle) -> bool:
    """A merge whose result is the content already there (the released one, or the last
    content) changes nothing: it is judged by the content it results in."""
    if len(event.commit.parents) < 2:
        return False
    released = out.revisions[-1].blob if out.revisions else None
    return event.file.new in {out.last_blob, released} - {None} and (
        event.file.new == out.last_blob or not cycle.changes)


def judge_approval(event: ApprovalEvent, judge: Judge, rule: ApprovalRule, cycle: _Cycle,
                   out: ReleaseOutcome, content: str | None = None) -> tuple[str, list[str]]:
    """Whether one approval counts, and every rule it breaks (``content``: the event's
    ``content``, when already at hand)."""
    content = event.content if content is None else content
    problems = list(event.problems)
    ident = event.commit.committer
    person = judge.person(ident, event.commit.id)
    policy = judge.policy_at(event.commit.id)
    if person is None:
        problems.append(_("the committer {name} <{email}> is not in the roster").format(
                            name=ident.name, email=ident.email))
    else:
        if event.path is not None:
            right = judge.right(policy, person, out.kind, event.action)
            problems.extend([right] if right else [])
        if (judge.require_signed or policy.require_signed) and event.commit.id != PENDING:
            sig = (judge.signatures or {}).get(event.commit.id)
            problems.extend(p for p in [signature_problem(person, sig)] if p)
    if event.path is None:
        problems.append(_("'Record: {record_id}' names no record in the history before this "
                          "commit").format(record_id=event.record_id))
    elif not event.problems:
        actual = judge.tree_blobs.get((event.commit.id, event.path))
        if actual != event.blob:
            problems.append(_("Record-Blob {blob} is not the record's content in this commit "
                              "({value})").format(
                                blob=event.blob[:12],
                                value=actual[:12] if actual else 'no such file'))
        elif judge.attachments is not None:
            wanted = judge.attachments.get((event.commit.id, event.blob), event.attachments)
            if wanted != event.attachments:
                problems.append(_("the approval does not cover the record's attachments as "
                                  "they are in this commit (Attachments: {value}); approve "
                                  "again").format(value=wanted or 'none'))
    if cycle.unknown and policy.unknown_preparers == "block" and not problems:
        first = next(iter(cycle.unknown.values())).commit
        who = (first.author if judge.person(first.author, first.id) is None
               else first.committer)
        problems.append(_("a change since the previous release ({id}) was made by {name} "
                          "<{email}>, who is not in the roster: this content cannot be "
                          "released (add that e-mail to the person's emails: in the roster, "
                          "or have a roster person commit the change again)").format(
                            id=first.id[:12], name=who.name, email=who.email))
    if problems or person is None:
        return REJECTED, problems
    last = out.revisions[-1] if out.revisions else None
    released = f"{last.blob}+{last.attachments}" if last and last.attachments else (
        last.blob if last else None)
    if content == released and not cycle.changes:
        return RELEASED_ALREADY, []
    return _order(event, person, rule, cycle, content)


def _order(event: ApprovalEvent, person: Person, rule: ApprovalRule,
           cycle: _Cycle, content: str | None = None) -> tuple[str, list[str]]:
    content = event.content if content is None else content
    problems: list[str] = []
    authored = cycle.authors.get(person.key)
    if authored is not None:
        problems.append(f"self-approval: {person.name} authored a change since the previous "
                        f"release ({authored.commit.id[:12]} {authored.commit.subject}); "
                        "审核人员不应审核其自身工作")
    earlier = cycle.action_of(content, person.key)
    if earlier == event.action and not problems:
        return DUPLICATE, []
    if earlier is not None and earlier != event.action:
        problems.append(_("{name} already gave the {earlier} of this content; review and "
                          "approval need two different people").format(
                            name=person.name, earlier=earlier))
    reviews = cycle.number(content, REVIEW)
    if event.action == APPROVE and rule.review_before_approve and reviews < rule.review.count:
        problems.append(_("approved before the review (审核) this content needs ({reviews} of "
                          "{count})").format(reviews=reviews, count=rule.review.count))
    return (REJECTED, problems) if problems else (COUNTED, [])


def _complete(rule: ApprovalRule, cycle: _Cycle, blob: str) -> bool:
    return (cycle.number(blob, REVIEW) >= rule.review.count
            and cycle.number(blob, APPROVE) >= max(1, rule.approve.count))


def _release(judge: Judge, out: ReleaseOutcome, cycle: _Cycle, event: ApprovalEvent) -> Revision:
    reviews, approvals = cycle.count(event.content, REVIEW), cycle.count(event.content, APPROVE)
    prepared = None
    if cycle.changes:
        last = cycle.changes[-1].commit
        prepared = judge.signature(PREPARED, last.author, last.id)
    latest_by_author: dict[str, ChangeEvent] = {}  # each author once, at their last change
    for change in cycle.changes:
        key = judge.makers(change.commit)[0][0]  # the author's identity
        latest_by_author.pop(key, None)
        latest_by_author[key] = change
    preparers = tuple(judge.signature(PREPARED, c.commit.author, c.commit.id)
                      for c in latest_by_author.values())
    summary = "; ".join(dict.fromkeys(c.commit.subject for c in cycle.changes))
    return Revision(
        letter=judge.policy_at(event.commit.id).label(len(out.revisions)),
        at=event.commit.committer.date,
        summary=summary, blob=event.blob, commit=event.commit.id, prepared=prepared,
        reviewed=reviews[0] if reviews else None, approved=approvals[-1],
        reviewers=tuple(reviews), approvers=tuple(approvals), preparers=preparers,
        changes=tuple(judge.change(c) for c in cycle.changes), attachments=event.attachments)


def _stale_notes(out: ReleaseOutcome, cycle: _Cycle) -> Iterable[str]:
    if out.revisions and cycle.changes:
        yield (_("changed since revision {letter} was released ({count} change(s)): its "
                 "approvals do not cover the current content").format(
                   letter=out.revisions[-1].letter, count=len(cycle.changes)))
    for key, signed in cycle.signed.items():
        blob = key.split("+")[0]
        if blob == out.last_blob:
            continue
        for action, sig in signed:
            yield (_("stale {action}: {name} ({at}, {commit}) signed an earlier content "
                     "({blob}); the record changed since").format(
                       action=action,
                       name=sig.name,
                       at=sig.at,
                       commit=sig.commit[:12],
                       blob=blob[:12]))
    for violation in out.violations:
        yield f"ignored {violation.action} by {violation.who}: {violation.problem}"
