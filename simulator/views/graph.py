"""What the network graph shows at a stage, as plain data (no plotting library).

Where each unit and label goes is :mod:`.graph_layout`'s business.

Values appear on the graph as the stages reveal them: stepping forward fills in
z and a layer by layer, the backward stages add δ on nodes and gradients on edges.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..core.activations import ACTIVATIONS
from ..core.names import layer_mark, unit_label, unit_names
from ..core.record import StepRecord
from .formatting import distinct_pair, latex_number, number, plain
from .notation import ZAD, Notation, notation_named
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
    record: StepRecord, reached: set[str], l: int, i: int, last: int, hidden: str = "", notation: Notation = ZAD
) -> tuple[list[str], list[str]]:
    """Short lines for the label and full-precision lines for the hover; stage ``hidden``'s values read "?"."""
    if l == 0:
        value = record.activations[0][i]
        return [number(value)], [f"x = {plain(value)}"]
    shown, hover = [], []
    quantities = [
        (notation.z, f"forward.z{l}", record.zs[l - 1][i]),
        (notation.o if l == last else notation.a, f"forward.a{l}", record.activations[l][i]),
        ("δ", f"delta.{l}", record.deltas[l - 1][i]),
    ]
    if l == last:
        quantities.insert(2, (notation.t, "loss", record.scenario.target[i]))
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


def _unit_texts(
    record: StepRecord, reached: set[str], l: int, i: int, last: int, hidden: str, notation: Notation
) -> tuple[str, str]:
    """A unit's label text (two values a line; none in a network too tall for labels) and its hover."""
    shown, hover = _node_lines(record, reached, l, i, last, hidden, notation)
    text = (
        ""
        if max(record.scenario.layers) > MAX_LABELLED_UNITS
        else "<br>".join("  ".join(shown[k : k + 2]) for k in range(0, len(shown), 2))
    )
    return text, f"<b>{unit_label(unit_names(record.scenario.layers)[l][i])}</b><br>" + "<br>".join(hover)


def _edge_values(record: StepRecord, reached: set[str], current: Stage, l: int, blank: bool = False) -> list:
    """(label, hover) of every edge of W⁽ˡ⁾, row by row: what stage ``current`` has revealed on it."""
    weights = record.scenario.weights[l - 1].tolist()  # Python floats: quick to index, the same values
    if current.id == f"gradient.W{l}":
        if blank:
            return [("∂E/∂w=?", "∂E/∂w = ?")] * record.scenario.weights[l - 1].size
        gradients = record.weight_gradients[l - 1].tolist()
        return [(f"∂E/∂w={number(g)}", f"∂E/∂w = {plain(g)}") for row in gradients for g in row]
    if blank and current.id == f"update.W{l}":
        return [(f"{number(w)}→?", f"w = {plain(w)} → ?") for row in weights for w in row]
    if f"update.W{l}" in reached:
        new = record.new_weights[l - 1].tolist()
        pairs = [(w, n) for row, new_row in zip(weights, new) for w, n in zip(row, new_row)]
        return [("→".join(distinct_pair(w, n)), f"w = {plain(w)} → {plain(n)}") for w, n in pairs]  # 0.1→0.10004
    return [(number(w), f"w = {plain(w)}") for row in weights for w in row]


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


def _shows(current: Stage, reached: set[str], l: int, blank: bool) -> tuple[str, bool]:
    """What :func:`_edge_values` writes on the edges of W⁽ˡ⁾ at stage ``current`` (its cases, by name)."""
    if current.id == f"gradient.W{l}":
        return "gradient", blank
    if blank and current.id == f"update.W{l}":
        return "update", True
    return ("updated" if f"update.W{l}" in reached else "weights"), False


def _edges(
    record: StepRecord, reached: set[str], current: Stage, blank: bool, marked: set, memo: dict | None = None
) -> list[Edge]:
    """Every weight as an edge, with the value stage ``current`` has revealed on it. ``memo``: one walk's
    (a dict), so a layer whose edges read the same at another stage reuses them (they are immutable)."""
    scenario, lit = record.scenario, set(current.edges)
    edges = []
    memo = {} if memo is None else memo
    same = (frozenset(lit), frozenset(marked))
    for l in range(1, len(scenario.layers)):
        key = ("edges", l, _shows(current, reached, l, blank), same)
        if key not in memo:
            memo[key] = _layer_edges(record, reached, current, blank, marked, lit, l)
        edges += memo[key]
    return edges


def _layer_edges(record: StepRecord, reached, current: Stage, blank: bool, marked: set, lit: set, l: int) -> list:
    """The edges of W⁽ˡ⁾ (:func:`_edges`)."""
    scenario, names, edges = record.scenario, unit_names(record.scenario.layers), []
    labelled = scenario.weights[l - 1].size <= MAX_LABELLED_EDGES
    weights = scenario.weights[l - 1].tolist()
    values = iter(_edge_values(record, reached, current, l, blank))
    targets = [(target, unit_label(target)) for target in names[l]]
    for i, source in enumerate(names[l - 1]):
        head = f"<b>{unit_label(source)} → "
        for j, (target, label) in enumerate(targets):
            text, hover = next(values)
            edges.append(
                Edge(
                    source=source,
                    target=target,
                    layer=l,
                    weight=weights[i][j],
                    text=text if labelled else "",
                    hover=f"{head}{label}</b><br>{hover}",
                    highlighted=(source, target) in lit,
                    marked=(source, target) in marked,
                )
            )
    return edges


def _caption(current: Stage, reached: set[str]) -> str:
    """What the edge labels show at stage ``current``."""
    if current.kind == "gradient" and current.id.startswith("gradient.W"):
        return f"Edge labels: weights w; the highlighted edges show ∂E/∂w of W{layer_mark(current.layer)}"
    if any(stage_id.startswith("update.W") for stage_id in reached):
        return "Edge labels: weights w, updated ones as old → new"
    return "Edge labels: weights w"


def graph_model(
    record: StepRecord,
    stages: tuple[Stage, ...],
    index: int,
    blank: bool = False,
    divergence=None,
    notation: str = ZAD.id,
    memo: dict | None = None,
) -> GraphModel:
    """Nodes in columns (inputs left), edges with the values revealed by stage ``index``.

    With ``blank`` (the presenter's "blank the answer") the values stage ``index`` computes read "?".
    With ``divergence`` (a mistaken record against the correct one), units and edges whose revealed
    values differ are ``marked``. ``memo``: a dict kept for the stages of one walk (one record, one
    notation), so units and layers of edges that read the same at another stage are made once.
    """
    memo = {} if memo is None else memo
    scenario = record.scenario
    names = unit_names(scenario.layers)
    last = len(scenario.layers) - 1
    current = stages[index]
    reached = _reached(stages, index)
    lit_nodes = set(current.nodes)
    marked_nodes, marked_edges = marked_parts(record, divergence, reached) if divergence else (set(), set())
    chosen = notation_named(notation)  # z, a or Mazur's net, out on the units (a notation id)

    nodes, hidden = [], current.id if blank else ""
    for l, layer in enumerate(names):
        ids = () if l == 0 else (f"forward.z{l}", f"forward.a{l}", f"delta.{l}", "loss", "apply")
        # What _node_lines reads: which of the layer's stages are reached, and which is blanked.
        state = ("units", l, tuple(i in reached for i in ids), hidden if hidden in ids else "")
        if state not in memo:
            memo[state] = [_unit_texts(record, reached, l, i, last, hidden, chosen) for i in range(len(layer))]
        for i, name in enumerate(layer):
            text, hover = memo[state][i]
            key = ("node", name, text, hover, name in lit_nodes, name in marked_nodes)
            if key not in memo:
                memo[key] = Node(name, unit_label(name), l, float(l), (len(layer) - 1) / 2 - i, text, hover, *key[4:])
            nodes.append(memo[key])
    edges = _edges(record, reached, current, blank, marked_edges, memo)
    caption = _caption(current, reached)
    return GraphModel(tuple(nodes), tuple(edges), caption)


def _factor(value: float) -> str:
    text = latex_number(value, 6)
    return f"({text})" if value < 0 else text


def node_explanation(record: StepRecord, node_id: str, reached: set[str] | None = None) -> list[str]:
    """LaTeX lines showing how one unit's values were computed, numbers substituted.

    With ``reached`` (stage ids), only the values those stages have revealed.
    """
    lines = staged_lines(record, node_id)
    return [line for line, stage_id in lines if reached is None or stage_id is None or stage_id in reached]


def staged_lines(record: StepRecord, node_id: str) -> list[tuple[str, str | None]]:
    """:func:`node_explanation`'s lines, each with the id of the stage that reveals it (None: known from
    the start, an input's value)."""
    scenario = record.scenario
    names = unit_names(scenario.layers)
    found = [(l, layer.index(node_id)) for l, layer in enumerate(names) if node_id in layer]
    if not found:
        return []
    ((l, j),) = found
    label = unit_label(node_id)
    if l == 0:
        return [(rf"\text{{{label} is an input: }} x_{{{j + 1}}} = {latex_number(record.activations[0][j], 6)}", None)]
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
    return list(zip(lines, shown))
