"""A record as it was at another git revision (``render --at``): its content, its state
then, and its pictures read from that same commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ..checks import record as checks
from ..config import Config
from ..errors import UsageError
from ..findings import Finding, Location, error
from ..git import cmd as gitcmd
from ..git import log as gitlog
from ..history.revision import RecordState
from ..history.states import record_at
from ..records.attachments import path_problem
from ..records.files import Record, folder_kind
from ..records.yamlload import LoadError, parse
from ..schema import SchemaStore
from .images import Picture, probe
from .templates import Fetch


@dataclass(frozen=True)
class Past:
    record: Record | None
    state: RecordState
    findings: tuple[Finding, ...]
    reader: GitPictureReader


class GitPictureReader:
    """Reads attachment pictures from one commit, never from the working tree."""

    def __init__(self, repo: Path, commit: str | None) -> None:
        self.info = gitlog.probe(repo)
        self.commit = commit

    def __call__(self, path: str) -> Picture | None:
        if self.commit is None or path_problem(path) is not None:
            return None
        try:
            return probe(gitlog.read_blob(self.info, self.commit, path))
        except gitcmd.GitError:
            return None


def load_past(repo: Path, config: Config, store: SchemaStore, target: str, rev: str) -> Past:
    """``target`` (id or path) at ``rev`` (a commit-ish or a released revision letter)."""
    content, state = record_at(repo, config, target, rev)
    relpath = state.path or target
    reader = GitPictureReader(repo, state.commit)
    try:
        doc = parse(content, config.limits)
    except LoadError as exc:
        where = Location(relpath, exc.line or 1, exc.column or 1)
        return Past(None, state, (error(exc.code, "/", where, f"at {rev}: {exc.message}"),),
                    reader)
    record = Record(relpath, folder_kind(relpath), doc)
    kind = record.kind or record.folder_kind
    found = [*store.findings(kind, doc, relpath)] if kind else []
    found.extend(checks.run(record, config))
    return Past(record, state, tuple(f for f in found if f.is_error), reader)


def load_pasts(repo: Path, config: Config, store: SchemaStore, targets: Sequence[str],
               rev: str) -> tuple[list[Record], dict[str, RecordState],
                                  GitPictureReader | None, list[Finding]]:
    """The named records as they were at ``rev`` (the valid ones), their states then, a
    picture reader for that commit, and the findings of the invalid ones. All must come
    from one commit, so that several records at a letter are not mixed."""
    records: list[Record] = []
    states: dict[str, RecordState] = {}
    findings: list[Finding] = []
    reader: GitPictureReader | None = None
    for target in targets:
        past = load_past(repo, config, store, target, rev)
        findings.extend(past.findings)
        if past.record is not None and not past.findings:
            records.append(past.record)
            states[past.record.id or past.record.stem] = past.state
            reader = past.reader if reader is None else reader
    if len(targets) > 1 and len({s.commit for s in states.values()}) > 1:
        raise UsageError(f"--at {rev} names different commits for these records; "
                         "render them one at a time")
    return records, states, reader, findings


def sources_at(repo: Path, store: SchemaStore, commit: str) -> tuple[Config, Fetch]:
    """The configuration and the repository's templates as they were at ``commit``: a past
    revision is printed with the frame of its time, not with today's files."""
    from .. import config as configs

    info = gitlog.probe(repo)

    def fetch(rel: str) -> bytes | None:
        try:
            return gitlog.read_blob(info, commit, rel)
        except gitcmd.GitError:
            return None

    raw = fetch(configs.CONFIG_FILE)
    source = f"{configs.CONFIG_FILE} at {commit[:12]}"
    return configs.from_bytes(raw, store, source), fetch


def released_letter(repo: Path, config: Config, target: str) -> str:
    """The letter of the revision of ``target`` in force (its latest release)."""
    from ..history.states import record_state

    state = record_state(repo, config, target, signatures=False)
    if not state.revisions:
        raise UsageError(f"--released: {state.record_id} has no released revision yet "
                         "(草稿, not for use)")
    return state.revisions[-1].letter
