"""``verify --branch-of REF``: a branch's pipeline judges the releases its history holds.

A branch opened before a release made later on the branch it goes into (REF, e.g.
origin/main) does not hold that release's commits. Plain ``verify`` reports such a release
as removed or rewritten, as it must: on the default branch a rewrite of history (main
rewritten, the old commits kept on another branch) looks exactly the same. With
``--branch-of REF`` a release whose commits HEAD's history lacks and REF's history holds is
not judged on this branch (one line says so; REF's own pipeline judges it); a release that
neither history holds is still a problem, and so is any release HEAD's history holds.

When HEAD is the default branch (HEAD is that branch, or is at its tip), nothing is
excused: there every release must be in HEAD's history, whatever REF names. The default
branch is the one the remote's HEAD names (``refs/remotes/origin/HEAD``), GitLab's
``CI_DEFAULT_BRANCH``, or the repository's default branch in GitHub Actions' event
(``GITHUB_EVENT_PATH``); in a GitLab merge request from the default branch of the same
project, HEAD is that branch whether or not it is still its tip. REF's own branch is not
one of them: HEAD on it holds REF's history already, and a name given on the command line
is no evidence; nor is ``init.defaultBranch``, a setting for new repositories, not this
one's.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from ..errors import UsageError
from ..git import cmd as gitcmd
from ..git import log as gitlog
from ..git import tags as gittags
from ..git.log import RepoInfo
from ..i18n import _


@dataclass(frozen=True)
class Base:
    """The branch HEAD's branch goes into, for one run of verify."""

    info: RepoInfo
    ref: str  # as given
    commit: str  # the commit REF names
    default: str = ""  # the default branch's name when HEAD is it: nothing is excused

    @cached_property
    def commits(self) -> frozenset[str]:
        """REF's history (read once, when a release is missing from HEAD's); none when
        HEAD is the default branch."""
        if self.default:
            return frozenset()
        return frozenset(gittags.reachable(self.info, self.commit))

    def holds(self, commits: list[str]) -> bool:
        """Whether REF's history holds all of ``commits`` (none: False)."""
        return bool(commits) and all(c in self.commits for c in commits)


def for_repository(repo: Path, ref: str | None) -> Base | None:
    """``base`` for the repository at ``repo`` (None without REF, or outside git: verify
    then says why)."""
    if ref is None:
        return None
    info = gitlog.probe(repo)
    return base(info, ref) if info.git else None


def base(info: RepoInfo, ref: str) -> Base:
    """REF's history, or the default branch HEAD is. UsageError when REF names no commit."""
    commit = gitlog.resolve_commit(info, ref)
    if commit is None:
        raise UsageError(_("--branch-of {ref}: no such git revision").format(ref=ref))
    return Base(info, ref, commit, _default_head(info))


def _git(info: RepoInfo, *args: str) -> str:
    return gitcmd.run(info.root, *args, check=False).decode("utf-8", "replace").strip()


def _default_names(info: RepoInfo) -> list[str]:
    """The names the default branch may have here."""
    names = [_git(info, "symbolic-ref", "-q", "refs/remotes/origin/HEAD")
             .removeprefix("refs/remotes/origin/"),
             os.environ.get("CI_DEFAULT_BRANCH", ""), _github_default()]
    return [n for n in dict.fromkeys(names) if n]


def _github_default() -> str:
    """The default branch GitHub Actions names in the event that started the run."""
    path = os.environ.get("GITHUB_EVENT_PATH", "")
    if not path or not Path(path).is_file():  # not a FIFO either: reading it would wait
        return ""
    try:
        with open(path, encoding="utf-8") as event:
            found = json.load(event).get("repository", {}).get("default_branch", "")
    except (OSError, ValueError, AttributeError):
        return ""
    return found if isinstance(found, str) else ""


def _gitlab_merge_from_default() -> str:
    """The default branch's name in a GitLab merge-request pipeline whose source is that
    branch of this same project (a merge request from main into a branch that kept the
    history main lost): HEAD is a commit of the default branch, not always its tip any
    more (a commit pushed after it), and is judged as the default branch. A fork's branch
    of the same name is not this project's default branch."""
    source = os.environ.get("CI_MERGE_REQUEST_SOURCE_BRANCH_NAME", "")
    default = os.environ.get("CI_DEFAULT_BRANCH", "")
    project = os.environ.get("CI_MERGE_REQUEST_PROJECT_ID", "")
    if source and source == default and project \
            and os.environ.get("CI_MERGE_REQUEST_SOURCE_PROJECT_ID", "") == project:
        return default
    return ""


def _default_head(info: RepoInfo) -> str:
    """The default branch's name when HEAD is that branch or its tip (or a GitLab merge
    request's source is the default branch), else ""."""
    if merged_from := _gitlab_merge_from_default():
        return merged_from
    attached = _git(info, "symbolic-ref", "-q", "HEAD")
    head = gitlog.resolve_commit(info, "HEAD")
    for name in _default_names(info):
        if attached == f"refs/heads/{name}":
            return name
        tips = (gitlog.resolve_commit(info, f"refs/{where}/{name}")
                for where in ("heads", "remotes/origin"))
        if head is not None and head in tips:
            return name
    return ""
