"""Template commands: template export, template check."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..kinds import FORMS  # not render: the template engine loads only when needed
from .app import App, main


@main.group()
def template() -> None:
    """Form templates that a document controller owns: take a built-in template out to
    edit it in Word, and check an edited one before it is committed.

    \b
    Examples:
      qmsdoc template export complaint
      qmsdoc template check templates/complaint.docx
    """


@template.command("export")
@click.argument("kind", metavar="KIND", type=click.Choice(FORMS))
@click.option("--out", "out", metavar="DIR", type=click.Path(file_okay=False, path_type=Path),
              help="Where the copy goes [default: templates/ in the repository, where it "
                   "replaces the built-in form].")
@click.pass_obj
def export(app: App, kind: str, out: Path | None) -> None:
    """Copy the built-in Word template of KIND (a record kind, or complaint-statistics for
    the statistics report) into templates/KIND.docx, where it renders that kind's forms from
    then on. Never overwrites a file (exit 2).

    \b
    Example:
      qmsdoc template export complaint      # then edit templates/complaint.docx in Word
    """
    from ..render.templates import export as do_export
    from ..views.templates import shown

    click.echo(shown(do_export(app.repo, kind, out)))


@template.command("check")
@click.argument("files", nargs=-1, metavar="[FILE]...",
                type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def check(app: App, files: tuple[Path, ...]) -> None:
    """Lint form templates [default: every templates/*.docx]: tags that do not compile,
    variables and fields the record kind does not have (errors, exit 1), and the kind's
    fields that the template never prints, with their Chinese titles (warnings).

    \b
    Example:
      qmsdoc template check templates/complaint.docx
    """
    from ..render.check import check_templates
    from ..views.templates import check_lines

    result = check_templates(app.repo, app.config, app.store, files)
    for line in check_lines(result):
        click.echo(line)
    sys.exit(1 if result.errors else 0)
