"""Form commands: render."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ..errors import UsageError
from .app import App, main, progress_factory

if TYPE_CHECKING:
    from ..checks.crossref import Repeat
    from ..config import Config
    from ..history.revision import RecordState
    from ..records.files import Record
    from ..render.media import Reader
    from ..render.templates import Fetch


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
@click.option("--released", is_flag=True,
              help="Render the named records' revision in force (their latest release) as "
                   "the controlled copy, even when a newer draft exists.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for many records [default: up to 4].")
@click.pass_obj
def render(app: App, targets: tuple[str, ...], all_records: bool, out: Path | None,
           pdf: bool, changed_since: str | None, at: str | None, released: bool,
           jobs: int | None) -> None:
    """Render records as controlled Word forms: OUT/<id>.docx (and <id>.pdf with --pdf).

    Records are named by id or path. Invalid records are reported as `validate` reports
    them and not rendered (exit 1); the valid ones are still rendered. One line per file
    written.

    The form's 版次 cell carries the copy's status: 受控·现行 (the latest release, in
    force), 草稿 (not approved: not for use), 作废 (superseded by a later release) or 非受控
    (printed from something git does not back). Without --at or --released, the current
    content is printed (a draft is marked as such).

    \b
    Examples:
      qmsdoc render CC-2026-0001
      qmsdoc render records/8d/ --out forms/
      qmsdoc render --all --pdf
      qmsdoc render CC-2026-0001 --released
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
    if at is not None and released:
        raise UsageError("--at and --released both choose the revision; give one of them")
    if (at is not None or released) and (all_records or not targets):
        option = "--at" if at is not None else "--released"
        raise UsageError(f"{option} renders named records (ids or paths), not --all")
    if pdf:
        lo.check_ready()
    batches: list[Batch] = []
    if at is not None or released:
        from ..render.at import load_pasts, released_letter, sources_at

        findings, invalid = [], set()
        for group in ([(t,) for t in targets] if released else [targets]):
            letter = released_letter(app.repo, app.config, group[0]) if released else at
            assert letter is not None
            records, states, reader, found = load_pasts(app.repo, app.config, app.store,
                                                        group, letter)
            findings += found
            invalid |= {f.location.path for f in found}
            commit = next((s.commit for s in states.values() if s.commit), None)
            if commit is None:
                continue
            config, fetch = sources_at(app.repo, app.store, commit)
            batches.append(Batch(records, states, reader, config, fetch, None))
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
        batches.append(Batch(records, states_for(app.repo, app.config, records), reader,
                             app.config, None, report.repeats))
    for finding in findings:
        if finding.is_error:
            click.echo(output.text_line(finding), err=True)
    out_dir = out if out is not None else app.repo / "out"
    progress = progress_factory(app, "rendering")(sum(len(b.records) for b in batches))
    written, failed = [], 0
    outcomes = (outcome for b in batches for outcome in render_records(
        app.repo, b.config, app.store, b.records, b.states, out_dir, reader=b.reader,
        fetch=b.fetch, repeats=b.repeats, progress=progress, jobs=jobs or jobs_default()))
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


@dataclass(frozen=True)
class Batch:
    """Records rendered together: with the configuration and templates of one time."""

    records: list[Record]
    states: Mapping[str, RecordState]
    reader: Reader | None
    config: Config
    fetch: Fetch | None
    repeats: Mapping[str, Repeat] | None  # None: not checked (a past revision)


def _shown(path: Path) -> str:
    """The path relative to the current directory when it is below it, else absolute."""
    cwd = Path.cwd()
    return os.path.relpath(path, cwd) if path.absolute().is_relative_to(cwd) else str(path)
