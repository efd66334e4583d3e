"""Record commands: validate, new, schema."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from ..kinds import NAMES
from .app import App, main, paths_given, progress_factory


@main.command()
@click.argument("paths", nargs=-1, callback=paths_given)
@click.option("--changed-since", "changed_since", metavar="REF",
              help="Check the records changed since git revision REF (and uncommitted ones), "
                   "plus every record whose cross-record rules they can affect.")
@click.option("--hook", is_flag=True,
              help="As the pre-commit hook: the PATHS pre-commit passes (--all-files and "
                   "--from-ref/--to-ref work), the records changed against HEAD, and every "
                   "record their cross-record rules touch.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for large repositories [default: up to 4].")
@click.option("--history", is_flag=True,
              help="Also read the git history: a workflow state that went backwards (closed "
                   "→ investigating, 已完成 → 处理中) without a 'Reason:' line in the commit "
                   "message, or a released revision stating a fact dated after its release "
                   "(backdated), is a warning; a contract review that committed to the "
                   "customer before its review was approved, without the customer's waiver, "
                   "is an error.")
@click.option("-q", "--quiet", is_flag=True, help="Print only errors and the summary.")
@click.option("--lang", "lang", type=click.Choice(["en"]), default=None,
              help="Also warn (lang-fallback) at each free text an English form would print "
                   "in Chinese: a text without its English ({zh: …, en: …}).")
@click.pass_obj
def validate(app: App, paths: tuple[Path, ...], changed_since: str | None, hook: bool,
             fmt: str, jobs: int | None, history: bool, quiet: bool, lang: str | None) -> None:
    """Check records against their schemas and the rules between records.

    One line per problem: PATH:LINE:COL: error|warning[CODE]: FIELD: MESSAGE, then a
    summary. Exit 1 when any error is found.

    \b
    Examples:
      qmsdoc validate
      qmsdoc validate records/complaints/2026/CC-2026-0001.yaml
      qmsdoc validate --changed-since origin/main --format github
      qmsdoc validate --history
      qmsdoc validate records/8d/ --lang en
    """
    from ..checks.pipeline import validate_repo
    from ..views import findings as output

    _config_or_exit(app, fmt)
    check = validate_repo
    if history:  # git's history is read (and its modules imported) only when asked for
        from ..history.content import validate_with_history

        check = validate_with_history
    report = check(app.repo, app.config, app.store, list(paths),
                   changed_since=changed_since, hook=hook, jobs=jobs,
                   progress_factory=progress_factory(app, "validating"),
                   keep_records=lang is not None)
    if lang is not None:
        from ..checks.english import add_fallbacks

        add_fallbacks(report, app.store)
    findings = report.findings
    if (app.quiet or quiet) and fmt == "text":
        findings = [f for f in findings if f.is_error]
    click.echo(output.FORMATS[fmt](findings, report.checked, report.errors, report.warnings))
    sys.exit(1 if report.errors else 0)


def _config_or_exit(app: App, fmt: str) -> None:
    """A broken qmsdoc.yaml reported like a record's findings, in the chosen format: a pull
    request that breaks it gets its annotations too (exit 2: bad configuration)."""
    from ..errors import ConfigFindings
    from ..views import findings as output

    try:
        app.config  # noqa: B018 - loaded here so that its findings can be shown
    except ConfigFindings as exc:
        click.echo(output.FORMATS[fmt](exc.findings, 0, len(exc.findings), 0))
        sys.exit(exc.exit_code)


@main.command()
@click.argument("kind", type=click.Choice(NAMES))
@click.option("--customer", metavar="CODE", help="Customer code (required for "
              "special-requirements: the id is CSR-<CODE>).")
@click.option("--set", "sets", metavar="FIELD=VALUE", multiple=True,
              help="Fill a field (dotted for nested: product.part_no=0012345). Repeatable.")
@click.pass_obj
def new(app: App, kind: str, customer: str | None, sets: tuple[str, ...]) -> None:
    """Create a record with the next free id and print its path. Never overwrites.

    The id is free in the work tree, in every local and remote-tracking branch and in
    history (a deleted id is never reused); the remotes are fetched first (a short timeout;
    offline, it says so and uses what this clone knows).

    \b
    Examples:
      qmsdoc new complaint --customer HXAUTO --set title=支架开裂
      qmsdoc new special-requirements --customer LDEV
    """
    from ..scaffold.new import create_shared

    created = create_shared(app.repo, app.config, app.store, kind, customer, sets)
    if created.note:
        click.echo(f"qmsdoc: {created.note}", err=True)
    click.echo(os.path.relpath(created.path, Path.cwd()))


@main.command()
@click.argument("kind", type=click.Choice([*NAMES, "config", "defs"]))
@click.option("--bundled/--raw", default=True, show_default=True,
              help="Bundle the shared definitions into one self-contained document.")
@click.option("--editor", is_flag=True,
              help="The draft-07 rendition for editors (VS Code's YAML extension), with the "
                   "Chinese and English labels as descriptions.")
@click.pass_obj
def schema(app: App, kind: str, bundled: bool, editor: bool) -> None:
    """Print the JSON Schema in force for KIND (the repository's schemas/ override first).

    \b
    Example:
      qmsdoc schema complaint > complaint.schema.json
      qmsdoc schema complaint --editor > .qmsdoc/schemas/complaint.schema.json
    """
    from ..schema import document

    shown = document(app.store, kind, bundled=bundled, editor=editor)
    click.echo(json.dumps(shown, ensure_ascii=False, indent=2))


@main.command()
@click.argument("record_id", metavar="ID")
@click.argument("new_id", metavar="[NEW_ID]", required=False)
@click.pass_obj
def renumber(app: App, record_id: str, new_id: str | None) -> None:
    """Give record ID a new id: the next one free across the team (every branch, remote and
    history), or NEW_ID. The file is renamed, every reference to ID in other records is
    rewritten, and nothing is committed. The way out when two clones got the same id.

    \b
    Examples:
      qmsdoc renumber CC-2026-0006
      qmsdoc renumber CC-2026-0006 CC-2026-0009
    """
    from ..scaffold.renumber import renumber as do_renumber
    from ..views.team import renumber_lines

    done = do_renumber(app.repo, app.config, record_id, new_id)
    if done.note:
        click.echo(f"qmsdoc: {done.note}", err=True)
    click.echo("\n".join(renumber_lines(done)))
