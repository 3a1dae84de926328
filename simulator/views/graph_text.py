"""The graph as a table: what the page draws at a stage, one row per unit and one per edge."""

from __future__ import annotations

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


def graph_table(record: StepRecord, stages: tuple[Stage, ...], index: int, blank: bool = False) -> GraphTable:
    """What the graph shows at stage ``index`` as two tables; with ``blank`` the current stage's values read "?"."""
    scenario = record.scenario
    reached = {s.id for s in stages[: index + 1]}
    hidden = {stages[index].id} if blank else set()
    last = len(scenario.layers) - 1

    def shown(stage_id: str, value: float, digits: int = 6) -> str:
        if stage_id not in reached:
            return ""
        return HIDDEN if stage_id in hidden else number(value, digits)

    names = [_names(record, l) for l in range(last + 1)]
    units = []
    for l in range(last + 1):
        word = "input" if l == 0 else ("output" if l == last else "hidden")
        for i, name in enumerate(names[l]):
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
            units.append(row)
    edges = []
    for l in range(1, last + 1):
        W, new_W = scenario.weights[l - 1].tolist(), record.new_weights[l - 1].tolist()  # floats: quick to index
        gradients, gradient, update = record.weight_gradients[l - 1].tolist(), f"gradient.W{l}", f"update.W{l}"
        for i, j, _ in _edges(record, l):
            digits = _digits_apart(W[i][j], new_W[i][j])
            edges.append(
                {
                    "from": names[l - 1][i],
                    "to": names[l][j],
                    "w": number(W[i][j], digits),
                    "∂E/∂w": shown(gradient, gradients[i][j], 4),
                    "w new": shown(update, new_W[i][j], digits),
                }
            )
    return GraphTable(tuple(units), tuple(edges))
