"""What ``qmsdoc renumber`` prints: the record's new id and path, and the records whose
references were rewritten."""

from __future__ import annotations

from ..scaffold.renumber import Renumbered


def renumber_lines(done: Renumbered) -> list[str]:
    lines = [f"{done.old} → {done.new}: {done.path}"]
    lines.extend(f"  references rewritten in {path}" for path in done.rewritten)
    lines.append("nothing committed: review with git status / git diff, then commit "
                 "(git add -A records && git commit)")
    return lines
