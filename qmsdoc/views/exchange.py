"""The import report (one line per problem, at the log's row and column, then what was or
would be written) and the export's one line."""

from __future__ import annotations

import os
from pathlib import Path

from ..exchange.importer import Plan
from ..exchange.rows import Planned, Problem
from ..exchange.run import Exported
from ..exchange.sheet import Sheet
from ..i18n import _, ngettext


def problem_line(sheet: Sheet, row: int, severity: str, problem: Problem) -> str:
    """``LOG.xlsx:Sheet!ROW:COL: error[CODE]: FIELD: MESSAGE`` (COL is the column letter)."""
    return (f"{sheet.where(row, problem.column)}: {severity}[{problem.code}]: "
            f"{problem.field}: {problem.message}")


def _row_lines(sheet: Sheet, item: Planned) -> list[str]:
    def key(p: Problem) -> tuple[int, str]:
        return (p.column or 0, p.field)

    return ([problem_line(sheet, item.row, "error", p) for p in sorted(item.problems, key=key)]
            + [problem_line(sheet, item.row, "warning", p)
               for p in sorted(item.warnings, key=key)])


def import_report(plan: Plan, wrote: bool) -> str:
    lines: list[str] = []
    for item in plan.rows:
        lines += _row_lines(plan.sheet, item)
    if wrote:
        lines += [_("wrote {path} ({source})").format(path=item.path, source=item.source)
                  for item in plan.written]
    rows = len(plan.rows)
    new = len(plan.written) if wrote else len(plan.new)
    parts = [(_("{n} written") if wrote else _("{n} to write")).format(n=new),
             (_("{n} with errors (not written)") if wrote else _("{n} with errors")).format(
                 n=len(plan.invalid)),
             _("{n} already imported").format(n=len(plan.already))]
    tail = "" if wrote else _("; dry run, nothing written (add --write)")
    lines.append(f"{plan.sheet.file}:{plan.sheet.name}: " + ngettext(
        "{n} row read with {mapping}", "{n} rows read with {mapping}", rows).format(
            n=rows, mapping=plan.mapping.source) + ": " + _(", ").join(parts) + tail)
    return "\n".join(lines)


def export_lines(done: Exported) -> list[tuple[str, bool]]:
    """(line, for stderr) pairs: the file written (or the CSV itself), then the record files
    left out of the register (it would look complete without a word)."""
    if done.path is None:
        lines = [(done.text, False)]  # ends with its own line end
    else:
        lines = [(_("wrote {path} ({n} records)").format(
            path=os.path.relpath(done.path, Path.cwd()), n=done.records), False)]
    if done.left_out:
        lines.append(("qmsdoc: " + _("warning: {n} record file(s) could not be read and are "
                                     "not in the register; run qmsdoc validate:").format(
            n=len(done.left_out)), True))
        lines += [(f"  {rel}", True) for rel in done.left_out]
    return lines
