"""What ``qmsdoc anchor`` prints: the anchors written, then the ledger's size and heads."""

from __future__ import annotations

from ..history.anchors import Anchor, Ledger


def anchor_lines(written: list[Anchor], ledger: Ledger, notes: list[str]) -> list[str]:
    lines = list(notes)
    lines += [f"anchored {a.name}: content {a.blob[:12]} released in {a.commit[:12]} "
              f"({a.released_at}), ledger entry {a.digest[:12]}" for a in written]
    heads = ", ".join(f"{a.digest[:12]} ({a.name})" for a in ledger.heads())
    lines.append(f"ledger: {len(ledger.anchors)} release anchor(s)"
                 + (f", head {heads}" if heads else ""))
    stamped = sum(1 for a in ledger.anchors if a.token)
    if stamped:
        lines.append(f"{stamped} of {len(ledger.anchors)} anchor(s) carry an RFC 3161 "
                     "time-stamp")
    if written:
        lines.append("share them: git push origin 'refs/tags/release/*' (or git config "
                     "push.followTags true)")
    return lines
