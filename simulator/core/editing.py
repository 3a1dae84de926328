"""Changes to a scenario's architecture that keep whatever still fits.

Resizing keeps every weight whose row and column still exist and draws the new
ones from a seeded generator, so the same edit always gives the same network.
"""

from __future__ import annotations

import re

import numpy as np

from .activations import SIGMOID, SOFTMAX
from .losses import CROSS_ENTROPY
from .scenario import (
    MAX_ABS_VALUE,
    MAX_LISTED,
    MAX_UNITS,
    Scenario,
    ScenarioError,
    layer_problems,
    quote,
    scenario_from_dict,
    scenario_to_dict,
)

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


# --- text typed into the editor ----------------------------------------------
#
# Numbers: ASCII digits, an optional sign (the page's "−" counts as a minus), a decimal point
# or a decimal comma, an optional exponent: 0.5, -0,5, .5, 1e-3, −2. Not numbers: inf, nan,
# 1_000, non-ASCII digits. In a field of several numbers, numbers are separated by
# semicolons, whitespace or commas; a comma is a decimal comma only when it stands between
# digits and is the only comma of its group (the text between spaces or semicolons) and the
# group holds no dot: "0,5; 0,1" and "0,5 0,1" are [0.5, 0.1], "0.5,0.1" and "1,2,3" are
# lists, "1,5" alone is 1.5. Layer sizes are whole numbers separated by "-", "–", ",", ";"
# or spaces.

_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
_DECIMAL_COMMA = re.compile(r"[+-]?[0-9]+,[0-9]+(?:[eE][+-]?[0-9]+)?")
_MINUS = str.maketrans({"−": "-"})


def _read_number(text: str, path: str | None = None) -> float:
    """One typed number; ValueError quoting ``text`` when it is not one or lies beyond ±1e6.

    With ``path`` the message reads like the schema's ("x[1]: must be a finite number, got "abc"").
    """
    plain = text.strip().translate(_MINUS)
    if _DECIMAL_COMMA.fullmatch(plain):
        plain = plain.replace(",", ".")
    typed = quote(text) if text.strip() else "nothing"
    if not plain and not path:
        raise ValueError("nothing was typed: type a number, for example 0.5, -0,5 or 1e-3")
    if not _NUMBER.fullmatch(plain):
        raise ValueError(
            f"{path}: must be a finite number, got {typed}"
            if path
            else f"{typed} is not a number (type for example 0.5, -0,5 or 1e-3)"
        )
    value = float(plain)
    if not abs(value) <= MAX_ABS_VALUE:
        raise ValueError(f"{path}: must be between -1e6 and 1e6, got {typed}" if path else f"{typed} is beyond ±1e6")
    return value


def _tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for group in re.split(r"[;\s]+", text):
        if _DECIMAL_COMMA.fullmatch(group.translate(_MINUS)):
            tokens.append(group)
        else:
            tokens.extend(part for part in group.split(",") if part)
    return tokens


def _raise_listed(problems: list[str]) -> None:
    if len(problems) > MAX_LISTED:
        problems = [*problems[:MAX_LISTED], f"…and {len(problems) - MAX_LISTED:,} more"]
    if problems:
        raise ScenarioError(problems)


def parse_cell(text: str | float | None, path: str | None = None) -> float:
    """The number typed into one table cell or one-number field: "0.5", "-0,5", "1e-3", "−2".

    Raises ScenarioError (a ValueError), quoting what was typed (cut to 40 characters), when it
    is not a finite number within ±1e6: '"abc" is not a number (…)', or with ``path``
    'weights[0][2][1]: must be a finite number, got "abc"'.
    """
    if text is None:
        text = ""
    elif not isinstance(text, str):
        text = repr(float(text)) if isinstance(text, (int, float)) and not isinstance(text, bool) else str(text)
    try:
        return _read_number(text, path)
    except ValueError as err:
        raise ScenarioError([str(err)]) from None


def parse_vector(text: str, path: str = "values") -> list[float]:
    """The numbers typed into a field of several (x, target): "0.5, 0.1, -0.2" → [0.5, 0.1, -0.2].

    Raises ScenarioError naming each bad entry as ``path[i]`` and quoting it.
    """
    tokens = _tokens(text)
    if not tokens:
        raise ScenarioError([f"{path}: type one or more numbers, separated by commas or spaces"])
    numbers, problems = [], []
    for i, token in enumerate(tokens):
        try:
            numbers.append(_read_number(token, f"{path}[{i}]"))
        except ValueError as err:
            problems.append(str(err))
    _raise_listed(problems)
    return numbers


def parse_sizes(text: str, path: str = "layers") -> list[int]:
    """Layer sizes: "3-2-1" (or "3, 2, 1", "3 2 1") → [3, 2, 1]; ScenarioError, quoting it, for anything else."""
    sizes = parse_layers(text)
    problems = [
        f"{path}[{i}]: must be a whole number from 1 to {MAX_UNITS}, got {quote(size)}"
        for i, size in enumerate(sizes)
        if isinstance(size, str)
    ]
    _raise_listed(problems)
    problems = layer_problems(sizes)
    if problems:
        raise ScenarioError(problems)
    return sizes


def parse_numbers(text: str) -> list:
    """ "0.5, 0.1; -0.2" → [0.5, 0.1, -0.2]; a part that is not a number is kept as text for validation to name.

    Lenient form of :func:`parse_vector` (same separators and decimal comma); numbers beyond ±1e6 are kept.
    """
    numbers: list = []
    for token in _tokens(text):
        plain = token.strip().translate(_MINUS)
        plain = plain.replace(",", ".") if _DECIMAL_COMMA.fullmatch(plain) else plain
        numbers.append(float(plain) if _NUMBER.fullmatch(plain) else token)
    return numbers


def parse_layers(text: str) -> list:
    """ "3-2-1" (or "3, 2, 1") → [3, 2, 1]; anything else is kept as text for validation to name."""
    parts = [part for part in re.split(r"[-–—,;\s]+", text) if part]
    return [int(part) if re.fullmatch(r"[0-9]{1,3}", part) else part for part in parts]


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
