"""Ids about to collide: a record added on this branch whose id another branch already gave
to other content (two clones ran ``qmsdoc new`` offline)."""

from __future__ import annotations

from pathlib import Path

from ..findings import Finding, Location, error
from ..git import log as gitlog
from ..git import team
from ..i18n import N_, _
from ..records.files import display_path

SAME_ID = N_("two records got the same id")


def collisions(repo: Path, ref: str, changed: list[Path]) -> list[Finding]:
    """One error per record in ``changed`` that is new since this branch left ``ref`` and
    whose id ``ref`` holds with other content, naming both files."""
    info = gitlog.probe(repo)
    if not info.git or not changed:
        return []
    base = team.merge_base(info, ref)
    if base is not None and base == team.commit_of(info, ref):
        return []  # ref is where this branch left it: every id it holds was there before
    theirs = team.records_at(info, ref)
    before = team.records_at(info, base) if base else {}
    found = []
    for path in changed:
        rid = path.stem
        other = theirs.get(rid)
        if rid in before or other is None or team.file_blob(path) == other[1]:
            continue
        rel = display_path(repo, path)
        where = f"{other[0]}" if other[0] != rel else _("the same file")
        found.append(error(
            "collision", "id", Location(rel, _id_line(path), 1),
            _("{same_id}: {id} is also a different record on {ref} ({where}) — keep one id "
              "and run qmsdoc renumber {id} on the record of this branch before merging")
            .format(same_id=_(SAME_ID), id=rid, ref=ref, where=where)))
    return found


def _id_line(path: Path) -> int:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return 1
    return next((i for i, line in enumerate(lines, 1) if line.startswith("id:")), 1)
