"""Activation functions, each travelling with its derivative, looked up by name.

Vectors are 1-D rows. ``backward(z, a, upstream)`` returns dE/dz given
dE/da = ``upstream``: for elementwise activations that is ``upstream * f'(z)``;
softmax couples its units, so it applies the transposed Jacobian instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# exp(709) is the largest power of e a float64 holds; clamping keeps sigmoid's
# straight-line form (bit-identical to the seed notebook) free of overflow.
_EXP_LIMIT = 709.0


@dataclass(frozen=True)
class Activation:
    name: str
    label: str
    forward: Callable[[np.ndarray], np.ndarray]
    backward: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    latex: str  # f(z)
    derivative_latex: str  # how dE/dz follows from dE/da
    elementwise: bool = True
    output_only: bool = False

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.forward(np.asarray(z, dtype=float))


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{−z}); no overflow for any finite z."""
    return 1.0 / (1.0 + np.exp(-np.maximum(z, -_EXP_LIMIT)))


def _sigmoid_backward(z, a, upstream):
    # Same operation order as the seed (error * output * (1 - output)).
    return upstream * a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    return np.tanh(z)


def _tanh_backward(z, a, upstream):
    return upstream * (1.0 - a * a)


def relu(z: np.ndarray) -> np.ndarray:
    return np.maximum(0.0, z)


def _relu_backward(z, a, upstream):
    # The derivative at exactly z = 0 is taken as 0.
    return upstream * (z > 0.0)


def linear(z: np.ndarray) -> np.ndarray:
    return np.array(z, dtype=float)


def _linear_backward(z, a, upstream):
    return np.array(upstream, dtype=float)


def softmax(z: np.ndarray) -> np.ndarray:
    """e^{z_i} / Σ_j e^{z_j}, shifted by max(z) so it never overflows."""
    shifted = np.exp(z - np.max(z))
    return shifted / np.sum(shifted)


def _softmax_backward(z, a, upstream):
    # Jᵀ·g for J = diag(a) − a aᵀ, without building J.
    return a * (upstream - np.dot(upstream, a))


def derivative(activation: Activation, z: np.ndarray) -> np.ndarray:
    """f'(z) elementwise (for softmax: the diagonal ∂a_i/∂z_i), for plots and tables."""
    z = np.asarray(z, dtype=float)
    a = activation.forward(z)
    if activation.elementwise:
        return activation.backward(z, a, np.ones_like(z))
    return a * (1.0 - a)


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation(
            "sigmoid",
            "Sigmoid",
            sigmoid,
            _sigmoid_backward,
            r"\sigma(z) = \frac{1}{1 + e^{-z}}",
            r"\sigma'(z) = a\,(1 - a)",
        ),
        Activation(
            "tanh",
            "Tanh",
            tanh,
            _tanh_backward,
            r"\tanh(z)",
            r"\tanh'(z) = 1 - a^2",
        ),
        Activation(
            "relu",
            "ReLU",
            relu,
            _relu_backward,
            r"\mathrm{ReLU}(z) = \max(0, z)",
            r"\mathrm{ReLU}'(z) = [z > 0]",
        ),
        Activation(
            "linear",
            "Linear",
            linear,
            _linear_backward,
            r"f(z) = z",
            r"f'(z) = 1",
        ),
        Activation(
            "softmax",
            "Softmax",
            softmax,
            _softmax_backward,
            r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            r"\frac{\partial a_i}{\partial z_j} = a_i\,([i = j] - a_j)",
            elementwise=False,
            output_only=True,
        ),
    )
}
