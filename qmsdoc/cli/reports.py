"""``qmsdoc report special-requirements|contract-reviews|8d``: the statistics of the other
record kinds, in the complaint report's frame (Word with charts, Excel)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from .app import App
from .procedures import _REPORT_LANG_HELP, _TODAY_HELP, report, report_language


def _options(command: Callable[..., Any]) -> Callable[..., Any]:
    decorators: list[Callable[[Callable[..., Any]], Callable[..., Any]]] = [
        click.option("--month", metavar="YYYY-MM", help="The month to report."),
        click.option("--quarter", metavar="YYYY-Qn", help="The quarter to report (2026-Q4)."),
        click.option("--year", metavar="YYYY", help="The whole year (management review)."),
        click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
                     default="out", show_default=True, help="Folder for the report files."),
        click.option("--format", "fmt", type=click.Choice(["docx", "xlsx"]), multiple=True,
                     help="docx, xlsx or both (repeat the option) [default: both]."),
        click.option("--today", envvar="QMSDOC_TODAY", metavar="DATE", help=_TODAY_HELP),
        click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
                     help=_REPORT_LANG_HELP),
        click.pass_obj,
    ]
    for option in reversed(decorators):
        command = option(command)
    return command


def _run(app: App, kind: str, month: str | None, quarter: str | None, year: str | None,
         out: Path, fmt: tuple[str, ...], today: str | None, lang: str | None) -> None:
    """One core call, the view's lines, exit 1 when record files were left out."""
    from ..report.kinds import report as core
    from ..views.statistics import lines

    report_language(app, lang)
    written, left_out = core(kind, app.repo, app.config, app.store, out, month=month,
                             quarter=quarter, year=year, formats=fmt, now=today)
    for line, to_stderr in lines(written, left_out):
        click.echo(line, err=to_stderr)
    sys.exit(1 if left_out else 0)


@report.command("special-requirements")
@_options
def report_special_requirements(app: App, **options: Any) -> None:
    """Customer-specific requirements (顾客特殊要求统计分析表) for a month, quarter or year.

    Items by customer, category, responsible department and state (待处理 / 处理中 / 已完成);
    processing time from identification (the review that lists the item) to completion
    (its completed date) of the items completed in the period; the open items past their
    due date; the reviews received in the period and whether each was done within 10
    working days (IATF 16949 7.5.3.2.2). Writes OUT/special-requirements-statistics-<period>
    .docx (tables and charts) and .xlsx; prints their paths.

    \b
    Examples:
      qmsdoc report special-requirements --month 2026-11
      qmsdoc report special-requirements --quarter 2026-Q4 --format xlsx
    """
    _run(app, "special-requirements", **options)


@report.command("contract-reviews")
@_options
def report_contract_reviews(app: App, **options: Any) -> None:
    """Contract reviews (合同评审统计分析表) received in a month, quarter or year.

    By type (常规 / 特殊 / 新产品 / 临时); review lead time (received to the last department
    review); feedback to the customer within 48 hours; conditional acceptances with their
    conditions and the questions not yet resolved; amendments (订单修正) and re-reviews.
    Writes OUT/contract-review-statistics-<period>.docx and .xlsx; prints their paths.

    \b
    Examples:
      qmsdoc report contract-reviews --month 2026-10
      qmsdoc report contract-reviews --year 2026 --out reports/
    """
    _run(app, "contract-reviews", **options)


@report.command("8d")
@_options
def report_8d(app: App, **options: Any) -> None:
    """8D reports (8D报告统计分析表) active in a month, quarter or year.

    Per discipline D0–D8: how many were met on time, late, are overdue or running against
    their clocks, and the average days from opening; the on-time rate; the open 8Ds by age
    and their current and overdue steps; the effectiveness of each permanent action (D5
    verified, D6 validated). Writes OUT/8d-statistics-<period>.docx and .xlsx.

    \b
    Examples:
      qmsdoc report 8d --month 2026-11
      qmsdoc report 8d --quarter 2026-Q4 --format docx
    """
    _run(app, "8d", **options)
