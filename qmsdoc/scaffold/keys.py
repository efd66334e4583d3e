"""``qmsdoc keys``: SSH signing for the current user in one command, and the roster line
that makes the key the person's trusted key."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..errors import UsageError
from ..git import signing
from ..i18n import _


@dataclass(frozen=True)
class KeySetup:
    public: Path
    public_key: str  # the OpenSSH public key line
    generated: bool
    email: str
    person: str | None  # the roster key of the user, when the roster knows the e-mail


def setup(repo: Path, config: Config, key: Path | None = None,
          home: Path | None = None) -> KeySetup:
    """Use ``key`` (a public or private key file), else the configured signing key, else
    ``~/.ssh/id_ed25519``, else a new ``~/.ssh/qmsdoc_ed25519``; set git to sign with it."""
    from ..history.approve import committer

    _name, email = committer(repo)
    if not email:
        raise UsageError(_("git user.email is not set: git config user.email <your roster "
                           "e-mail> first"))
    ssh = (home or Path.home()) / ".ssh"
    generated = False
    if key is not None:
        public = key if key.suffix == ".pub" else Path(f"{key}.pub")
        if not public.is_file():
            raise UsageError(_("{public}: no such public key file").format(public=public))
    else:
        found = signing.current_key(repo)
        default = ssh / "id_ed25519.pub"
        if found is None and default.is_file():
            found = default
        if found is None:
            found, generated = signing.generate(ssh / "qmsdoc_ed25519", email), True
        public = found
    signing.configure(repo, public)
    person = config.person_by_email(email)
    line = public.read_text(encoding="utf-8").strip()
    return KeySetup(public, line, generated, email, person.key if person else None)
