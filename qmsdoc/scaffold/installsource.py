"""Where the running qmsdoc was installed from, as a pip requirement that CI can install.

``qmsdoc init`` writes it into the generated CI files, the pre-commit configuration and the
Chinese README, so that a new records repository installs the qmsdoc its document controller
runs. pip records the source of every install (``direct_url.json``, PEP 610): a version
control URL with its commit, a wheel or archive (a URL or a local file), or a local folder;
nothing recorded means a package index. A source only this computer can reach (a local file
or folder without a remote) is still used, with a warning naming ``--qmsdoc-spec``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from urllib.parse import unquote, urlparse

from .. import __version__
from ..errors import GitError
from ..git import cmd as gitcmd
from ..i18n import _

NAME = "qmsdoc"


@dataclass(frozen=True)
class InstallSource:
    spec: str  # a pip requirement: ``qmsdoc==0.2.0``, ``qmsdoc @ git+URL@COMMIT``, a path …
    origin: str  # where it was found, for the user
    warning: str = ""  # set when CI will most likely not reach it

    @property
    def vcs(self) -> tuple[str, str] | None:
        """(repository URL, revision) when the spec is a git URL: pre-commit can use it."""
        _, _, url = self.spec.partition(" @ git+")
        if not url or "@" not in url.rpartition("/")[2]:
            return None
        repo, _, rev = url.rpartition("@")
        return repo, rev


def given(spec: str) -> InstallSource:
    """``--qmsdoc-spec SPEC``: taken as it is (a requirement, a URL or a wheel's path)."""
    spec = spec.strip()
    if not spec or "\n" in spec:
        from ..errors import UsageError

        raise UsageError(_("--qmsdoc-spec: give one pip requirement, e.g. 'qmsdoc @ "
                           "git+https://git.example.com/tools/qmsdoc@v0.2.0'"))
    return InstallSource(spec, "--qmsdoc-spec")


def detect() -> InstallSource:
    """The source pip recorded for the running qmsdoc."""
    try:
        recorded = metadata.distribution(NAME).read_text("direct_url.json")
    except metadata.PackageNotFoundError:  # run from a source tree that is not installed
        recorded = None
    if not recorded:
        return InstallSource(f"{NAME}=={__version__}", "a package index")
    try:
        direct = json.loads(recorded)
    except ValueError:
        return InstallSource(f"{NAME}=={__version__}", "a package index")
    return _from_direct_url(direct)


def _from_direct_url(direct: dict[str, object]) -> InstallSource:
    url = str(direct.get("url", ""))
    vcs = direct.get("vcs_info")
    if isinstance(vcs, dict):
        commit = str(vcs.get("commit_id", ""))
        return InstallSource(f"{NAME} @ {vcs.get('vcs', 'git')}+{url}@{commit}",
                             f"{url} at {commit[:12]}")
    local = _local_path(url)
    if isinstance(direct.get("dir_info"), dict) and local is not None:
        return _from_checkout(local)
    if local is not None:
        return InstallSource(str(local), str(local), _not_portable(str(local)))
    return InstallSource(f"{NAME} @ {url}", url)


def _from_checkout(folder: Path) -> InstallSource:
    """A local folder: its git remote and commit when it has them (what CI can fetch)."""
    remote = _git(folder, "remote", "get-url", "origin")
    commit = _git(folder, "rev-parse", "HEAD")
    if remote and commit and _local_path(remote) is None and not Path(remote).exists():
        url = remote if "://" in remote else _scp_to_url(remote)
        return InstallSource(f"{NAME} @ git+{url}@{commit}", f"{remote} at {commit[:12]}")
    return InstallSource(str(folder), str(folder), _not_portable(str(folder)))


def _not_portable(where: str) -> str:
    return (_("qmsdoc was installed from {where}, which only this computer can reach; the "
              "generated CI files will fail to install it. Run init again with --qmsdoc-spec "
              "(a git URL with a tag, a company index version, or a wheel kept in the records "
              "repository)").format(where=where))


def _local_path(url: str) -> Path | None:
    parsed = urlparse(url)
    if parsed.scheme == "file":
        return Path(unquote(parsed.path))
    return None


def _scp_to_url(remote: str) -> str:
    """``git@host:group/repo.git`` → ``ssh://git@host/group/repo.git`` (pip wants a URL)."""
    user_host, _, path = remote.partition(":")
    return f"ssh://{user_host}/{path}"


def _git(folder: Path, *args: str) -> str:
    try:
        return gitcmd.run(folder, *args, check=False).decode("utf-8", "replace").strip()
    except GitError:  # git is not installed
        return ""
