"""The one way qmsdoc runs git: GitPython's command object (``git.Git``) with NUL-separated
output and clear errors.

GitPython is imported on first use, so commands that never touch git do not pay for it.
Finding the repository a folder is in (``toplevel``) runs at the start of every command,
before anything else; there it is one plain ``git rev-parse``, because importing GitPython
(~60 ms) would make a short command such as the pre-commit hook's ``qmsdoc validate FILE``
12% slower (bench/bench_git.py). The queries (``QUERIES``: git reads the repository and
prints) run the same way, with the same environment and errors: importing GitPython costs
about 50 ms of CPU (it runs ``git version`` twice), a third of what ``qmsdoc history ID``
may take on a 20,000-commit history. Commands that change the repository (commit, tag,
config, fetch, …) go through GitPython's command object.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import IO, Any

from ..errors import GitError
from ..i18n import _

# git subcommands that only read the repository and print: run without GitPython
QUERIES = frozenset({"log", "rev-list", "rev-parse", "cat-file", "ls-tree", "ls-files",
                     "status", "diff", "merge-base", "for-each-ref", "var", "symbolic-ref",
                     "hash-object"})  # hash-object: without -w, only hashes


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env["LC_ALL"] = "C"  # git's own words stay English whatever language qmsdoc speaks
    env["GIT_TERMINAL_PROMPT"] = "0"
    # A replace ref (git replace) swaps one object for another in every local read: a
    # rejected approval could be shown as another person's. qmsdoc reads the objects the
    # history holds, as a fresh clone (which fetches no replace refs) sees them.
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    env.update(extra or {})
    return env


def run(repo: Path, *args: str, check: bool = True, input_: bytes | None = None,
        config: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """``git -C repo [-c KEY=VALUE ...] ARGS``; ``config`` overrides settings for this call only
    (e.g. which allowed-signers file verifies signatures), ``env`` adds variables."""
    if shutil.which("git") is None:
        raise GitError(_("git is not installed (needed for this command)"))
    options = [part for key, value in (config or {}).items() for part in ("-c", f"{key}={value}")]
    command = ["git", "-C", str(repo), *options, *args]
    subcommand = next((a for a in args if not a.startswith("-")), "")
    execute = _query if subcommand in QUERIES else _execute
    status, out, err = execute(command, input_, _env(env))
    if check and status != 0:
        message = str(err).strip().splitlines()
        detail = message[-1] if message else f"exit {status}"
        raise GitError(_("git {subcommand}: {detail}").format(
                           subcommand=subcommand, detail=detail))
    return bytes(out)


class Started:
    """A query started by ``start``, running while Python does other work: its output goes
    to an unnamed temporary file, so git never waits for a reader."""

    def __init__(self, command: list[str], env: dict[str, str], subcommand: str) -> None:
        import tempfile

        self.subcommand = subcommand
        self._out = tempfile.TemporaryFile()  # noqa: SIM115 - closed by result() or stop()
        self._err = tempfile.TemporaryFile()  # noqa: SIM115 - closed by result() or stop()
        try:
            self._proc = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=self._out,
                                          stderr=self._err, env=env)
        except BaseException:
            self._close()
            raise

    def _close(self) -> None:
        self._out.close()
        self._err.close()

    def result(self) -> bytes:
        """The query's output, once it has ended; GitError as ``run`` gives it."""
        try:
            try:
                status = self._proc.wait()
            except BaseException:  # SIGTERM, Ctrl-C: git must not run on, orphaned
                self._proc.kill()
                self._proc.wait()
                raise
            self._out.seek(0)
            out = self._out.read()
            self._err.seek(0)
            err = self._err.read().decode("utf-8", "replace")
        finally:
            self._close()
        if status != 0:
            message = err.strip().splitlines()
            detail = message[-1] if message else f"exit {status}"
            raise GitError(_("git {subcommand}: {detail}").format(
                               subcommand=self.subcommand, detail=detail))
        return out

    def stop(self) -> None:
        """End the query (its output is not wanted)."""
        if self._proc.poll() is None:
            self._proc.kill()
        self._proc.wait()
        self._close()


def start(repo: Path, *args: str, config: Mapping[str, str] | None = None) -> Started:
    """``run`` of a query (one of ``QUERIES``) without waiting for it: ``result()`` gives its
    output, ``stop()`` ends it."""
    if shutil.which("git") is None:
        raise GitError(_("git is not installed (needed for this command)"))
    options = [part for key, value in (config or {}).items() for part in ("-c", f"{key}={value}")]
    subcommand = next((a for a in args if not a.startswith("-")), "")
    if subcommand not in QUERIES:
        raise ValueError(f"git {subcommand} is not a query")
    return Started(["git", "-C", str(repo), *options, *args], _env(), subcommand)


@contextmanager
def streamed(repo: Path, *args: str, input_: bytes) -> Iterator[IO[bytes]]:
    """``run`` of a query whose output is read while git writes it: the block reads the
    pipe it is given (its input comes from an unnamed temporary file, so git never waits
    for the reader to write). GitError as ``run`` gives it, after the block."""
    import tempfile

    if shutil.which("git") is None:
        raise GitError(_("git is not installed (needed for this command)"))
    subcommand = next((a for a in args if not a.startswith("-")), "")
    if subcommand not in QUERIES:
        raise ValueError(f"git {subcommand} is not a query")
    with tempfile.TemporaryFile() as stdin, tempfile.TemporaryFile() as err:
        stdin.write(input_)
        stdin.seek(0)
        proc = subprocess.Popen(["git", "-C", str(repo), *args], stdin=stdin,
                                stdout=subprocess.PIPE, stderr=err, env=_env())
        assert proc.stdout is not None
        try:
            yield proc.stdout
            while proc.stdout.read(1 << 16):  # what the block left unread
                pass
        except BaseException:
            proc.kill()
            raise
        finally:
            proc.stdout.close()
            status = proc.wait()
        if status != 0:
            err.seek(0)
            message = err.read().decode("utf-8", "replace").strip().splitlines()
            detail = message[-1] if message else f"exit {status}"
            raise GitError(_("git {subcommand}: {detail}").format(
                               subcommand=subcommand, detail=detail))


def run_status(repo: Path, *args: str, timeout: float | None = None) -> int:
    """``git -C repo ARGS``'s exit status only (output dropped); killed after ``timeout``
    seconds (then -1): for a network call that must not hang."""
    if shutil.which("git") is None:
        raise GitError(_("git is not installed (needed for this command)"))
    try:
        proc = subprocess.run(["git", "-C", str(repo), *args], capture_output=True,
                              env=_env(), timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return -1
    return proc.returncode


def require(purpose: str) -> None:
    """GitError (exit 2) when git is not installed: ``purpose`` says what needed it."""
    if shutil.which("git") is None:
        raise GitError(_("git is not installed; {purpose} needs it").format(purpose=purpose))


def toplevel(path: Path) -> Path | None:
    """The git work tree containing ``path``, or None outside git (or without git)."""
    if shutil.which("git") is None:
        return None
    proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"],
                          capture_output=True, env=_env())
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode("utf-8").strip())


@cache
def _gitpython() -> Any:
    os.environ.setdefault("GIT_PYTHON_REFRESH", "quiet")  # no git: our own message, not theirs
    import git

    return git


def _execute(command: list[str], input_: bytes | None,
             env: dict[str, str]) -> tuple[int, bytes, str]:
    options: dict[str, Any] = {"with_extended_output": True, "with_exceptions": False,
                               "stdout_as_string": False, "strip_newline_in_stdout": False,
                               "env": env}
    git = _gitpython().Git()
    if input_ is None:
        result: tuple[int, bytes, str] = git.execute(command, **options)
        return result
    import tempfile

    with tempfile.TemporaryFile() as stdin:  # GitPython hands its stdin a file
        stdin.write(input_)
        stdin.seek(0)
        result = git.execute(command, istream=stdin, **options)
        return result


def _query(command: list[str], input_: bytes | None,
           env: dict[str, str]) -> tuple[int, bytes, str]:
    if input_ is None:  # git never waits on the terminal
        proc = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, env=env,
                              check=False)
    else:
        proc = subprocess.run(command, input=input_, capture_output=True, env=env, check=False)
    return proc.returncode, proc.stdout, proc.stderr.decode("utf-8", "replace")


def split_z(output: bytes) -> list[str]:
    return [part.decode("utf-8", "surrogateescape") for part in output.split(b"\0") if part]
