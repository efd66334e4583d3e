"""What git history says about one record: revision letter, release state, signatures.

These values are the interface between the history module (which computes them from
``git log``) and the forms (which print them). A form shows signatures only from a
RecordState built from verified git evidence; without one it is an uncontrolled draft.
"""

from __future__ import annotations

from dataclasses import dataclass, field

PREPARED, REVIEWED, APPROVED = "prepared", "reviewed", "approved"

MEANINGS = {
    PREPARED: ("编制", "Prepared"),
    REVIEWED: ("审核", "Reviewed"),
    APPROVED: ("批准", "Approved"),
}


@dataclass(frozen=True)
class Signature:
    """One person's signature on one record content, as git records it."""

    role: str  # PREPARED, REVIEWED or APPROVED
    person: str  # roster key, or the git name when the person is not in the roster
    name: str  # printed name
    department: str  # printed department name, "" when unknown
    at: str  # ISO 8601 date-time with offset, from the commit
    commit: str  # full commit id
    signed: bool = False  # the commit carries a verified GPG/SSH signature
    position: str = ""  # the roster's title of the person (职务), "" when unknown
    key: str = ""  # fingerprint of the verified signing key
    # What the signature proves: "trusted" (good, by the roster person's key), "unknown-key"
    # (signed, by a key the roster does not give the person), "bad", "unsigned" or
    # "unchecked" (signatures were not read).
    evidence: str = field(default="unchecked", compare=False)

    @property
    def meaning(self) -> str:
        """The meaning of the signature as printed on the form, e.g. ``审核 Reviewed``."""
        zh, en = MEANINGS[self.role]
        return f"{zh} {en}"


@dataclass(frozen=True)
class Change:
    """A commit that changed the record file."""

    commit: str
    author: str  # printed name of the person who prepared the change
    at: str  # ISO 8601 with offset
    summary: str  # first line of the commit message


@dataclass(frozen=True)
class Revision:
    """A released content of the record (版次 A, B, ...)."""

    letter: str
    at: str  # when it was released: the date-time of the last required approval
    summary: str  # what changed since the previous revision
    blob: str  # git blob id of the released content
    commit: str  # the commit that released it
    prepared: Signature | None = None
    reviewed: Signature | None = None
    approved: Signature | None = None
    # Every counted signature (when the policy asks for more than one of a kind) and the
    # changes this revision released, oldest first.
    reviewers: tuple[Signature, ...] = ()
    approvers: tuple[Signature, ...] = ()
    changes: tuple[Change, ...] = ()
    # Everyone who authored a change of this revision (each at their last change; the last
    # of them is ``prepared``): all of them prepared (编制) the released content.
    preparers: tuple[Signature, ...] = ()
    attachments: str = ""  # digest of the attachments released with it ("" when none)


@dataclass(frozen=True)
class RecordState:
    """Where a record's content stands, for the form's header, signature block and footer."""

    record_id: str
    state: str  # "released", "draft" or "uncontrolled"
    revision: str  # letter of the released content; for a draft, the letter it will get
    controlled: bool  # committed, clean, full history: the form is a controlled copy
    commit: str | None = None  # commit the rendered content comes from
    blob: str | None = None  # git blob id of the rendered content
    revisions: tuple[Revision, ...] = ()  # released revisions, oldest first
    changes: tuple[Change, ...] = ()  # changes since the last release (the draft)
    notes: tuple[str, ...] = ()  # why the copy is uncontrolled or the approvals stale
    pending: tuple[Signature, ...] = ()  # signatures already given to the draft content
    path: str | None = None  # the record file, relative to the repository
    # Why the copy is uncontrolled, in the forms' language (empty when git backs it).
    causes: tuple[str, ...] = ()
    stale: tuple[Signature, ...] = ()  # signatures given to an earlier content of the draft
    ignored: int = 0  # approvals of this record that broke the policy and did not count
    config_pending: bool = False  # an unapproved roster/policy change (it has no effect yet)
    # The commit of the rendered revision: the approval that released it, or for a draft the
    # last change (``commit`` is where the content was read, e.g. HEAD).
    revision_commit: str | None = None
    superseded_by: str | None = None  # a released content that a later release replaced

    @property
    def current(self) -> Revision | None:
        """The revision whose signatures the form shows: only when the content is released."""
        if self.state == "released" and self.revisions:
            return self.revisions[-1]
        return None

    @property
    def is_draft(self) -> bool:
        return self.state != "released"


# The reasons git gives for a missing history, as a form prints them.
CAUSES = {
    "no git history": "无 git 历史",
    "not in a git repository": "不在 git 仓库中",
    "git is not installed": "未安装 git",
    "no commits yet": "尚无提交",
    "not committed: an uncontrolled copy": "记录未提交",
}


def uncontrolled(record_id: str, reason: str = "no git history") -> RecordState:
    """The state of a record that no git history backs: a draft, uncontrolled copy."""
    return RecordState(record_id=record_id, state="uncontrolled", revision="A",
                       controlled=False, notes=(reason,), causes=(CAUSES.get(reason, reason),))
