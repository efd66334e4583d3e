"""What the released contents say, held against when they were released.

* **No backdating**: a released revision must not state a fact dated after its release
  (the commit time of the approval that released it). An auditor reads such a revision as
  written later and approved with a false date. Planned dates (``x-planned`` in the
  schema: due dates, requested delivery dates) are promises, not facts, and are left out.
* **Review before commitment** (IATF 16949 8.2.3.1, 8.2.3.1.1): a contract review's
  feedback to the customer or the customer's confirmation dated before the review's first
  approval is an error, unless the record states the customer's waiver
  (``customer_waiver``).

Both read every released content in one ``git cat-file --batch`` call, each parsed once
(``blobs.records``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..checks.dates import Dated, facts, latest
from ..config import Config
from ..findings import Finding, Location, error, warning
from ..git import log as gitlog
from ..i18n import _
from ..records.yamlload import LoadError, parse
from ..schema import SchemaStore
from .blobs import derived
from .releases import ReleaseOutcome

if TYPE_CHECKING:  # validate's pipeline is loaded only by validate --history
    from ..checks.pipeline import ValidationReport

BACKDATED, COMMITMENT = "backdated", "commitment-before-review"
COMMITMENTS = ("customer_feedback_at", "customer_confirmed_at")


@dataclass(frozen=True)
class ContentProblem:
    """A released content that contradicts its own release."""

    code: str  # BACKDATED or COMMITMENT
    record_id: str
    path: str
    letter: str  # the revision, or the draft letter for the current content
    commit: str  # the approval commit that released it ("" for a draft)
    released_at: str  # that commit's time ("" when no review is approved yet)
    where: str  # JSON pointer of the field
    value: str
    title: str = ""

    def __str__(self) -> str:
        head = f"{self.commit[:12] or '—':<12} {self.record_id} revision {self.letter}"
        return f"{head}: {self.where} {self.detail()}"

    def detail(self) -> str:
        """The message without the record and the field."""
        value = f"{self.value}" + (f" ({self.title})" if self.title else "")
        if self.code == BACKDATED:
            return (_("{value} in revision {letter} is dated after its release at "
                      "{released_at} ({commit}): backdated content (a released revision may "
                      "state only what was known when it was approved)").format(
                        value=value,
                        letter=self.letter,
                        released_at=self.released_at,
                        commit=self.commit[:12]))
        review = (_("the review's approval at {released_at} ({commit})").format(
                      released_at=self.released_at, commit=self.commit[:12])
                  if self.released_at else _("any approved review"))
        return (_("{value} commits to the customer before {review} (IATF 16949 8.2.3.1); "
                  "record the customer's waiver in customer_waiver if there is one").format(
                    value=value, review=review))


def problems(info: gitlog.RepoInfo, store: SchemaStore,
             outcomes: Iterable[ReleaseOutcome]) -> list[ContentProblem]:
    """Every backdated revision and every commitment before review, in history order."""
    outcomes = [o for o in outcomes if o.kind is not None and o.path is not None]
    dated: dict[str, Mapping[str, Any]] = {}  # kind → blob → its fact dates (where needed)
    for kind in sorted({o.kind for o in outcomes if o.kind is not None}):
        schema = store.for_kind(kind)
        digest = hashlib.sha256(json.dumps(schema, sort_keys=True, default=str).encode())
        of_kind = [o for o in outcomes if o.kind == kind]
        # each content's latest facts first (kept by blob id): most contents have none
        # later than their release, and need no more
        latest = derived(  # each content parsed once (blobs.py)
            info, f"fact-latest:{kind}:{digest.hexdigest()[:16]}",
            sorted({r.blob for o in of_kind for r in o.revisions}),
            partial(_latest_dates, schema), _are_dates)
        later = sorted({r.blob for o in of_kind for r in o.revisions
                        if any(Dated(*fact).later_than(r.at) for fact in latest.get(r.blob, ()))})
        dated[kind] = derived(info, f"fact-dates:{kind}:{digest.hexdigest()[:16]}", later,
                              partial(_fact_dates, schema), _are_dates) if later else {}
    reviews = derived(info, "commitments", sorted(
        {o.last_blob for o in outcomes if o.kind == "contract-review" and o.last_blob}),
        _commitment_part, lambda value: value is None or isinstance(value, dict))
    found: list[ContentProblem] = []
    for outcome in outcomes:
        assert outcome.kind is not None
        found.extend(_backdated(outcome, dated[outcome.kind]))
        if outcome.kind == "contract-review":
            found.extend(_commitments(outcome, reviews))
    return found


def _fact_dates(schema: Mapping[str, Any], data: Any) -> tuple[tuple[str, str, str], ...]:
    return tuple((f.where, f.value, f.title) for f in facts(schema, data))


def _latest_dates(schema: Mapping[str, Any],
                  data: Any) -> tuple[tuple[str, str, str], ...]:
    """The facts of ``data`` that tell whether any is later than a moment (``latest``)."""
    return tuple((f.where, f.value, f.title) for f in latest(facts(schema, data)))


def _are_dates(value: Any) -> bool:
    if type(value) is not tuple:
        return False
    for fact in value:  # a plain loop: this runs for every cached content
        if type(fact) is not tuple or len(fact) != 3 or type(fact[0]) is not str \
                or type(fact[1]) is not str or type(fact[2]) is not str:
            return False
    return True


def _commitment_part(data: Any) -> dict[str, Any] | None:
    """What ``early_commitments`` reads of a content: the waiver and the commitments."""
    if not isinstance(data, dict):
        return None
    part: dict[str, Any] = {"customer_waiver": bool(data.get("customer_waiver"))}
    part.update({key: data[key] for key in COMMITMENTS if isinstance(data.get(key), str)})
    return part


def _backdated(outcome: ReleaseOutcome,
               dated: Mapping[str, Any]) -> Iterator[ContentProblem]:
    for revision in outcome.revisions:
        for where, value, title in dated.get(revision.blob, ()):
            fact = Dated(where, value, title)
            if fact.later_than(revision.at):
                yield _problem(BACKDATED, outcome, revision.letter, revision.commit,
                               revision.at, fact)


def early_commitments(data: Any, first_release: str | None) -> list[Dated]:
    """The commitments to the customer (feedback, confirmation) of a contract review's
    content dated before its first release — the approval of its formal review — or made
    with no approved review at all; none when the customer's waiver is recorded."""
    if not isinstance(data, dict) or data.get("customer_waiver"):
        return []
    found = []
    for key in COMMITMENTS:
        value = data.get(key)
        if isinstance(value, str):
            fact = Dated(f"/{key}", value)
            if first_release is None or not fact.later_than(first_release):
                found.append(fact)
    return found


def _commitments(outcome: ReleaseOutcome,
                 contents: Mapping[str, Any]) -> Iterator[ContentProblem]:
    """The commitments of the latest content (released or not) made before review."""
    first = outcome.revisions[0] if outcome.revisions else None
    blob = outcome.last_blob
    data = contents.get(blob) if blob else None
    latest = outcome.revisions[-1] if outcome.revisions else None
    letter = latest.letter if latest is not None and latest.blob == blob else "draft"
    for fact in early_commitments(data, first.at if first else None):
        yield _problem(COMMITMENT, outcome, letter, first.commit if first else "",
                       first.at if first else "", fact)


def _problem(code: str, outcome: ReleaseOutcome, letter: str, commit: str, at: str,
             fact: Dated) -> ContentProblem:
    assert outcome.path is not None
    return ContentProblem(code, outcome.record_id, outcome.path, letter, commit, at,
                          fact.where, fact.value, fact.title)


def findings(repo: Path, config: Config, store: SchemaStore,
             paths: set[str] | None = None) -> list[Finding]:
    """The content problems as ``validate --history`` findings, at the field's line in the
    record file when it is still there. A backdated revision is a warning (history is not
    rewritten); a commitment before review is an error until the waiver is recorded."""
    from .states import analyse

    info = gitlog.probe(repo)
    if not info.git:
        return []
    info, outcomes, _judge = analyse(repo, config)
    result = []
    for problem in problems(info, store, outcomes):
        if paths is not None and problem.path not in paths:
            continue
        line, column = _position(repo / problem.path, problem.where)
        where = Location(problem.path, line, column)
        make = warning if problem.code == BACKDATED else error
        result.append(make(problem.code, problem.where, where, problem.detail()))
    return result


def _position(path: Path, where: str) -> tuple[int, int]:
    try:
        doc = parse(path.read_bytes())
    except (OSError, LoadError):
        return 1, 1
    parts: list[str | int] = [int(p) if p.isdigit() else p for p in where.strip("/").split("/")]
    try:
        return doc.position(parts)
    except (KeyError, IndexError, TypeError, ValueError):
        return 1, 1


def validate_with_history(repo: Path, config: Config, store: SchemaStore,
                          paths: Sequence[Path] = (), **options: Any) -> ValidationReport:
    """``validate --history``: the checks of validate, the workflow states that went
    backwards in git, and what the released contents say against their release."""
    from ..checks.pipeline import validate_repo
    from ..records.files import display_path, expand

    report = validate_repo(repo, config, store, paths, history=True, **options)
    shown = {display_path(repo, p) for p in expand(repo, paths)} if paths else None
    report.findings.extend(findings(repo, config, store, shown))
    report.findings.sort(key=Finding.sort_key)
    return report
