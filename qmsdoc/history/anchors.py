"""Release anchors: the ledger of releases kept outside the commit graph.

Every released revision gets an annotated tag ``release/<record id>/<letter>`` on the
approval commit that released it. Its message (the anchor) names what the release was:
the record's path and blob, each attachment's blob and their digest, the commits of the
counted reviews and approvals, the release time, and ``Previous:`` the digest of the
ledger's last anchor when it was written (a hash chain over all releases). A rewrite of
history (rebase, filter-branch, force-push) makes new commits; the anchors keep naming the
old ones, so ``verify`` reports every release whose anchor no longer matches history, every
anchor whose previous entry is gone (a ledger that lost entries), and every release made
without one.

The anchor's tagger and date are those of the releasing approval commit, so that an anchor
written again (``qmsdoc anchor`` in another clone) is the same tag object. Optionally an
RFC 3161 time-stamp token over the anchor's digest is kept in the tag
(``Timestamp-Token:``), from the TSA that ``audit.tsa.url`` names.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from ..config import Config
from ..errors import GitError, QmsdocError
from ..git import log as gitlog
from ..git import tags as gittags
from ..git.log import RepoInfo
from ..i18n import _
from .coverage import attachment_paths
from .releases import ReleaseOutcome
from .revision import Revision

if TYPE_CHECKING:
    from .branch import Base
    from .timestamps import Authority

PREFIX = "release/"
SUBJECT = "Release"
TOKEN = "Timestamp-Token"
StampFn = Callable[[str], str]  # anchor digest → base64 time-stamp token
_FIELDS = ("Record", "Revision", "Path", "Commit", "Record-Blob", "Attachments", "Attachment",
           "Review", "Approve", "Released-At", "Previous")


@dataclass(frozen=True)
class Anchor:
    record_id: str
    revision: str
    path: str
    commit: str  # the approval commit that released it
    blob: str  # the record's blob
    released_at: str
    attachments: str = ""  # the attachments' digest ("" when none)
    files: tuple[tuple[str, str], ...] = ()  # (attachment path, blob), by path
    reviews: tuple[str, ...] = ()  # the counted review commits
    approvals: tuple[str, ...] = ()  # the counted approval commits
    previous: str = ""  # digest of the ledger's previous anchor ("" for the first)
    token: str = ""  # base64 RFC 3161 time-stamp token over ``digest``
    tag: str = ""  # the tag object id, once written
    signed: bool = False  # the tag carries a signature

    @property
    def name(self) -> str:
        return tag_name(self.record_id, self.revision)

    @property
    def body(self) -> str:
        """The anchor's text without its time-stamp: what ``digest`` covers."""
        lines = [f"{SUBJECT} {self.record_id} {self.revision}", "",
                 f"Record: {self.record_id}", f"Revision: {self.revision}", f"Path: {self.path}",
                 f"Commit: {self.commit}", f"Record-Blob: {self.blob}"]
        if self.attachments:
            lines.append(f"Attachments: {self.attachments}")
        lines += [f"Attachment: {blob} {path}" for path, blob in self.files]
        lines += [f"Review: {c}" for c in self.reviews]
        lines += [f"Approve: {c}" for c in self.approvals]
        lines += [f"Released-At: {self.released_at}", f"Previous: {self.previous or 'none'}"]
        return "\n".join(lines) + "\n"

    @property
    def message(self) -> str:
        return self.body + (f"{TOKEN}: {self.token}\n" if self.token else "")

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.body.encode("utf-8")).hexdigest()


def tag_name(record_id: str, revision: str) -> str:
    return f"{PREFIX}{record_id}/{revision}"


def parse(message: str) -> Anchor | None:
    """The anchor a tag message holds, or None when it is not one."""
    values: dict[str, list[str]] = {}
    lines = message.splitlines()
    if not lines or not lines[0].startswith(f"{SUBJECT} "):
        return None
    for line in lines[1:]:
        key, sep, value = line.partition(": ")
        if sep and (key in _FIELDS or key == TOKEN):
            values.setdefault(key, []).append(value.strip())
    one = {k: v[0] for k, v in values.items() if len(v) == 1}
    needed = ("Record", "Revision", "Path", "Commit", "Record-Blob", "Released-At", "Previous")
    if any(k not in one for k in needed):
        return None
    files = tuple(sorted((p, b) for b, _, p in (v.partition(" ") for v in
                                                values.get("Attachment", []))))
    previous = one["Previous"]
    return Anchor(one["Record"], one["Revision"], one["Path"], one["Commit"],
                  one["Record-Blob"], one["Released-At"], one.get("Attachments", ""), files,
                  tuple(values.get("Review", [])), tuple(values.get("Approve", [])),
                  "" if previous == "none" else previous, one.get(TOKEN, ""))


@dataclass
class Ledger:
    """Every release anchor of the repository, and the tags under release/ that are not."""

    anchors: list[Anchor] = field(default_factory=list)
    broken: list[tuple[str, str]] = field(default_factory=list)  # (tag, why it is no anchor)
    targets: dict[str, str] = field(default_factory=dict)  # tag name → commit it points at

    def ordered(self) -> list[Anchor]:
        """Oldest release first (release time, then tag name): the chain's order."""
        return sorted(self.anchors, key=lambda a: (_instant(a.released_at), a.name))

    @property
    def head(self) -> Anchor | None:
        """The anchor a new one follows: the last written (the latest head when two clones
        forked the chain)."""
        heads = self.heads()
        return heads[-1] if heads else None

    def heads(self) -> list[Anchor]:
        """The anchors no other anchor names as its previous one (two clones that released
        at the same time each start a branch of the chain)."""
        named = {a.previous for a in self.anchors}
        return [a for a in self.ordered() if a.digest not in named]

    def by_name(self) -> dict[str, Anchor]:
        return {a.name: a for a in self.anchors}


def _instant(at: str) -> float:
    try:
        return datetime.fromisoformat(at).timestamp()
    except ValueError:
        return 0.0


def read(info: RepoInfo) -> Ledger:
    """The ledger as the release tags hold it (one git call)."""
    ledger = Ledger()
    for tag in gittags.release_tags(info):
        ledger.targets[tag.name] = tag.target
        anchor = parse(tag.message) if tag.annotated else None
        if anchor is None:
            why = _("a lightweight tag") if not tag.annotated else _("its message is not an anchor")
            ledger.broken.append((tag.name, why))
            continue
        if anchor.name != tag.name:
            ledger.broken.append((tag.name, _("its anchor is that of {name}").format(
                                                name=anchor.name)))
            continue
        ledger.anchors.append(replace(anchor, tag=tag.object, signed=tag.signed))
    return ledger


def of_revision(info: RepoInfo, record_id: str, path: str, revision: Revision,
                previous: str = "") -> Anchor:
    """The anchor of one released revision: its attachments read from the release commit."""
    raw = gitlog.read_blobs(info, [revision.blob]).get(revision.blob, b"")
    paths = attachment_paths(raw) if revision.attachments else []
    found = gitlog.blobs_at(info, [(revision.commit, p) for p in paths])
    files = tuple((p, found.get((revision.commit, p), gitlog.ZERO)) for p in paths)
    return Anchor(record_id, revision.letter, path, revision.commit, revision.blob,
                  revision.at, revision.attachments, files,
                  tuple(s.commit for s in revision.reviewers),
                  tuple(s.commit for s in revision.approvers), previous)


def write(info: RepoInfo, anchor: Anchor, sign: bool = False) -> Anchor:
    """The anchor as an annotated tag on its release commit, made by that commit's
    committer at its date."""
    tagger = gittags.committer(info, anchor.commit)
    obj = gittags.write(info, anchor.name, anchor.commit, anchor.message, tagger, sign)
    return replace(anchor, tag=obj, signed=sign)


def _stamped(anchor: Anchor, stamp: StampFn | None) -> tuple[Anchor, str | None]:
    """The anchor with its time-stamp token, or without one and why (a TSA that does not
    answer does not stop the release from being anchored)."""
    if stamp is None:
        return anchor, None
    try:
        return replace(anchor, token=stamp(anchor.digest)), None
    except QmsdocError as exc:
        return anchor, _("anchored without an RFC 3161 time-stamp: {problem}").format(
                           problem=exc)


def anchor_release(info: RepoInfo, record_id: str, path: str, revision: Revision,
                   sign: bool = False,
                   stamp: StampFn | None = None) -> tuple[Anchor | None, str | None]:
    """Write the anchor of a release ``approve`` just made (None when it has one already),
    and what went wrong with its time-stamp."""
    ledger = read(info)
    if tag_name(record_id, revision.letter) in ledger.targets:
        return None, None
    head = ledger.head
    anchor, problem = _stamped(of_revision(info, record_id, path, revision,
                                           head.digest if head else ""), stamp)
    return write(info, anchor, sign), problem


def missing(info: RepoInfo, outcomes: Iterable[ReleaseOutcome],
            ledger: Ledger | None = None) -> list[tuple[ReleaseOutcome, Revision]]:
    """The releases in history that have no release tag, oldest release first."""
    ledger = ledger or read(info)
    found = [(o, r) for o in outcomes if o.path is not None for r in o.revisions
             if tag_name(o.record_id, r.letter) not in ledger.targets]
    return sorted(found, key=lambda p: (_instant(p[1].at), tag_name(p[0].record_id,
                                                                    p[1].letter)))


def unanchored(info: RepoInfo, outcomes: Iterable[ReleaseOutcome]) -> int:
    """How many releases the history holds when the clone holds no anchor at all (0 once
    it holds one: then ``check`` names each release without one)."""
    ledger = read(info)
    if ledger.anchors or ledger.broken:
        return 0
    return len(missing(info, outcomes, ledger))


def anchor_missing(info: RepoInfo, outcomes: Sequence[ReleaseOutcome], sign: bool = False,
                   stamp: StampFn | None = None) -> tuple[list[Anchor], list[str]]:
    """Anchors for every release that has none (a repository from before anchors, or
    releases whose tags were not fetched), chained in release order; the anchors written,
    and what went wrong with their time-stamps."""
    ledger = read(info)
    written: list[Anchor] = []
    problems: list[str] = []
    for outcome, revision in missing(info, outcomes, ledger):
        assert outcome.path is not None
        anchor = _restored(ledger, of_revision(info, outcome.record_id, outcome.path,
                                               revision))
        anchor, problem = _stamped(anchor, stamp)
        anchor = write(info, anchor, sign)
        if problem and problem not in problems:
            problems.append(problem)
        ledger.anchors.append(anchor)
        ledger.targets[anchor.name] = anchor.commit
        written.append(anchor)
    return written, problems


def _restored(ledger: Ledger, anchor: Anchor) -> Anchor:
    """``anchor`` following the ledger's head; or, when a later anchor names a lost entry
    that this one was (its text with one of the possible previous entries gives that
    digest), exactly that entry again: the chain is whole once more."""
    head = ledger.head
    lost = {a.previous for a in ledger.anchors} - {a.digest for a in ledger.anchors} - {""}
    if lost:
        for previous in ["", *(a.digest for a in ledger.ordered())]:
            candidate = replace(anchor, previous=previous)
            if candidate.digest in lost:
                return candidate
    return replace(anchor, previous=head.digest if head else "")


# --- what verify reports -----------------------------------------------------------------------


@dataclass(frozen=True)
class AnchorProblem:
    tag: str
    problem: str
    note: bool = False  # not a problem: a release not judged on this branch (branch.py)

    def __str__(self) -> str:
        return f"{self.tag}: {self.problem}"


def check(info: RepoInfo, outcomes: Iterable[ReleaseOutcome],
          ledger: Ledger | None = None,
          tokens: Callable[[str, str], str | None] | None = None,
          base: Base | None = None) -> list[AnchorProblem]:
    """Every anchor against history, the chain's links, and the releases without anchor
    (only once the repository keeps a ledger: it has at least one anchor). With ``base``
    (``verify --branch-of``), a release that HEAD's history does not hold and the base's
    does is a note instead: not judged on this branch."""
    ledger = ledger or read(info)
    outcomes = list(outcomes)
    problems = [AnchorProblem(tag, _("not a release anchor ({why})").format(why=why))
                for tag, why in ledger.broken]
    if not ledger.anchors:
        return problems
    by_id = {o.record_id: o for o in outcomes}
    try:
        known = gittags.reachable(info)
    except GitError:
        known = set()
    digests = {a.digest for a in ledger.anchors}
    for anchor in ledger.ordered():
        target = ledger.targets.get(anchor.name)
        outcome = by_id.get(anchor.record_id)
        off = _off_branch(anchor, outcome, known, base) if base is not None else None
        if off is not None:  # the tag and the chain are still judged, the release is not
            problems.extend(AnchorProblem(anchor.name, p) for p in _moved(anchor, target))
            problems.append(off)
        else:
            problems.extend(AnchorProblem(anchor.name, p) for p in _anchor_problems(
                anchor, target, outcome, known))
        # a release not judged here: nor its time-stamp (the CA in force may be a later one)
        if anchor.token and tokens is not None and off is None:
            problem = tokens(anchor.digest, anchor.token)
            if problem:
                problems.append(AnchorProblem(anchor.name, problem))
        if anchor.previous and anchor.previous not in digests:
            problems.append(AnchorProblem(
                anchor.name, _("the ledger lost an entry: this anchor follows entry "
                               "{previous}, which no release tag holds (a release anchor was "
                               "deleted)").format(previous=anchor.previous[:12])))
    for outcome, revision in missing(info, outcomes, ledger):
        problems.append(AnchorProblem(
            tag_name(outcome.record_id, revision.letter),
            _("released in {commit} ({at}) but not anchored: fetch the tags of the clone that "
              "released it (git fetch --tags), or qmsdoc anchor writes the anchor").format(
                commit=revision.commit[:12], at=revision.at)))
    return problems


def _commits(anchor: Anchor) -> list[str]:
    return list(dict.fromkeys((anchor.commit, *anchor.reviews, *anchor.approvals)))


def _off_branch(anchor: Anchor, outcome: ReleaseOutcome | None, known: set[str],
                base: Base) -> AnchorProblem | None:
    """The note that the release is not judged on this branch, when the base's history
    holds it and HEAD's does not yet: HEAD's history lacks some of its commits, the base's
    holds them all, and HEAD's history shows no release of that revision of the record
    (that would be a rewrite, judged as one). None when it is judged here."""
    gone = [c for c in _commits(anchor) if c not in known]
    if not base.holds(gone):
        return None
    if outcome is not None and any(r.letter == anchor.revision for r in outcome.revisions):
        return None
    return AnchorProblem(anchor.name, _(
        "not judged on this branch: the release in {commit} ({released_at}) is in {base}'s "
        "history, not yet in this branch's").format(
            commit=anchor.commit[:12], released_at=anchor.released_at, base=base.ref),
        note=True)


def _moved(anchor: Anchor, target: str | None) -> Iterable[str]:
    if target is not None and target != anchor.commit:
        yield (_("the tag points at {target}, its anchor names {commit}: the tag was moved or "
                 "rewritten").format(target=target[:12], commit=anchor.commit[:12]))


def _anchor_problems(anchor: Anchor, target: str | None, outcome: ReleaseOutcome | None,
                     known: set[str]) -> Iterable[str]:
    """What is wrong with one anchor. Commit ids hash their content and their past: while
    the anchored commits are in history, the release they made is there unchanged (how the
    policy judges it now is ``verify``'s other rules' business)."""
    yield from _moved(anchor, target)
    gone = [c for c in _commits(anchor) if c not in known]
    if not gone:
        return
    what = _("content {blob} released in {commit} ({released_at})").format(
               blob=anchor.blob[:12], commit=anchor.commit[:12], released_at=anchor.released_at)
    lost = _("commit(s) {values} no longer in history").format(
               values=', '.join(c[:12] for c in gone))
    revision = None
    if outcome is not None:
        revision = next((r for r in outcome.revisions if r.letter == anchor.revision), None)
    if revision is None:
        yield _("the release ({what}) was removed or rewritten: {lost}").format(
                  what=what, lost=lost)
        return
    same = (revision.blob, revision.attachments) == (anchor.blob, anchor.attachments)
    now = (f"{'the same' if same else 'content ' + revision.blob[:12]} released in "
           f"{revision.commit[:12]} ({revision.at})")
    if revision.blob == anchor.blob and revision.attachments != anchor.attachments:
        now = _("content {blob} with other attachments released in {commit} ({at})").format(
                  blob=revision.blob[:12], commit=revision.commit[:12], at=revision.at)
    yield _("history was rewritten: the anchor holds {what}, history now shows {now}; "
            "{lost}").format(what=what, now=now, lost=lost)


def check_repository(info: RepoInfo, outcomes: Iterable[ReleaseOutcome],
                     authority: Authority, base: Base | None = None) -> list[AnchorProblem]:
    """``check`` with the time-stamp tokens checked against the TSA's CA certificates
    ``authority`` (timestamps.py: as approved, or given for the run)."""
    from . import timestamps

    def tokens(digest: str, token: str) -> str | None:
        return timestamps.check(authority, digest, token)

    return check(info, outcomes, tokens=tokens, base=base)


def anchor_repository(repo: Path, config: Config,
                      sign: bool = False) -> tuple[list[Anchor], Ledger, list[str]]:
    """``qmsdoc anchor``: anchors for the releases in history that have none (the ledger
    of a repository from before anchors), then the ledger."""
    from ..errors import UsageError
    from .states import analyse
    from .timestamps import stamper

    info, outcomes, _judge = analyse(repo, config, signatures=True)
    if info.shallow:
        raise UsageError(_("this is a shallow clone: the releases cannot be established (git "
                           "fetch --unshallow)"))
    written, problems = anchor_missing(info, outcomes, sign, stamper(repo, config))
    return written, read(info), problems


def anchor_after_approval(repo: Path, config: Config, info: RepoInfo, record_id: str,
                          path: str, revision: Revision,
                          sign: bool) -> tuple[str | None, str | None]:
    """``approve`` released ``revision``: its anchor (tag name), and a note (why it could
    not be written: the approval stands, ``qmsdoc anchor`` writes it later; or the earlier
    releases anchored with it). The first anchor of a repository from before anchors
    anchors every earlier release too, as ``qmsdoc anchor`` does, so that the new ledger
    is whole from the start."""
    from .timestamps import stamper

    stamp = stamper(repo, config)
    try:
        ledger = read(info)
        if not ledger.targets:
            return _first_anchor(repo, config, info, record_id, revision, sign, stamp)
        anchor, problem = anchor_release(info, record_id, path, revision, sign, stamp)
    except (GitError, QmsdocError) as exc:
        return None, _("not anchored: {problem}; qmsdoc anchor writes it later").format(
                         problem=exc)
    return (anchor.name if anchor else None), problem


def _first_anchor(repo: Path, config: Config, info: RepoInfo, record_id: str,
                  revision: Revision, sign: bool,
                  stamp: StampFn | None) -> tuple[str | None, str | None]:
    from .states import analyse

    _info, outcomes, _judge = analyse(repo, config, signatures=True)
    written, problems = anchor_missing(info, outcomes, sign, stamp)
    name = tag_name(record_id, revision.letter)
    earlier = [a for a in written if a.name != name]
    if earlier:
        problems.insert(0, _("{count} earlier release(s) anchored too (the repository's first "
                             "anchor: its ledger starts with every release in history)").format(
                               count=len(earlier)))
    return (name if any(a.name == name for a in written) else None), \
        "; ".join(problems) or None
