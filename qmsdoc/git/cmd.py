"""The one way qmsdoc runs git: a subprocess with NUL-separated output and clear errors."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Mapping
from pathlib import Path

from ..errors import UsageError


class GitError(UsageError):
    """git is missing, or refused a command (bad revision, not a repository)."""


def _env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("LC_ALL", "C")
    env["GIT_TERMINAL_PROMPT"] = "0"
    env.update(extra or {})
    return env


def run(repo: Path, *args: str, check: bool = True, input_: bytes | None = None,
        config: Mapping[str, str] | None = None, env: Mapping[str, str] | None = None) -> bytes:
    """``git -C repo [-c KEY=VALUE ...] ARGS``; ``config`` overrides settings for this call only
    (e.g. which allowed-signers file verifies signatures), ``env`` adds variables."""
    if shutil.which("git") is None:
        raise GitError("git is not installed (needed for this command)")
    options = [part for key, value in (config or {}).items() for part in ("-c", f"{key}={value}")]
    proc = subprocess.run(
        ["git", "-C", str(repo), *options, *args], input=input_, capture_output=True,
        env=_env(env),
    )
    if check and proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        detail = message[-1] if message else f"exit {proc.returncode}"
        raise GitError(f"git {args[0]}: {detail}")
    return proc.stdout


def toplevel(path: Path) -> Path | None:
    """The git work tree containing ``path``, or None outside git (or without git)."""
    if shutil.which("git") is None:
        return None
    proc = subprocess.run(["git", "-C", str(path), "rev-parse", "--show-toplevel"],
                          capture_output=True, env=_env())
    if proc.returncode != 0:
        return None
    return Path(proc.stdout.decode("utf-8").strip())


def split_z(output: bytes) -> list[str]:
    return [part.decode("utf-8", "surrogateescape") for part in output.split(b"\0") if part]
