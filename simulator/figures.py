"""Plotly figures built from plain data; no Streamlit here, so they test without a browser.

Each builder writes the figure as plain dicts and wraps them without Plotly's
validation, which costs ~40 ms per graph on every rerun; the tests validate
every builder's output once instead.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import plotly.graph_objects as go

from .activations import ACTIVATIONS, derivative
from .graph import GraphModel

# Okabe–Ito colours: distinguishable with every common colour-vision deficiency.
POSITIVE = "#0072B2"  # blue
NEGATIVE = "#D55E00"  # vermillion; negative edges are dashed as well
HIGHLIGHT = "#F0E442"  # yellow
NODE = "#FFFFFF"
DIM_OPACITY = 0.22
SPOTLIGHT_OPACITY = 0.07  # the presenter's spotlight: what the stage does not touch nearly fades out
FAINT_INK = "#C9CDD4"
INK = "#1F2430"


def font_sizes(lecture: bool) -> dict[str, int]:
    """Plotly ignores the Streamlit theme's font size, so sizes are set here."""
    return (
        {"label": 26, "value": 19, "edge": 18, "title": 22, "node": 74}
        if lecture
        else {
            "label": 17,
            "value": 12,
            "edge": 12,
            "title": 14,
            "node": 50,
        }
    )


def _scatter(**trace) -> dict:
    # Clicking a unit selects it; Plotly would then fade every other point, which reads as a stage change.
    return {"type": "scatter", "unselected": {"marker": {"opacity": 1.0}}, **trace}


def _figure(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure({"data": data, "layout": layout}, _validate=False)


def _edge_ink(edge, anything_lit: bool, spotlight: bool = False) -> str:
    if edge.highlighted or not anything_lit:
        return NEGATIVE if edge.weight < 0 else POSITIVE
    return FAINT_INK if spotlight else "#9AA0AA"


def _edge_width(weight: float, largest: float) -> float:
    """1 to 8 px in 15 steps: close enough to ∝ |w|, and few enough traces for 1,800 edges."""
    return 1.0 + round(14.0 * abs(weight) / largest) / 2.0 if largest > 0 else 1.0


def network_figure(model: GraphModel, lecture: bool = False, spotlight: bool = False) -> go.Figure:
    """Node-link diagram: width ∝ |w|, blue positive, dashed vermillion negative, current stage lit.

    With ``spotlight`` what the current stage does not touch is dimmed much further (for the back row).
    """
    sizes = font_sizes(lecture)
    layers = sorted({n.layer for n in model.nodes})
    tallest = max((abs(n.y) for n in model.nodes), default=1.0)
    height = (470 if lecture else 420) + 60 * max(0.0, tallest - 1.5)
    y_range = [-tallest - 0.85, tallest + 0.75]
    pixels_per_unit = height / (y_range[1] - y_range[0])
    node_size = min(sizes["node"], 0.8 * pixels_per_unit)  # units one apart must not touch
    position = {node.id: (node.x, node.y) for node in model.nodes}
    largest = max((abs(edge.weight) for edge in model.edges), default=0.0)
    # A stage that lights nothing (none does today) would show everything at full strength.
    anything_lit = any(edge.highlighted for edge in model.edges) or any(node.highlighted for node in model.nodes)

    groups: dict[tuple, list] = defaultdict(list)
    for edge in model.edges:
        key = (edge.weight < 0, _edge_width(edge.weight, largest), edge.highlighted or not anything_lit)
        groups[key].append(edge)
    traces = []
    for (negative, width, lit), edges in sorted(groups.items()):
        # One trace per style, segments split by NaN; arrays keep Plotly's deep copies cheap.
        segments = np.array([(*position[e.source], *position[e.target]) for e in edges])
        xs = np.column_stack([segments[:, 0], segments[:, 2], np.full(len(edges), np.nan)]).ravel()
        ys = np.column_stack([segments[:, 1], segments[:, 3], np.full(len(edges), np.nan)]).ravel()
        traces.append(
            _scatter(
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line={
                    "color": NEGATIVE if negative else POSITIVE,
                    "width": width,
                    "dash": "dash" if negative else "solid",
                },
                opacity=1.0 if lit else (SPOTLIGHT_OPACITY if spotlight else DIM_OPACITY),
            )
        )

    label_x, label_y = [], []
    for edge in model.edges:
        # 35 % of the way from the source keeps labels of edges that cross apart.
        (x0, y0), (x1, y1) = position[edge.source], position[edge.target]
        label_x.append(x0 + 0.35 * (x1 - x0))
        label_y.append(y0 + 0.35 * (y1 - y0))
    # Labels are annotations so they can sit on a white plate above the lines; the invisible
    # markers underneath carry the full-precision hover.
    edge_labels = [
        {
            "x": x,
            "y": y,
            "text": edge.text,
            "showarrow": False,
            "bgcolor": "rgba(255,255,255,0.85)",
            "borderpad": 1,
            "font": {"size": sizes["edge"], "color": _edge_ink(edge, anything_lit, spotlight)},
        }
        for x, y, edge in zip(label_x, label_y, model.edges)
        if edge.text
    ]
    traces.append(
        _scatter(
            x=label_x,
            y=label_y,
            mode="markers",
            showlegend=False,
            marker={"size": 16, "color": "rgba(0,0,0,0)"},
            hovertext=[edge.hover for edge in model.edges],
            hoverinfo="text",
        )
    )

    lit_nodes = [n.highlighted or not anything_lit for n in model.nodes]
    traces.append(
        _scatter(
            x=[n.x for n in model.nodes],
            y=[n.y for n in model.nodes],
            mode="markers+text",
            showlegend=False,
            text=[n.label for n in model.nodes],
            textposition="middle center",
            textfont={
                "size": sizes["label"] * node_size / sizes["node"],
                "color": [INK if lit else (FAINT_INK if spotlight else "#8A909A") for lit in lit_nodes],
            },
            # Always opaque, so edges never show through; dimmed units get a pale outline instead.
            marker={
                "size": node_size,
                "color": [HIGHLIGHT if n.highlighted else NODE for n in model.nodes],
                "line": {"width": 3, "color": [INK if lit else "#C9CDD4" for lit in lit_nodes]},
                "opacity": 1.0,
            },
            customdata=[n.id for n in model.nodes],
            hovertext=[n.hover for n in model.nodes],
            hoverinfo="text",
        )
    )
    # Values sit just below each circle: its radius in pixels, turned into data units.
    offset = (node_size / 2 + 14) / pixels_per_unit
    traces.append(
        _scatter(
            x=[n.x for n in model.nodes],
            y=[n.y - offset for n in model.nodes],
            mode="text",
            showlegend=False,
            text=[n.text for n in model.nodes],
            textposition="bottom center",
            textfont={
                "size": sizes["value"],
                "color": [FAINT_INK if spotlight and not lit else INK for lit in lit_nodes],
            },
            hoverinfo="skip",
        )
    )

    titles = ["Input"] + ["Hidden"] * (len(layers) - 2) + ["Output"]
    if len(layers) > 3:
        titles = ["Input"] + [f"Hidden {l}" for l in layers[1:-1]] + ["Output"]
    annotations = [
        {
            "x": l,
            "y": tallest + 0.5,
            "text": f"<b>{title}</b>",
            "showarrow": False,
            "font": {"size": sizes["title"], "color": INK},
        }
        for l, title in zip(layers, titles)
    ]
    return _figure(
        traces,
        dict(
            annotations=annotations + edge_labels,
            height=height,
            margin={"l": 10, "r": 10, "t": 10, "b": 10},
            xaxis={"visible": False, "range": [-0.35, layers[-1] + 0.35], "fixedrange": True},
            yaxis={"visible": False, "range": y_range, "fixedrange": True},
            plot_bgcolor="white",
            paper_bgcolor="white",
            dragmode=False,
            clickmode="event+select",
            hoverlabel={"font": {"size": sizes["value"] + 2}},
            font={"size": sizes["value"]},
        ),
    )


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def decade_label(exponent: int) -> str:
    """10ⁿ as people write it: 1, 10, 10², 10⁻³ (never SI prefixes such as 100µ)."""
    if exponent in (0, 1):
        return "1" if exponent == 0 else "10"
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def decade_ticks(low: float, high: float, most: int = 8) -> tuple[list[float], list[str]]:
    """Tick values and labels at powers of ten covering [low, high], at most ``most`` of them."""
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    stride = max(1, int(np.ceil((last - first + 1) / most)))
    exponents = range(last, first - 1, -stride)[::-1]
    return [10.0**e for e in exponents], [decade_label(e) for e in exponents]


def loss_curve_figure(losses: np.ndarray, lecture: bool = False, first: int = 0) -> go.Figure:
    """Loss against step (``losses[i]`` at step ``first + i``), log scale when it spans more than two decades."""
    sizes = font_sizes(lecture)
    losses = np.asarray(losses, dtype=float)
    positive = losses[losses > 0]
    log = positive.size == losses.size and positive.size > 1 and positive.max() / positive.min() > 100
    trace = _scatter(
        x=np.arange(first, first + losses.size),
        y=losses,
        mode="lines",
        line={"color": POSITIVE, "width": 3},
        hovertemplate="step %{x}, loss %{y:.6g}<extra></extra>",
    )
    yaxis = {"title": {"text": "Loss E"}, "type": "linear", "tickformat": ".3~g", "exponentformat": "power"}
    if log:
        values, labels = decade_ticks(positive.min(), positive.max())
        yaxis = {"title": {"text": "Loss E"}, "type": "log", "tickvals": values, "ticktext": labels}
    return _figure(
        [trace],
        dict(
            height=320,
            margin={"l": 10, "r": 10, "t": 30, "b": 10},
            xaxis={"title": {"text": "Step"}, "exponentformat": "none", "separatethousands": True},
            yaxis=yaxis,
            font={"size": sizes["value"] + 1},
            plot_bgcolor="white",
        ),
    )


def activation_figure(name: str, lecture: bool = False, span: float = 6.0) -> go.Figure:
    """f(z) and f'(z) on [−span, span]; for softmax, the first unit against z₁ with the others at 0."""
    sizes = font_sizes(lecture)
    activation = ACTIVATIONS[name]
    z = np.linspace(-span, span, 241)
    if activation.elementwise:
        values, slopes = activation(z), derivative(activation, z)
        title = activation.label
    else:
        others = np.zeros(2)
        values = np.array([activation(np.concatenate(([v], others)))[0] for v in z])
        slopes = values * (1 - values)
        title = "Softmax: unit 1, with z₂ = z₃ = 0"
    traces = [
        _scatter(x=z, y=values, name="f(z)", line={"color": POSITIVE, "width": 3}),
        _scatter(x=z, y=slopes, name="f′(z)", line={"color": NEGATIVE, "width": 3, "dash": "dash"}),
    ]
    return _figure(
        traces,
        dict(
            title={"text": title, "font": {"size": sizes["title"]}},
            height=280,
            margin={"l": 10, "r": 10, "t": 40, "b": 10},
            font={"size": sizes["value"]},
            legend={"orientation": "h", "y": -0.2},
            plot_bgcolor="white",
        ),
    )
