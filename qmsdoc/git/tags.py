"""Release tags: reading every ``refs/tags/release/*`` with its message, and writing one
annotated tag (optionally signed) as a given tagger at a given time."""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import GitError
from . import cmd as gitcmd
from .log import Ident, RepoInfo

RELEASE_REFS = "refs/tags/release/"
_FORMAT = ("%(refname)%00%(objecttype)%00%(objectname)%00%(object)%00%(contents:subject)%00"
           "%(contents:body)%00%(contents:signature)%00%1e")


@dataclass(frozen=True)
class Tag:
    name: str  # without refs/tags/, e.g. release/CC-2026-0001/A
    annotated: bool
    object: str  # the tag object (a lightweight tag: the commit)
    target: str  # the commit it points at
    message: str  # subject, blank line, body (without the signature)
    signed: bool = False


def release_tags(info: RepoInfo) -> list[Tag]:
    """Every tag under ``release/``, in name order (one git call)."""
    out = gitcmd.run(info.root, "for-each-ref", f"--format={_FORMAT}", RELEASE_REFS)
    tags: list[Tag] = []
    for entry in out.decode("utf-8", "surrogateescape").split("\x1e"):
        fields = entry.lstrip("\n").split("\0")
        if len(fields) < 7 or not fields[0]:
            continue
        ref, kind, obj, target, subject, body, signature = fields[:7]
        annotated = kind == "tag"
        message = f"{subject}\n\n{body}" if body else subject
        tags.append(Tag(ref.removeprefix("refs/tags/"), annotated, obj,
                        target if annotated else obj, message, bool(signature.strip())))
    return tags


def tag_commit(info: RepoInfo, name: str) -> str | None:
    out = gitcmd.run(info.root, "rev-parse", "-q", "--verify", f"refs/tags/{name}^{{commit}}",
                     check=False)
    return out.decode("ascii", "replace").strip() or None


def committer(info: RepoInfo, commit: str) -> Ident:
    """The committer of ``commit`` (name, e-mail, strict ISO date)."""
    out = gitcmd.run(info.root, "log", "-1", "--format=%cn%x00%ce%x00%cI", commit)
    name, email, at = (out.decode("utf-8", "replace").strip("\n").split("\0") + ["", ""])[:3]
    return Ident(name, email, at)


def write(info: RepoInfo, name: str, commit: str, message: str, tagger: Ident,
          sign: bool = False) -> str:
    """The annotated tag ``name`` on ``commit`` with ``message`` (verbatim), made by
    ``tagger`` at its date; its tag object id. GitError when the tag exists already."""
    args = ["tag", "-a", "--cleanup=verbatim", "-F", "-", name, commit]
    if sign:
        args.insert(1, "-s")
    env = {"GIT_COMMITTER_NAME": tagger.name, "GIT_COMMITTER_EMAIL": tagger.email,
           "GIT_COMMITTER_DATE": tagger.date}
    gitcmd.run(info.root, *args, input_=message.encode("utf-8"), env=env)
    out = gitcmd.run(info.root, "rev-parse", "--verify", f"refs/tags/{name}")
    return out.decode("ascii").strip()


def reachable(info: RepoInfo, rev: str = "HEAD") -> set[str]:
    """Every commit reachable from ``rev`` (one git call)."""
    out = gitcmd.run(info.root, "rev-list", rev)
    return set(out.decode("ascii").split())


def exists(info: RepoInfo, commit: str) -> bool:
    try:
        out = gitcmd.run(info.root, "cat-file", "-t", commit, check=False)
    except GitError:
        return False
    return out.strip() == b"commit"
