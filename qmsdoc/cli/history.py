"""Git as the revision and approval record: history, approve, verify."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .app import App, main


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
    from ..views.history import state_json, state_lines

    state = record_state(app.repo, app.config, record_id)
    if fmt == "json":
        click.echo(json.dumps(state_json(state), ensure_ascii=False, indent=2))
    else:
        click.echo("\n".join(state_lines(state)))


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
    from ..views.history import approval_lines

    done = do_approve(app.repo, app.config, app.store, record_id, action, note, sign)
    click.echo("\n".join(approval_lines(done)))


@main.command()
@click.option("--require-signed", is_flag=True,
              help="Every approval must carry a good signature from a key of its committer "
                   "(also on when approvals.require_signed is true).")
@click.option("--trusted-keys", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              metavar="FILE",
              help="SSH allowed-signers file to check signatures against instead of "
                   "approvals.trusted_keys as approved with the configuration in force. "
                   "The roster's signing_keys come first.")
@click.option("--tsa-ca", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              metavar="FILE",
              help="CA certificate(s) (PEM) of the time-stamping authority to check the "
                   "release anchors' RFC 3161 time-stamps against, instead of "
                   "audit.tsa.ca_file as approved with the configuration in force.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Read everything from git again: neither read nor write the cache of "
                   "the parsed log and record contents (as audit-pack does).")
@click.option("--branch-of", "branch_of", metavar="REF",
              help="For a merge-request pipeline: HEAD is a branch that goes into REF (e.g. "
                   "origin/main). A release that REF's history holds and HEAD's does not yet "
                   "is not judged here (one line says so); every other release is judged as "
                   "without it. On the default branch it excuses nothing.")
@click.pass_obj
def verify(app: App, require_signed: bool, trusted_keys: Path | None, tsa_ca: Path | None,
           no_cache: bool, branch_of: str | None) -> None:
    """Check every approval in the git history against the policy in force at it (the
    last approved roster and approvals of qmsdoc.yaml; pending changes are listed): the
    committer is in the roster and has the right for this kind, did not author a change since
    the previous release, Record-Blob is the record's content in that commit, the review came
    before the approval, and (when required) the commit is signed with the committer's key.
    One line per violation; exit 1 when there is any, or when the clone is shallow.

    A run keeps what it parsed for the next one in .git/qmsdoc (or $QMSDOC_CACHE_DIR; off:
    none): each commit's parsed log entry under its commit id, and the attachment paths and
    dates of each record content under its blob id. These ids name their content for good,
    so a later run reads from git only the commits and contents that are new; a rewritten
    history is judged as it now is (a commit no longer reached is not used). Signatures,
    trees, anchors and the policy are read from git every time. The cache is checksummed
    against damage (a damaged one is ignored), not signed: whoever can write in that folder
    could make a forged entry pass. For an audit, use --no-cache (audit-pack does).

    RFC 3161 time-stamps of the release anchors are checked against the TSA's CA
    certificate as approved with the configuration in force (audit.tsa.ca_file and the
    file's content at that approval, never the work tree), or against --tsa-ca FILE.

    With the release tags fetched, a branch opened before a release made later on main does
    not hold that release's commits, and plain verify reports the release as removed or
    rewritten (exit 1): on the default branch that is what a rewritten main looks like, so
    plain verify stays strict there. --branch-of REF is for the pipelines of branches: a
    release whose commits REF's history holds and HEAD's does not is not judged on this
    branch (one line each: the tag, the commit, REF); a release that neither history holds,
    or that HEAD's history shows with other commits, is still a problem. When HEAD is the
    default branch or at its tip (the default branch is the one origin/HEAD, GitLab's
    $CI_DEFAULT_BRANCH or GitHub's event names), every release is judged and a line says
    so: a rewritten main fails with or without the option (a clone where none of these
    names it: git remote set-head origin --auto). Run the default branch's pipeline
    without it.

    \b
    Examples:
      qmsdoc verify
      qmsdoc verify --require-signed
      qmsdoc verify --no-cache
      qmsdoc verify --no-cache --tsa-ca ~/audit/tsa-ca.pem
      qmsdoc verify --branch-of origin/main
    """
    from ..history.verify import verify as do_verify
    from ..views.verify import verify_lines

    report = do_verify(app.repo, app.config, require_signed=require_signed,
                       trusted=trusted_keys, store=app.store, cache=not no_cache,
                       tsa_ca=tsa_ca, branch_of=branch_of)
    for line in verify_lines(report):
        click.echo(line)
    sys.exit(0 if report.ok else 1)


@main.command()
@click.option("--sign", is_flag=True,
              help="Sign the anchor tags with your git signing key (git tag -s).")
@click.pass_obj
def anchor(app: App, sign: bool) -> None:
    """Write the release anchors that the releases in history lack, and print the ledger.

    Each released revision is anchored by an annotated tag release/<ID>/<letter> on the
    approval commit that released it, naming the record's blob, its attachments, the
    counted reviews and approvals and the previous anchor (a hash chain). approve writes it
    when it releases; this command writes the anchors of a repository from before anchors
    (the same tag objects in every clone: tagger and date are the release commit's), and
    of releases whose tags were lost. qmsdoc verify then reports every release that no
    longer matches its anchor.

    \b
    Examples:
      qmsdoc anchor
      qmsdoc anchor && git push origin 'refs/tags/release/*'
    """
    from ..history.anchors import anchor_repository
    from ..views.anchors import anchor_lines

    written, ledger, notes = anchor_repository(app.repo, app.config, sign)
    click.echo("\n".join(anchor_lines(written, ledger, notes)))


@main.command()
@click.option("--key", type=click.Path(path_type=Path), metavar="FILE",
              help="Sign with this SSH key (public or private key file) [default: the one "
                   "git already signs with, ~/.ssh/id_ed25519, or a new ~/.ssh/qmsdoc_ed25519].")
@click.pass_obj
def keys(app: App, key: Path | None) -> None:
    """Set up SSH signing of your approvals in this repository (gpg.format ssh,
    user.signingkey; a key is generated when you have none) and print the roster line that
    makes it your trusted key.

    \b
    Examples:
      qmsdoc keys
      qmsdoc keys --key ~/.ssh/id_ed25519.pub
    """
    from ..scaffold.keys import setup
    from ..views.team import keys_lines

    click.echo("\n".join(keys_lines(setup(app.repo, app.config, key))))
