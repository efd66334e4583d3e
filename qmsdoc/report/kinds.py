"""``qmsdoc report special-requirements|contract-reviews|8d``: build the kind's report and
write its .docx (tables and charts) and .xlsx, all made before the first is written."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from .. import atomic
from ..config import Config
from ..deadlines import rulepaths
from ..deadlines import rules as clockrules
from ..i18n import report_language
from ..schema import SchemaStore
from . import charts, contract_reviews, eightd, frame, special_requirements
from .frame import Report
from .period import Period

Build = Callable[[Path, Config, SchemaStore, Period, "datetime | str | None", bool],
                 tuple[Report, list[str]]]
KINDS: dict[str, Build] = {
    "special-requirements": special_requirements.build,
    "contract-reviews": contract_reviews.build,
    "8d": eightd.build,
}


def write(kind: str, repo: Path, config: Config, store: SchemaStore, period: Period,
          out: Path, *, formats: Sequence[str] = ("docx", "xlsx"),
          now: datetime | str | None = None) -> tuple[list[Path], list[str]]:
    """Write the report files into ``out``: their paths, and the record files left out. The
    deadline rules' field paths are checked against the schemas first."""
    rulepaths.check(clockrules.load(config), store)
    if "docx" in formats:  # before anything is computed: its charts need a Chinese font
        charts.cjk_font()
    report, left_out = KINDS[kind](repo, config, store, period, now, "docx" in formats)
    base = out / f"{report.form}-{period.label}"
    files: dict[Path, bytes] = {}
    if "xlsx" in formats:
        files[base.with_suffix(".xlsx")] = frame.workbook(report, config)
    if "docx" in formats:
        files[base.with_suffix(".docx")] = frame.document(
            report, config, frame.template(repo, config, report))
    for path, data in files.items():
        atomic.replace(path, data)
    return list(files), left_out


def report(kind: str, repo: Path, config: Config, store: SchemaStore, out: Path, *,
           month: str | None, quarter: str | None, year: str | None,
           formats: Sequence[str] = (), now: datetime | str | None = None,
           ) -> tuple[list[Path], list[str]]:
    """``qmsdoc report KIND``: the period from ``--month``, ``--quarter`` or ``--year``,
    then :func:`write`."""
    period = Period.chosen(month, quarter, year)
    config = config.in_english() if report_language() == "en" else config
    return write(kind, repo, config, store, period, out, formats=formats or ("docx", "xlsx"),
                 now=now)
