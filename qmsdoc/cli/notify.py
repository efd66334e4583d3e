"""``qmsdoc notify``: reminders of overdue and soon-due clocks by e-mail and group bots."""

from __future__ import annotations

import sys

import click

from .app import App, main
from .procedures import _TODAY_HELP, _a_number


@main.command()
@click.option("--within", "within", type=click.FloatRange(min=0, max=36500), metavar="DAYS",
              callback=_a_number,
              help="Remind of clocks due within DAYS days too [default: notify.within_days "
                   "in qmsdoc.yaml, else 3].")
@click.option("--channel", type=click.Choice(["email", "wecom", "dingtalk", "feishu"]),
              help="Send through this channel only [default: every configured one].")
@click.option("--dry-run", is_flag=True,
              help="Print every message exactly as it would be sent; send nothing.")
@click.option("--today", envvar="QMSDOC_TODAY", metavar="DATE", help=_TODAY_HELP)
@click.pass_obj
def notify(app: App, within: float | None, channel: str | None, dry_run: bool,
           today: str | None) -> None:
    """Remind the owners of overdue and soon-due deadline clocks (e-mail, WeCom, DingTalk,
    Feishu).

    One e-mail per person with their clocks (record, rule, clause, due time, how late),
    a department head's also lists the department's other clocks; each group bot gets one
    message with every clock by owner. The channels are configured under notify: in
    qmsdoc.yaml; passwords and secrets come from environment variables. A reminder sent
    for the same clock in the same state is not sent again within notify.window_days (the
    record of what was sent: .qmsdoc/notify-state.json). Exit 1 when a channel fails, after
    sending the rest.

    \b
    Examples:
      qmsdoc notify --dry-run
      qmsdoc notify --within 7 --channel email
      qmsdoc notify --today 2026-11-21 --dry-run --channel wecom
    """
    from ..notify.run import notify as core
    from ..views.notify import as_text, failures

    outcome = core(app.repo, app.config, today, within_days=within, channel=channel,
                   dry_run=dry_run, store=app.store)
    click.echo(as_text(outcome, app.config))
    for line in failures(outcome):
        click.echo(f"qmsdoc: {line}", err=True)
    sys.exit(1 if outcome.failed else 0)
