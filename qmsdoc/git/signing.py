"""Setting up SSH signing of approval commits for the current user: a key (generated with
ssh-keygen when there is none) and the git settings that make ``git commit -S`` use it."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from ..errors import UsageError
from ..i18n import _
from . import cmd as gitcmd


def current_key(repo: Path) -> Path | None:
    """The public key file of ``user.signingkey`` when it names an SSH key file."""
    out = gitcmd.run(repo, "config", "--get", "user.signingkey", check=False)
    value = out.decode("utf-8", "replace").strip()
    if not value:
        return None
    path = Path(value).expanduser()
    public = path if path.suffix == ".pub" else Path(f"{path}.pub")
    return public if public.is_file() else None


def generate(private: Path, comment: str) -> Path:
    """An ed25519 key pair at ``private`` (no passphrase); its public key file."""
    if shutil.which("ssh-keygen") is None:
        raise UsageError(_("ssh-keygen is not installed (apt-get install openssh-client): it "
                           "makes and checks SSH signatures"))
    private.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    proc = subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", comment,
                           "-f", str(private)], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise UsageError(_("ssh-keygen could not make {private}: {strip}").format(
                             private=private, strip=proc.stderr.strip()))
    return Path(f"{private}.pub")


def configure(repo: Path, public: Path) -> None:
    """gpg.format ssh and user.signingkey in the repository's own git config."""
    gitcmd.run(repo, "config", "gpg.format", "ssh")
    gitcmd.run(repo, "config", "user.signingkey", str(public))
