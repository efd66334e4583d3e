"""A record as it was at another git revision (``render --at``): its content, its state
then, and its pictures read from that same commit."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from ..checks.pipeline import ValidationReport, validate_repo
from ..config import Config
from ..errors import GitError, UsageError
from ..findings import Finding
from ..git import log as gitlog
from ..history.revision import RecordState
from ..history.states import record_at_commit
from ..i18n import _
from ..records.attachments import path_problem
from ..records.files import Record
from ..schema import SchemaStore
from .images import Picture, probe
from .templates import Fetch


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
        except GitError:
            return None


def load_pasts(repo: Path, config: Config, store: SchemaStore, targets: Sequence[str],
               rev: str) -> tuple[list[Record], dict[str, RecordState],
                                  GitPictureReader | None, list[Finding]]:
    """The named records as they were at ``rev`` (the valid ones), their states then, a
    picture reader for that commit, and the errors of the invalid ones. All must come from
    one commit, so that several records at a letter are not mixed.

    They are checked as ``validate`` checks them: the records of that commit are checked out
    into a scratch folder and go through the validation pipeline, attachments and the rules
    between records included."""
    pasts = [record_at_commit(repo, config, target, rev) for target in targets]
    if len(targets) > 1 and len({state.commit for _, state, _ in pasts}) > 1:
        raise UsageError(_("--at {rev} names different commits for these records; render them "
                           "one at a time").format(rev=rev))
    if not pasts:
        return [], {}, None, []
    commit = pasts[0][2]
    states = {state.path or target: state for target, (_, state, _) in zip(targets, pasts,
                                                                            strict=True)}
    report = _validate_at(repo, config, store, commit, list(states))
    invalid = report.invalid_paths()
    records = [r for r in report.records if r.path not in invalid]
    findings = [f for f in report.findings if f.is_error]
    reader = GitPictureReader(repo, pasts[0][1].commit)
    return records, {r.id or r.stem: states[r.path] for r in records}, reader, findings


def _validate_at(repo: Path, config: Config, store: SchemaStore, commit: str,
                 paths: Sequence[str]) -> ValidationReport:
    info = gitlog.probe(repo)
    with tempfile.TemporaryDirectory(prefix="qmsdoc-at-") as scratch:
        root = Path(scratch)
        gitlog.checkout_records(info, commit, root)
        return validate_repo(root, config, store, [root / p for p in paths], keep_records=True)


def sources_at(repo: Path, store: SchemaStore, commit: str) -> tuple[Config, Fetch]:
    """The configuration and the repository's templates as they were at ``commit``: a past
    revision is printed with the frame of its time, not with today's files."""
    from .. import config as configs

    info = gitlog.probe(repo)

    def fetch(rel: str) -> bytes | None:
        try:
            return gitlog.read_blob(info, commit, rel)
        except GitError:
            return None

    raw = fetch(configs.CONFIG_FILE)
    source = f"{configs.CONFIG_FILE} at {commit[:12]}"
    return configs.from_bytes(raw, store, source), fetch


def released_letter(repo: Path, config: Config, target: str) -> str:
    """The letter of the revision of ``target`` in force (its latest release)."""
    from ..history.states import record_state

    state = record_state(repo, config, target, signatures=False)
    if not state.revisions:
        raise UsageError(_("--released: {record_id} has no released revision yet (草稿, not for "
                           "use)").format(record_id=state.record_id))
    return state.revisions[-1].letter
