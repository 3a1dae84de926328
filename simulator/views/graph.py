"""What the network graph shows at a stage, as plain data (no plotting library).

Values appear on the graph as the stages reveal them: stepping forward fills in
z and a layer by layer, the backward stages add δ on nodes and gradients on edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.activations import ACTIVATIONS
from ..core.backprop import StepRecord
from ..core.names import layer_mark, unit_label, unit_names
from .formatting import distinct_pair, latex_number, number, plain
from .stages import Stage

MAX_LABELLED_EDGES = 24  # per weight matrix; larger ones show their values on hover only
MAX_LABELLED_UNITS = 6  # in the tallest layer; beyond it units sit too close for labels: hover shows values


@dataclass(frozen=True)
class Node:
    id: str
    label: str
    layer: int
    x: float
    y: float
    text: str  # the values revealed so far, one per line
    hover: str  # full precision
    highlighted: bool
    marked: bool = False  # a value shown here differs from the correct step's (see ``graph_model(divergence=)``)


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    layer: int  # the l of W⁽ˡ⁾
    weight: float  # drives width, colour and dash
    text: str  # what the edge label shows ("" when unlabelled)
    hover: str
    highlighted: bool
    marked: bool = False


@dataclass(frozen=True)
class GraphModel:
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    caption: str


def _reached(stages: tuple[Stage, ...], index: int) -> set[str]:
    return {stage.id for stage in stages[: index + 1]}


def _node_lines(
    record: StepRecord, reached: set[str], l: int, i: int, last: int, hidden: str = ""
) -> tuple[list[str], list[str]]:
    """Short lines for the label and full-precision lines for the hover; stage ``hidden``'s values read "?"."""
    if l == 0:
        value = record.activations[0][i]
        return [number(value)], [f"x = {plain(value)}"]
    shown, hover = [], []
    quantities = [
        ("z", f"forward.z{l}", record.zs[l - 1][i]),
        ("o" if l == last else "a", f"forward.a{l}", record.activations[l][i]),
        ("δ", f"delta.{l}", record.deltas[l - 1][i]),
    ]
    if l == last:
        quantities.insert(2, ("t", "loss", record.scenario.target[i]))
    if record.scenario.biases is not None:
        # A given, like an input; on hover only, since the label under a unit has room for four values.
        hover.append(f"b = {plain(record.scenario.biases[l - 1][i])}")
    for symbol, stage_id, value in quantities:
        if stage_id == hidden and symbol != "t":
            shown.append(f"{symbol}=?")
            hover.append(f"{symbol} = ?")
        elif stage_id in reached:
            shown.append(f"{symbol}={number(value)}")
            hover.append(f"{symbol} = {plain(value)}")
    if "apply" in reached and l == last:
        value = record.new_activations[l][i]
        shown.append("o′=?" if hidden == "apply" else f"o′={number(value)}")
        hover.append("o after the update = ?" if hidden == "apply" else f"o after the update = {plain(value)}")
    return shown, hover


def _edge_value(record: StepRecord, reached: set[str], current: Stage, l: int, i: int, j: int, blank: bool = False):
    weight = float(record.scenario.weights[l - 1][i, j])
    if current.id == f"gradient.W{l}":
        gradient = float(record.weight_gradients[l - 1][i, j])
        return ("∂E/∂w=?", "∂E/∂w = ?") if blank else (f"∂E/∂w={number(gradient)}", f"∂E/∂w = {plain(gradient)}")
    if blank and current.id == f"update.W{l}":
        return f"{number(weight)}→?", f"w = {plain(weight)} → ?"
    if f"update.W{l}" in reached:
        new = float(record.new_weights[l - 1][i, j])
        old_text, new_text = distinct_pair(weight, new)  # 0.1→0.10004, never 0.1→0.1
        return f"{old_text}→{new_text}", f"w = {plain(weight)} → {plain(new)}"
    return number(weight), f"w = {plain(weight)}"


_MATRIX_KEY = re.compile(r"^(?:dW|lr_dW|update_W|new_W)(\d+)$")
_VECTOR_KEY = re.compile(r"^(?:z|a|delta|db|update_b|new_b)(\d+)$")


def marked_parts(record: StepRecord, divergence, reached: set[str]) -> tuple[set[str], set[tuple[str, str]]]:
    """Units and edges whose values, in the stages reached, differ from the correct step's
    (``divergence`` from :func:`simulator.core.mistakes.divergence`)."""
    names = unit_names(record.scenario.layers)
    last = len(names) - 1
    nodes, edges = set(), set()
    for stage_id in reached:
        for key, mask in divergence.masks.get(stage_id, {}).items():
            if not mask.any():
                continue
            matrix, vector = _MATRIX_KEY.match(key), _VECTOR_KEY.match(key)
            if matrix:
                l = int(matrix.group(1))
                edges |= {(names[l - 1][i], names[l][j]) for i, j in zip(*map(list, mask.nonzero()))}
            else:
                l = int(vector.group(1)) if vector else last  # error, loss, new output and loss: the outputs
                flat = mask.ravel() if mask.size == len(names[l]) else [True] * len(names[l])
                nodes |= {name for name, differs in zip(names[l], flat) if differs}
    return nodes, edges


def graph_model(
    record: StepRecord, stages: tuple[Stage, ...], index: int, blank: bool = False, divergence=None
) -> GraphModel:
    """Nodes in columns (inputs left), edges with the values revealed by stage ``index``.

    With ``blank`` (the presenter's "blank the answer") the values stage ``index`` computes read "?".
    With ``divergence`` (a mistaken record against the correct one), units and edges whose revealed
    values differ are ``marked``.
    """
    scenario = record.scenario
    names = unit_names(scenario.layers)
    last = len(scenario.layers) - 1
    current = stages[index]
    reached = _reached(stages, index)
    lit_nodes, lit_edges = set(current.nodes), set(current.edges)
    marked_nodes, marked_edges = marked_parts(record, divergence, reached) if divergence else (set(), set())

    nodes = []
    for l, layer in enumerate(names):
        for i, name in enumerate(layer):
            shown, hover = _node_lines(record, reached, l, i, last, current.id if blank else "")
            nodes.append(
                Node(
                    id=name,
                    label=unit_label(name),
                    layer=l,
                    x=float(l),
                    y=(len(layer) - 1) / 2 - i,
                    text=""
                    if max(scenario.layers) > MAX_LABELLED_UNITS
                    else "<br>".join("  ".join(shown[k : k + 2]) for k in range(0, len(shown), 2)),
                    hover=f"<b>{unit_label(name)}</b><br>" + "<br>".join(hover),
                    highlighted=name in lit_nodes,
                    marked=name in marked_nodes,
                )
            )
    edges = []
    for l in range(1, last + 1):
        labelled = scenario.weights[l - 1].size <= MAX_LABELLED_EDGES
        for i, source in enumerate(names[l - 1]):
            for j, target in enumerate(names[l]):
                text, hover = _edge_value(record, reached, current, l, i, j, blank)
                edges.append(
                    Edge(
                        source=source,
                        target=target,
                        layer=l,
                        weight=float(scenario.weights[l - 1][i, j]),
                        text=text if labelled else "",
                        hover=f"<b>{unit_label(source)} → {unit_label(target)}</b><br>{hover}",
                        highlighted=(source, target) in lit_edges,
                        marked=(source, target) in marked_edges,
                    )
                )
    caption = "Edge labels: weights w"
    if current.kind == "gradient" and current.id.startswith("gradient.W"):
        caption = f"Edge labels: weights w; the highlighted edges show ∂E/∂w of W{layer_mark(current.layer)}"
    elif any(stage_id.startswith("update.W") for stage_id in reached):
        caption = "Edge labels: weights w, updated ones as old → new"
    return GraphModel(tuple(nodes), tuple(edges), caption)


def _factor(value: float) -> str:
    text = latex_number(value, 6)
    return f"({text})" if value < 0 else text


def node_explanation(record: StepRecord, node_id: str, reached: set[str] | None = None) -> list[str]:
    """LaTeX lines showing how one unit's values were computed, numbers substituted.

    With ``reached`` (stage ids), only the values those stages have revealed.
    """
    scenario = record.scenario
    names = unit_names(scenario.layers)
    found = [(l, layer.index(node_id)) for l, layer in enumerate(names) if node_id in layer]
    if not found:
        return []
    ((l, j),) = found
    label = unit_label(node_id)
    if l == 0:
        return [rf"\text{{{label} is an input: }} x_{{{j + 1}}} = {latex_number(record.activations[0][j], 6)}"]
    a_prev = record.activations[l - 1]
    weights = scenario.weights[l - 1][:, j]
    terms = " + ".join(rf"{_factor(a)} \cdot {_factor(w)}" for a, w in zip(a_prev, weights))
    if scenario.biases is not None:
        terms += rf" + {latex_number(scenario.biases[l - 1][j], 6)}"
    z, a, delta = record.zs[l - 1][j], record.activations[l][j], record.deltas[l - 1][j]
    activation = ACTIVATIONS[scenario.activations[l - 1]]
    shown = [f"forward.z{l}", f"forward.a{l}", f"delta.{l}"]
    lines = [
        rf"z_{{{j + 1}}}^{{({l})}} = \sum_i a_i^{{({l - 1})}} w_{{i{j + 1}}}^{{({l})}}"
        + (rf" + b_{{{j + 1}}}^{{({l})}}" if scenario.biases is not None else "")
        + rf" = {terms} = {latex_number(z, 6)}",
        rf"a_{{{j + 1}}}^{{({l})}} = \mathrm{{{activation.name}}}({latex_number(z, 6)}) = {latex_number(a, 8)}"
        if activation.elementwise
        else rf"a_{{{j + 1}}}^{{({l})}} = \mathrm{{softmax}}(z^{{({l})}})_{{{j + 1}}} = {latex_number(a, 8)}",
        rf"\delta_{{{j + 1}}}^{{({l})}} = \frac{{\partial E}}{{\partial z_{{{j + 1}}}^{{({l})}}}}"
        rf" = {latex_number(delta, 6)}",
    ]
    return [line for line, stage_id in zip(lines, shown) if reached is None or stage_id in reached]


# Layout: where each unit and label goes, in pixels of the narrowest graph the page draws.
#
# The page stretches the graph to its column, which only moves centres further apart
# horizontally (sizes and vertical distances stay in pixels), so labels that do not
# overlap at ``LAYOUT_WIDTH`` overlap at no wider width either.

FONT_SIZES = {
    False: {"label": 17, "value": 12, "edge": 12, "title": 14, "node": 50},
    True: {"label": 28, "value": 20, "edge": 20, "title": 24, "node": 76},  # legible at the back of a hall
}
LAYOUT_WIDTH = {False: 430, True: 560}  # the graph's column at 1280 wide: sidebar open; lecture mode
CHAR_WIDTH = 0.55  # average width of a digit or sign, in font sizes (Source Sans: ≈0.5)
LINE_HEIGHT = 1.3  # in font sizes
PAD = 3  # around the text, inside its plate
GAP = 4  # between a unit and its label
PITCH_EXTRA = {False: 32, True: 40}  # px between the rows of units beyond what their values need: room for edge labels
VALUE_CHARS = 12  # the widest value a unit shows, "δ=-7.080e-04": columns are spaced for it on every stage
VALUE_LINES = {"input": 1, "hidden": 3, "output": 5}  # z, a, δ; z, o, t, δ, o′
EDGE_SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85)  # along an edge


@dataclass(frozen=True)
class Box:
    """A label's plate: centre and size in pixels from the top left."""

    kind: str  # title | value | edge
    owner: str  # layer number, unit id, or "source>target"
    text: str  # lines joined by <br>
    x: float
    y: float
    width: float
    height: float
    size: int  # font size, px

    def overlaps(self, other: Box) -> bool:
        return (
            2 * abs(self.x - other.x) < self.width + other.width
            and 2 * abs(self.y - other.y) < self.height + other.height
        )

    def covers(self, x: float, y: float, radius: float) -> bool:
        """Does the plate overlap the circle of ``radius`` around (x, y)?"""
        near_x = min(max(x, self.x - self.width / 2), self.x + self.width / 2)
        near_y = min(max(y, self.y - self.height / 2), self.y + self.height / 2)
        return (near_x - x) ** 2 + (near_y - y) ** 2 < radius**2

    def inside(self, width: float, height: float) -> bool:
        return (
            self.x - self.width / 2 >= 0
            and self.x + self.width / 2 <= width
            and self.y - self.height / 2 >= 0
            and self.y + self.height / 2 <= height
        )


@dataclass(frozen=True)
class GraphLayout:
    width: float  # px; the page may stretch it wider
    height: float
    node_size: float  # diameter, px
    positions: dict[str, tuple[float, float]]  # unit id -> centre
    labels: tuple[Box, ...]  # titles, then the values under units, then edge labels


def text_size(text: str, size: float, lines: int | None = None, chars: int | None = None) -> tuple[float, float]:
    """Estimated plate of ``text`` (lines split by <br>, tags ignored): character count × font size."""
    rows = [re.sub(r"<[^>]+>", "", line) for line in text.split("<br>")]
    chars = max(chars or 0, *(len(row) for row in rows))
    return chars * CHAR_WIDTH * size + 2 * PAD, (lines or len(rows)) * LINE_HEIGHT * size + 2 * PAD


def _box(kind: str, owner: str, text: str, x: float, y: float, size: int) -> Box:
    width, height = text_size(text, size)
    return Box(kind, owner, text, x, y, width, height, size)


def _values(node: Node) -> str:
    """One value a line: narrow plates leave room for the edges between the columns."""
    return "<br>".join(part for line in node.text.split("<br>") for part in line.split("  ") if part)


def _edge_texts(text: str) -> tuple[str, ...]:
    """The label on one line, or broken before its arrow or after its "=" where that is narrower."""
    for mark, keep_before in (("→", False), ("=", True)):
        if mark in text:
            head, tail = text.split(mark, 1)
            return (text, f"{head}{mark}<br>{tail}" if keep_before else f"{head}<br>{mark}{tail}")
    return (text,)


def _role(layer: int, last: int) -> str:
    return "input" if layer == 0 else "output" if layer == last else "hidden"


def graph_layout(model: GraphModel, lecture: bool = False, width: float | None = None) -> GraphLayout:
    """Units in columns, values under their units, each edge label at the first spot along its edge
    where its plate clears every unit, value and other label (or on hover only, when none does).
    ``width``: the narrowest the graph is drawn, px (default :data:`LAYOUT_WIDTH`)."""
    sizes = FONT_SIZES[lecture]
    width = width or LAYOUT_WIDTH[lecture]
    last = max((n.layer for n in model.nodes), default=0)
    layers = [[n for n in model.nodes if n.layer == l] for l in range(last + 1)]
    tallest = max(len(layer) for layer in layers)
    diameter = sizes["node"] if tallest <= MAX_LABELLED_UNITS else max(14.0, sizes["node"] * 6 / tallest)
    radius = diameter / 2
    value_w, _ = text_size("", sizes["value"], chars=VALUE_CHARS)
    labelled = any(n.text for n in model.nodes)

    def below(role: str) -> float:  # room a unit needs under it for its values
        return GAP + text_size("", sizes["value"], lines=VALUE_LINES[role])[1] if labelled else 0.0

    # Inputs' and hidden units' values are centred under them; outputs' start at their centre
    # and run right, where no edge comes in.
    left = max(radius, text_size("", sizes["value"], chars=10)[0] / 2) + GAP
    right = max(radius, value_w) + GAP if labelled else radius + GAP
    spacing = (width - left - right) / max(1, last)
    title_h = text_size("Hidden", sizes["title"])[1]
    top = title_h + 2 * GAP + radius
    pitches = [diameter + below(_role(l, last)) + 2 * GAP + PITCH_EXTRA[lecture] for l in range(last + 1)]
    spans = [(len(layer) - 1) * pitch for layer, pitch in zip(layers, pitches)]
    middle = top + max(spans) / 2
    positions: dict[str, tuple[float, float]] = {}
    for l, (layer, pitch) in enumerate(zip(layers, pitches)):
        for i, node in enumerate(layer):
            positions[node.id] = (left + l * spacing, middle + (i - (len(layer) - 1) / 2) * pitch)
    height = middle + max(span / 2 + radius + below(_role(l, last)) for l, span in enumerate(spans)) + GAP

    titles = ["Input"] + ["Hidden"] * (last - 1) + ["Output"]
    if last > 2:
        titles = ["Input"] + [f"Hidden {l}" for l in range(1, last)] + ["Output"]
    labels = [
        _box("title", str(l), f"<b>{title}</b>", left + l * spacing, GAP + title_h / 2, sizes["title"])
        for l, title in enumerate(titles)
    ]
    for node in model.nodes:
        if not node.text:
            continue
        text = _values(node)
        x, y = positions[node.id]
        w, h = text_size(text, sizes["value"])
        if node.layer == last and last > 0:
            x += w / 2 - radius / 2  # from under the centre rightwards
        labels.append(Box("value", node.id, text, x, y + radius + GAP + h / 2, w, h, sizes["value"]))

    # Each edge label takes the first free spot along its edge; the edges with the fewest spots
    # clear of units, values and titles choose first, then the current stage's.
    fixed = list(labels)
    choices = {}
    for edge in model.edges:
        if not edge.text:
            continue
        (x0, y0), (x1, y1) = positions[edge.source], positions[edge.target]
        owner = f"{edge.source}>{edge.target}"
        choices[edge] = [
            box
            for t in EDGE_SPOTS
            for text in _edge_texts(edge.text)
            for box in [_box("edge", owner, text, x0 + t * (x1 - x0), y0 + t * (y1 - y0), sizes["edge"])]
            if box.inside(width, height)
            and not any(box.covers(*centre, radius + 1) for centre in positions.values())
            and not any(box.overlaps(other) for other in fixed)
        ]
    for edge in sorted(choices, key=lambda e: (len(choices[e]), not e.highlighted)):
        free = [box for box in choices[edge] if not any(box.overlaps(other) for other in labels)]
        if free:
            labels.append(free[0])
    return GraphLayout(width, height, diameter, positions, tuple(labels))
