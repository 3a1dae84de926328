"""The projector's bar chart of a class's answers: counts per diagnosis, nothing else.

Built from plain (name, count) pairs in the order to show them (right first, as
:func:`simulator.live.classroom.bars` gives them), so it tests without a store or a browser.
"""

from __future__ import annotations

from collections.abc import Sequence

import plotly.graph_objects as go

from .figures import NEGATIVE, POSITIVE, font_sizes

RIGHT_NAME, OTHER_NAME = "right", "other"
OTHER_INK = "#8C8C8C"  # grey: an answer nothing explains
INK = {False: "#1F2430", True: "#E6E8EC"}


def _colour(name: str, dark: bool) -> str:
    if name == RIGHT_NAME:
        return "#56B4E9" if dark else POSITIVE
    return OTHER_INK if name == OTHER_NAME else NEGATIVE


def tally_figure(bars: Sequence[tuple[str, int]], lecture: bool = False, dark: bool = False) -> go.Figure:
    """Horizontal bars, the first on top, each labelled with its count (colour is never the only cue).

    Right is blue, each mistake and slip vermillion, "other" grey (Okabe–Ito). ``dark`` picks the ink.
    """
    names = [name for name, _ in bars]
    counts = [count for _, count in bars]
    sizes = font_sizes(lecture)
    trace = {
        "type": "bar",
        "orientation": "h",
        "y": names,
        "x": counts,
        "text": [str(count) for count in counts],
        "textposition": "outside",
        "cliponaxis": False,
        "marker": {"color": [_colour(name, dark) for name in names]},
        "hovertemplate": "%{y}: %{x}<extra></extra>",
    }
    ink = INK[dark]
    top = max(counts, default=0)
    layout = {
        "height": 70 + 44 * max(len(bars), 1) + (20 if lecture else 0),
        "margin": {"l": 10, "r": 30, "t": 10, "b": 30},
        "xaxis": {"range": [0, max(top, 1) * 1.15], "dtick": max(1, round(top / 5)), "tickfont": {"color": ink}},
        "yaxis": {"autorange": "reversed", "tickfont": {"color": ink, "size": sizes["value"] + 2}},
        "font": {"size": sizes["value"] + 2, "color": ink},
        "bargap": 0.25,
        "plot_bgcolor": "rgba(0,0,0,0)",
        "paper_bgcolor": "rgba(0,0,0,0)",
        "showlegend": False,
    }
    return go.Figure({"data": [trace], "layout": layout}, _validate=False)
