"""What ``qmsdoc renumber`` prints: the record's new id and path, and the records whose
references were rewritten."""

from __future__ import annotations

from ..i18n import _
from ..scaffold.keys import KeySetup
from ..scaffold.renumber import Renumbered


def renumber_lines(done: Renumbered) -> list[str]:
    lines = [f"{done.old} → {done.new}: {done.path}"]
    lines.extend(_("  references rewritten in {path}").format(path=path)
                 for path in done.rewritten)
    lines.append(_("nothing committed: review with git status / git diff, then commit "
                   "(git add -A records && git commit)"))
    return lines


def keys_lines(done: KeySetup) -> list[str]:
    made = _("generated {key}") if done.generated else _("using {key}")
    lines = [made.format(key=done.public) + _("; git now signs with it here (gpg.format ssh, "
                                              "user.signingkey); sign approvals with qmsdoc "
                                              "approve --sign"),
             _("add the key to your roster entry in qmsdoc.yaml (then a 总经理/管理者代表/文控 "
               "approves the change: qmsdoc approve qmsdoc.yaml --as approve):")]
    who = done.person or _("<your key; {email} is not in the roster>").format(email=done.email)
    lines.append(f"  - {{key: {who}, …, signing_keys: ['{done.public_key}']}}")
    return lines
