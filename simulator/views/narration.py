"""Each stage in words, and the graph as a table: the text alternative of what the page draws.

Pure: a :class:`~simulator.core.record.StepRecord` and its stages in, plain strings out. The
sentences are what a screen reader announces on every step ("δ of o₁ equals e times o times
1 minus o: …, which equals −0.02873"); with ``blank`` the values the current stage computes
read "?" (the presenter's "blank the answer"), while the values it starts from stay.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ..core.activations import ACTIVATIONS, SIGMOID, derivative
from ..core.losses import CROSS_ENTROPY, LOSSES
from ..core.mistakes import rules_of
from ..core.names import unit_label, unit_names
from ..core.record import StepRecord
from .formatting import latex_matrix, latex_number, latex_vector, number
from .stages import Stage

MAX_TERMS = 4  # a weighted sum with more inputs is told by its result only
MAX_EDGE_SENTENCES = 12  # a larger weight matrix is told by its largest entry; the table has them all
HIDDEN = "?"
HIDDEN_LATEX = r"\text{?}"


def say(value: float, digits: int = 4) -> str:
    """A number as it is read aloud: "minus 0.115", "1.77 times 10 to the minus 4"."""
    text = number(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa} times 10 to the {int(exponent)}"
    return text.replace("-", "minus ")


def _digits_apart(old: float, new: float) -> int:
    """The fewest significant digits (4 to 12) at which ``old`` and ``new`` read differently."""
    for digits in range(4, 13):
        if number(old, digits) != number(new, digits):
            return digits
    return 4


def _names(record: StepRecord, l: int) -> list[str]:
    return [unit_label(n) for n in unit_names(record.scenario.layers)[l]]


def _value_name(record: StepRecord, l: int, i: int) -> str:
    """What unit i of layer l sends on: x₁ for an input, "a of h₁" for a hidden unit."""
    name = _names(record, l)[i]
    return name if l == 0 else f"a of {name}"


def _result(value: float, blank: bool, digits: int = 4) -> str:
    return HIDDEN if blank else say(value, digits)


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
    sentences = []
    for j, name in enumerate(_names(record, l)):
        share = _result(float(np.dot(next_weights[j], next_delta)), blank)
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


def _edges(record: StepRecord, l: int) -> list[tuple[int, int, str]]:
    sources, targets = _names(record, l - 1), _names(record, l)
    return [(i, j, f"from {s} to {t}") for i, s in enumerate(sources) for j, t in enumerate(targets)]


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


def _update_sign(record: StepRecord) -> str:
    """ "minus" (gradient descent), or "plus" when the step's rules add the gradient."""
    return "plus" if rules_of(record.mistake).update_sign > 0 else "minus"


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


def narrate(record: StepRecord, stage: Stage, blank: bool = False) -> tuple[str, ...]:
    """The stage as plain sentences, every number from ``record``; with ``blank`` its results read "?"."""
    kind, l = stage.kind, stage.layer
    if kind == "forward":
        sentences = _forward_z(record, l, blank) if stage.id.startswith("forward.z") else _forward_a(record, l, blank)
    elif kind == "loss":
        sentences = _loss(record, blank)
    elif kind == "delta":
        last = len(record.scenario.layers) - 1
        sentences = _output_delta(record, blank) if l == last else _hidden_delta(record, l, blank)
    elif kind in ("gradient", "update") and stage.id.split(".")[1].startswith("b"):
        sentences = _bias_stage(record, stage, blank)
    elif kind == "gradient":
        sentences = _weight_gradient(record, l, blank)
    elif kind == "update":
        sentences = _weight_update(record, l, blank)
    else:
        sentences = _apply(record, blank)
    if blank:
        sentences.append("The results are hidden: work them out, then reveal them.")
    return (f"{stage.title}.", *sentences)


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

    units = []
    for l in range(last + 1):
        word = "input" if l == 0 else ("output" if l == last else "hidden")
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
            units.append(row)
    edges = []
    for l in range(1, last + 1):
        W, new_W = scenario.weights[l - 1], record.new_weights[l - 1]
        for i, j, _ in _edges(record, l):
            digits = _digits_apart(W[i, j], new_W[i, j])
            edges.append(
                {
                    "from": _names(record, l - 1)[i],
                    "to": _names(record, l)[j],
                    "w": number(W[i, j], digits),
                    "∂E/∂w": shown(f"gradient.W{l}", record.weight_gradients[l - 1][i, j], 4),
                    "w new": shown(f"update.W{l}", new_W[i, j], digits),
                }
            )
    return GraphTable(tuple(units), tuple(edges))


def _placeholder(value: np.ndarray) -> str:
    rows = np.atleast_2d(value)
    return (
        r"\begin{bmatrix} " + r" \\ ".join(" & ".join([HIDDEN_LATEX] * rows.shape[1]) for _ in rows) + r" \end{bmatrix}"
    )


_RESULT = re.compile(r"(=|\\to|\\leftarrow)((?:(?!=|\\to).)*)$")


def _blank_lines(text: str, reused: bool) -> str:
    """Scalar form: each unit's line ends with its result (after the last "=" or "\\to"); hide it there and,
    when later lines are ``reused`` from earlier ones (the loss: E = ½·(e₁²) would give e₁ away), there too."""
    lines, results = [], []
    for line in text.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}").split(r"\\"):
        for result in results if reused else ():
            line = re.sub(rf"(?<![\d.]){re.escape(result)}(?![\d])", lambda _: HIDDEN_LATEX, line)
        match = _RESULT.search(line)
        if match and match.group(2).strip():
            results.append(match.group(2).strip())
            line = line[: match.start(2)] + " " + HIDDEN_LATEX
        lines.append(line.strip())
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def blank_latex(stage: Stage) -> str:
    """The stage's substituted formula with what it computes shown as "?" (its inputs stay).

    A chain of equalities keeps its first line; when no value can be found in the text, all of it is hidden.
    """
    text = stage.substituted
    if not stage.shapes and stage.worked and text.startswith(r"\begin{aligned}"):
        return _blank_lines(text, reused=stage.kind == "loss")
    if text.startswith(r"\begin{aligned}"):
        first, *rest = text.removesuffix(r" \end{aligned}").split(r" \\ &= ")
        text = first + r" \\ &= " + rest[-1] + r" \end{aligned}" if rest else text
    for value in stage.values.values():
        value = np.asarray(value, dtype=float)
        if value.ndim == 0:
            for digits in (6, 4):
                shown = re.escape(latex_number(float(value), digits))
                text = re.sub(rf"(?<![\d.]){shown}(?![\d])", lambda _: HIDDEN_LATEX, text)
        else:
            for shown in (latex_matrix(value), latex_vector(value)):
                text = text.replace(shown, _placeholder(value))
    return text if text != stage.substituted else HIDDEN_LATEX


def blank_output(stage: Stage) -> str:
    """The NumPy line's printout with every value hidden: ``z1 = ?``."""
    return "\n".join(f"{name} = {HIDDEN}" for name in stage.values)
