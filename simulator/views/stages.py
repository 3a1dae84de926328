"""The ordered stages of one training step: the single source of truth for what is shown.

Each :class:`Stage` carries its text, its formula (symbolic and with the numbers
in), the NumPy line that computes it and its values, all taken from a
:class:`~simulator.core.record.StepRecord`. Build stages from a different record (a
variant that makes a classic mistake, say) and every view follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from ..core.activations import ACTIVATIONS, SIGMOID, derivative
from ..core.losses import CROSS_ENTROPY, LOSSES, loss_latex
from ..core.mistakes import mistake_entry, rules_of
from ..core.names import layer_mark, unit_names
from ..core.record import StepRecord
from .formatting import latex_matrix, latex_number, latex_vector
from .forms import FORMS, MATRIX
from .notation import ZAD, notation_named

MAX_SUBSTITUTED_ENTRIES = 16  # larger matrices appear by name and shape only
FIRST_STAGE = "forward.z1"  # every step starts with layer 1's z


@dataclass(frozen=True)
class Stage:
    id: str  # stable: "forward.z1", "loss", "delta.2", "gradient.W2", "update.b1", "apply", …
    kind: str  # forward | loss | delta | gradient | update | apply
    layer: int | None
    title: str
    explanation: str
    formula: str  # LaTeX
    substituted: str  # LaTeX with the numbers in
    code: str  # the NumPy line, in the seed notebook's style
    values: Mapping[str, np.ndarray]  # read-only arrays, keyed by code name ("z1", "dW2", …)
    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    shapes: str = ""  # LaTeX: the matrix formula with each factor's shape underneath (matrix form)
    worked: tuple[str, ...] = ()  # plain text: the shape line (matrix form) or each unit's sum (scalar form)


def _edges(names, l: int) -> tuple[tuple[str, str], ...]:
    """The edges of W⁽ˡ⁾, from layer l − 1 to layer l."""
    return tuple((a, b) for a in names[l - 1] for b in names[l])


def _read_only(values: dict[str, np.ndarray]) -> Mapping[str, np.ndarray]:
    frozen = {}
    for key, value in values.items():
        array = np.array(value, dtype=float)
        array.setflags(write=False)
        frozen[key] = array
    return MappingProxyType(frozen)


def _vec(values) -> str:
    return latex_vector(values)


def _mat(values, symbol: str) -> str:
    values = np.atleast_2d(values)
    if values.size > MAX_SUBSTITUTED_ENTRIES:
        return rf"{symbol}_{{[{values.shape[0]}\times{values.shape[1]}]}}"
    return latex_matrix(values)


def _sym(letter: str, l: int) -> str:
    return rf"{letter}^{{({l})}}"


def _steps(*parts: str) -> str:
    """A chain of equalities, one per line, so wide matrices stay readable."""
    return r"\begin{aligned} & " + r" \\ &= ".join(parts) + r" \end{aligned}"


def _delta(l: int) -> str:
    return _sym(r"\delta", l)


TRANSPOSE = r"^{\mathsf T}"
NEW = r"_{\text{new}}"
DELTA_UPPER = r"\Delta "


def _layer_word(l: int, last: int) -> str:
    return "the output layer" if l == last else ("the hidden layer" if last == 2 else f"hidden layer {l}")


def _forward_stages(record: StepRecord, names) -> list[Stage]:
    scenario = record.scenario
    last = len(scenario.layers) - 1
    stages = []
    for l in range(1, last + 1):
        activation = ACTIVATIONS[scenario.activations[l - 1]]
        a_prev, weights = record.activations[l - 1], scenario.weights[l - 1]
        bias = None if scenario.biases is None else scenario.biases[l - 1]
        z, a = record.zs[l - 1], record.activations[l]
        inputs = "x" if l == 1 else f"a{l - 1}"
        word = _layer_word(l, last)
        formula = rf"{_sym('z', l)} = {_sym('a', l - 1)} {_sym('W', l)}"
        substituted = rf"{_vec(a_prev)} {_mat(weights, _sym('W', l))}"
        code = f"z{l} = np.dot({inputs}, W{l})"
        if bias is not None:
            formula += rf" + {_sym('b', l)}"
            substituted += rf" + {_vec(bias)}"
            code += f" + b{l}"
        stages.append(
            Stage(
                id=f"forward.z{l}",
                kind="forward",
                layer=l,
                title=f"Weighted sums of {word}",
                explanation=(
                    f"Each unit of {word} adds up what arrives on its incoming edges: every value "
                    f"of the layer before, multiplied by the weight on its edge"
                    + (", plus the unit's bias" if bias is not None else "")
                    + f". The result is the unit's weighted input z{layer_mark(l)}."
                ),
                formula=formula,
                substituted=_steps(substituted, _vec(z)),
                code=code,
                values=_read_only({f"z{l}": z}),
                nodes=names[l - 1] + names[l],
                edges=_edges(names, l),
            )
        )
        output_note = " These are the network's outputs." if l == last else ""
        stages.append(
            Stage(
                id=f"forward.a{l}",
                kind="forward",
                layer=l,
                title=f"Activations of {word}",
                explanation=(
                    f"Each unit passes its weighted input through the {activation.label.lower()} "
                    f"activation function. The result a{layer_mark(l)} is what the unit sends on.{output_note}"
                ),
                formula=rf"{_sym('a', l)} = f({_sym('z', l)}), \quad {activation.latex}",
                substituted=rf"\mathrm{{{activation.name}}}\left({_vec(z)}\right) = {_vec(a)}",
                code=f"a{l} = {activation.name}(z{l})",
                values=_read_only({f"a{l}": a}),
                nodes=names[l],
                edges=(),
            )
        )
    return stages


def _loss_stage(record: StepRecord, names) -> Stage:
    scenario = record.scenario
    last = len(scenario.layers) - 1
    loss = LOSSES[scenario.loss]
    activation = ACTIVATIONS[scenario.activations[-1]]
    # e = o − t, or t − o under the mistake that flips it: the operands in the rules' order.
    (first, first_values), (second, second_values) = [("o", record.output), ("t", scenario.target)][
        :: 1 if rules_of(record.mistake).error_sign > 0 else -1
    ]
    code_operands = [f"a{last}", "target"][:: 1 if first == "o" else -1]
    return Stage(
        id="loss",
        kind="loss",
        layer=last,
        title="Error and loss",
        explanation=(
            f"Compare the output o with the target t. The error e = {first} − {second} says how far off each output "
            f"is and in which direction. The loss E ({loss.label.lower()}) sums that up in one number; "
            "training is the search for weights that make it small."
        ),
        formula=rf"e = {first} - {second}, \quad {loss_latex(loss, activation)}",
        substituted=(
            rf"e = {_vec(first_values)} - {_vec(second_values)} = {_vec(record.error)}, "
            rf"\quad E = {latex_number(record.loss, 6)}"
        ),
        code=f"error = {code_operands[0]} - {code_operands[1]}",
        values=_read_only({"error": record.error, "loss": record.loss}),
        nodes=names[last],
        edges=(),
    )


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
        sent_back = np.dot(next_weights, next_delta)
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
                    rf"{_vec(sent_back)} \odot {slope_values}",
                    _vec(delta),
                ),
                code=code,
                values=_read_only({f"delta{l}": delta}),
                nodes=names[l] + names[l + 1],
                edges=_edges(names, l + 1),
            )
        )
    return stages


SIGN_NOTE = (
    'Sign convention: the seed notebook prints η·dE/dW as the "change in weights"; '
    "the weights actually move by minus that, downhill."
)


def _left(text: str, left) -> str:
    """``text`` as what a gradient buffer still held, added before this pass's gradient (the accumulate
    mistake); nothing when the buffers were zeroed."""
    if left is None:
        return ""
    if text.startswith(r"\frac"):
        return rf"\left({text}\right)_{{\text{{left}}}} + "
    return rf"{text} + "


def _parameter_stages(record: StepRecord, names) -> list[Stage]:
    scenario = record.scenario
    left_W, left_b = record.carried_weight_gradients, record.carried_bias_gradients
    last = len(scenario.layers) - 1
    rate = latex_number(scenario.learning_rate)
    sign = "+" if rules_of(record.mistake).update_sign > 0 else "-"
    stages = []
    for l in range(last, 0, -1):
        a_prev, delta = record.activations[l - 1], record.deltas[l - 1]
        W, dW, update, new_W = (
            scenario.weights[l - 1],
            record.weight_gradients[l - 1],
            record.weight_updates[l - 1],
            record.new_weights[l - 1],
        )
        edges = _edges(names, l)
        nodes = names[l - 1] + names[l]
        fed = rules_of(record.mistake).gradient_input(l)  # a, or z under the mistake that takes z for a
        fed_values = record.zs[l - 2] if fed == "z" else a_prev
        sym_W, sym_dW = _sym("W", l), rf"\frac{{\partial E}}{{\partial {_sym('W', l)}}}"
        stages.append(
            Stage(
                id=f"gradient.W{l}",
                kind="gradient",
                layer=l,
                title=f"Gradient of W{layer_mark(l)}",
                explanation=(
                    "How much does the loss change when one weight changes? For the edge from unit i to unit j "
                    "it is the value that flowed along the edge, aᵢ, times the δⱼ of the unit it feeds."
                ),
                formula=rf"{sym_dW} = {_left(sym_dW, left_W)}{{{_sym(fed, l - 1)}}}^{{\mathsf T}} {_delta(l)}",
                substituted=_steps(
                    ("" if left_W is None else _left(_mat(left_W[l - 1], sym_dW), left_W))
                    + rf"{_vec(fed_values)}^{{\mathsf T}} {_vec(delta)}",
                    _mat(dW, sym_dW),
                ),
                code=f"dW{l} = "
                + ("" if left_W is None else f"dW{l}_left + ")
                + f"np.outer({'x' if l == 1 else f'{fed}{l - 1}'}, delta{l})",
                values=_read_only({f"dW{l}": dW}),
                nodes=nodes,
                edges=edges,
            )
        )
        stages.append(
            Stage(
                id=f"update.W{l}",
                kind="update",
                layer=l,
                title=f"Update of W{layer_mark(l)}",
                explanation=(
                    "Gradient descent moves every weight a small step against its gradient: "
                    "ΔW = −η·dE/dW, with learning rate η. " + SIGN_NOTE
                ),
                formula=rf"{sym_W}_{{\text{{new}}}} = {sym_W} {sign} \eta\,{sym_dW}",
                substituted=_steps(
                    rf"{_mat(W, sym_W)} {sign} {rate} \cdot {_mat(dW, sym_dW)}",
                    rf"{_mat(W, sym_W)} + {_mat(update, DELTA_UPPER + sym_W)}",
                    _mat(new_W, sym_W + NEW),
                ),
                code=f"W{l}_new = W{l} {sign} learning_rate * dW{l}  # the seed prints learning_rate * dW{l}",
                # lr_dW is what the seed notebook prints as the "change in weights" (η·dE/dW, whatever the sign).
                values=_read_only(
                    {f"lr_dW{l}": record.shown(scenario.learning_rate * dW), f"update_W{l}": update, f"new_W{l}": new_W}
                ),
                nodes=nodes,
                edges=edges,
            )
        )
        if scenario.biases is None:
            continue
        b, db = scenario.biases[l - 1], record.bias_gradients[l - 1]
        new_b = record.new_biases[l - 1]
        sym_b, sym_db = _sym("b", l), rf"\frac{{\partial E}}{{\partial {_sym('b', l)}}}"
        stages.append(
            Stage(
                id=f"gradient.b{l}",
                kind="gradient",
                layer=l,
                title=f"Gradient of b{layer_mark(l)}",
                explanation="A bias is a weight on an input that is always 1, so its gradient is just the unit's δ.",
                formula=rf"{sym_db} = {_left(sym_db, left_b)}{_delta(l)}",
                substituted=rf"{sym_db} = "
                + (_left(_vec(left_b[l - 1]), left_b) + _vec(record.deltas[l - 1]) + " = " if left_b else "")
                + _vec(db),
                code=f"db{l} = " + ("" if left_b is None else f"db{l}_left + ") + f"delta{l}",
                values=_read_only({f"db{l}": db}),
                nodes=names[l],
                edges=(),
            )
        )
        if record.bias_updates is not None:
            explanation = "Biases move against their gradient like weights do: Δb = −η·dE/db."
            formula = rf"{sym_b}_{{\text{{new}}}} = {sym_b} {sign} \eta\,{sym_db}"
            substituted = rf"{_vec(b)} {sign} {rate} \cdot {_vec(db)} = {_vec(new_b)}"
            code = f"b{l}_new = b{l} {sign} learning_rate * db{l}"
            values = {f"update_b{l}": record.bias_updates[l - 1], f"new_b{l}": new_b}
        elif scenario.train_biases:  # trainable, but the step's rules leave them alone
            explanation = "The biases should move against their gradient, Δb = −η·dE/db, but they are left unchanged."
            formula = rf"{sym_b}_{{\text{{new}}}} = {sym_b} \quad \text{{(not updated)}}"
            substituted = rf"{sym_b}_{{\text{{new}}}} = {_vec(new_b)}"
            code = f"b{l}_new = b{l}  # not updated"
            values = {f"update_b{l}": np.zeros_like(b), f"new_b{l}": new_b}
        else:
            explanation = "Biases are frozen in this scenario: their gradient is shown, but they keep their values."
            formula = rf"{sym_b}_{{\text{{new}}}} = {sym_b} \quad \text{{(frozen)}}"
            substituted = rf"{sym_b}_{{\text{{new}}}} = {_vec(new_b)}"
            code = f"b{l}_new = b{l}  # biases frozen"
            values = {f"update_b{l}": np.zeros_like(b), f"new_b{l}": new_b}
        stages.append(
            Stage(
                id=f"update.b{l}",
                kind="update",
                layer=l,
                title=f"Update of b{layer_mark(l)}",
                explanation=explanation,
                formula=formula,
                substituted=substituted,
                code=code,
                values=_read_only(values),
                nodes=names[l],
                edges=(),
            )
        )
    return stages


def _apply_stage(record: StepRecord, names) -> Stage:
    last = len(record.scenario.layers) - 1
    entry = mistake_entry(record.mistake)
    if record.new_loss < record.loss:
        change = "fell"
    elif entry is None:
        change = "did not fall (try a smaller learning rate)"
    else:  # the mistake is the first suspect, not the learning rate
        change = "did not fall: " + (
            entry.uphill or f"the step was computed with the mistake “{entry.title}”; fix it before the learning rate"
        )
    return Stage(
        id="apply",
        kind="apply",
        layer=None,
        title="After the update",
        explanation=(
            f"Run the forward pass again with the new weights. The loss {change}. One step of learning is done."
        ),
        formula=r"o_{\text{new}} = f(x;\, W_{\text{new}}), \quad E_{\text{new}}",
        substituted=(
            rf"o: {_vec(record.output)} \to {_vec(record.new_output)}, \quad "
            rf"E: {latex_number(record.loss, 6)} \to {latex_number(record.new_loss, 6)}"
        ),
        code=f"a{last}_new = forward(x, W_new)",
        values=_read_only({"new_output": record.new_output, "new_loss": record.new_loss}),
        nodes=tuple(n for layer in names for n in layer),
        edges=tuple(e for l in range(1, last + 1) for e in _edges(names, l)),
    )


def _note_key(stage: Stage, last: int) -> str:
    """The key of a mistake's notes this stage answers to: "loss", "delta.output", "update.W", …"""
    if stage.kind == "delta":
        return "delta.output" if stage.layer == last else "delta.hidden"
    if stage.kind in ("gradient", "update"):
        return f"{stage.kind}.{stage.id.split('.')[1][0]}"
    return stage.kind


def _with_mistake_notes(stages: tuple[Stage, ...], record: StepRecord) -> tuple[Stage, ...]:
    entry = mistake_entry(record.mistake)
    if entry is None:
        return stages
    last = len(record.scenario.layers) - 1
    noted = []
    for stage in stages:
        note = entry.notes.get(_note_key(stage, last))
        if stage.kind == "apply":
            note = f"This step was computed with the mistake “{entry.title}”."
        noted.append(
            replace(stage, explanation=f"{stage.explanation} Mistake — {entry.title}: {note}") if note else stage
        )
    return tuple(noted)


def build_stages(record: StepRecord, *, notation: str = ZAD.id, form: str = MATRIX) -> tuple[Stage, ...]:
    """Forward (z then a per layer), error and loss, deltas from the output back,
    gradient and update per parameter from the output back, then the new output.

    ``notation``: "zad" (z, a, δ) or "mazur" (net, out); ``form``: "matrix" (shapes under the factors)
    or "scalar" (each unit's sum). Stage ids and values are the same in every view; a record made
    with a mistake says so in the explanation of each stage the mistake changes.
    """
    if form not in FORMS:
        raise ValueError(f"form: unknown {form!r}; choose one of {', '.join(FORMS)}")
    names = unit_names(record.scenario.layers)
    stages = _with_mistake_notes(
        (
            *_forward_stages(record, names),
            _loss_stage(record, names),
            _output_delta_stage(record, names),
            *_hidden_delta_stages(record, names),
            *_parameter_stages(record, names),
            _apply_stage(record, names),
        ),
        record,
    )
    view, chosen = FORMS[form], notation_named(notation)
    return tuple(replace(stage, **view(record, stage, chosen, names)) for stage in stages)
