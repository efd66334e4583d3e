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
from ..kinds import BY_NAME
from ..records.files import discover, display_path, folder_kind, index
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
        raise UsageError(f"unknown record id '{old}' (no records/**/{old}.yaml)")
    rel = display_path(repo, path)
    kind = BY_NAME[folder_kind(rel) or ""]
    raw = path.read_bytes()
    if has_conflict_markers(raw):
        raise UsageError(f"{rel}: {CONFLICT_MESSAGE}: keep one side first (git checkout "
                         f"--ours {rel} or --theirs), then renumber the other record")
    note, taken = known_ids(repo, kind)
    taken |= set(index(repo))
    if not kind.yearly:
        raise UsageError(f"{old}: {kind.name} ids name the customer ({kind.prefix}-<CODE>); "
                         "rename it by hand")
    pattern = re.compile(kind.id_pattern(config.prefix(kind.name)))
    match = pattern.match(old)
    if new is None:
        year = int(match["year"]) if match else 0
        new = next_id(repo, kind, config.prefix(kind.name), year, taken)
    elif not pattern.match(new):
        raise UsageError(f"{new}: not a {kind.name} id ({config.prefix(kind.name)}-YYYY-NNNN)")
    elif new in taken:
        raise UsageError(f"{new} is already taken (in this clone, another branch or history); "
                         "leave out NEW_ID to get the next free one")
    token = re.compile(rf"(?<![A-Za-z0-9-]){re.escape(old)}(?![A-Za-z0-9-])".encode())
    target = path.with_name(new + path.suffix)
    others: dict[Path, bytes] = {}
    for other in discover(repo):
        if other == path:
            continue
        content = other.read_bytes()
        if token.search(content):
            others[other] = token.sub(new.encode(), content)
    if not atomic.create(target, token.sub(new.encode(), raw)):
        raise UsageError(f"{display_path(repo, target)} already exists")
    for other, content in others.items():
        atomic.replace(other, content)
    path.unlink()
    return Renumbered(old, new, display_path(repo, target),
                      tuple(sorted(display_path(repo, p) for p in others)), note)
