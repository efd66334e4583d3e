"""Which records to check after a change: the changed ones, and those whose rules they touch."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import GitError, UsageError
from ..git import cmd as gitcmd
from ..i18n import _
from ..kinds import KINDS
from ..records.files import RECORDS_DIR, SUFFIXES, discover, display_path, regular_bytes

_ID_TOKEN = re.compile(rb"\b[A-Z0-9]+-(?:[0-9]{4}-[0-9]{4,}|[A-Z0-9_-]+)\b")
_FEW = 16  # up to this many ids and part numbers, substring tests beat tokenizing each file
_PART_NO = re.compile(rb"^\s*part_no:\s*['\"]?([^'\"\n#]+?)['\"]?\s*(?:#.*)?$", re.M)


@dataclass(frozen=True)
class Selection:
    targets: list[Path]  # to check and report on
    context: list[Path]  # read only so that references resolve


def changed_since(repo: Path, ref: str) -> tuple[list[Path], set[str]]:
    """Record files changed since ``ref`` (committed, staged, unstaged or untracked), and the
    ids of records deleted since then. A changed qmsdoc.yaml or schema means every record."""
    gitcmd.require("--changed-since")
    if gitcmd.toplevel(repo) is None:
        raise UsageError(_("--changed-since needs a git repository; {repo} is not in one").format(
                             repo=repo))
    try:
        gitcmd.run(repo, "rev-parse", "--verify", "--quiet", ref + "^{commit}")
    except GitError:
        if ref == "HEAD" and not _has_commits(repo):  # the first commit: everything is new
            return discover(repo), set()
        raise UsageError(_("--changed-since {ref}: no such git revision").format(ref=ref)) from None
    # the kinds' folders only: git then looks at no attachment (most of the files); the
    # configuration and the schemas too, since they judge every record
    folders = [f"{RECORDS_DIR}/{kind.folder}" for kind in KINDS]
    status = gitcmd.split_z(gitcmd.run(repo, "diff", "--name-status", "--no-renames",
                                       "--relative", "-z", ref, "--", *folders, *_JUDGES))
    untracked = gitcmd.split_z(gitcmd.run(repo, "ls-files", "-z", "--others",
                                          "--exclude-standard", "--", *folders, *_JUDGES))
    changed: list[Path] = []
    deleted: set[str] = set()
    for code, name in zip(status[0::2], status[1::2], strict=False):
        if not name.endswith(SUFFIXES) or _judges(name):
            continue
        if code.startswith("D"):
            deleted.add(Path(name).stem)
        else:
            changed.append(repo / name)
    changed.extend(repo / name for name in untracked if name.endswith(SUFFIXES))
    if any(_judges(name) for name in [*status[1::2], *untracked]):
        return discover(repo), deleted
    return sorted(set(changed)), deleted


_JUDGES = ("qmsdoc.yaml", "schemas")  # a change to either can make any record invalid


def _judges(name: str) -> bool:
    return name == "qmsdoc.yaml" or name.startswith("schemas/")


def _has_commits(repo: Path) -> bool:
    return bool(gitcmd.run(repo, "rev-list", "-n", "1", "--all", check=False).strip())


def hook_selection(repo: Path, all_files: list[Path], paths: Sequence[Path]) -> Selection:
    """What the pre-commit hook checks: the files pre-commit passes (``--all-files`` and
    ``--from-ref/--to-ref`` choose them), the records changed against HEAD (deletions
    included), and every record their cross-record rules touch. A changed qmsdoc.yaml or
    schema passed by pre-commit means every record."""
    records = RECORDS_DIR + "/"
    named: list[Path] = []
    for path in paths:
        rel = display_path(repo, path.resolve())
        if rel.startswith(records) and rel.endswith(SUFFIXES):
            if path.is_file():
                named.append(path.resolve())
        elif rel == "qmsdoc.yaml" or rel.startswith("schemas/"):
            return Selection(all_files, [])
    changed: list[Path] = []
    deleted: set[str] = set()
    if gitcmd.toplevel(repo) is not None:
        changed, deleted = changed_since(repo, "HEAD")
    wanted = sorted({*named, *(p.resolve() for p in changed)})
    return select(repo, all_files, wanted, deleted)


def changed_records(repo: Path, ref: str) -> list[Path]:
    """The records changed since ``ref``, those approved since (an approval changes the
    form), and those whose cross-record rules they touch (what ``render --changed-since``
    renders)."""
    from ..git.team import approved_since
    from ..records.files import index

    changed, deleted = changed_since(repo, ref)
    ids = index(repo)
    approved = [ids[rid] for rid in approved_since(repo, ref) if rid in ids]
    changed = sorted({*changed, *approved})
    return select(repo, discover(repo), changed, deleted).targets


def select(repo: Path, all_files: list[Path], changed: list[Path], deleted: set[str]) -> Selection:
    """The changed files, every file that names a changed or deleted id (or shares a changed
    complaint's part number: repeats), and, as context, the files those refer to."""
    by_stem: dict[str, list[Path]] = {}
    for path in all_files:
        by_stem.setdefault(path.stem, []).append(path)
    changed_set = set(changed)
    ids: set[bytes] = {s.encode() for s in deleted}
    parts: set[bytes] = set()
    referenced: set[str] = set()
    for path in changed:
        ids.add(path.stem.encode())
        raw = _read(path)
        referenced.update(t.decode() for t in _ID_TOKEN.findall(raw))
        if display_path(repo, path).startswith(f"{RECORDS_DIR}/complaints/"):
            parts.update(m.strip() for m in _PART_NO.findall(raw))
    targets = list(changed)
    # a few names: a cheap substring test first; many (render of 1,000 records): each file's
    # tokens once, looked up in the sets. Whole tokens, so CC-2026-0001 is not CC-2026-00010.
    few = len(ids) + len(parts) <= _FEW
    for path in all_files:
        if path in changed_set:
            continue
        raw = _read(path)
        tokens: list[bytes] | None = None
        hit = False
        if ids and (not few or any(i in raw for i in ids)):
            tokens = _ID_TOKEN.findall(raw)
            hit = not ids.isdisjoint(tokens)
        if not hit and parts and (not few or any(p in raw for p in parts)):
            hit = not parts.isdisjoint(m.strip() for m in _PART_NO.findall(raw))
        if hit:
            targets.append(path)
            referenced.update(t.decode() for t in (tokens if tokens is not None
                                                   else _ID_TOKEN.findall(raw)))
    for path in changed:  # duplicate ids live in files of the same name
        targets.extend(p for p in by_stem.get(path.stem, []) if p not in changed_set)
    target_set = set(targets)
    context = sorted({p for stem in referenced for p in by_stem.get(stem, [])} - target_set)
    return Selection(sorted(target_set), context)


def _read(path: Path) -> bytes:
    try:
        return regular_bytes(path)
    except OSError:
        return b""
