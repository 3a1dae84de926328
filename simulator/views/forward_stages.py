"""The forward-pass stages (each layer's weighted sums, then its activations) and the loss stage."""

from __future__ import annotations

from ..core.activations import ACTIVATIONS
from ..core.losses import LOSSES, loss_latex
from ..core.mistakes import rules_of
from ..core.names import layer_mark
from ..core.record import StepRecord
from .formatting import latex_number
from .stage_parts import Stage, _edges, _layer_word, _mat, _read_only, _steps, _sym, _vec


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
