"""The forward pass and the loss in words: each unit's weighted sum and activation, each output's error."""

from __future__ import annotations

from ..core.activations import ACTIVATIONS
from ..core.losses import LOSSES
from ..core.mistakes import rules_of
from ..core.record import StepRecord
from .spoken import MAX_TERMS, _names, _result, say


def _forward_z(record: StepRecord, l: int, blank: bool) -> list[str]:
    scenario = record.scenario
    a_prev, weights = record.activations[l - 1], scenario.weights[l - 1]
    sentences = []
    for j, name in enumerate(_names(record, l)):
        bias = None if scenario.biases is None else scenario.biases[l - 1][j]
        plus_bias = "" if bias is None else " plus its bias"
        if len(a_prev) > MAX_TERMS:
            body = f"z of {name} is the weighted sum of its {len(a_prev)} inputs{plus_bias}"
        else:
            terms = [f"{say(a)} times {say(w)}" for a, w in zip(a_prev, weights[:, j])]
            if bias is not None:
                terms.append(f"the bias {say(bias)}")
            body = f"z of {name} is the weighted sum of its inputs{plus_bias}: " + ", plus ".join(terms)
        sentences.append(f"{body}, which equals {_result(record.zs[l - 1][j], blank)}.")
    return sentences


def _forward_a(record: StepRecord, l: int, blank: bool) -> list[str]:
    activation = ACTIVATIONS[record.scenario.activations[l - 1]]
    last = len(record.scenario.layers) - 1
    symbol = "o" if l == last else "a"
    sentences = []
    for j, name in enumerate(_names(record, l)):
        z, a = record.zs[l - 1][j], record.activations[l][j]
        if activation.elementwise:
            how = f"{activation.name} of z, {activation.name} of {say(z)}"
        else:
            how = f"softmax of z: e to the {say(z)}, divided by the sum of e to the z over the layer"
        sentences.append(f"{symbol} of {name} equals {how}, which equals {_result(a, blank)}.")
    return sentences


def _error_pair(record: StepRecord, k: int) -> tuple[tuple[str, float], tuple[str, float]]:
    """The error's two operands in the order the step's rules took them: (o, t), or (t, o) under t − o."""
    pair = (("o", record.output[k]), ("t", record.scenario.target[k]))
    return pair if rules_of(record.mistake).error_sign > 0 else pair[::-1]


def _difference(record: StepRecord, k: int) -> str:
    """ "o minus t: 0.485 minus 0.6", in the rules' order."""
    (first, x), (second, y) = _error_pair(record, k)
    return f"{first} minus {second}: {say(x)} minus {say(y)}"


def _loss(record: StepRecord, blank: bool) -> list[str]:
    scenario = record.scenario
    loss = LOSSES[scenario.loss]
    last = len(scenario.layers) - 1
    sentences = [
        f"The error of {name} is {_difference(record, k)}, which equals {_result(e, blank)}."
        for k, (name, e) in enumerate(zip(_names(record, last), record.error))
    ]
    sentences.append(f"The loss E, {loss.label.lower()}, equals {_result(record.loss, blank, 6)}.")
    return sentences
