"""The command group ``main``, what every command shares (``App``, the progress bar) and
the one place where errors become one line and an exit code."""

from __future__ import annotations

import io
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import click

from .. import __version__, i18n
from ..errors import ConfigFindings, QmsdocError, UsageError
from . import clicktext

if TYPE_CHECKING:  # imported on first use: `qmsdoc --help` stays quick
    from ..config import Config
    from ..schema import SchemaStore

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def names_given(_ctx: click.Context, _param: click.Parameter,
                values: tuple[str, ...]) -> tuple[str, ...]:
    """Records named on a command line: an empty name (`qmsdoc render "$ID"` with ID unset)
    is a mistake, not the current folder."""
    if any(value == "" for value in values):
        raise click.BadParameter(i18n._("an empty name names no record (give an id or a "
                                        "path; . is the current folder)"))
    return values


def paths_given(ctx: click.Context, param: click.Parameter,
                values: tuple[str, ...]) -> tuple[Path, ...]:
    """``names_given``, as paths."""
    return tuple(Path(value) for value in names_given(ctx, param, values))


@dataclass
class App:
    """What every command needs: the repository root and, loaded on first use, its config."""

    repo: Path
    traceback: bool = False
    quiet: bool = False
    language_chosen: bool = False  # by --lang, QMSDOC_LANG or the locale, before qmsdoc.yaml
    _config: Config | None = None
    _store: SchemaStore | None = None
    _extra: dict[str, Any] = field(default_factory=dict)

    @property
    def store(self) -> SchemaStore:
        if self._store is None:
            from ..schema import SchemaStore

            override = self.repo / "schemas"
            self._store = SchemaStore(override if override.is_dir() else None)
        return self._store

    @property
    def config(self) -> Config:
        if self._config is None:
            from .. import config

            self._config = config.load(self.repo, self.store)
            if not self.language_chosen and self._config.messages_language:
                i18n.use(self._config.messages_language)
                clicktext.follow(i18n.language())
        return self._config


def _fail(message: str, code: int) -> NoReturn:
    from ..views.findings import printable

    # one problem a line; a name or value inside cannot break a line of its own
    lines = [printable(line) for line in str(message).split("\n")]
    click.echo("qmsdoc: " + "\n".join(lines), err=True)
    sys.exit(code)


class Terminated(BaseException):
    """SIGTERM arrived: unwinds like Ctrl-C, so temporary files are removed on the way out."""


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated


@contextmanager
def _terminate_cleanly() -> Iterator[None]:
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


class Group(click.Group):
    """Turns QmsdocError into one line and an exit code, and any other exception into exit 3;
    shows ``--help`` in the language of the messages."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **options: Any) -> Any:
        from .helptext import language_of, translate

        argv = list(sys.argv[1:] if args is None else args)
        _tolerant_stdout()
        option = language_of(argv)
        # the language as the callback will choose it, before --help is shown; the callback
        # says what is wrong with a bad QMSDOC_LANG
        with suppress(QmsdocError):
            _choose_language(option if option in i18n.LANGUAGES else None)
        translate(self)
        return super().main(argv, *rest, **options)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with _terminate_cleanly():
                return super().invoke(ctx)
        except Terminated:
            _fail(i18n._("terminated"), 128 + signal.SIGTERM)
        except ConfigFindings as exc:  # one finding a line, each as validate prints it
            _fail("\nqmsdoc: ".join(str(exc).split("\n")), exc.exit_code)
        except QmsdocError as exc:
            _fail(str(exc), exc.exit_code)
        except (click.exceptions.Exit, click.ClickException, click.Abort, SystemExit):
            raise
        except KeyboardInterrupt:
            _fail(i18n._("interrupted"), 130)
        except BrokenPipeError:  # `qmsdoc validate | head`: the reader has had enough
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # no second error when Python flushes
            sys.exit(1)
        except OSError as exc:  # a folder that cannot be created, a disk that is full: exit 2
            where = f"{exc.filename}: " if exc.filename else ""
            _fail(f"{where}{exc.strerror or exc}", 2)
        except Exception as exc:  # noqa: BLE001 - the last line of defence: exit 3
            app = ctx.obj if isinstance(ctx.obj, App) else None
            if app is not None and app.traceback:
                traceback.print_exc()
            _fail(i18n._("internal error (a bug in qmsdoc {version}): {error}: {problem} — rerun "
                         "with --traceback and report it").format(
                version=__version__, error=type(exc).__name__, problem=exc), 3)


def _tolerant_stdout() -> None:
    """An output that cannot hold Chinese (PYTHONIOENCODING=latin-1, a cp1252 file on Windows)
    gets escapes for what it cannot hold, as stderr does, rather than an internal error."""
    stream = sys.stdout
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
    if not encoding.startswith("utf") and isinstance(stream, io.TextIOWrapper):
        with suppress(ValueError, OSError):
            stream.reconfigure(errors="backslashreplace")


def _choose_language(option: str | None) -> bool:
    """Messages in the language of --lang, else QMSDOC_LANG, else the locale (when it names
    Chinese or English), else English until qmsdoc.yaml says otherwise. True when chosen."""
    setting = os.environ.get("QMSDOC_LANG", "")
    chosen = option or (i18n.parse(setting) if setting else None) or i18n.from_locale()
    i18n.use(chosen or "en")
    clicktext.follow(i18n.language())
    if setting and not option and i18n.parse(setting) is None:
        raise UsageError(i18n._("QMSDOC_LANG={value}: unknown language; use zh or en")
                         .format(value=setting))
    return chosen is not None


def _resolve_repo(repo: str | None) -> Path:
    if repo == "":  # `--repo "$DIR"` with DIR unset: a mistake, not the current folder
        raise UsageError(i18n._('--repo "": an empty path names no folder (give the '
                                "repository's folder; . is the current folder)"))
    if repo:
        path = Path(repo)
        if not path.is_dir():
            raise UsageError(i18n._("--repo {path}: not a directory").format(path=repo))
        return path.resolve()
    from ..git.cmd import toplevel

    cwd = Path.cwd()
    return (toplevel(cwd) or cwd).resolve()


@click.group(cls=Group, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="qmsdoc")
@click.option("--repo", metavar="DIR", envvar="QMSDOC_REPO",
              help="Records repository root [env QMSDOC_REPO; default: the git top-level of "
                   "the current directory, else the current directory].")
@click.option("--traceback", is_flag=True, help="Show the Python traceback of an internal error.")
@click.option("-q", "--quiet", is_flag=True, help="Print only problems and errors.")
@click.option("--lang", type=click.Choice(i18n.LANGUAGES[::-1]), default=None,
              help="Language of the messages: zh (中文) or en (English) [env QMSDOC_LANG; "
                   "default: the locale (LANG=zh_CN.UTF-8), else language.messages of "
                   "qmsdoc.yaml, else English].")
@click.pass_context
def main(ctx: click.Context, repo: str | None, traceback: bool, quiet: bool,
         lang: str | None) -> None:
    """Quality records (complaints, contract reviews, customer-specific requirements, 8D
    reports) as YAML in git: validated, approved through git, rendered as Word forms.

    \b
    Examples:
      qmsdoc validate                      check every record under records/
      qmsdoc new complaint --customer HXAUTO
      qmsdoc schema complaint > complaint.schema.json
    """
    try:
        chosen = _choose_language(lang)
        root = _resolve_repo(repo)
    except QmsdocError as exc:
        _fail(str(exc), exc.exit_code)
    ctx.obj = App(repo=root, traceback=traceback, quiet=quiet, language_chosen=chosen)


def progress_factory(app: App, label: str) -> Callable[[int], Callable[[int], None] | None]:
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
