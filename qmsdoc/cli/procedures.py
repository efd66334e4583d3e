"""Procedure commands: due (deadline clocks) and report (monthly complaint statistics)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from .. import i18n
from ..i18n import N_, _
from .app import App, main

_TODAY_HELP = N_("Take this as now: YYYY-MM-DD (its 00:00) or YYYY-MM-DDTHH:MM, in the "
                  "deadlines.timezone [env QMSDOC_TODAY; default: the clock].")


_REPORT_LANG_HELP = N_(
    "Language of the report: zh (中文) or en (English: the labels' English names where the "
    "schemas and qmsdoc.yaml give them) [default: the language of the messages when it is "
    "chosen (qmsdoc --lang, QMSDOC_LANG, the locale, language.messages), else Chinese].")


def report_language(app: App, option: str | None) -> None:
    """The statistics report in ``--lang``, else in the messages' language when one was
    chosen, else in Chinese, the forms' language."""
    chosen = app.language_chosen or app.config.messages_language is not None
    i18n.use_report(option or (i18n.language() if chosen else "zh"))


def _a_number(_ctx: click.Context, _param: click.Parameter, value: float | None) -> float | None:
    if value is not None and value != value:  # NaN passes every range check
        raise click.BadParameter(_("not a number of days"))
    return value


@main.command()
@click.option("--within", "within", type=click.FloatRange(min=0, max=36500), metavar="DAYS",
              callback=_a_number,
              help="Only clocks overdue or due within DAYS days.")
@click.option("--owner", metavar="X",
              help="Only clocks owned by X: a roster key or name, or a department key or name.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--today", envvar="QMSDOC_TODAY", metavar="DATE", help=_TODAY_HELP)
@click.pass_obj
def due(app: App, within: float | None, owner: str | None, fmt: str, today: str | None) -> None:
    """Open deadlines across all records, overdue first, grouped by owner and department.

    Each line: the record, the rule, the due time, how late (or how long left), the rule's
    title and its source clause. The rules are configured under deadlines: in qmsdoc.yaml.
    Exit 1 when anything listed is overdue, so a scheduled job can raise it.

    \b
    Examples:
      qmsdoc due
      qmsdoc due --within 7 --owner zhao.lei
      qmsdoc due --today 2026-11-21 --format json
    """
    from ..deadlines import due as core
    from ..views.due import as_json, as_text

    result = core.due(app.repo, app.config, today, within_days=within, owner=owner,
                      store=app.store)
    view = as_json if fmt == "json" else as_text
    click.echo(view(result, app.config))
    sys.exit(1 if result.overdue else 0)


@main.group()
def report() -> None:
    """Statistics reports (Word and Excel)."""


@report.command("complaints")
@click.option("--month", metavar="YYYY-MM", help="The month to report.")
@click.option("--quarter", metavar="YYYY-Qn", help="The quarter to report (2026-Q4).")
@click.option("--year", metavar="YYYY", help="The whole year (management review).")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path), default="out",
              show_default=True, help="Folder for the report files.")
@click.option("--format", "fmt", type=click.Choice(["docx", "xlsx"]), multiple=True,
              help="docx, xlsx or both (repeat the option) [default: both].")
@click.option("--today", envvar="QMSDOC_TODAY", metavar="DATE", help=_TODAY_HELP)
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, help=_REPORT_LANG_HELP)
@click.pass_obj
def report_complaints(app: App, month: str | None, quarter: str | None, year: str | None,
                      out: Path, fmt: tuple[str, ...], today: str | None,
                      lang: str | None) -> None:
    """The complaint statistics (客户抱怨异常处理统计表) for a month, a quarter or a year, with
    charts.

    Counts by customer, category, severity, urgency, root cause and responsible department;
    cost of poor quality and its allocation; on-time rates of every deadline; open and
    overdue cases; repeat complaints; average days to close. Writes OUT/<name>.docx (tables
    and charts) and OUT/<name>.xlsx (a sheet of cases, one of summaries); prints their paths.

    \b
    Examples:
      qmsdoc report complaints --month 2026-11
      qmsdoc report complaints --quarter 2026-Q4
      qmsdoc report complaints --year 2026 --format xlsx --out reports/
    """
    from ..report.complaints import report
    from ..views.report import report_lines

    report_language(app, lang)
    written, left_out = report(app.repo, app.config, app.store, out, month=month,
                               quarter=quarter, year=year, formats=fmt, now=today)
    for line, to_stderr in report_lines(written, left_out):
        click.echo(line, err=to_stderr)
    sys.exit(1 if left_out else 0)
