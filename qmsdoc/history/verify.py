"""``qmsdoc verify``: every approval in git history, judged against the policy.

The rules are those of the history engine (so that what ``verify`` accepts is exactly what
the forms print as signatures): roster membership and role right, no approval by an author
of a change since the previous release, ``Record-Blob`` equal to the record's blob in the
approval commit's tree, review before approval, and with signatures required a good
signature whose key the trusted keys file and the roster give to the committer.

Then what the released contents say against their release (``content``): no fact dated
after the approval that released it (backdating), no commitment to the customer before a
contract review is approved.

The roster and the trusted keys are read from the checked-out branch. In CI, verify a pull
request with the base branch's trusted keys file (``--trusted-keys``), and protect
``qmsdoc.yaml`` with code-owner review: otherwise a branch could add its author to the roster.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..config import Config
from ..schema import SchemaStore
from .content import ContentProblem, problems
from .releases import Violation
from .states import analyse


@dataclass(frozen=True)
class VerifyReport:
    approvals: int
    records: int
    violations: tuple[Violation, ...]
    shallow: bool = False
    content: tuple[ContentProblem, ...] = ()  # backdated revisions, commitments before review

    @property
    def ok(self) -> bool:
        return not self.violations and not self.shallow and not self.content


def verify(repo: Path, config: Config, *, require_signed: bool = False,
           trusted: Path | None = None, store: SchemaStore | None = None) -> VerifyReport:
    info, outcomes = analyse(repo, config, signatures=require_signed, trusted=trusted,
                             require_signed=require_signed)
    violations = tuple(v for o in outcomes for v in o.violations)
    approvals = sum(len(o.status) for o in outcomes)
    records = sum(1 for o in outcomes if o.path is not None)
    content = tuple(problems(info, store or SchemaStore(), outcomes))
    return VerifyReport(approvals, records, violations, info.shallow, content)
