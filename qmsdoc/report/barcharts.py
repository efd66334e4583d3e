"""Bar charts of the reports of special requirements, contract reviews and 8D: stacked
counts per category, or a rate per category; PNG bytes in the complaint charts' Chinese
font and style (no timestamp: the same figures give the same bytes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..i18n import TR_, tr
from .charts import _png, _style

GOOD, LATE, BAD, WAITING, NEUTRAL = "#27ae60", "#e59866", "#c0392b", "#85929e", "#2e86c1"
COLOURS = (NEUTRAL, LATE, BAD, GOOD, WAITING, "#8e44ad")


def stacked(categories: Sequence[str], series: Sequence[tuple[str, Sequence[int]]],
            title: str, empty: str = TR_("本期无数据"),
            colours: Sequence[str] = COLOURS) -> bytes:
    """One bar per category, stacked by series (label, a count per category)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_style()):
        figure = Figure(figsize=(6.4, 3.2))
        axes = figure.add_subplot()
        axes.set_title(title)
        if not categories:
            return _png(_blank(figure, axes, empty))
        bottom = [0] * len(categories)
        for (label, values), colour in zip(series, colours, strict=False):
            axes.bar(list(categories), list(values), bottom=bottom, color=colour, label=label)
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        axes.set_ylabel(tr("件数"))
        axes.set_ylim(0, max([*bottom, 1]) * 1.25)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="upper left", ncols=len(series), frameon=False)
        axes.tick_params(axis="x", labelsize=8)
        figure.tight_layout()
        return _png(figure)


def rates(categories: Sequence[str], values: Sequence[float | None], title: str,
          empty: str = TR_("本期无数据")) -> bytes:
    """One bar per category with its rate (0–1) in per cent; no bar where there is none."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_style()):
        figure = Figure(figsize=(6.4, 3.0))
        axes = figure.add_subplot()
        axes.set_title(title)
        if not categories:
            return _png(_blank(figure, axes, empty))
        shown = [100.0 * v if v is not None else 0.0 for v in values]
        bars = axes.bar(list(categories), shown, color="#2e86c1")
        for bar, value in zip(bars, values, strict=True):
            text = f"{value:.0%}" if value is not None else "—"
            axes.annotate(text, (bar.get_x() + bar.get_width() / 2, bar.get_height()),
                          ha="center", va="bottom", fontsize=8)
        axes.set_ylim(0, 115)
        axes.set_ylabel("%")
        axes.tick_params(axis="x", labelsize=8)
        figure.tight_layout()
        return _png(figure)


def _blank(figure: Any, axes: Any, empty: str) -> Any:
    """The chart of a period without data: its title and a line saying so."""
    axes.text(0.5, 0.5, tr(empty), ha="center", va="center", transform=axes.transAxes)
    axes.set_axis_off()
    return figure
