"""Losses, each with the output delta δ = dE/dz it induces, looked up by name.

``value(z, a, t)`` takes the output layer's pre-activation z as well as its
activation a so that cross-entropy can be evaluated from z without log(0).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import Activation


@dataclass(frozen=True)
class Loss:
    name: str
    label: str
    value: Callable[[np.ndarray, np.ndarray, np.ndarray, Activation], float]
    output_delta: Callable[[np.ndarray, np.ndarray, np.ndarray, Activation], np.ndarray]
    latex: str
    output_activations: tuple[str, ...] | None = None  # None: any activation


def _half_squared_error(z, a, t, activation):
    error = a - t
    return 0.5 * float(np.dot(error, error))


def _half_squared_error_delta(z, a, t, activation):
    # dE/da = a − t (the seed's `error`), then back through the activation.
    return activation.backward(z, a, a - t)


def _cross_entropy(z, a, t, activation):
    if activation.name == "softmax":
        # −Σ t log softmax(z) = Σt · logsumexp(z) − Σ t z
        peak = np.max(z)
        log_sum_exp = peak + np.log(np.sum(np.exp(z - peak)))
        return float(np.sum(t) * log_sum_exp - np.dot(t, z))
    # −Σ [t log σ(z) + (1 − t) log(1 − σ(z))] = Σ softplus(z) − t z
    return float(np.sum(np.logaddexp(0.0, z) - t * z))


def _cross_entropy_delta(z, a, t, activation):
    # With a sigmoid or a softmax (targets summing to 1) output, the
    # activation's derivative cancels: δ = a − t.
    return a - t


LOSSES: dict[str, Loss] = {
    loss.name: loss
    for loss in (
        Loss(
            "half_squared_error",
            "Half squared error",
            _half_squared_error,
            _half_squared_error_delta,
            r"E = \tfrac{1}{2} \sum_k (o_k - t_k)^2",
        ),
        Loss(
            "cross_entropy",
            "Cross-entropy",
            _cross_entropy,
            _cross_entropy_delta,
            r"E = -\sum_k \left[ t_k \ln o_k + (1 - t_k) \ln(1 - o_k) \right]",
            output_activations=("sigmoid", "softmax"),
        ),
    )
}


def loss_latex(loss: Loss, activation: Activation) -> str:
    if loss.name == "cross_entropy" and activation.name == "softmax":
        return r"E = -\sum_k t_k \ln o_k"
    return loss.latex
