"""The plain text of a worksheet: numbers as the answer key prints them, symbols, the network and the task.

Both formats of :mod:`.worksheets` (Markdown and HTML) are built from these strings.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ..core.losses import CROSS_ENTROPY, HALF_SQUARED_ERROR
from ..core.names import layer_mark, unit_label, unit_names
from ..core.scenario import Scenario
from ..views.stages import Stage
from .exercises import ANSWER_DIGITS, INPUT_DECIMALS, LEARNING_RATES, VALUE_DECIMALS


def answer_number(value: float) -> str:
    """The answer key's format: 8 significant digits, as ``f"{v:.8g}"``."""
    return f"{float(value):.{ANSWER_DIGITS}g}"


def _given(value: float, decimals: int) -> str:
    return f"{float(value):.{decimals}f}"


def answer_text(value, fmt: Callable[[float], str] = answer_number) -> str:
    """A number, a row vector [a, b] or a matrix [[a, b], [c, d]] (row by row)."""
    array = np.asarray(value, dtype=float)
    if array.ndim == 0:
        return fmt(array)
    if array.ndim == 1:
        return "[" + ", ".join(fmt(v) for v in array) + "]"
    return "[" + ", ".join(answer_text(row, fmt) for row in array) + "]"


_SYMBOLS = (
    ("new_output", "o after the step"),
    ("new_loss", "E after the step"),
    ("error", "e = o − t"),
    ("loss", "E"),
    ("update_W", "ΔW{l}"),
    ("update_b", "Δb{l}"),
    ("lr_dW", "η·∂E/∂W{l}"),
    ("new_W", "W{l} new"),
    ("new_b", "b{l} new"),
    ("delta", "δ{l}"),
    ("dW", "∂E/∂W{l}"),
    ("db", "∂E/∂b{l}"),
    ("z", "z{l}"),
    ("a", "a{l}"),
)


def symbol(name: str) -> str:
    """The symbol on screen for a value's code name: ``dW2`` → ∂E/∂W⁽²⁾, ``new_loss`` → E after the step."""
    for prefix, text in _SYMBOLS:
        rest = name[len(prefix) :]
        if name.startswith(prefix) and (rest.isdigit() if "{l}" in text else not rest):
            return text.format(l=layer_mark(int(rest)) if rest else "")
    return name


def shape_text(value) -> str:
    shape = np.shape(value)
    if not shape:
        return "number"
    rows, cols = (1, shape[0]) if len(shape) == 1 else shape
    return f"{rows}×{cols}"


def network_text(scenario: Scenario) -> str:
    """One line: sizes, activations, loss, biases."""
    sizes = "-".join(str(n) for n in scenario.layers)
    activations = ", ".join(scenario.activations)
    if scenario.biases is None:
        biases = "no biases"
    else:
        biases = "biases trained" if scenario.train_biases else "biases frozen (they keep their values)"
    loss = {HALF_SQUARED_ERROR: "half squared error E = ½ Σ (o − t)²", CROSS_ENTROPY: "cross-entropy"}
    return f"{sizes} network; activations {activations} (hidden to output); {loss.get(scenario.loss)}; {biases}."


CONVENTIONS = (
    "Row vectors: z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾ and a⁽ˡ⁾ = f(z⁽ˡ⁾), with a⁽⁰⁾ = x; W⁽ˡ⁾[i][j] is the weight from "
    "unit i of layer l−1 to unit j of layer l. e = o − t, δ⁽ˡ⁾ = ∂E/∂z⁽ˡ⁾, ∂E/∂W⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾. "
    "Update: W new = W − η·∂E/∂W (ΔW = −η·∂E/∂W). The hidden deltas use the weights of the forward pass."
)


def formats_text() -> str:
    rates = ", ".join(f"{r:g}" for r in LEARNING_RATES)
    return (
        f"Inputs x have {INPUT_DECIMALS} decimal; targets, weights and biases {VALUE_DECIMALS} decimals; "
        f"the learning rate η is one of {rates}. The answer key gives every value to {ANSWER_DIGITS} significant "
        f'digits (Python\'s f"{{v:.{ANSWER_DIGITS}g}}", so 0.00017700555 and 1.7700555e-05 are both exact to '
        f"{ANSWER_DIGITS} digits). Work to at least 4 significant digits; the app's quiz checks what you type."
    )


def _matrix_rows(matrix: np.ndarray, row_names, col_names, decimals: int) -> list[list[str]]:
    header = ["", *col_names]
    return [header, *[[r, *(_given(v, decimals) for v in row)] for r, row in zip(row_names, matrix)]]


def given_blocks(scenario: Scenario) -> list[tuple[str, list[list[str]]]]:
    """What a student is given, as (caption, table rows); the first row of a table is its header."""
    names = [[unit_label(n) for n in layer] for layer in unit_names(scenario.layers)]
    blocks = [
        ("x (input)", [names[0], [_given(v, INPUT_DECIMALS) for v in scenario.x]]),
        ("t (target)", [names[-1], [_given(v, VALUE_DECIMALS) for v in scenario.target]]),
    ]
    for l, weights in enumerate(scenario.weights, start=1):
        blocks.append((f"W{layer_mark(l)}", _matrix_rows(weights, names[l - 1], names[l], VALUE_DECIMALS)))
        if scenario.biases is not None:
            blocks.append(
                (f"b{layer_mark(l)}", [names[l], [_given(v, VALUE_DECIMALS) for v in scenario.biases[l - 1]]])
            )
    return blocks


def task_text(stage: Stage) -> str:
    return ", ".join(f"{symbol(k)} ({shape_text(v)})" for k, v in stage.values.items())


def summary_text(scenario: Scenario) -> str:
    parts = [f"x = {answer_text(scenario.x)}", f"t = {answer_text(scenario.target)}", f"η = {scenario.learning_rate:g}"]
    return ", ".join(parts)
