"""Workflow states that went backwards in git history without a stated reason.

A complaint that was closed and is investigating again, a confirmed contract review back in
review, a special-requirement item from 已完成 back to 处理中: each can be right (the customer
came back, an amendment reopened the review), but the commit that did it must say why, in a
``Reason:`` trailer of its message (a contract review's new amendment is reason enough).
Every version of every record is read in one ``git cat-file --batch`` call; the states are
read from the raw text where one line holds them, and parsed as YAML only for item lists.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import UsageError
from ..findings import Finding, Location, warning
from ..git import cmd as gitcmd
from ..git import log as gitlog
from ..i18n import _
from ..kinds import KINDS
from ..records.files import folder_kind, regular_bytes
from ..records.yamlload import LoadError, parse

ORDER: dict[str, dict[str, int]] = {  # kind → state → its rank in the workflow
    kind.name: {state: rank for state in (*kind.states, *kind.ends)
                if (rank := kind.rank(state)) is not None}
    for kind in KINDS}
REASON_KEYS = ("reason", "原因")
_STATUS = re.compile(rb"^status:[ \t]*['\"]?([A-Za-z_]+)", re.MULTILINE)


@dataclass(frozen=True)
class Regression:
    path: str
    commit: str
    field: str  # /status or /items/<n>/status
    before: str
    after: str


def _states(kind: str, content: bytes) -> dict[str, str]:
    """Field → state of one version of a record."""
    if kind != "special-requirements":
        match = _STATUS.search(content)
        return {"/status": match[1].decode()} if match else {}
    try:
        data: Any = parse(content).data
    except LoadError:
        return {}
    items = data.get("items") if isinstance(data, dict) else None
    found = {}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and isinstance(item.get("status"), str):
            found[f"item {item.get('item_id', '?')}"] = item["status"]
    return found


def _amendments(content: bytes) -> int:
    try:
        data: Any = parse(content).data
    except LoadError:
        return 0
    value = data.get("amendments") if isinstance(data, dict) else None
    return len(value) if isinstance(value, list) else 0


def _stated(commit: gitlog.Commit) -> bool:
    return any(key.lower() in REASON_KEYS and value.strip() for key, value in commit.trailers)


def regressions(repo: Path, rev: str = "HEAD") -> list[Regression]:
    """Every backwards state change in the history of ``rev`` without a stated reason."""
    gitcmd.require("validate --history")  # not a silent pass without it
    info = gitlog.probe(repo)
    if not info.git:
        if info.reason == "no commits yet":  # nothing has a history yet
            return []
        raise UsageError(_("validate --history needs a git repository; {repo} is not in one")
                         .format(repo=repo))
    versions: dict[str, list[tuple[gitlog.Commit, str]]] = {}
    for commit in gitlog.read_log(info, rev):
        for change in commit.files:
            if change.new != gitlog.ZERO and folder_kind(change.path):
                versions.setdefault(change.path, []).append((commit, change.new))
    contents = gitlog.read_blobs(info, sorted({b for v in versions.values() for _, b in v}))
    found: list[Regression] = []
    for path, history in versions.items():
        kind = folder_kind(path) or ""
        found.extend(_backwards(path, kind, history, contents))
    return found


def _backwards(path: str, kind: str, history: list[tuple[gitlog.Commit, str]],
               contents: dict[str, bytes]) -> Iterator[Regression]:
    order = ORDER.get(kind, {})
    previous: dict[str, str] = {}
    previous_blob = ""
    for commit, blob in history:
        content = contents.get(blob, b"")
        states = _states(kind, content)
        for field, state in states.items():
            before = previous.get(field)
            if before in order and state in order and order[state] < order[before] \
                    and not _stated(commit) and not _amended(kind, contents, previous_blob,
                                                             content):
                yield Regression(path, commit.id, field, before, state)
        previous, previous_blob = states, blob


def _amended(kind: str, contents: dict[str, bytes], before: str, after: bytes) -> bool:
    """A contract review reopened by a new amendment (订单修正) needs no other reason."""
    return kind == "contract-review" and _amendments(after) > _amendments(contents.get(before,
                                                                                      b""))


def findings(repo: Path, paths: set[str] | None = None, rev: str = "HEAD") -> list[Finding]:
    """The regressions as validate findings (warnings: history cannot be changed), on the
    record's status line; only for ``paths`` when given."""
    result = []
    for r in regressions(repo, rev):
        if paths is not None and r.path not in paths:
            continue
        line = _status_line(repo / r.path)
        where = r.field if r.field.startswith("/") else f"/items ({r.field})"
        result.append(warning(
            "state-history", where, Location(r.path, line, 1),
            _("went back from {before} to {after} in commit {commit} without a stated reason "
              "(add a 'Reason:' line to the commit message when reopening)")
            .format(before=r.before, after=r.after, commit=r.commit[:12])))
    return result


def _status_line(path: Path) -> int:
    try:
        content = regular_bytes(path)
    except OSError:
        return 1
    match = _STATUS.search(content)
    return content.count(b"\n", 0, match.start()) + 1 if match else 1
