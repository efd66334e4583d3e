"""``qmsdoc verify``: every approval in git history, judged against the policy.

The rules are those of the history engine (so that what ``verify`` accepts is exactly what
the forms print as signatures): roster membership and role right, no approval by an author
of a change since the previous release, ``Record-Blob`` equal to the record's blob in the
approval commit's tree, review before approval, and with signatures required a good
signature whose key the trusted keys file and the roster give to the committer.

Each approval is judged by the configuration in force at it: the last approved version of
qmsdoc.yaml's roster and approvals sections (history/configs.py), so a branch cannot grant
itself a role or relax the policy. The roster's signing keys are the trusted keys;
``--trusted-keys`` replaces the approved keys file for one run (e.g. a copy from elsewhere).

Then what the released contents say against their release (``content``): no fact dated
after the approval that released it (backdating), no commitment to the customer before a
contract review is approved.

Then the release anchors (``anchors``): every release tag against history, the ledger's
chain, the releases made without one, and their RFC 3161 time-stamps, checked against the
TSA's CA certificate as approved with the configuration in force (``audit.tsa.ca_file``
and the file's content at that approval; ``--tsa-ca`` replaces it for one run).
``--branch-of REF`` (a branch's pipeline) leaves the releases that REF's history holds and
HEAD's does not yet unjudged, one line each (branch.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .. import cachefile, collector
from ..config import Config
from ..schema import SchemaStore
from . import blobs
from . import branch as branches
from .anchors import AnchorProblem, unanchored
from .anchors import check_repository as check_anchors
from .configs import CONFIG_ID
from .content import ContentProblem, problems
from .policy import TRUSTED, UNSIGNED
from .releases import Violation
from .states import analyse
from .timestamps import Authority, approved_authority, given_authority


@dataclass(frozen=True)
class VerifyReport:
    approvals: int
    records: int
    violations: tuple[Violation, ...]
    shallow: bool = False
    signed: int = 0  # approvals whose signature proves their committer (roster key)
    unsigned: int = 0  # approvals with no signature: the name is self-declared
    pending: tuple[str, ...] = ()  # configuration changes waiting for approval
    content: tuple[ContentProblem, ...] = ()  # backdated revisions, commitments before review
    anchors: tuple[AnchorProblem, ...] = ()  # releases that no longer match their anchor
    unanchored: int = 0  # releases, when the clone holds no anchor at all (a note)
    not_judged: tuple[AnchorProblem, ...] = ()  # --branch-of: releases not on this branch
    branch_of: str = ""  # --branch-of REF, as given
    default_branch: str = ""  # with --branch-of: the default branch HEAD is (all judged)

    @property
    def ok(self) -> bool:
        return not self.violations and not self.shallow and not self.content and \
            not self.anchors


def verify(repo: Path, config: Config, *, require_signed: bool = False,
           trusted: Path | None = None, store: SchemaStore | None = None,
           cache: bool = False, tsa_ca: Path | None = None,
           branch_of: str | None = None) -> VerifyReport:
    """``tsa_ca``: the TSA's CA certificates to check time-stamps against instead of the
    approved ones (a file from outside the repository). ``cache``: read and keep the parsed
    log and what each record content gives (its attachments, its dates) between runs, under
    the repository's git directory or ``$QMSDOC_CACHE_DIR`` (``cachefile.py``); without it,
    everything is read from git. ``branch_of``: the branch HEAD's branch goes into
    (``--branch-of``, branch.py)."""
    store = store or SchemaStore()
    authority = given_authority(tsa_ca) if tsa_ca is not None else None
    folder = cachefile.location(repo, ancestry=True) if cache else None
    blobs.keep(folder, blobs.fingerprint(config, store) if folder is not None else "")
    try:
        with collector.paused():  # a whole history's small values, no cycles among them
            return _verify(repo, config, store, require_signed, trusted, folder, authority,
                           branch_of)
    finally:
        blobs.save()


def _verify(repo: Path, config: Config, store: SchemaStore, require_signed: bool,
            trusted: Path | None, folder: Path | None,
            authority: Authority | None = None,
            branch_of: str | None = None) -> VerifyReport:
    base = branches.for_repository(repo, branch_of)  # a bad REF: said before the long read
    info, outcomes, judge = analyse(repo, config, signatures=True, trusted=trusted,
                                    require_signed=require_signed, cache=folder)
    violations = [v for o in outcomes for v in o.violations]
    configs = judge.configs
    if configs is not None:
        violations.extend(Violation(commit, CONFIG_ID, "approve", who, problem)
                          for commit, who, problem in configs.violations)
    approvals = sum(len(o.status) for o in outcomes)
    approvals += configs.approvals if configs is not None else 0
    evidence = [e for o in outcomes for e in o.evidence.values()]
    evidence += configs.evidence if configs is not None else []
    records = sum(1 for o in outcomes if o.path is not None)
    content = tuple(problems(info, store, outcomes))
    authority = authority or approved_authority(configs)
    found = check_anchors(info, outcomes, authority, base)
    anchors = tuple(a for a in found if not a.note)
    none_anchored = 0 if anchors or info.shallow else unanchored(info, outcomes)
    return VerifyReport(approvals, records, tuple(violations), info.shallow,
                        signed=evidence.count(TRUSTED), unsigned=evidence.count(UNSIGNED),
                        pending=tuple(configs.pending if configs is not None else ()),
                        content=content, anchors=anchors, unanchored=none_anchored,
                        not_judged=tuple(a for a in found if a.note),
                        branch_of=branch_of or "",
                        default_branch=base.default if base is not None else "")
