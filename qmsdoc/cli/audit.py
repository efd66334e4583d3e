"""``qmsdoc audit-pack``: the evidence of a clause and period as one verifiable zip."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import App, main


@main.command("audit-pack")
@click.option("--clause", "clauses", multiple=True, metavar="CLAUSE",
              help="An IATF 16949 clause of the mapping (10.2.6, 10.2.3, 8.2.3, 4.3.2, "
                   "7.5.3.2.2, 7.5.3, and audit: clauses: of qmsdoc.yaml); repeatable "
                   "[default: every clause].")
@click.option("--kind", "kinds", multiple=True, metavar="KIND",
              help="Only records of this kind (complaint, contract-review, "
                   "special-requirements, 8d); repeatable.")
@click.option("--from", "start", metavar="DATE",
              help="First day of the period (YYYY-MM-DD, or YYYY-MM: its first day), by the "
                   "kind's date field (audit: dates:; e.g. a complaint's received_at).")
@click.option("--to", "end", metavar="DATE",
              help="Last day of the period (YYYY-MM-DD, or YYYY-MM: its last day).")
@click.option("--pdf/--no-pdf", default=None,
              help="Add each form's PDF copy [default: when LibreOffice is installed].")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.zip",
              help="Where the pack goes [default: out/audit-pack-<clauses>-<dates>.zip]; - "
                   "writes the zip to standard output (the lines go to standard error). An "
                   "existing file is replaced only when it is a zip.")
@click.pass_obj
def audit_pack(app: App, clauses: tuple[str, ...], kinds: tuple[str, ...], start: str | None,
               end: str | None, pdf: bool | None, out: Path | None) -> None:
    """Pack the evidence of clauses and a period into one zip an auditor checks alone.

    Per record in scope: the released revision's controlled form (and PDF), the record
    file and its attachments as released (from git, not the work tree), its revisions
    and approval chain (history.txt/.json); for the pack: the verify result, the release
    anchors, an index form, MANIFEST.json (SHA-256 and git ids of every file) and
    verify_pack.py, which checks it all with Python's standard library alone
    (python3 verify_pack.py [--repo CLONE]). The same repository state and options give a
    byte-identical zip (its time: SOURCE_DATE_EPOCH, else HEAD's commit time).

    Exit 0 when written; 1 when written but verify found problems (they are in the pack's
    verify.txt); 2 for a bad option.

    \b
    Examples:
      qmsdoc audit-pack --clause 10.2.6 --from 2026-11-01 --to 2026-11-30
      qmsdoc audit-pack --clause 8.2.3 --clause 4.3.2 --from 2026-01 --to 2026-12 --out cr.zip
      qmsdoc audit-pack --kind 8d --no-pdf
    """
    from ..audit.lines import pack_lines
    from ..audit.pack import STDOUT, PackRequest, make
    from ..errors import UsageError
    from ..i18n import _

    if out == STDOUT and sys.stdout.isatty():
        raise UsageError(_("--out -: a zip is not for the terminal; redirect standard output "
                           "(> pack.zip) or give a file name"))
    pack = make(app.repo, app.config, app.store,
                PackRequest(clauses, kinds, start, end, pdf, out))
    if pack.data is not None:
        sys.stdout.flush()
        sys.stdout.buffer.write(pack.data)
        sys.stdout.buffer.flush()
    click.echo("\n".join(pack_lines(pack, app.repo)), err=pack.data is not None)
    sys.exit(0 if pack.verify_ok else 1)
