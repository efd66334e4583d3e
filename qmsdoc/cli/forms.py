"""Form commands: render."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .app import App, main, names_given, progress_factory


@main.command()
@click.argument("targets", nargs=-1, metavar="[ID|PATH]...", callback=names_given)
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
@click.option("--lang", "lang", type=click.Choice(["zh", "en", "zh-en"]), default=None,
              help="The forms' language: zh, en or zh-en (both) [default: the customer's "
                   "language:, else language.forms in qmsdoc.yaml, else zh].")
@click.pass_obj
def render(app: App, targets: tuple[str, ...], all_records: bool, out: Path | None,
           pdf: bool, changed_since: str | None, at: str | None, released: bool,
           jobs: int | None, lang: str | None) -> None:
    """Render records as controlled Word forms: OUT/<id>.docx (and <id>.pdf with --pdf).

    Records are named by id or path. Invalid records are reported as `validate` reports
    them and not rendered (exit 1); the valid ones are still rendered. One line per file
    written.

    The 版次 cell carries the copy's status: 受控·现行 (the latest release, in force),
    草稿 (not approved: not for use), 作废 (superseded by a later release) or 非受控
    (printed from something git does not back). Without --at or --released, the current
    content is printed (a draft is marked as such).

    With --lang en every label, option, the frame and the signatures are English, names
    are the configured English names (name_en), and a text the record has only in
    Chinese is printed marked [zh]; zh-en prints both languages.

    \b
    Examples:
      qmsdoc render CC-2026-0001
      qmsdoc render records/8d/ --out forms/
      qmsdoc render --all --pdf
      qmsdoc render CC-2026-0001 --released
      qmsdoc render CC-2026-0001 --at A --out audit/
      qmsdoc render 8D-2026-0001 --lang en
      qmsdoc render --changed-since origin/main
    """
    from ..doclang import parse as parse_lang
    from ..parallel import jobs_default
    from ..render.run import RenderRequest
    from ..render.run import render as render_run
    from ..views.render import render_lines

    request = RenderRequest(targets, out if out is not None else app.repo / "out", all_records,
                            changed_since, at, pdf, jobs or jobs_default(), released,
                            parse_lang(lang) if lang else None)
    run = render_run(app.repo, app.config, app.store, request,
                     progress_factory(app, "rendering"))
    for line, to_stderr in render_lines(run, changed_since):
        click.echo(line, err=to_stderr)
    sys.exit(run.exit_code)
