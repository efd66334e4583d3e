"""Exchange commands: import (a legacy Excel log → records) and export (a kind's register)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from ..i18n import N_, _
from ..kinds import KINDS
from .app import App, main
from .procedures import report_language

_EXPORT_LANG_HELP = N_(
    "Language of the register: zh (中文) or en (English headings, and the English names "
    "and labels the schemas and qmsdoc.yaml give; a Chinese text without English is "
    "marked [zh]) [default: the language of the messages when it is chosen, else Chinese].")

IMPORT_KINDS = ["complaints", "complaint", "contract-reviews", "contract-review",
                "special-requirements"]
EXPORT_KINDS = sorted({name for k in KINDS for name in (k.folder, k.name)})


@main.command("import")
@click.argument("kind", type=click.Choice(IMPORT_KINDS))
@click.argument("log", type=click.Path(path_type=Path, dir_okay=False))
@click.option("--sheet", metavar="NAME", help="The worksheet [default: the mapping's, else "
              "the first].")
@click.option("--map", "map_path", metavar="MAP.yaml", type=click.Path(path_type=Path),
              help="The mapping: column → field, the log's words → codes, defaults.")
@click.option("--init-map", is_flag=True, help="Write a commented mapping guessed from the "
              "sheet's headings (to --map, else LOG.map.yaml) and stop.")
@click.option("--write", is_flag=True, help="Write the valid rows as records (all or none "
              "of them); without it, a dry run.")
@click.pass_obj
def import_(app: App, kind: str, log: Path, sheet: str | None, map_path: Path | None,
            init_map: bool, write: bool) -> None:
    """Import a legacy Excel log (客户投诉台账, 订单评审记录, 顾客特殊要求清单) as records.

    Each row becomes a record checked exactly as `qmsdoc validate` checks one; problems are
    listed as LOG.xlsx:SHEET!ROW:COL: error[CODE]: FIELD: MESSAGE (COL: the column letter).
    --write writes the valid rows with the next free ids and keeps the log's number as
    legacy_no: rows already imported are skipped. A special-requirements list is one record
    per customer, a row per requirement. Exit 1 when a row has errors.

    \b
    Examples:
      qmsdoc import complaints 客户投诉台账.xlsx --init-map --map complaints.map.yaml
      qmsdoc import complaints 客户投诉台账.xlsx --map complaints.map.yaml
      qmsdoc import complaints 客户投诉台账.xlsx --map complaints.map.yaml --write
    """
    from ..exchange import run
    from ..views.exchange import import_report

    if init_map:
        command = f"qmsdoc import {kind} {log.name} --init-map"
        target = run.init_map(app.config, app.store, kind, log, sheet, map_path, command)
        shown = os.path.relpath(target, Path.cwd())
        click.echo(_("wrote {path}: check it, then run {command}").format(
            path=shown, command=f"qmsdoc import {kind} {log} --map {shown}"))
        return
    plan = run.import_log(app.repo, app.config, app.store, kind, log, sheet, map_path, write)
    click.echo(import_report(plan, write))
    sys.exit(1 if plan.invalid else 0)


@main.command()
@click.argument("kind", type=click.Choice(EXPORT_KINDS))
@click.option("--format", "fmt", type=click.Choice(["xlsx", "csv"]), default="xlsx",
              show_default=True, help="Workbook or CSV (UTF-8, opens in Excel).")
@click.option("--out", type=click.Path(path_type=Path), metavar="FILE",
              help="The file to write [default: out/KIND-register.xlsx]; - prints the CSV.")
@click.option("--where", "wheres", metavar="FIELD=VALUE", multiple=True,
              help="Only records whose FIELD is VALUE (a code or its label, Chinese or "
                   "English; a date field matches its start: received_at=2026-03). "
                   "Repeatable.")
@click.option("--today", metavar="YYYY-MM-DD", help="Judge the deadlines at this date.")
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help=_EXPORT_LANG_HELP)
@click.pass_obj
def export(app: App, kind: str, fmt: str, out: Path | None, wheres: tuple[str, ...],
           today: str | None, lang: str | None) -> None:
    """Export the register (台账) of a kind: one row per record.

    Id, dates, customer, part, category, severity, status, the next deadline and its owner,
    days overdue, revision and approval state; real Excel dates, frozen headings, filters,
    A4 landscape with the headings on every page.

    \b
    Examples:
      qmsdoc export complaints
      qmsdoc export complaints --where status=registered --out 未结案.xlsx
      qmsdoc export contract-reviews --format csv --out - > 评审台账.csv
      qmsdoc export complaints --lang en --out complaint-register.xlsx
    """
    from ..exchange.run import export as do_export
    from ..views.exchange import export_lines

    report_language(app, lang)
    done = do_export(app.repo, app.config, app.store, kind, fmt, out, wheres, today)
    for line, to_stderr in export_lines(done):
        click.echo(line, err=to_stderr, nl=not line.endswith("\n"))
    sys.exit(1 if done.left_out else 0)
