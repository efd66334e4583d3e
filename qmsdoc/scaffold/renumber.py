"""``qmsdoc renumber``: the way out of an id collision. The record gets the next free id (or
the one given), every reference to it in other records is rewritten, and nothing is
committed: the user reviews the change and commits it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from .. import atomic
from ..config import Config
from ..errors import UsageError
from ..i18n import _
from ..kinds import BY_NAME
from ..records.files import discover, display_path, folder_kind, index, regular_bytes
from ..records.yamlload import CONFLICT_MESSAGE, has_conflict_markers
from .new import known_ids, next_id


@dataclass(frozen=True)
class Renumbered:
    old: str
    new: str
    path: str  # the record's new path
    rewritten: tuple[str, ...]  # other records whose references now name the new id
    note: str = ""  # when the remotes could not be fetched


def renumber(repo: Path, config: Config, old: str, new: str | None = None) -> Renumbered:
    """Rename record ``old`` to ``new`` (default: the next id free across the team)."""
    path = index(repo).get(old)
    if path is None:
        raise UsageError(_("unknown record id '{old}' (no records/**/{old}.yaml)").format(
                             old=old))
    rel = display_path(repo, path)
    kind = BY_NAME[folder_kind(rel) or ""]
    raw = _read(repo, path)
    if has_conflict_markers(raw):
        raise UsageError(_("{rel}: {conflict_message}: keep one side first (git checkout "
                           "--ours {rel} or --theirs), then renumber the other record").format(
                             rel=rel, conflict_message=CONFLICT_MESSAGE))
    note, taken = known_ids(repo, kind)
    taken |= set(index(repo))
    if not kind.yearly:
        raise UsageError(_("{old}: {name} ids name the customer ({prefix}-<CODE>); rename it "
                           "by hand").format(old=old, name=kind.name, prefix=kind.prefix))
    pattern = re.compile(kind.id_pattern(config.prefix(kind.name)))
    match = pattern.match(old)
    if new is None:
        year = int(match["year"]) if match else 0
        new = next_id(repo, kind, config.prefix(kind.name), year, taken)
    elif not pattern.match(new):
        raise UsageError(_("{new}: not a {name} id ({prefix}-YYYY-NNNN)").format(
                             new=new, name=kind.name, prefix=config.prefix(kind.name)))
    elif new in taken:
        raise UsageError(_("{new} is already taken (in this clone, another branch or "
                           "history); leave out NEW_ID to get the next free one").format(new=new))
    token = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(old)}(?![A-Za-z0-9-])".encode())
    target = path.with_name(new + path.suffix)
    others: dict[Path, bytes] = {}
    for other in discover(repo):
        if other == path:
            continue
        content = _read(repo, other)
        if token.search(content):
            others[other] = token.sub(new.encode(), content)
    if not atomic.create(target, token.sub(new.encode(), raw)):
        raise UsageError(_("{repo} already exists").format(repo=display_path(repo, target)))
    for other, content in others.items():
        atomic.replace(other, content)
    path.unlink()
    return Renumbered(old, new, display_path(repo, target),
                      tuple(sorted(display_path(repo, p) for p in others)), note)


def _read(repo: Path, path: Path) -> bytes:
    """A record's bytes; a FIFO or device at a record's name is a usage error naming it (before
    anything is written), never a read that waits for ever."""
    try:
        return regular_bytes(path)
    except OSError as exc:
        raise UsageError(f"{display_path(repo, path)}: {exc.strerror or exc}") from None
