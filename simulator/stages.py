"""The ordered stages of one training step: the single source of truth for what is shown.

Each :class:`Stage` carries its text, its formula (symbolic and with the numbers
in), the NumPy line that computes it and its values, all taken from a
:class:`~simulator.backprop.StepRecord`. Build stages from a different record (a
variant that makes a classic mistake, say) and every view follows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .activations import ACTIVATIONS, derivative
from .backprop import StepRecord
from .formatting import latex_matrix, latex_number, latex_vector
from .losses import LOSSES, loss_latex

MAX_SUBSTITUTED_ENTRIES = 16  # larger matrices appear by name and shape only


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


def unit_names(layers: tuple[int, ...]) -> tuple[tuple[str, ...], ...]:
    """Node ids per layer: x1.., h1.. (h2_1.. with several hidden layers), o1.."""
    last = len(layers) - 1
    names = []
    for l, size in enumerate(layers):
        if l == 0:
            prefix = "x"
        elif l == last:
            prefix = "o"
        else:
            prefix = "h" if last == 2 else f"h{l}_"
        names.append(tuple(f"{prefix}{i + 1}" for i in range(size)))
    return tuple(names)


_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
_SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


def layer_mark(l: int) -> str:
    """⁽¹⁾, ⁽²⁾, …: the layer superscript in plain text (titles, tables, captions)."""
    return "⁽" + str(l).translate(_SUPERSCRIPTS) + "⁾"


def unit_label(name: str) -> str:
    """x1 → x₁, h2_3 → h²₃ (hidden unit 3 of layer 2)."""
    letter, rest = name[0], name[1:]
    if "_" in rest:
        layer, index = rest.split("_")
        return letter + layer.translate(_SUPERSCRIPTS) + index.translate(_SUBSCRIPTS)
    return letter + rest.translate(_SUBSCRIPTS)


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
    return Stage(
        id="loss",
        kind="loss",
        layer=last,
        title="Error and loss",
        explanation=(
            "Compare the output o with the target t. The error e = o − t says how far off each output "
            f"is and in which direction. The loss E ({loss.label.lower()}) sums that up in one number; "
            "training is the search for weights that make it small."
        ),
        formula=rf"e = o - t, \quad {loss_latex(loss, activation)}",
        substituted=(
            rf"e = {_vec(record.output)} - {_vec(scenario.target)} = {_vec(record.error)}, "
            rf"\quad E = {latex_number(record.loss, 6)}"
        ),
        code=f"error = a{last} - target",
        values=_read_only({"error": record.error, "loss": record.loss}),
        nodes=names[last],
        edges=(),
    )


def _output_delta_stage(record: StepRecord, names) -> Stage:
    scenario = record.scenario
    last = len(scenario.layers) - 1
    activation = ACTIVATIONS[scenario.activations[-1]]
    delta = record.deltas[-1]
    o = record.output
    if scenario.loss == "cross_entropy":
        formula = rf"{_delta(last)} = o - t"
        substituted = rf"{_vec(o)} - {_vec(scenario.target)} = {_vec(delta)}"
        why = (
            f"With cross-entropy on a {activation.name} output, the slope of the activation cancels "
            "out and δ is simply the error o − t."
        )
        code = f"delta{last} = a{last} - target"
    elif activation.name == "sigmoid":
        formula = rf"{_delta(last)} = e \odot o \odot (1 - o)"
        substituted = rf"{_vec(record.error)} \odot {_vec(o)} \odot {_vec(1 - o)} = {_vec(delta)}"
        why = "For half squared error with a sigmoid output, δ is the error times the sigmoid's slope o(1 − o)."
        code = f"delta{last} = error * a{last} * (1 - a{last})"
    else:
        formula = rf"{_delta(last)} = e \odot f'({_sym('z', last)}), \quad {activation.derivative_latex}"
        substituted = rf"{_delta(last)} = {_vec(delta)}"
        why = f"δ is the error times the slope of the {activation.label.lower()} activation at z."
        code = f"delta{last} = {activation.name}_backward(z{last}, error)"
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
        values=_read_only({f"delta{last}": delta}),
        nodes=names[last],
        edges=(),
    )


def _hidden_delta_stages(record: StepRecord, names) -> list[Stage]:
    scenario = record.scenario
    last = len(scenario.layers) - 1
    stages = []
    for l in range(last - 1, 0, -1):
        activation = ACTIVATIONS[scenario.activations[l - 1]]
        a, delta, next_delta = record.activations[l], record.deltas[l - 1], record.deltas[l]
        next_weights = scenario.weights[l]
        sent_back = np.dot(next_weights, next_delta)
        if activation.name == "sigmoid":
            slope_formula = rf"{_sym('a', l)} \odot (1 - {_sym('a', l)})"
            slope_values = rf"{_vec(a)} \odot {_vec(1 - a)}"
            code = f"delta{l} = np.dot(W{l + 1}, delta{l + 1}) * a{l} * (1 - a{l})"
        else:
            slope_formula = rf"f'({_sym('z', l)})"
            slope_values = _vec(derivative(activation, record.zs[l - 1]))  # hidden layers are elementwise
            code = f"delta{l} = {activation.name}_backward(z{l}, np.dot(W{l + 1}, delta{l + 1}))"
        stages.append(
            Stage(
                id=f"delta.{l}",
                kind="delta",
                layer=l,
                title=f"Deltas of {_layer_word(l, last)}",
                explanation=(
                    "A hidden unit has no target of its own, so it takes its share of the blame from the layer "
                    "above: each δ there is sent back along the weight that connects them, the shares are "
                    "added up, and the sum is multiplied by the slope of the unit's own activation. "
                    f"This uses W{layer_mark(l + 1)} as it was in the forward pass, before any update."
                ),
                formula=(
                    rf"{_delta(l)} = \left({_delta(l + 1)} {{{_sym('W', l + 1)}}}^{{\mathsf T}}\right)"
                    rf" \odot {slope_formula}"
                ),
                substituted=_steps(
                    rf"\left({_vec(next_delta)} {_mat(next_weights.T, '{' + _sym('W', l + 1) + '}' + TRANSPOSE)}\right)"
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


def _parameter_stages(record: StepRecord, names) -> list[Stage]:
    scenario = record.scenario
    last = len(scenario.layers) - 1
    rate = latex_number(scenario.learning_rate)
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
                formula=rf"{sym_dW} = {{{_sym('a', l - 1)}}}^{{\mathsf T}} {_delta(l)}",
                substituted=_steps(rf"{_vec(a_prev)}^{{\mathsf T}} {_vec(delta)}", _mat(dW, sym_dW)),
                code=f"dW{l} = np.outer({'x' if l == 1 else f'a{l - 1}'}, delta{l})",
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
                formula=rf"{sym_W}_{{\text{{new}}}} = {sym_W} - \eta\,{sym_dW}",
                substituted=_steps(
                    rf"{_mat(W, sym_W)} - {rate} \cdot {_mat(dW, sym_dW)}",
                    rf"{_mat(W, sym_W)} + {_mat(update, DELTA_UPPER + sym_W)}",
                    _mat(new_W, sym_W + NEW),
                ),
                code=f"W{l}_new = W{l} - learning_rate * dW{l}  # the seed prints learning_rate * dW{l}",
                # lr_dW is what the seed notebook prints as the "change in weights".
                values=_read_only({f"lr_dW{l}": -update, f"update_W{l}": update, f"new_W{l}": new_W}),
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
                formula=rf"{sym_db} = {_delta(l)}",
                substituted=rf"{sym_db} = {_vec(db)}",
                code=f"db{l} = delta{l}",
                values=_read_only({f"db{l}": db}),
                nodes=names[l],
                edges=(),
            )
        )
        if scenario.train_biases:
            explanation = "Biases move against their gradient like weights do: Δb = −η·dE/db."
            formula = rf"{sym_b}_{{\text{{new}}}} = {sym_b} - \eta\,{sym_db}"
            substituted = rf"{_vec(b)} - {rate} \cdot {_vec(db)} = {_vec(new_b)}"
            code = f"b{l}_new = b{l} - learning_rate * db{l}"
            values = {f"update_b{l}": record.bias_updates[l - 1], f"new_b{l}": new_b}
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
    change = "fell" if record.new_loss < record.loss else "did not fall (try a smaller learning rate)"
    return Stage(
        id="apply",
        kind="apply",
        layer=None,
        title="After the update",
        explanation=(
            f"Run the forward pass again with the new weights. The loss {change}: one step of learning is done."
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


def build_stages(record: StepRecord) -> tuple[Stage, ...]:
    """Forward (z then a per layer), error and loss, deltas from the output back,
    gradient and update per parameter from the output back, then the new output."""
    names = unit_names(record.scenario.layers)
    return (
        *_forward_stages(record, names),
        _loss_stage(record, names),
        _output_delta_stage(record, names),
        *_hidden_delta_stages(record, names),
        *_parameter_stages(record, names),
        _apply_stage(record, names),
    )
