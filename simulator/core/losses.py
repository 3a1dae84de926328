"""Losses, each with the output delta δ = dE/dz it induces, looked up by name.

A loss's functions take the output layer's pre-activation z, its activation a and the target t,
one example (1-D) or a batch of rows (2-D), and give E of each row; z is there so that
cross-entropy is evaluated from z without log(0). Cross-entropy has one form for an elementwise
output (sigmoid) and one for a coupled one (softmax). As with the activations, the notebook
exporter prints these functions' source, so adding a loss is one entry in :data:`LOSSES`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import SIGMOID, SOFTMAX, Activation, row_dot

# Registry ids: code outside this module names a loss through these constants.
HALF_SQUARED_ERROR, CROSS_ENTROPY = "half_squared_error", "cross_entropy"

RowLoss = Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Loss:
    name: str
    label: str
    elementwise: RowLoss  # E of each row for an elementwise output activation
    coupled: RowLoss  # E of each row for a coupled (softmax) output
    latex: str
    coupled_latex: str
    slope_cancels: bool = False  # δ⁽ᴸ⁾ = a − t: the output activation's slope cancels
    output_activations: tuple[str, ...] | None = None  # None: any activation
    gradient_why: str = ""  # why ∂E/∂o (or ∂E/∂z when the slope cancels) is o − t, in one sentence

    def rows(self, activation: Activation) -> RowLoss:
        """E of each row, in the form for this output ``activation``."""
        return self.elementwise if activation.elementwise else self.coupled

    def value(self, z: np.ndarray, a: np.ndarray, t: np.ndarray, activation: Activation) -> float:
        """E for one example."""
        return float((self.elementwise if activation.elementwise else self.coupled)(z, a, t))

    def output_delta(self, z: np.ndarray, a: np.ndarray, t: np.ndarray, activation: Activation) -> np.ndarray:
        """δ⁽ᴸ⁾ = dE/dz⁽ᴸ⁾ for one example or a batch of rows."""
        if self.slope_cancels:
            # With a sigmoid or a softmax (targets summing to 1) output, the activation's derivative cancels.
            return a - t
        # dE/da = a − t (the seed's `error`), then back through the activation.
        return activation.backward(z, a, a - t)


def half_squared_error(z, a, target):
    error = a - target
    return 0.5 * row_dot(error, error)


def cross_entropy(z, a, target):
    # -Σ [t ln σ(z) + (1 - t) ln(1 - σ(z))] = Σ softplus(z) - t z, computed from z so it never takes log 0
    return np.sum(np.logaddexp(0.0, z) - target * z, axis=-1)


def softmax_cross_entropy(z, a, target):
    # -Σ t ln softmax(z) = Σt · logsumexp(z) - Σ t z, computed from z so it never takes log 0
    peak = np.max(z, axis=-1, keepdims=True)
    log_sum_exp = peak[..., 0] + np.log(np.sum(np.exp(z - peak), axis=-1))
    return np.sum(target, axis=-1) * log_sum_exp - row_dot(target, z)


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            HALF_SQUARED_ERROR,
            "Half squared error",
            half_squared_error,
            half_squared_error,
            r"E = \tfrac{1}{2} \sum_k (o_k - t_k)^2",
            r"E = \tfrac{1}{2} \sum_k (o_k - t_k)^2",
            gradient_why="E = ½(o − t)², so moving the output o a little changes E by (o − t) times as much.",
        ),
        Loss(
            CROSS_ENTROPY,
            "Cross-entropy",
            cross_entropy,
            softmax_cross_entropy,
            r"E = -\sum_k \left[ t_k \ln o_k + (1 - t_k) \ln(1 - o_k) \right]",
            r"E = -\sum_k t_k \ln o_k",
            slope_cancels=True,
            output_activations=(SIGMOID, SOFTMAX),
            gradient_why="∂E/∂o = (o − t)/(o(1 − o)) and the sigmoid's ∂o/∂z = o(1 − o) cancel (the softmax's "
            "likewise): ∂E/∂z = o − t.",
        ),
    )
}


def loss_latex(loss: Loss, activation: Activation) -> str:
    return loss.latex if activation.elementwise else loss.coupled_latex
