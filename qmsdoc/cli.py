"""The ``qmsdoc`` command line: parse options, call one core function, print, exit.

The only module that imports click. Exit codes: 0 done, 1 problems found, 2 usage or
environment error, 3 a bug in qmsdoc (one line; the traceback with --traceback).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

import click

from . import __version__
from .errors import QmsdocError, UsageError
from .kinds import NAMES

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


@dataclass
class App:
    """What every command needs: the repository root and, loaded on first use, its config."""

    repo: Path
    traceback: bool = False
    quiet: bool = False
    _config: Any = None
    _store: Any = None
    _extra: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> Any:
        if self._store is None:
            from .schema import SchemaStore

            override = self.repo / "schemas"
            self._store = SchemaStore(override if override.is_dir() else None)
        return self._store

    @property
    def config(self) -> Any:
        if self._config is None:
            from . import config

            self._config = config.load(self.repo, self.store)
        return self._config


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"qmsdoc: {message}", err=True)
    sys.exit(code)


class Group(click.Group):
    """Turns QmsdocError into one line and an exit code, and any other exception into exit 3."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except QmsdocError as exc:
            _fail(str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _fail("interrupted", 130)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: exit 3
            app = ctx.obj if isinstance(ctx.obj, App) else None
            if app is not None and app.traceback:
                traceback.print_exc()
            _fail(f"internal error (a bug in qmsdoc {__version__}): {type(exc).__name__}: {exc}"
                  " — rerun with --traceback and report it", 3)


def _resolve_repo(repo: str | None) -> Path:
    if repo:
        path = Path(repo)
        if not path.is_dir():
            raise UsageError(f"--repo {repo}: not a directory")
        return path.resolve()
    from .gitcmd import toplevel

    cwd = Path.cwd()
    return (toplevel(cwd) or cwd).resolve()


@click.group(cls=Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="qmsdoc")
@click.option("--repo", metavar="DIR", envvar="QMSDOC_REPO",
              help="Records repository root [env QMSDOC_REPO; default: the git top-level of "
                   "the current directory, else the current directory].")
@click.option("--traceback", is_flag=True, help="Show the Python traceback of an internal error.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and errors.")
@click.pass_context
def main(ctx: click.Context, repo: str | None, traceback: bool, quiet: bool) -> None:
    """Quality records (complaints, contract reviews, customer-specific requirements, 8D
    reports) as YAML in git: validated, approved through git, rendered as Word forms.

    \b
    Examples:
      qmsdoc validate                      check every record under records/
      qmsdoc new complaint --customer HXAUTO
      qmsdoc schema complaint > complaint.schema.json
    """
    try:
        root = _resolve_repo(repo)
    except QmsdocError as exc:
        _fail(str(exc), exc.exit_code)
    ctx.obj = App(repo=root, traceback=traceback, quiet=quiet)


def _progress_factory(app: App, label: str) -> Callable[[int], Callable[[int], None] | None]:
    """A progress bar on stderr when it is a terminal and the run is long; quiet in CI."""

    def factory(total: int) -> Callable[[int], None] | None:
        if app.quiet or total < 200 or not sys.stderr.isatty() or os.environ.get("CI"):
            return None
        bar = click.progressbar(length=total, label=label, file=sys.stderr)
        bar.__enter__()
        state = {"done": 0}

        def advance(n: int) -> None:
            bar.update(n)
            state["done"] += n
            if state["done"] >= total:
                bar.__exit__(None, None, None)

        return advance

    return factory


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--changed-since", "changed_since", metavar="REF",
              help="Check the records changed since git revision REF (and uncommitted ones), "
                   "plus every record whose cross-record rules they can affect.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "github"]), default="text",
              show_default=True, help="Output format.")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="Worker processes for large repositories [default: up to 4].")
@click.pass_obj
def validate(app: App, paths: tuple[Path, ...], changed_since: str | None, fmt: str,
             jobs: int | None) -> None:
    """Check records against their schemas and the rules between records.

    One line per problem: PATH:LINE:COL: error|warning[CODE]: FIELD: MESSAGE, then a
    summary. Exit 1 when any error is found.

    \b
    Examples:
      qmsdoc validate
      qmsdoc validate records/complaints/2026/CC-2026-0001.yaml
      qmsdoc validate --changed-since origin/main --format github
    """
    from . import output
    from .validation import validate_repo

    report = validate_repo(app.repo, app.config, app.store, list(paths),
                           changed_since=changed_since, jobs=jobs,
                           progress_factory=_progress_factory(app, "validating"))
    findings = report.findings
    if app.quiet and fmt == "text":
        findings = [f for f in findings if f.is_error]
    click.echo(output.FORMATS[fmt](findings, report.checked, report.errors, report.warnings))
    sys.exit(1 if report.errors else 0)


@main.command()
@click.argument("kind", type=click.Choice(NAMES))
@click.option("--customer", metavar="CODE", help="Customer code (required for "
              "special-requirements: the id is CSR-<CODE>).")
@click.option("--set", "sets", metavar="FIELD=VALUE", multiple=True,
              help="Fill a field (dotted for nested: product.part_no=0012345). Repeatable.")
@click.pass_obj
def new(app: App, kind: str, customer: str | None, sets: tuple[str, ...]) -> None:
    """Create a record with the next free id and print its path. Never overwrites.

    \b
    Examples:
      qmsdoc new complaint --customer HXAUTO --set title=支架开裂
      qmsdoc new special-requirements --customer LDEV
    """
    from .newrecord import create

    path = create(app.repo, app.config, app.store, kind, customer, sets)
    click.echo(os.path.relpath(path, Path.cwd()))


@main.command()
@click.argument("kind", type=click.Choice([*NAMES, "config", "defs"]))
@click.option("--bundled/--raw", default=True, show_default=True,
              help="Bundle the shared definitions into one self-contained document.")
@click.pass_obj
def schema(app: App, kind: str, bundled: bool) -> None:
    """Print the JSON Schema in force for KIND (the repository's schemas/ override first).

    \b
    Example:
      qmsdoc schema complaint > complaint.schema.json
    """
    from .kinds import BY_NAME

    if kind in BY_NAME:
        document = app.store.for_kind(kind) if bundled else app.store.raw(
            BY_NAME[kind].schema_file)
    else:
        document = app.store.raw(f"{kind}.schema.json")
    click.echo(json.dumps(document, ensure_ascii=False, indent=2))


if __name__ == "__main__":  # pragma: no cover
    main()
