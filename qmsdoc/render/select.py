"""Which record files the names on a ``render`` command line mean: ids or paths."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import UsageError
from ..i18n import _
from ..records.files import relative_index


def targets(repo: Path, names: Iterable[str]) -> list[Path]:
    """Record files for ids (``CC-2026-0001``) and paths (files or folders), in order.

    An id that names no record is a UsageError (exit 2).
    """
    by_id: dict[str, str] | None = None  # id → its file, relative (no Path per file)
    found: list[Path] = []
    for name in names:
        path = Path(name)
        if path.exists():
            found.append(path)
            continue
        if by_id is None:
            by_id = relative_index(repo)
        if name not in by_id:
            raise UsageError(_("'{name}' is neither a record id nor a path (no "
                               "records/**/{name}.yaml)").format(name=name))
        found.append(repo / by_id[name])
    return found
