"""What ``qmsdoc renumber`` prints: the record's new id and path, and the records whose
references were rewritten."""

from __future__ import annotations

from ..scaffold.keys import KeySetup
from ..scaffold.renumber import Renumbered


def renumber_lines(done: Renumbered) -> list[str]:
    lines = [f"{done.old} → {done.new}: {done.path}"]
    lines.extend(f"  references rewritten in {path}" for path in done.rewritten)
    lines.append("nothing committed: review with git status / git diff, then commit "
                 "(git add -A records && git commit)")
    return lines


def keys_lines(done: KeySetup) -> list[str]:
    made = "generated" if done.generated else "using"
    lines = [f"{made} {done.public}; git now signs with it here (gpg.format ssh, "
             "user.signingkey); sign approvals with qmsdoc approve --sign",
             "add the key to your roster entry in qmsdoc.yaml (then a 总经理/管理者代表/文控 "
             "approves the change: qmsdoc approve qmsdoc.yaml --as approve):"]
    who = done.person or f"<your key; {done.email} is not in the roster>"
    lines.append(f"  - {{key: {who}, …, signing_keys: ['{done.public_key}']}}")
    return lines
