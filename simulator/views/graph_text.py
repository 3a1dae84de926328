"""The graph as a table: what the page draws at a stage, one row per unit and one per edge."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..core.record import StepRecord
from .formatting import number
from .spoken import HIDDEN, _digits_apart, _edges, _names
from .stage_parts import Stage


@dataclass(frozen=True)
class GraphTable:
    """The graph as rows of text: one per unit, one per edge; a value not yet revealed is ""."""

    units: tuple[dict[str, str], ...]
    edges: tuple[dict[str, str], ...]


UNIT_COLUMNS = ("layer", "z", "a", "t", "δ", "o new")  # after the unit's name, which heads each row
EDGE_COLUMNS = ("to", "w", "∂E/∂w", "w new")  # after the edge's source
Shown = Callable[[str, float, int], str]  # a value as the table writes it, given the stage that reveals it


def shown_at(stages: tuple[Stage, ...], index: int, blank: bool) -> tuple[Shown, set[str]]:
    """How stage ``index`` writes a value (empty before its stage, "?" when blanked), and the stages reached."""
    reached = {s.id for s in stages[: index + 1]}
    hidden = {stages[index].id} if blank else set()

    def shown(stage_id: str, value: float, digits: int = 6) -> str:
        if stage_id not in reached:
            return ""
        return HIDDEN if stage_id in hidden else number(value, digits)

    return shown, reached


def unit_rows(record: StepRecord, l: int, shown: Shown, reached: set[str]) -> list[dict[str, str]]:
    """The rows of layer ``l``'s units (what :func:`layer_state` names decides them)."""
    scenario, last = record.scenario, len(record.scenario.layers) - 1
    word = "input" if l == 0 else ("output" if l == last else "hidden")
    rows = []
    for i, name in enumerate(_names(record, l)):
        row = {"unit": name, "layer": word, "z": "", "a": "", "t": "", "δ": "", "o new": ""}
        if l == 0:
            row["a"] = number(record.activations[0][i], 6)
        else:
            row["z"] = shown(f"forward.z{l}", record.zs[l - 1][i])
            row["a"] = shown(f"forward.a{l}", record.activations[l][i])
            row["δ"] = shown(f"delta.{l}", record.deltas[l - 1][i])
        if l == last:
            row["t"] = number(scenario.target[i], 6) if "loss" in reached else ""  # a given, never hidden
            row["o new"] = shown("apply", record.new_output[i])
        rows.append(row)
    return rows


def edge_rows(record: StepRecord, l: int, shown: Shown) -> list[dict[str, str]]:
    """The rows of W⁽ˡ⁾'s edges (what :func:`layer_state` names decides them)."""
    W, new_W = record.scenario.weights[l - 1].tolist(), record.new_weights[l - 1].tolist()  # floats: quick to index
    gradients, gradient, update = record.weight_gradients[l - 1].tolist(), f"gradient.W{l}", f"update.W{l}"
    sources, targets = _names(record, l - 1), _names(record, l)
    rows = []
    for i, j, _ in _edges(record, l):
        digits = _digits_apart(W[i][j], new_W[i][j])
        rows.append(
            {
                "from": sources[i],
                "to": targets[j],
                "w": number(W[i][j], digits),
                "∂E/∂w": shown(gradient, gradients[i][j], 4),
                "w new": shown(update, new_W[i][j], digits),
            }
        )
    return rows


def layer_state(record: StepRecord, part: str, l: int, shown: Shown, reached: set[str]) -> tuple:
    """What decides the rows of layer ``l``'s units (``part`` "units") or edges ("edges") at a stage: whether
    each stage that fills them is reached, and blanked. Equal states, equal rows."""
    last = len(record.scenario.layers) - 1
    if part == "edges":
        ids = (f"gradient.W{l}", f"update.W{l}")
    else:
        ids = () if l == 0 else (f"forward.z{l}", f"forward.a{l}", f"delta.{l}") + (("apply",) if l == last else ())
    return (*(shown(i, 0.0) for i in ids), l == last and "loss" in reached)


def graph_table(record: StepRecord, stages: tuple[Stage, ...], index: int, blank: bool = False) -> GraphTable:
    """What the graph shows at stage ``index`` as two tables; with ``blank`` the current stage's values read "?"."""
    shown, reached = shown_at(stages, index, blank)
    layers = range(len(record.scenario.layers))
    units = [row for l in layers for row in unit_rows(record, l, shown, reached)]
    edges = [row for l in layers[1:] for row in edge_rows(record, l, shown)]
    return GraphTable(tuple(units), tuple(edges))
