"""The report's charts as PNG bytes: a Pareto of defect types and a 12-month trend.

Drawn with matplotlib's object API (no pyplot: no global state) in a CJK font, so that
Chinese labels show as text, not as boxes. PNGs carry no timestamp or software tag: the
same statistics give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

from ..fonts import require_chinese_font
from ..i18n import TR_, Texts, tr
from .stats import Count

SEVERITY_COLOURS = {"major": "#c0392b", "general": "#e59866", "minor": "#85929e"}
SEVERITY_NAMES = Texts({"major": TR_("重大"), "general": TR_("一般"), "minor": TR_("轻微")})
DPI = 150


def cjk_font() -> str:
    """The family name of the Chinese font the charts use, loaded into matplotlib from the
    file fontconfig gives (so that a font cache older than the font does not matter);
    NoChineseFont (exit 2) when there is none."""
    from matplotlib import font_manager

    path = str(require_chinese_font("the report's charts"))
    font_manager.fontManager.addfont(path)
    return str(font_manager.FontProperties(fname=path).get_name())


def _style() -> Any:  # matplotlib types rc keys as a Literal
    return {"font.family": "sans-serif", "font.sans-serif": [cjk_font(), "DejaVu Sans"],
            "axes.unicode_minus": False, "svg.hashsalt": "qmsdoc", "font.size": 9}


def _png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=DPI, metadata={"Software": None})
    return buffer.getvalue()


def pareto(rows: Sequence[Count], title: str) -> bytes:
    """Bars of counts, most frequent first, with the cumulative share as a line."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_style()):
        figure = Figure(figsize=(6.4, 3.4))
        axes = figure.add_subplot()
        axes.set_title(title)
        if not rows:
            axes.text(0.5, 0.5, tr("本期无客户抱怨"), ha="center", va="center",
                      transform=axes.transAxes)
            axes.set_axis_off()
            return _png(figure)
        labels = [r.label for r in rows]
        counts = [r.count for r in rows]
        total = sum(counts)
        running, cumulative = 0, []
        for n in counts:
            running += n
            cumulative.append(100.0 * running / total)
        axes.bar(labels, counts, color="#2e86c1")
        axes.set_ylabel(tr("件数"))
        axes.set_ylim(0, max(counts) * 1.15)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        line = axes.twinx()
        line.plot(labels, cumulative, color="#c0392b", marker="o")
        line.axhline(80, color="#7f8c8d", linestyle="--", linewidth=0.8)
        line.set_ylim(0, 105)
        line.set_ylabel(tr("累计百分比 (%)"))
        figure.tight_layout()
        return _png(figure)


def trend(months: Sequence[tuple[date, dict[str, int]]], title: str) -> bytes:
    """Complaints per month for 12 months, stacked by severity."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    with matplotlib.rc_context(_style()):
        figure = Figure(figsize=(6.4, 3.2))
        axes = figure.add_subplot()
        axes.set_title(title)
        labels = [f"{m.year % 100:02d}/{m.month:02d}" for m, _ in months]
        bottom = [0] * len(months)
        for severity, colour in SEVERITY_COLOURS.items():
            values = [counts.get(severity, 0) for _, counts in months]
            axes.bar(labels, values, bottom=bottom, color=colour,
                     label=SEVERITY_NAMES[severity])
            bottom = [b + v for b, v in zip(bottom, values, strict=True)]
        other = [sum(v for k, v in counts.items() if k not in SEVERITY_COLOURS)
                 for _, counts in months]
        if any(other):
            axes.bar(labels, other, bottom=bottom, color="#d5d8dc", label=tr("未分级"))
            bottom = [b + v for b, v in zip(bottom, other, strict=True)]
        axes.set_ylabel(tr("件数"))
        axes.set_ylim(0, max([*bottom, 1]) * 1.2)
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="upper left", ncols=4, frameon=False)
        axes.tick_params(axis="x", labelsize=8)
        figure.tight_layout()
        return _png(figure)
