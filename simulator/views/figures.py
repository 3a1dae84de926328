"""Plotly figures built from plain data; no Streamlit here, so they test without a browser.

Each builder writes the figure as plain dicts and wraps them without Plotly's
validation, which costs ~40 ms per graph on every rerun; the tests validate
every builder's output once instead.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from ..core.activations import ACTIVATIONS, derivative
from ..core.names import superscript
from .graph import GraphModel
from .graph_layout import FONT_SIZES, PAD, graph_layout

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
    """Plotly ignores the Streamlit theme's font size, so sizes are set here (the graph's layout uses them)."""
    return dict(FONT_SIZES[lecture])


def _scatter(**trace) -> dict:
    # Clicking a unit selects it; Plotly would then fade every other point, which reads as a stage change.
    return {"type": "scatter", "unselected": {"marker": {"opacity": 1.0}}, **trace}


def _figure(data: list[dict], layout: dict) -> go.Figure:
    return go.Figure({"data": data, "layout": layout}, _validate=False)


# Colours on a light and on a dark page (``dark`` comes from the page's theme).
PALETTES = {
    False: {"positive": POSITIVE, "negative": NEGATIVE, "plate": "rgba(255,255,255,0.88)", "outline": INK, "ink": INK},
    # Okabe–Ito sky blue reads better than blue on a dark page; vermillion keeps its contrast.
    True: {
        "positive": "#56B4E9",
        "negative": NEGATIVE,
        "plate": "rgba(14,17,23,0.88)",
        "outline": "#E6E8EC",
        "ink": "#E6E8EC",
    },
}


def _edge_ink(edge, anything_lit: bool, palette: dict) -> str:
    return palette["negative"] if edge.weight < 0 else palette["positive"]


def _edge_width(weight: float, largest: float) -> float:
    """1 to 8 px in 15 steps: close enough to ∝ |w|, and few enough traces for 1,800 edges."""
    return 1.0 + round(14.0 * abs(weight) / largest) / 2.0 if largest > 0 else 1.0


@dataclass(frozen=True)
class _Lit:
    """Which units and edges the current stage lights (all of them when it lights none)."""

    anything: bool
    nodes: dict[str, bool]
    edges: dict[str, bool]  # by "source>target"

    @classmethod
    def of(cls, model: GraphModel) -> _Lit:
        anything = any(edge.highlighted for edge in model.edges) or any(node.highlighted for node in model.nodes)
        return cls(
            anything,
            {n.id: n.highlighted or not anything for n in model.nodes},
            {f"{e.source}>{e.target}": e.highlighted or not anything for e in model.edges},
        )


def _segments(edges, position: dict) -> tuple[list, list]:
    """The x and y of each edge's two ends, a None (a gap in the line: JSON has no NaN) after each edge."""
    xs, ys = [], []
    for edge in edges:
        (x0, y0), (x1, y1) = position[edge.source], position[edge.target]
        xs += (float(x0), float(x1), None)
        ys += (float(y0), float(y1), None)
    return xs, ys


def _edge_traces(model: GraphModel, position: dict, palette: dict, lit: _Lit, dim: float) -> list[dict]:
    """One trace per edge style (sign, width, lit), segments split by gaps (None)."""
    largest = max((abs(edge.weight) for edge in model.edges), default=0.0)
    groups: dict[tuple, list] = defaultdict(list)
    for edge in model.edges:
        key = (edge.weight < 0, _edge_width(edge.weight, largest), edge.highlighted or not lit.anything)
        groups[key].append(edge)
    traces = []
    for (negative, width, on), edges in sorted(groups.items()):
        xs, ys = _segments(edges, position)
        line = {
            "color": palette["negative"] if negative else palette["positive"],
            "width": width,
            "dash": "dash" if negative else "solid",
        }
        traces.append(
            _scatter(
                x=xs, y=ys, mode="lines", hoverinfo="skip", showlegend=False, line=line, opacity=1.0 if on else dim
            )
        )
    return traces


def _unit_traces(model: GraphModel, layout, palette: dict, lit: _Lit) -> list[dict]:
    """The invisible markers halfway along each edge that carry its full-precision hover, then the units."""
    position, nodes = layout.positions, model.nodes
    hovers = _scatter(
        x=[(position[e.source][0] + position[e.target][0]) / 2 for e in model.edges],
        y=[(position[e.source][1] + position[e.target][1]) / 2 for e in model.edges],
        mode="markers",
        showlegend=False,
        marker={"size": 16, "color": "rgba(0,0,0,0)"},
        hovertext=[edge.hover for edge in model.edges],
        hoverinfo="text",
    )
    units = _scatter(
        x=[position[n.id][0] for n in nodes],
        y=[position[n.id][1] for n in nodes],
        mode="markers",
        showlegend=False,
        # Always opaque, so edges never show through; dimmed units get a pale outline instead.
        marker={
            "size": layout.node_size,
            "color": [HIGHLIGHT if n.highlighted else NODE for n in nodes],
            "line": {"width": 3, "color": [palette["outline"] if lit.nodes[n.id] else FAINT_INK for n in nodes]},
            "opacity": 1.0,
        },
        selected={"marker": {"opacity": 1.0}},
        customdata=[n.id for n in nodes],
        hovertext=[n.hover for n in nodes],
        hoverinfo="text",
    )
    return [hovers, units]


def _annotations(model: GraphModel, layout, palette: dict, lit: _Lit, sizes: dict, spotlight: bool) -> list[dict]:
    """Every text as an annotation: above the lines, on a plate where it sits on them, and untouched by
    Plotly's selection styling (clicking a unit fades unselected points, never annotations)."""
    position = layout.positions
    annotations = [
        {
            "x": position[n.id][0],
            "y": position[n.id][1],
            "text": n.label,
            "showarrow": False,
            "font": {"size": sizes["label"] * layout.node_size / sizes["node"], "color": INK},
            "opacity": 1.0 if lit.nodes[n.id] else 0.55,
            "captureevents": False,
        }
        for n in model.nodes
    ]
    labelled = None  # each labelled edge by its plate's owner, "source>target" (made at the first edge plate)
    for box in layout.labels:
        note = {
            "x": box.x,
            "y": box.y,
            "text": box.text,
            "showarrow": False,
            "font": {"size": box.size, "color": palette["ink"]},
            "borderpad": PAD - 1,
        }
        if box.kind == "edge":
            labelled = labelled or {f"{e.source}>{e.target}": e for e in model.edges if e.text}
            edge = labelled[box.owner]
            note.update(
                bgcolor=palette["plate"], font={"size": box.size, "color": _edge_ink(edge, lit.anything, palette)}
            )
            note["opacity"] = 1.0 if lit.edges[box.owner] else (0.3 if spotlight else 0.6)
        elif box.kind == "value":
            note.update(bgcolor=palette["plate"])
            note["opacity"] = 1.0 if lit.nodes[box.owner] or not spotlight else 0.3
        annotations.append(note)
    return annotations


def network_figure(model: GraphModel, lecture: bool = False, spotlight: bool = False, dark: bool = False) -> go.Figure:
    """:func:`network_figure_spec` as a Plotly figure (for ``st.plotly_chart`` and the tests)."""
    spec = network_figure_spec(model, lecture, spotlight, dark)
    return _figure(spec["data"], spec["layout"])


def network_figure_spec(
    model: GraphModel,
    lecture: bool = False,
    spotlight: bool = False,
    dark: bool = False,
    width: float | None = None,
    memo: dict | None = None,
) -> dict:
    """Node-link diagram: width ∝ |w|, blue positive, dashed vermillion negative, current stage lit.

    Positions and label plates come from :func:`simulator.views.graph_layout.graph_layout`, in pixels; the
    page may stretch the figure wider. With ``spotlight`` what the current stage does not touch is dimmed
    much further (for the back row); ``dark`` picks colours for a dark page. The background is
    transparent, so the page's own shows through. ``width``: the narrowest the graph is drawn, in px
    (default :data:`simulator.views.graph_layout.LAYOUT_WIDTH`). Returns ``{"data": traces, "layout":
    layout}``, the shape Plotly.js takes, JSON-ready: dicts, lists, str, int, float (never NaN), None.
    ``memo``: a dict kept for the figures of one walk (one network, weights and view): the edge traces of a
    stage that lights the same edges as another are that stage's (read them, never change them).
    """
    layout = graph_layout(model, lecture, width)
    memo = {} if memo is None else memo
    lights = (tuple(node.highlighted for node in model.nodes), tuple(edge.highlighted for edge in model.edges))
    if ("lit", lights) not in memo:
        memo["lit", lights] = _Lit.of(model)
    palette, lit, sizes = PALETTES[dark], memo["lit", lights], font_sizes(lecture)
    dim = SPOTLIGHT_OPACITY if spotlight else DIM_OPACITY
    key = ("edge traces", lights[1], lit.anything)
    if key not in memo:
        memo[key] = _edge_traces(model, layout.positions, palette, lit, dim)
    traces = memo[key] + _unit_traces(model, layout, palette, lit)
    return dict(
        data=traces + marked_traces(model, layout),
        layout=dict(
            # Every colour is set here: without Streamlit's 3 KB theme template a Next click sends less.
            template={"layout": {}},
            annotations=_annotations(model, layout, palette, lit, sizes, spotlight),
            height=layout.height,
            margin={"l": 0, "r": 0, "t": 0, "b": 0},
            xaxis={"visible": False, "range": [0, layout.width], "fixedrange": True},
            yaxis={"visible": False, "range": [layout.height, 0], "fixedrange": True},
            plot_bgcolor="rgba(0,0,0,0)",
            paper_bgcolor="rgba(0,0,0,0)",
            dragmode=False,
            clickmode="event+select",
            hoverlabel={"font": {"size": sizes["value"] + 2}},
            font={"size": sizes["value"]},
        ),
    )


MARK = NEGATIVE  # a classic mistake's marks: Okabe–Ito vermillion, dotted (never colour alone)


def marked_traces(model: GraphModel, layout) -> list[dict]:
    """Dotted vermillion rings on marked units and dotted overlays on marked edges (none when nothing is marked)."""
    position = layout.positions
    traces = []
    edges = [e for e in model.edges if e.marked]
    if edges:
        xs, ys = _segments(edges, position)
        traces.append(
            _scatter(
                x=xs, y=ys, mode="lines", name="differs from the correct step", hoverinfo="skip", showlegend=False,
                line={"color": MARK, "width": 5, "dash": "dot"}, opacity=0.75,
            )
        )  # fmt: skip
    nodes = [n for n in model.nodes if n.marked]
    if nodes:
        traces.append(
            _scatter(
                x=[position[n.id][0] for n in nodes],
                y=[position[n.id][1] for n in nodes],
                mode="markers",
                name="differs from the correct step",
                hoverinfo="skip",
                showlegend=False,
                marker={
                    "symbol": "circle-open-dot",
                    "size": layout.node_size + 14,
                    "color": MARK,
                    "line": {"width": 4, "color": MARK},
                },
            )
        )
    return traces


def decade_label(exponent: int) -> str:
    """10ⁿ as people write it: 1, 10, 10², 10⁻³ (never SI prefixes such as 100µ)."""
    if exponent in (0, 1):
        return "1" if exponent == 0 else "10"
    return "10" + superscript(exponent)


def decade_ticks(low: float, high: float, most: int = 8) -> tuple[list[float], list[str]]:
    """Tick values and labels at powers of ten covering [low, high], at most ``most`` of them."""
    first, last = int(np.floor(np.log10(low))), int(np.ceil(np.log10(high)))
    stride = max(1, int(np.ceil((last - first + 1) / most)))
    exponents = range(last, first - 1, -stride)[::-1]
    return [10.0**e for e in exponents], [decade_label(e) for e in exponents]


MAX_CURVE_POINTS = 2_000  # a 20,000-step history is drawn from this many of its steps


def curve_steps(count: int) -> np.ndarray:
    """Which of ``count`` steps a curve draws: all of them, or evenly spaced ones with the first and last."""
    if count <= MAX_CURVE_POINTS:
        return np.arange(count)
    return np.unique(np.linspace(0, count - 1, MAX_CURVE_POINTS).round().astype(int))


def loss_curve_figure(losses: np.ndarray, lecture: bool = False, first: int = 0) -> go.Figure:
    """Loss against step (``losses[i]`` at step ``first + i``), log scale when it spans more than two decades.

    A long history is thinned to :data:`MAX_CURVE_POINTS` steps, so a redraw while training stays small;
    every point drawn is a real step's loss."""
    sizes = font_sizes(lecture)
    losses = np.asarray(losses, dtype=float)
    positive = losses[losses > 0]
    log = positive.size == losses.size and positive.size > 1 and positive.max() / positive.min() > 100
    steps = curve_steps(losses.size)
    trace = _scatter(
        x=first + steps,
        y=losses[steps],
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
            plot_bgcolor="rgba(0,0,0,0)",  # the page's own background, light or dark
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
            plot_bgcolor="rgba(0,0,0,0)",  # the page's own background, light or dark
        ),
    )
