"""The parameter stages, from the output layer back: each weight matrix's gradient and update,
then its bias's (frozen, or left alone by a mistake)."""

from __future__ import annotations

import numpy as np

from ..core.mistakes import rules_of
from ..core.names import layer_mark
from ..core.record import StepRecord
from .formatting import latex_number
from .stage_parts import DELTA_UPPER, NEW, Stage, _delta, _edges, _mat, _read_only, _steps, _sym, _vec

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
