"""What ``qmsdoc render`` prints: the invalid records' errors and failures on stderr, one
line per file written on stdout, then how many records were not rendered."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

from ..i18n import _, ngettext
from ..render.run import RenderRun
from .findings import printable, text_line


def shown(path: Path) -> str:
    """The path relative to the current directory when it is below it, else absolute."""
    cwd = Path.cwd()
    return os.path.relpath(path, cwd) if path.absolute().is_relative_to(cwd) else str(path)


def render_lines(run: RenderRun, changed_since: str | None = None) -> Iterator[tuple[str, bool]]:
    """(line, for stderr) pairs, produced as the forms are written."""
    if run.nothing_changed:
        yield _("no records changed since {ref}").format(ref=changed_since), True
        return
    for finding in run.findings:
        yield text_line(finding), True
    for item in run.files:
        if item.path is None:
            yield printable("qmsdoc: " + _("{path}: not rendered: {problem}").format(
                path=item.record_path, problem=item.error)), True
        else:
            yield printable(shown(item.path)), False
    if run.problem is not None:
        for line in str(run.problem).splitlines():
            yield printable(f"qmsdoc: {line}"), True
        return
    if run.skipped:
        yield "qmsdoc: " + ngettext("{n} record not rendered", "{n} records not rendered",
                                    run.skipped).format(n=run.skipped), True
