"""What ``qmsdoc anchor`` prints: the anchors written, then the ledger's size and heads."""

from __future__ import annotations

from ..history.anchors import Anchor, Ledger
from ..i18n import _


def anchor_lines(written: list[Anchor], ledger: Ledger, notes: list[str]) -> list[str]:
    lines = list(notes)
    lines += [_("anchored {name}: content {blob} released in {commit} ({at}), ledger entry "
                "{entry}").format(name=a.name, blob=a.blob[:12], commit=a.commit[:12],
                                  at=a.released_at, entry=a.digest[:12]) for a in written]
    heads = ", ".join(f"{a.digest[:12]} ({a.name})" for a in ledger.heads())
    lines.append(_("ledger: {n} release anchor(s)").format(n=len(ledger.anchors))
                 + (_(", head {heads}").format(heads=heads) if heads else ""))
    stamped = sum(1 for a in ledger.anchors if a.token)
    if stamped:
        lines.append(_("{n} of {all} anchor(s) carry an RFC 3161 time-stamp").format(
            n=stamped, all=len(ledger.anchors)))
    if written:
        lines.append(_("share them: git push origin 'refs/tags/release/*' (or git config "
                       "push.followTags true)"))
    return lines
