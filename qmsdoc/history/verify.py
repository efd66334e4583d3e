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

from dataclasses import dataclass, replace
from pathlib import Path

from ..config import Config
from ..schema import SchemaStore
from .content import ContentProblem, problems
from .releases import Violation
from .states import SHALLOW_NOTE, analyse


@dataclass(frozen=True)
class Report:
    approvals: int
    records: int
    violations: tuple[Violation, ...]
    shallow: bool = False
    content: tuple[ContentProblem, ...] = ()  # backdated revisions, commitments before review

    @property
    def ok(self) -> bool:
        return not self.violations and not self.shallow and not self.content

    @property
    def lines(self) -> list[str]:
        head = [SHALLOW_NOTE] if self.shallow else []
        return head + [str(v) for v in self.violations] + [str(c) for c in self.content]

    @property
    def summary(self) -> str:
        text = (f"{self.approvals} approval(s) of {self.records} record(s) checked, "
                f"{len(self.violations)} violation(s)")
        if self.content:
            text += f", {len(self.content)} released content(s) contradicting their release"
        return text


def verify(repo: Path, config: Config, *, require_signed: bool = False,
           trusted: Path | None = None, store: SchemaStore | None = None) -> Report:
    if require_signed:
        data = dict(config.data)
        data["approvals"] = {**data.get("approvals", {}), "require_signed": True}
        config = replace(config, data=data)
    info, outcomes = analyse(repo, config, signatures=require_signed, trusted=trusted)
    violations = tuple(v for o in outcomes for v in o.violations)
    approvals = sum(len(o.status) for o in outcomes)
    records = sum(1 for o in outcomes if o.path is not None)
    content = tuple(problems(info, store or SchemaStore(), outcomes))
    return Report(approvals, records, violations, info.shallow, content)
