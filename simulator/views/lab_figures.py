"""Plotly figures of the training lab: output map, learned curve, weight trajectories.

Pure builders from engine data (:mod:`simulator.core.boundary`, :mod:`simulator.core.history`), so they
test without a browser. Colours are Okabe–Ito (safe for every common colour-vision deficiency):
vermillion for low outputs, blue for high, and classes differ by marker shape as well.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from ..core.boundary import Curve, Grid
from ..core.datasets import Dataset
from ..core.history import History, parameter_layers
from ..core.names import layer_mark, subscript
from .figures import INK, NEGATIVE, POSITIVE, _figure, _scatter, font_sizes

DARK_PAPER, DARK_INK = "#0E1117", "#FAFAFA"
LAYER_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
MAX_POINTS = 400  # per trajectory line


def _theme(dark: bool) -> dict:
    paper = DARK_PAPER if dark else "white"
    return {"paper_bgcolor": paper, "plot_bgcolor": paper}


def output_scale(dark: bool = False) -> list[list]:
    """Diverging vermillion → neutral → blue; the neutral middle follows the theme."""
    middle = "#2B2F3A" if dark else "#F7F7F7"
    return [[0.0, NEGATIVE], [0.5, middle], [1.0, POSITIVE]]


def _range(values: np.ndarray, targets: np.ndarray) -> tuple[float, float]:
    """0 to 1 when outputs and targets all lie there (sigmoid, softmax), else their joint range."""
    low, high = float(min(values.min(), targets.min())), float(max(values.max(), targets.max()))
    if low >= 0.0 and high <= 1.0:
        return 0.0, 1.0
    return (low, high) if high > low else (low - 0.5, high + 0.5)


def _classes(targets: np.ndarray, middle: float) -> list[tuple[str, np.ndarray, str, str]]:
    high = targets >= middle
    return [
        (f"t ≥ {middle:g}", high, "circle", POSITIVE),
        (f"t < {middle:g}", ~high, "x", NEGATIVE),
    ]


def boundary_figure(
    grid: Grid, dataset: Dataset | None, dark: bool = False, lecture: bool = False, unit: int = 0
) -> go.Figure:
    """Heatmap of output unit ``unit`` over the input plane, with the data points on it.

    Points with a target on the high side of the scale's middle are blue circles, the others
    vermillion crosses, so classes differ by shape as well as colour.
    """
    sizes = font_sizes(lecture)
    values = grid.outputs[:, :, unit]
    targets = dataset.t[:, unit] if dataset is not None else values.ravel()
    low, high = _range(values, targets)
    middle = (low + high) / 2
    ink = DARK_INK if dark else INK
    traces = [
        {
            "type": "heatmap",
            "x": grid.x1,
            "y": grid.x2,
            "z": values,
            "zmin": low,
            "zmax": high,
            "colorscale": output_scale(dark),
            "colorbar": {"title": {"text": f"o{_sub(unit)}"}, "thickness": 14},
            "hovertemplate": "x₁ %{x:.3g}, x₂ %{y:.3g}<br>output %{z:.4g}<extra></extra>",
        }
    ]
    if dataset is not None:
        for name, chosen, symbol, colour in _classes(targets, middle):
            if not chosen.any():
                continue
            traces.append(
                _scatter(
                    x=dataset.x[chosen, 0],
                    y=dataset.x[chosen, 1],
                    mode="markers",
                    name=name,
                    customdata=targets[chosen],
                    marker={
                        "symbol": symbol,
                        "size": 9 if not lecture else 13,
                        "color": colour,
                        "line": {"width": 1.5, "color": DARK_PAPER if dark else "white"},
                    },
                    hovertemplate="x₁ %{x:.3g}, x₂ %{y:.3g}<br>target %{customdata:.4g}<extra></extra>",
                )
            )
    (x_low, x_high), (y_low, y_high) = grid.bounds
    return _figure(
        traces,
        dict(
            height=440,
            margin={"l": 10, "r": 10, "t": 30, "b": 10},
            xaxis={"title": {"text": "x₁"}, "range": [x_low, x_high], "constrain": "domain"},
            yaxis={"title": {"text": "x₂"}, "range": [y_low, y_high], "scaleanchor": "x", "constrain": "domain"},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            **_theme(dark),
            font={"size": sizes["value"] + 1, "color": ink},
        ),
    )


def _sub(unit: int) -> str:
    return subscript(unit + 1)


def curve_figure(
    curve: Curve, dataset: Dataset | None, dark: bool = False, lecture: bool = False, unit: int = 0
) -> go.Figure:
    """The learned curve of a one-input network against the targets."""
    sizes = font_sizes(lecture)
    traces = [
        _scatter(
            x=curve.x,
            y=curve.outputs[:, unit],
            mode="lines",
            name=f"network output o{_sub(unit)}",
            line={"color": POSITIVE, "width": 3},
            hovertemplate="x %{x:.3g}<br>output %{y:.4g}<extra></extra>",
        )
    ]
    if dataset is not None:
        traces.append(
            _scatter(
                x=dataset.x[:, 0],
                y=dataset.t[:, unit],
                mode="markers",
                name=f"target t{_sub(unit)}",
                marker={"symbol": "diamond", "size": 8, "color": NEGATIVE},
                hovertemplate="x %{x:.3g}<br>target %{y:.4g}<extra></extra>",
            )
        )
    ink = DARK_INK if dark else INK
    return _figure(
        traces,
        dict(
            height=360,
            margin={"l": 10, "r": 10, "t": 30, "b": 10},
            xaxis={"title": {"text": "x₁"}, "range": list(curve.bounds[0])},
            yaxis={"title": {"text": "output"}},
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            **_theme(dark),
            font={"size": sizes["value"] + 1, "color": ink},
        ),
    )


def _thinned(count: int, most: int = MAX_POINTS) -> np.ndarray:
    """At most ``most`` indices spread evenly over ``count``, the first and last included."""
    if count <= most:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, most).round().astype(int))


def _parameter_traces(steps: np.ndarray, values: np.ndarray, names: Sequence[str], kinds) -> list[dict]:
    """One trace per layer's weights and one per layer's biases (``kinds``: ("W" or "b", layer) of
    each parameter), their lines split by NaN."""
    traces = []
    for kind in ("W", "b"):
        for layer in sorted({l for _, l in kinds}):
            columns = [i for i, k in enumerate(kinds) if k == (kind, layer)]
            if not columns:
                continue
            gap = np.full(1, np.nan)
            xs = np.concatenate([np.concatenate([steps, gap]) for _ in columns])
            ys = np.concatenate([np.concatenate([values[:, i], gap]) for i in columns])
            text = [names[i] for i in columns for _ in range(len(steps) + 1)]
            traces.append(
                _scatter(
                    x=xs,
                    y=ys,
                    mode="lines",
                    name=f"{kind}{layer_mark(layer)}",
                    text=text,
                    line={
                        "color": LAYER_COLOURS[(layer - 1) % len(LAYER_COLOURS)],
                        "width": 1.5,
                        "dash": "dot" if kind == "b" else "solid",
                    },
                    hovertemplate="%{text}<br>step %{x}: %{y:.4g}<extra></extra>",
                )
            )
    return traces


def trajectory_figure(
    history: History, marks: Sequence[int] = (), dark: bool = False, lecture: bool = False
) -> go.Figure:
    """One line per weight and bias over training (sampled at the snapshot steps), one colour per layer.

    Biases are dashed; ``marks`` draws a vertical line at each of those steps (the steps being compared).
    """
    sizes = font_sizes(lecture)
    steps, values, names = history.trajectory()
    chosen = _thinned(len(steps))
    traces = _parameter_traces(steps[chosen], values[chosen], names, parameter_layers(history.start))
    ink = DARK_INK if dark else INK
    shapes = [
        {
            "type": "line",
            "x0": k,
            "x1": k,
            "yref": "paper",
            "y0": 0,
            "y1": 1,
            "line": {"color": ink, "width": 1, "dash": "dash"},
        }
        for k in marks
    ]
    return _figure(
        traces,
        dict(
            height=320,
            margin={"l": 10, "r": 10, "t": 30, "b": 10},
            xaxis={"title": {"text": "Step"}, "exponentformat": "none", "separatethousands": True},
            yaxis={"title": {"text": "value"}},
            shapes=shapes,
            legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
            **_theme(dark),
            font={"size": sizes["value"] + 1, "color": ink},
        ),
    )
