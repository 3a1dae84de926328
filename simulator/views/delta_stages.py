"""The delta stages: the output δ, then each hidden layer's δ, as the step's rules computed them
(a mistake that drops the slope or sends δ back along updated weights shows here)."""

from __future__ import annotations

import numpy as np

from ..core.activations import ACTIVATIONS, SIGMOID, derivative
from ..core.backprop import sent_back
from ..core.losses import CROSS_ENTROPY
from ..core.mistakes import rules_of
from ..core.names import layer_mark
from ..core.record import StepRecord
from .stage_parts import NEW, TRANSPOSE, Stage, _delta, _edges, _layer_word, _mat, _read_only, _steps, _sym, _vec


def _slope_latex(activation, slope_of: str | None, l: int, symbol_a: str) -> str | None:
    """The slope factor as the step's rules take it: a(1 − a) for a sigmoid (from z under the mistake),
    f′(z) otherwise (evaluated with a replaced by z under it); None when the rules leave it out."""
    if slope_of is None:
        return None
    if activation.name == SIGMOID:
        symbol = symbol_a if slope_of == "a" else _sym("z", l)
        return rf"{symbol} \odot (1 - {symbol})"
    slope = rf"f'({_sym('z', l)})"
    return slope if slope_of == "a" else rf"{slope}\big|_{{a = {_sym('z', l)}}}"


def _slope_code(activation, slope_of: str | None, l: int, upstream: str) -> str:
    """dE/dz from ``upstream`` = dE/da in NumPy, as the rules take the slope (the notebook's own functions)."""
    if slope_of is None:
        return upstream
    a = f"a{l}" if slope_of == "a" else f"z{l}"
    if activation.name == SIGMOID:
        return f"{upstream} * {a} * (1 - {a})"
    return f"{activation.name}_backward(z{l}, {a}, {upstream})"


def _slope_values(record: StepRecord, l: int) -> np.ndarray:
    """The slope of each unit of layer l as the step's rules computed it (elementwise activations)."""
    activation = ACTIVATIONS[record.scenario.activations[l - 1]]
    z, a = record.zs[l - 1], record.activations[l]
    rules = rules_of(record.mistake).at(l, len(record.scenario.layers) - 1)
    if activation.name == SIGMOID:
        value = a if rules.slope_of == "a" else z
        return value * (1 - value)
    return derivative(rules.slope(activation), z)


def _output_delta_parts(record: StepRecord) -> tuple[str, str, str, str]:
    """(formula, substituted, code, why) of the output δ, as the step's rules computed it."""
    scenario = record.scenario
    last = len(scenario.layers) - 1
    activation = ACTIVATIONS[scenario.activations[-1]]
    delta, rules = record.deltas[-1], rules_of(record.mistake).at(last, last)
    if scenario.loss == CROSS_ENTROPY:
        (first, x), (second, y) = [("o", record.output), ("t", scenario.target)][:: 1 if rules.error_sign > 0 else -1]
        code = f"delta{last} = " + ("a{0} - target" if first == "o" else "target - a{0}").format(last)
        why = (
            f"With cross-entropy on a {activation.name} output, the slope of the activation cancels "
            "out and δ is simply the error o − t."
        )
        return rf"{_delta(last)} = {first} - {second}", rf"{_vec(x)} - {_vec(y)} = {_vec(delta)}", code, why
    slope = _slope_latex(activation, rules.slope_of, last, "o")
    code = f"delta{last} = " + _slope_code(activation, rules.slope_of, last, "error")
    if activation.name == SIGMOID:
        why = {
            "a": "For half squared error with a sigmoid output, δ is the error times the sigmoid's slope o(1 − o).",
            "z": "Here δ is the error times z(1 − z), the slope taken from z (the sigmoid's slope is o(1 − o)).",
            None: "Here δ is the error alone, the slope left out (the sigmoid's slope o(1 − o) belongs here).",
        }[rules.slope_of]
        o = record.output if rules.slope_of == "a" else record.zs[-1]
        values = rf" \odot {_vec(o)} \odot {_vec(1 - o)}"
    else:
        why = f"δ is the error times the slope of the {activation.label.lower()} activation at z."
        values = rf" \odot {_vec(_slope_values(record, last))}"
    formula = rf"{_delta(last)} = e" + (rf" \odot {slope}" if slope else "")
    substituted = _vec(record.error) + (values if slope else "") + rf" = {_vec(delta)}"
    if not activation.elementwise and slope:  # softmax: the Jacobian couples the units
        formula += rf", \quad {activation.derivative_latex}"
        substituted = rf"{_delta(last)} = {_vec(delta)}"
    return formula, substituted, code, why


def _output_delta_stage(record: StepRecord, names) -> Stage:
    last = len(record.scenario.layers) - 1
    formula, substituted, code, why = _output_delta_parts(record)
    return Stage(
        id=f"delta.{last}",
        kind="delta",
        layer=last,
        title="Output delta",
        explanation=(
            "δ of an output unit measures how much the loss would change if the unit's weighted input z "
            f"moved a little: δ = dE/dz. {why}"
        ),
        formula=formula,
        substituted=substituted,
        code=code,
        values=_read_only({f"delta{last}": record.deltas[-1]}),
        nodes=names[last],
        edges=(),
    )


def _hidden_delta_stages(record: StepRecord, names) -> list[Stage]:
    scenario = record.scenario
    last = len(scenario.layers) - 1
    rules = rules_of(record.mistake)
    stages = []
    for l in range(last - 1, 0, -1):
        activation = ACTIVATIONS[scenario.activations[l - 1]]
        a, delta, next_delta = record.activations[l], record.deltas[l - 1], record.deltas[l]
        next_weights = record.new_weights[l] if rules.hidden_delta_uses_updated else scenario.weights[l]
        W_next = _sym("W", l + 1) + (NEW if rules.hidden_delta_uses_updated else "")
        W_code = f"W{l + 1}" + ("_new" if rules.hidden_delta_uses_updated else "")
        sent = sent_back(next_delta, next_weights)
        when = (
            f"This uses W{layer_mark(l + 1)} as it was in the forward pass, before any update."
            if not rules.hidden_delta_uses_updated
            else f"This uses W{layer_mark(l + 1)} after its update."
        )
        slope_of = rules.at(l, last).slope_of
        slope_formula = _slope_latex(activation, slope_of, l, _sym("a", l)) or "1"
        if activation.name == SIGMOID and slope_of is not None:
            value = a if slope_of == "a" else record.zs[l - 1]
            slope_values = rf"{_vec(value)} \odot {_vec(1 - value)}"
        else:
            slope_values = _vec(_slope_values(record, l)) if slope_of is not None else "1"
        code = f"delta{l} = " + _slope_code(activation, slope_of, l, f"np.dot({W_code}, delta{l + 1})")
        stages.append(
            Stage(
                id=f"delta.{l}",
                kind="delta",
                layer=l,
                title=f"Deltas of {_layer_word(l, last)}",
                explanation=(
                    "A hidden unit has no target of its own, so it takes its share of the blame from the layer "
                    "above: each δ there is sent back along the weight that connects them, the shares are "
                    "added up, and the sum is multiplied by the slope of the unit's own activation. " + when
                ),
                formula=(
                    rf"{_delta(l)} = \left({_delta(l + 1)} {{{W_next}}}^{{\mathsf T}}\right)"
                    rf" \odot {slope_formula}"
                ),
                substituted=_steps(
                    rf"\left({_vec(next_delta)} {_mat(next_weights.T, '{' + W_next + '}' + TRANSPOSE)}\right)"
                    rf" \odot {slope_formula}",
                    rf"{_vec(sent)} \odot {slope_values}",
                    _vec(delta),
                ),
                code=code,
                values=_read_only({f"delta{l}": delta}),
                nodes=names[l] + names[l + 1],
                edges=_edges(names, l + 1),
            )
        )
    return stages
