"""The deltas and weight gradients in words, as the step's rules computed them (slope left out or taken
from z, δ sent back along updated weights, z fed where a belongs, gradients carried over)."""

from __future__ import annotations

import numpy as np

from ..core.activations import ACTIVATIONS, SIGMOID, derivative
from ..core.backprop import sent_back
from ..core.losses import CROSS_ENTROPY
from ..core.mistakes import rules_of
from ..core.record import StepRecord
from .forward_sentences import _difference
from .spoken import MAX_EDGE_SENTENCES, MAX_TERMS, _edges, _names, _result, _value_name, say


def _slope_words(record: StepRecord, l: int, j: int, symbol: str) -> tuple[str, str] | None:
    """The slope of unit j of layer l as the step's rules computed it: (its words, its numbers said),
    ("o times 1 minus o", "0.485 times 0.515"); None when the rules leave the slope out."""
    rules = rules_of(record.mistake).at(l, len(record.scenario.layers) - 1)
    activation = ACTIVATIONS[record.scenario.activations[l - 1]]
    if rules.slope_of is None:
        return None
    if activation.name == SIGMOID:
        value = record.activations[l][j] if rules.slope_of == "a" else record.zs[l - 1][j]
        s = symbol if rules.slope_of == "a" else "z"
        return f"{s} times 1 minus {s}", f"{say(value)} times {say(1 - value)}"
    slope = derivative(rules.slope(activation), record.zs[l - 1])[j]
    how = "at z" if rules.slope_of == "a" else "computed from z as if it were a"
    return f"the slope of the {activation.label.lower()} {how}", say(slope)


def _output_delta(record: StepRecord, blank: bool) -> list[str]:
    scenario = record.scenario
    last = len(scenario.layers) - 1
    activation = ACTIVATIONS[scenario.activations[-1]]
    e = record.error
    sentences = []
    for j, name in enumerate(_names(record, last)):
        slope = _slope_words(record, last, j, "o")
        if scenario.loss == CROSS_ENTROPY:
            how = _difference(record, j)
        elif not slope:
            how = f"e alone, the slope left out: {say(e[j])}"
        elif activation.elementwise:
            how = f"e times {slope[0]}: {say(e[j])} times {slope[1]}"
        else:
            how = "the error passed back through the softmax"
            how += (
                ""
                if rules_of(record.mistake).at(last, last).slope_of == "a"
                else ", its slope computed from z as if it were a"
            )
        sentences.append(f"δ of {name} equals {how}, which equals {_result(record.deltas[-1][j], blank)}.")
    return sentences


def _hidden_delta(record: StepRecord, l: int, blank: bool) -> list[str]:
    rules = rules_of(record.mistake)
    above = _names(record, l + 1)
    next_delta = record.deltas[l]
    # the weights the step sent δ back along: before their update, or after it under the rules' mistake
    next_weights = record.new_weights[l] if rules.hidden_delta_uses_updated else record.scenario.weights[l]
    which = "updated weight" if rules.hidden_delta_uses_updated else "weight"
    sums = sent_back(next_delta, next_weights)  # the engine's own sums
    sentences = []
    for j, name in enumerate(_names(record, l)):
        share = _result(float(sums[j]), blank)
        if len(above) > MAX_TERMS:
            sentences.append(
                f"δ of {name}: the {len(above)} deltas of the layer above, each times the {which} that connects "
                f"them, sum to {share}."
            )
        else:
            terms = [f"{say(d)} times {say(w)} from {unit}" for d, w, unit in zip(next_delta, next_weights[j], above)]
            sentences.append(
                f"δ of {name} gathers the deltas of the layer above, each times the {which} that connects them: "
                + ", plus ".join(terms)
                + f", which equals {share}."
            )
        slope = _slope_words(record, l, j, "a")
        delta = _result(record.deltas[l - 1][j], blank)
        if slope:
            words, numbers = slope
            sentences.append(
                f"δ of {name} equals that sum times {words}: {share} times {numbers}, which equals {delta}."
            )
        else:
            sentences.append(f"δ of {name} is that sum alone, the slope left out: {share}, which equals {delta}.")
    return sentences


def _weight_gradient(record: StepRecord, l: int, blank: bool) -> list[str]:
    dW, delta, a_prev = record.weight_gradients[l - 1], record.deltas[l - 1], record.activations[l - 1]
    targets = _names(record, l)
    edges = _edges(record, l)
    if len(edges) > MAX_EDGE_SENTENCES:
        i, j = np.unravel_index(np.argmax(np.abs(dW)), dW.shape)
        largest = next(name for a, b, name in edges if (a, b) == (i, j))
        return [
            f"Each ∂E/∂w equals the value at its source times δ at its target. The largest in size, {largest}, "
            f"equals {_result(dW[i, j], blank)}; the table lists all {len(edges)}."
        ]
    left = record.carried_weight_gradients
    was = "" if left is None else "what its buffer still held plus "
    if rules_of(record.mistake).gradient_input(l) == "z":  # the mistake: z of the source, not what it sent on
        a_prev = record.zs[l - 2]
        source = [f"z of {name}" for name in _names(record, l - 1)]
    else:
        source = [_value_name(record, l - 1, i) for i in range(len(a_prev))]
    return [
        f"∂E/∂w {name} equals {was}{source[i]} times δ of {targets[j]}: "
        + ("" if left is None else f"{say(left[l - 1][i, j])} plus ")
        + f"{say(a_prev[i])} times {say(delta[j])}, which equals {_result(dW[i, j], blank)}."
        for i, j, name in edges
    ]
