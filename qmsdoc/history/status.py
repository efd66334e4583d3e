"""The document status model: what a printed copy of one revision of a record is.

Exactly one of four, judged from the record's state in git and from whether git backs
everything the copy is printed from (record, template, ``qmsdoc.yaml``):

* 受控·现行 — the latest released revision, in force (also when a newer draft exists);
* 草稿 — a content not (yet) released: not for use;
* 作废 — a released revision that a later release superseded: not for use;
* 非受控 — printed from something git does not back (uncommitted, untracked,
  assume-unchanged / skip-worktree, no history): no status can be claimed for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .revision import RecordState

CONTROLLED, DRAFT, OBSOLETE, UNCONTROLLED = "controlled", "draft", "obsolete", "uncontrolled"

LABELS = {
    CONTROLLED: "受控·现行",
    DRAFT: "草稿",
    OBSOLETE: "作废",
    UNCONTROLLED: "非受控",
}
# The stamp printed under 版次 and across the signature block (none on a controlled copy).
STAMPS = {
    CONTROLLED: "",
    DRAFT: "草稿 未经批准 不得使用",
    OBSOLETE: "作废 已被新版次替代 不得使用",
    UNCONTROLLED: "非受控 仅供参考",
}


@dataclass(frozen=True)
class DocStatus:
    code: str  # CONTROLLED, DRAFT, OBSOLETE or UNCONTROLLED
    reasons: tuple[str, ...] = ()  # why, in the forms' language

    @property
    def label(self) -> str:
        return LABELS[self.code]

    @property
    def stamp(self) -> str:
        return STAMPS[self.code]

    @property
    def controlled(self) -> bool:
        return self.code == CONTROLLED

    def describe(self) -> str:
        """``作废（已被版次 B 替代）``: the label with its reasons."""
        return f"{self.label}（{'；'.join(self.reasons)}）" if self.reasons else self.label


def status_of(state: RecordState, unbacked: Sequence[str] = ()) -> DocStatus:
    """The status of the copy printed from ``state``; ``unbacked`` names the files it is
    printed from that git does not back (``templates/complaint.docx 未纳入 git``)."""
    causes = (*state.causes, *unbacked)
    if causes or not state.controlled:
        return DocStatus(UNCONTROLLED, causes or ("无 git 历史",))
    if state.state != "released":
        letter = f"版次 {state.revision} 待批准" if state.revision else "待批准"
        return DocStatus(DRAFT, (letter,))
    if state.superseded_by is not None:
        return DocStatus(OBSOLETE, (f"已被版次 {state.superseded_by} 替代",))
    return DocStatus(CONTROLLED)
