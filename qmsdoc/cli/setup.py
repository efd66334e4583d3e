"""Setting up a records repository: init."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..i18n import _
from .app import App, main


@main.command()
@click.argument("directory", metavar="[DIR]", required=False,
                type=click.Path(file_okay=False, path_type=Path))
@click.option("--example", is_flag=True,
              help="Also add the sample records (complaints, contract reviews, customer-specific "
                   "requirements, an 8D) with a scripted history of reviews and approvals, and "
                   "the sample company, customers and roster.")
@click.option("--skip-existing", is_flag=True,
              help="Write only the files that are missing; leave existing ones as they are.")
@click.option("--qmsdoc-spec", "spec", metavar="SPEC",
              help="What the generated CI, pre-commit and README install qmsdoc with (a pip "
                   "requirement or a wheel's path) [default: where this qmsdoc was installed "
                   "from: its git URL and commit, wheel, or index version].")
@click.pass_obj
def init(app: App, directory: Path | None, example: bool, skip_existing: bool,
         spec: str | None) -> None:
    """Create a records repository in DIR [default: the repository, else the current
    directory]: git (if DIR is not a repository of its own), qmsdoc.yaml with the defaults
    commented, the record folders, a pre-commit hook, CI for GitHub Actions and GitLab CI,
    editor schemas with VS Code settings, and a README for document controllers (Chinese).

    Never overwrites: when any of these files exists, nothing is written (exit 1).

    \b
    Examples:
      qmsdoc init records-repo
      qmsdoc init --example demo      # the sample records, reviewed and approved
      qmsdoc init --qmsdoc-spec "qmsdoc @ git+https://git.example.com/tools/qmsdoc@v0.2.0"
    """
    from ..scaffold import installsource
    from ..scaffold.init import init as do_init

    root = (directory if directory is not None else app.repo).absolute()
    source = installsource.given(spec) if spec is not None else installsource.detect()
    done = do_init(root, example=example, skip_existing=skip_existing, source=source)
    shown = os.path.relpath(root, Path.cwd())
    if done.git_init:
        click.echo(_("initialized a git repository in {folder} (branch main)").format(folder=shown))
    for rel in done.created:
        click.echo(_("created {path}").format(path=_show(root, rel)))
    for rel in done.skipped:
        click.echo(_("kept    {path} (exists)").format(path=_show(root, rel)))
    click.echo(_("CI installs qmsdoc with: pip install {spec}  (from {origin})").format(
        spec=source.spec, origin=source.origin))
    if source.warning:
        click.echo(_("warning: {problem}").format(problem=source.warning), err=True)
    if done.approvals:
        made = sum(1 for a in done.approvals if a.done is not None)
        click.echo(_("example history: {n} reviews and approvals committed "
                     "(try: qmsdoc history CC-2026-0001)").format(n=made))
    click.echo(_("next:") + (f" cd {shown};" if shown != "." else "") +
               ("" if example else _(" fill in qmsdoc.yaml; git add -A; git commit;")) +
               _(" pre-commit install (see README.md)"))


def _show(root: Path, rel: str) -> str:
    return os.path.relpath(root / rel, Path.cwd())
