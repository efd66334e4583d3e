"""What ``qmsdoc history`` and ``qmsdoc approve`` print: a record's revisions with their
signatures (text or JSON), and the approval just recorded."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from ..history.approve import Done
from ..history.policy import ACTION_ZH
from ..history.revision import RecordState, Revision, Signature
from ..i18n import N_, _

STATE_LABELS = {"released": N_("released (已发布)"), "draft": N_("draft (草稿)"),
                "uncontrolled": N_("uncontrolled copy (非受控)")}


def state_lines(state: RecordState) -> list[str]:
    lines = [f"{state.record_id}  版次 {state.revision}  {_(STATE_LABELS[state.state])}"]
    if state.path:
        lines.append(_("  file   {path}").format(path=state.path))
    if state.commit and state.blob:
        lines.append(_("  commit {commit}  blob {blob}").format(commit=state.commit[:12],
                                                               blob=state.blob[:12]))
    for revision in state.revisions:
        lines.extend(_revision_lines(revision))
    if state.changes:
        lines.append((_("draft {revision}: {n} change(s) since {letter}") if state.revisions
                      else _("draft {revision}: {n} change(s)")).format(
            revision=state.revision, n=len(state.changes),
            letter=state.revisions[-1].letter if state.revisions else ""))
        lines.extend(f"  {c.at}  {c.author}  {c.summary}  {c.commit[:12]}"
                     for c in state.changes)
        lines.extend(_signature_line(s) for s in state.pending)
    lines.extend(_("note: {note}").format(note=note) for note in state.notes)
    return lines


def _revision_lines(revision: Revision) -> list[str]:
    lines = [_("revision {letter}  {at}  {summary}").format(
        letter=revision.letter, at=revision.at, summary=revision.summary)]
    preparers = revision.preparers or (revision.prepared,)
    signatures = [*preparers, *revision.reviewers, *revision.approvers]
    lines.extend(_signature_line(s) for s in signatures if s is not None)
    return lines


EVIDENCE = {"trusted": N_("signed"), "unknown-key": N_("signed by a key not given to this person"),
            "bad": N_("bad signature"), "unsigned": N_("unsigned")}


def _signature_line(signature: Signature) -> str:
    department = f" {signature.department}" if signature.department else ""
    evidence = _(EVIDENCE.get(signature.evidence, "unsigned"))
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
    lines = [_("{name} ({key}): {action} ({action_zh}) of {id} recorded as commit {commit} "
               "(blob {blob})").format(
        name=done.person.name, key=done.person.key, action=done.action,
        action_zh=ACTION_ZH[done.action], id=done.record_id, commit=done.commit[:12],
        blob=done.blob[:12])]
    if done.anchor:
        lines.append(_("release anchor: tag {tag} (git push --follow-tags shares it)").format(
            tag=done.anchor))
    if done.anchor_note:
        lines.append(_("release anchor: {note}").format(note=done.anchor_note))
    if done.released:
        lines.append(_("{id} is released as revision {letter}").format(
            id=done.record_id, letter=done.released))
    return lines
