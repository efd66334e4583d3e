"""Git as the revision and approval record: history, approve, verify."""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..history.revision import RecordState, Revision, Signature
from .app import App, main

if TYPE_CHECKING:
    from ..history.approve import Done

STATE_LABELS = {"released": "released (已发布)", "draft": "draft (草稿)",
                "uncontrolled": "uncontrolled copy (非受控)"}


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.pass_obj
def history(app: App, record_id: str, fmt: str) -> None:
    """Show a record's revisions from git: each released revision (版次 A, B, …) with who
    prepared (编制), reviewed (审核) and approved (批准) it and when, then the draft changes
    since the last release and any stale approvals.

    \b
    Examples:
      qmsdoc history CC-2026-0001
      qmsdoc history CC-2026-0001 --format json | jq .revisions
    """
    from ..history.states import record_state

    state = record_state(app.repo, app.config, record_id)
    if fmt == "json":
        click.echo(json.dumps(state_json(state), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(state_lines(state)))


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


def _signature_line(signature: Signature) -> str:
    department = f" {signature.department}" if signature.department else ""
    signed = "" if signature.role == "prepared" else (
        "  signed" if signature.signed else "  unsigned")
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


@main.command()
@click.argument("record_id", metavar="ID")
@click.option("--as", "action", type=click.Choice(["review", "approve"]), required=True,
              help="review (审核) or approve (批准).")
@click.option("-m", "--message", "note", default="", metavar="MESSAGE",
              help="A remark recorded in the approval commit's message.")
@click.option("--sign", is_flag=True,
              help="Sign the approval commit with your git signing key (GPG or SSH); "
                   "always on when approvals.require_signed is true.")
@click.pass_obj
def approve(app: App, record_id: str, action: str, note: str, sign: bool) -> None:
    """Record your review (审核) or approval (批准) of the record's committed content as a
    git commit that changes no file and names the exact content (its blob id).

    You are the git committer (git config user.email must be your roster e-mail). Refused,
    exit 1, when the record is invalid or has uncommitted changes, when you are not in the
    roster or your roles may not do this for this kind of record, when you authored a change
    since the last release, before the review for an approval, or when you already did it.

    \b
    Examples:
      qmsdoc approve CC-2026-0001 --as review
      qmsdoc approve CC-2026-0001 --as approve --sign -m "同意结案"
    """
    from ..history.approve import approve as do_approve

    done = do_approve(app.repo, app.config, app.store, record_id, action, note, sign)
    click.echo("\n".join(approval_lines(done)))


def approval_lines(done: Done) -> list[str]:
    """What ``approve`` prints: who did what to which content, and the release it made."""
    from ..history.policy import ACTION_ZH

    lines = [f"{done.person.name} ({done.person.key}): {done.action} ({ACTION_ZH[done.action]}) "
             f"of {done.record_id} recorded as commit {done.commit[:12]} "
             f"(blob {done.blob[:12]})"]
    if done.released:
        lines.append(f"{done.record_id} is released as revision {done.released}")
    return lines


@main.command()
@click.option("--require-signed", is_flag=True,
              help="Every approval must carry a good signature from a key of its committer "
                   "(also on when approvals.require_signed is true).")
@click.option("--trusted-keys", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              metavar="FILE",
              help="SSH allowed-signers file to trust [default: approvals.trusted_keys]. In CI, "
                   "pass the copy from the protected base branch.")
@click.pass_obj
def verify(app: App, require_signed: bool, trusted_keys: Path | None) -> None:
    """Check every approval in the git history against the policy of qmsdoc.yaml: the
    committer is in the roster and has the right for this kind, did not author a change since
    the previous release, Record-Blob is the record's content in that commit, the review came
    before the approval, and (when required) the commit is signed with the committer's key.
    One line per violation; exit 1 when there is any, or when the clone is shallow.

    \b
    Examples:
      qmsdoc verify
      git show origin/main:.qmsdoc/allowed_signers > /tmp/allowed_signers
      qmsdoc verify --require-signed --trusted-keys /tmp/allowed_signers
    """
    from ..history.verify import verify as do_verify

    report = do_verify(app.repo, app.config, require_signed=require_signed,
                       trusted=trusted_keys, store=app.store)
    for line in report.lines:
        click.echo(line)
    click.echo(report.summary)
    sys.exit(0 if report.ok else 1)
