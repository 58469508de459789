"""Small matplotlib charts rendered to inline SVG, so a report is one file with no assets.

Figures are built with ``matplotlib.figure.Figure`` directly, never pyplot: no global state, no
GUI backend, safe to call from the CLI or a server. Text stays text in the SVG
(``svg.fonttype: none``), so the browser draws it with its own fonts; matplotlib only measures
it, with DejaVu Sans, the font it ships.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Mapping, Sequence

import matplotlib
import pandas as pd
from matplotlib.dates import DateFormatter, MonthLocator
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
# C0 controls but tab/newline/carriage return, DEL and C1 controls: not text in HTML or SVG.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
SVG_STYLE = {"svg.fonttype": "none", "font.size": 9, "font.family": "sans-serif",
             "font.sans-serif": ["DejaVu Sans"], "axes.spines.top": False,
             "axes.spines.right": False}


def clean(text: object) -> str:
    """``text`` as a string without control characters (NUL and friends from the data)."""
    return CONTROL.sub("", str(text))


def to_svg(fig: Figure) -> str:
    """The ``<svg>`` element alone: no XML prolog, doctype or RDF metadata; text kept as text.

    A label with a glyph DejaVu Sans lacks (CJK, emoji) makes matplotlib warn while measuring
    it; the browser draws that text with its own fonts, so that one warning is silenced.
    """
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_STYLE), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font")
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return METADATA.sub("", text[text.index("<svg"):])


def monthly(series: Mapping[str, pd.Series], title: str, ylabel: str) -> str:
    """One line per named series over a monthly datetime index, a tick every quarter."""
    with matplotlib.rc_context(SVG_STYLE):
        fig = Figure(figsize=(8, 3.4))
        ax = fig.add_subplot()
        for name, values in series.items():
            ax.plot(values.index, values.to_numpy(), label=clean(name), linewidth=1.5,
                    marker="o", markersize=2.5)
        ax.set_title(clean(title), loc="left")
        ax.set_ylabel(ylabel)
        ax.set_ylim(bottom=0)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.xaxis.set_major_locator(MonthLocator(bymonth=(1, 4, 7, 10)))
        ax.xaxis.set_major_formatter(DateFormatter("%b %Y"))
        ax.grid(axis="y", color="#eee")
        if series:
            ax.legend(fontsize=8, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
        fig.autofmt_xdate()
        return to_svg(fig)


def bars(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str,
         notes: Sequence[str] | None = None, xmax: float | None = None) -> str:
    """Horizontal bars, first on top, each optionally annotated (``12/40``); the axis runs
    to ``xmax`` (100 for a percentage) or the largest value, with room for the notes."""
    with matplotlib.rc_context(SVG_STYLE):
        fig = Figure(figsize=(8, 0.8 + 0.32 * max(len(labels), 1)))
        ax = fig.add_subplot()
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, values, color="#3b7dd8")
        ax.set_yticks(positions, [clean(label) for label in labels])
        ax.set_title(clean(title), loc="left")
        ax.set_xlabel(xlabel)
        ax.set_xlim(0, max([xmax or 0.0, *values, 1.0]) * 1.15)
        for y, value, note in zip(positions, values, notes or [""] * len(labels), strict=True):
            if note:
                ax.annotate(note, (value, y), xytext=(4, 0), textcoords="offset points",
                            va="center", fontsize=8)
        return to_svg(fig)
