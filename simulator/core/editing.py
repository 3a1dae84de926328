"""Changes to a scenario's architecture that keep whatever still fits.

Resizing keeps every weight whose row and column still exist and draws the new
ones from a seeded generator, so the same edit always gives the same network.
"""

from __future__ import annotations

import numpy as np

from .activations import SIGMOID, SOFTMAX
from .fields import parse_cell
from .losses import CROSS_ENTROPY
from .scenario import Scenario, ScenarioError, layer_problems, scenario_from_dict, scenario_to_dict

NEW_WEIGHT_SCALE = 0.5
BIAS_MODES = ("off", "on", "frozen")


def _resized(old: np.ndarray, shape: tuple[int, ...], rng: np.random.Generator, fill: float | None) -> list:
    new = (
        rng.uniform(-NEW_WEIGHT_SCALE, NEW_WEIGHT_SCALE, size=shape).round(2) if fill is None else np.full(shape, fill)
    )
    overlap = tuple(slice(0, min(a, b)) for a, b in zip(old.shape, shape))
    new[overlap] = old[overlap]
    return new.tolist()


def with_layers(scenario: Scenario, layers: list[int], seed: int = 0) -> Scenario:
    """The scenario on new layer sizes (raises ScenarioError for sizes out of range)."""
    problems = layer_problems(layers)
    if problems:
        raise ScenarioError(problems)
    data = scenario_to_dict(scenario)
    old_layers = list(scenario.layers)
    if list(layers) == old_layers:
        return scenario
    rng = np.random.default_rng(seed)
    count = len(layers) - 1
    old_count = len(old_layers) - 1
    # Keep the output activation on the output layer; new hidden layers are sigmoid.
    hidden = list(scenario.activations[:-1])[: count - 1] + [SIGMOID] * max(0, count - old_count)
    output = scenario.activations[-1] if layers[-1] >= 2 or scenario.activations[-1] != SOFTMAX else SIGMOID
    data["layers"] = list(layers)
    data["activations"] = hidden[: count - 1] + [output]
    old_weights = list(scenario.weights) + [np.zeros((0, 0))] * max(0, count - old_count)
    data["weights"] = [_resized(old_weights[l], (layers[l], layers[l + 1]), rng, None) for l in range(count)]
    if scenario.biases is not None:
        old_biases = list(scenario.biases) + [np.zeros(0)] * max(0, count - old_count)
        data["biases"] = [_resized(old_biases[l], (layers[l + 1],), rng, 0.0) for l in range(count)]
    data["x"] = _resized(scenario.x, (layers[0],), rng, 0.0)
    data["target"] = _resized(scenario.target, (layers[-1],), rng, 0.5)
    if data["loss"] == CROSS_ENTROPY and output == SOFTMAX:
        data["target"] = [1.0 / layers[-1]] * layers[-1]
    if layers[0] != old_layers[0] or layers[-1] != old_layers[-1]:
        data["dataset"] = None
    return scenario_from_dict(data)


def with_bias_mode(scenario: Scenario, mode: str) -> Scenario:
    """off: no biases; on: trained biases; frozen: biases kept fixed. New biases start at 0."""
    if mode not in BIAS_MODES:
        raise ValueError(f"biases: must be one of {', '.join(BIAS_MODES)}, got {mode!r}")
    if mode == "off":
        return scenario.replace(biases=None, train_biases=True)
    biases = scenario.biases
    if biases is None:
        biases = [[0.0] * n for n in scenario.layers[1:]]
    return scenario.replace(biases=[list(map(float, b)) for b in biases], train_biases=mode == "on")


def bias_mode(scenario: Scenario) -> str:
    if scenario.biases is None:
        return "off"
    return "on" if scenario.train_biases else "frozen"


def with_cell_edits(scenario: Scenario, field: str, index: int, edited_rows: dict) -> Scenario:
    """Apply a data editor's ``edited_rows`` ({row: {column position: value}}) to weights[index] or biases[index].

    A value may be a number, None (an emptied cell) or the text typed into a text cell
    (read by :func:`parse_cell`). Raises ScenarioError, naming the cell, when a value is not acceptable.
    """
    data = scenario_to_dict(scenario)
    # A bias vector is edited as a one-row table.
    matrix = data["weights"][index] if field == "weights" else [data["biases"][index]]
    for row, changes in edited_rows.items():
        for column, value in changes.items():
            if isinstance(value, str):  # a text cell: read as typed, or refused quoting the text
                path = f"weights[{index}][{row}][{column}]" if field == "weights" else f"biases[{index}][{column}]"
                value = parse_cell(value, path)
            elif isinstance(value, float) and value != value:
                value = float("nan")
            matrix[int(row)][int(column)] = value
    if field == "biases":
        data["biases"][index] = matrix[0]
    return scenario_from_dict(data)
