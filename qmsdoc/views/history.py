"""What ``qmsdoc history`` and ``qmsdoc approve`` print: a record's revisions with their
signatures (text or JSON), and the approval just recorded."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..history.approve import Done
from ..history.policy import ACTION_ZH
from ..history.revision import RecordState, Revision, Signature

STATE_LABELS = {"released": "released (已发布)", "draft": "draft (草稿)",
                "uncontrolled": "uncontrolled copy (非受控)"}


def state_lines(state: RecordState) -> list[str]:
    lines = [f"{state.record_id}  版次 {state.revision}  {STATE_LABELS[state.state]}"]
    if state.path:
        lines.append(f"  file   {state.path}")
    if state.commit and state.blob:
        lines.append(f"  commit {state.commit[:12]}  blob {state.blob[:12]}")
    for revision in state.revisions:
        lines.extend(_revision_lines(revision))
    if state.changes:
        since = f" since {state.revisions[-1].letter}" if state.revisions else ""
        lines.append(f"draft {state.revision}: {len(state.changes)} change(s){since}")
        lines.extend(f"  {c.at}  {c.author}  {c.summary}  {c.commit[:12]}"
                     for c in state.changes)
        lines.extend(_signature_line(s) for s in state.pending)
    lines.extend(f"note: {note}" for note in state.notes)
    return lines


def _revision_lines(revision: Revision) -> list[str]:
    lines = [f"revision {revision.letter}  {revision.at}  {revision.summary}"]
    preparers = revision.preparers or (revision.prepared,)
    signatures = [*preparers, *revision.reviewers, *revision.approvers]
    lines.extend(_signature_line(s) for s in signatures if s is not None)
    return lines


EVIDENCE = {"trusted": "signed", "unknown-key": "signed by a key not given to this person",
            "bad": "bad signature", "unsigned": "unsigned"}


def _signature_line(signature: Signature) -> str:
    department = f" {signature.department}" if signature.department else ""
    evidence = EVIDENCE.get(signature.evidence, "unsigned")
    signed = "" if signature.role == "prepared" else f"  {evidence}"
    return (f"  {signature.meaning:<13} {signature.name} ({signature.person}){department}  "
            f"{signature.at}  {signature.commit[:12]}{signed}")


def state_json(state: RecordState) -> dict[str, Any]:
    def signature(sig: Signature | None) -> dict[str, Any] | None:
        return None if sig is None else {**asdict(sig), "meaning": sig.meaning}

    def revision(rev: Revision) -> dict[str, Any]:
        data = asdict(rev)
        for role in ("prepared", "reviewed", "approved"):
            data[role] = signature(getattr(rev, role))
        data["reviewers"] = [signature(s) for s in rev.reviewers]
        data["preparers"] = [signature(s) for s in rev.preparers]
        data["approvers"] = [signature(s) for s in rev.approvers]
        return data

    return {
        "id": state.record_id, "revision": state.revision, "state": state.state,
        "controlled": state.controlled, "path": state.path, "commit": state.commit,
        "blob": state.blob, "revisions": [revision(r) for r in state.revisions],
        "changes": [asdict(c) for c in state.changes],
        "pending": [signature(s) for s in state.pending], "notes": list(state.notes),
    }


def approval_lines(done: Done) -> list[str]:
    """What ``approve`` prints: who did what to which content, and the release it made."""
    lines = [f"{done.person.name} ({done.person.key}): {done.action} ({ACTION_ZH[done.action]}) "
             f"of {done.record_id} recorded as commit {done.commit[:12]} "
             f"(blob {done.blob[:12]})"]
    if done.anchor:
        lines.append(f"release anchor: tag {done.anchor} (git push --follow-tags shares it)")
    if done.anchor_note:
        lines.append(f"release anchor: {done.anchor_note}")
    if done.released:
        lines.append(f"{done.record_id} is released as revision {done.released}")
    return lines
