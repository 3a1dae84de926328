"""The updates in words: each weight and bias moved by η times its gradient, then the new output and loss."""

from __future__ import annotations

from ..core.record import StepRecord
from .spoken import HIDDEN, MAX_EDGE_SENTENCES, _digits_apart, _edges, _names, _result, _update_sign, say
from .stage_parts import Stage


def _weight_update(record: StepRecord, l: int, blank: bool) -> list[str]:
    rate = record.scenario.learning_rate
    W, dW, new_W = record.scenario.weights[l - 1], record.weight_gradients[l - 1], record.new_weights[l - 1]
    sign = _update_sign(record)
    direction = "against" if sign == "minus" else "along (the mistake: it should move against)"
    sentences = [
        f"Each weight moves {direction} its gradient: new w equals w {sign} η times ∂E/∂w, with η {say(rate)}."
    ]
    edges = _edges(record, l)
    if len(edges) > MAX_EDGE_SENTENCES:
        return [*sentences, f"The table lists all {len(edges)} new weights."]
    for i, j, name in edges:
        digits = _digits_apart(W[i, j], new_W[i, j])
        sentences.append(
            f"w {name}: {say(W[i, j], digits)} {sign} {say(rate)} times {say(dW[i, j])}, "
            f"which equals {_result(new_W[i, j], blank, digits)}."
        )
    return sentences


def _bias_stage(record: StepRecord, stage: Stage, blank: bool) -> list[str]:
    l = stage.layer
    names = _names(record, l)
    b, db, new_b = record.scenario.biases[l - 1], record.bias_gradients[l - 1], record.new_biases[l - 1]
    if stage.kind == "gradient" and record.carried_bias_gradients is not None:
        left, delta = record.carried_bias_gradients[l - 1], record.deltas[l - 1]
        return [
            f"∂E/∂b of {name} equals what its buffer still held plus δ of {name}: {say(h)} plus {say(d)}, "
            f"which equals {_result(g, blank)}."
            for name, h, d, g in zip(names, left, delta, db)
        ]
    if stage.kind == "gradient":
        return [f"∂E/∂b of {name} equals δ of {name}, which equals {_result(g, blank)}." for name, g in zip(names, db)]
    if not record.scenario.train_biases:
        return [f"The biases are frozen: b of {name} stays {say(v)}." for name, v in zip(names, b)]
    if record.bias_updates is None:  # trainable, but the step's rules leave them alone
        return [f"The biases are not updated: b of {name} stays {say(v)}." for name, v in zip(names, b)]
    rate, sign = record.scenario.learning_rate, _update_sign(record)
    sentences = []
    for name, old, g, new in zip(names, b, db, new_b):
        digits = _digits_apart(old, new)
        sentences.append(
            f"b of {name}: {say(old, digits)} {sign} {say(rate)} times {say(g)}, "
            f"which equals {_result(new, blank, digits)}."
        )
    return sentences


def _apply(record: StepRecord, blank: bool) -> list[str]:
    last = len(record.scenario.layers) - 1
    sentences = []
    for name, old, new in zip(_names(record, last), record.output, record.new_output):
        digits = _digits_apart(old, new)
        sentences.append(
            f"With the new weights the output {name} becomes {_result(new, blank, digits)}, from {say(old, digits)}."
        )
    change = "falls" if record.new_loss < record.loss else "does not fall"
    if blank:
        sentences.append(f"The loss E was {say(record.loss, 6)} and becomes {HIDDEN}.")
    else:
        sentences.append(f"The loss E {change}, from {say(record.loss, 6)} to {say(record.new_loss, 6)}.")
    return sentences
