"""Form commands: render."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..errors import UsageError
from .app import App, main, progress_factory


@main.command()
@click.argument("targets", nargs=-1, metavar="[ID|PATH]...")
@click.option("--all", "all_records", is_flag=True, help="Render every record under records/.")
@click.option("--out", "out", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Where the forms go [default: out/ in the repository].")
@click.option("--pdf", is_flag=True,
              help="Also write <id>.pdf through LibreOffice headless (soffice must be installed).")
@click.option("--changed-since", "changed_since", metavar="REF",
              help="Render the records changed since git revision REF, and those whose "
                   "cross-record rules they touch.")
@click.option("--at", "at", metavar="REV",
              help="Render the named records as they were at git revision REV, or at their "
                   "released revision letter (e.g. --at B), with the history of then.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for many records [default: up to 4].")
@click.pass_obj
def render(app: App, targets: tuple[str, ...], all_records: bool, out: Path | None,
           pdf: bool, changed_since: str | None, at: str | None, jobs: int | None) -> None:
    """Render records as controlled Word forms: OUT/<id>.docx (and <id>.pdf with --pdf).

    Records are named by id or path. Invalid records are reported as `validate` reports
    them and not rendered (exit 1); the valid ones are still rendered. One line per file
    written.

    \b
    Examples:
      qmsdoc render CC-2026-0001
      qmsdoc render records/8d/ --out forms/
      qmsdoc render --all --pdf
      qmsdoc render CC-2026-0001 --at A --out audit/
      qmsdoc render --changed-since origin/main
    """
    from ..checks.pipeline import validate_repo
    from ..parallel import jobs_default
    from ..render import TemplateProblem, render_records, states_for
    from ..render import pdf as lo
    from ..render.select import targets as resolve
    from ..views import findings as output

    if not targets and not all_records and changed_since is None:
        raise UsageError("name the records to render (ids or paths), or use --all or "
                         "--changed-since REF")
    if at is not None and (all_records or not targets):
        raise UsageError("--at renders named records (ids or paths), not --all")
    if pdf:
        lo.check_ready()
    if at is not None:
        from ..render.at import load_pasts

        records, states, reader, findings = load_pasts(app.repo, app.config, app.store,
                                                       targets, at)
        invalid = {f.location.path for f in findings}
    else:
        if changed_since is not None:
            from ..checks.changes import changed_records

            paths = changed_records(app.repo, changed_since)
            if not paths:
                click.echo(f"no records changed since {changed_since}", err=True)
                sys.exit(0)
        else:
            paths = [] if all_records else resolve(app.repo, targets)
        report = validate_repo(app.repo, app.config, app.store, paths, keep_records=True)
        findings, invalid, reader = report.findings, report.invalid_paths(), None
        records = [r for r in report.records if r.path not in invalid]
        states = states_for(app.repo, app.config, records)
    for finding in findings:
        if finding.is_error:
            click.echo(output.text_line(finding), err=True)
    out_dir = out if out is not None else app.repo / "out"
    progress = progress_factory(app, "rendering")(len(records))
    written, failed = [], 0
    outcomes = render_records(app.repo, app.config, app.store, records, states, out_dir,
                              reader=reader, progress=progress, jobs=jobs or jobs_default())
    try:
        for outcome in outcomes:
            if outcome.path is None:
                failed += 1
                click.echo(f"qmsdoc: {outcome.record.path}: not rendered: {outcome.error}",
                           err=True)
            else:
                written.append(outcome.path)
                click.echo(_shown(outcome.path))
    except TemplateProblem as exc:  # one line per problem, all found before any form
        for line in str(exc).splitlines():
            click.echo(f"qmsdoc: {line}", err=True)
        sys.exit(exc.exit_code)
    if pdf and written:
        for path in lo.convert(written, out_dir):
            click.echo(_shown(path))
    skipped = len(invalid) + failed
    if skipped:
        click.echo(f"qmsdoc: {skipped} record{'s' if skipped != 1 else ''} not rendered",
                   err=True)
    sys.exit(1 if skipped else 0)


def _shown(path: Path) -> str:
    """The path relative to the current directory when it is below it, else absolute."""
    cwd = Path.cwd()
    return os.path.relpath(path, cwd) if path.absolute().is_relative_to(cwd) else str(path)
