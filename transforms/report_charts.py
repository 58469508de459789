"""Small matplotlib charts rendered to inline SVG, so a report is one file with no assets.

Figures are built with ``matplotlib.figure.Figure`` directly, never pyplot: no global state, no
GUI backend, safe to call from the CLI or a server.
"""

from __future__ import annotations

import io
import re
from collections.abc import Mapping, Sequence

import matplotlib
import pandas as pd
from matplotlib.figure import Figure

METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.S)
SVG_STYLE = {"svg.fonttype": "none", "font.size": 9, "axes.spines.top": False,
             "axes.spines.right": False}


def to_svg(fig: Figure) -> str:
    """The ``<svg>`` element alone: no XML prolog, doctype or RDF metadata; text kept as text."""
    buffer = io.StringIO()
    with matplotlib.rc_context(SVG_STYLE):
        fig.savefig(buffer, format="svg", bbox_inches="tight")
    text = buffer.getvalue()
    return METADATA.sub("", text[text.index("<svg"):])


def lines(series: Mapping[str, pd.Series], title: str, ylabel: str) -> str:
    """One line per named series sharing a datetime index."""
    with matplotlib.rc_context(SVG_STYLE):
        fig = Figure(figsize=(8, 3.2))
        ax = fig.add_subplot()
        for name, values in series.items():
            ax.plot(values.index, values.to_numpy(), label=name, linewidth=1.4)
        ax.set_title(title, loc="left")
        ax.set_ylabel(ylabel)
        if series:
            ax.legend(fontsize=8, frameon=False, loc="upper left")
        fig.autofmt_xdate()
        return to_svg(fig)


def bars(labels: Sequence[str], values: Sequence[float], title: str, xlabel: str,
         notes: Sequence[str] | None = None) -> str:
    """Horizontal bars, largest on top, each optionally annotated (``12/40``)."""
    with matplotlib.rc_context(SVG_STYLE):
        fig = Figure(figsize=(8, 0.6 + 0.32 * max(len(labels), 1)))
        ax = fig.add_subplot()
        positions = list(range(len(labels)))[::-1]
        ax.barh(positions, values, color="#3b7dd8")
        ax.set_yticks(positions, labels)
        ax.set_title(title, loc="left")
        ax.set_xlabel(xlabel)
        for y, value, note in zip(positions, values, notes or [""] * len(labels), strict=True):
            if note:
                ax.annotate(note, (value, y), xytext=(4, 0), textcoords="offset points",
                            va="center", fontsize=8)
        return to_svg(fig)
