"""Activation functions, each travelling with its derivative, looked up by name.

Each function works on rows: ``z`` is one example's vector (1-D) or a batch of them (2-D, one
example a row), and softmax normalises along the last axis. ``backward(z, a, upstream)`` returns
dE/dz given dE/da = ``upstream``: for elementwise activations that is ``upstream * f'(z)``; softmax
couples its units, so it applies the transposed Jacobian instead.

The functions are written in the seed notebook's NumPy with nothing else, because the notebook
exporter prints their source (:func:`inspect.getsource`): what the engine runs is what the
notebook shows, so the two agree bit for bit. Adding an activation is one entry in
:data:`ACTIVATIONS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

# Registry ids: code outside this module names an activation through these constants.
SIGMOID, TANH, RELU, LINEAR, SOFTMAX = "sigmoid", "tanh", "relu", "linear", "softmax"


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
    slope: str = "f′(z)"  # plain text, in terms of a (the chain rule's ∂a/∂z)
    slope_why: str = ""  # why the slope is that, in one sentence

    def __call__(self, z: np.ndarray) -> np.ndarray:
        return self.forward(np.asarray(z, dtype=float))


def row_dot(u, v):
    """Σ_i u_i v_i along the last axis: np.dot for one row (the seed's), a sum of products for a batch."""
    if u.ndim == 1:
        return np.dot(u, v)
    return np.sum(u * v, axis=-1)


def sigmoid(z):
    """σ(z) = 1 / (1 + e^{−z}); np.maximum keeps exp from overflowing for z < −709
    (exp(709) is the largest power of e a float64 holds), otherwise the seed notebook's sigmoid."""
    return 1.0 / (1.0 + np.exp(-np.maximum(z, -709.0)))


def sigmoid_backward(z, a, upstream):
    # the seed's order of operations: error * output * (1 - output)
    return upstream * a * (1.0 - a)


def tanh(z):
    return np.tanh(z)


def tanh_backward(z, a, upstream):
    return upstream * (1.0 - a * a)


def relu(z):
    return np.maximum(0.0, z)


def relu_backward(z, a, upstream):
    # the slope at exactly z = 0 is taken as 0
    return upstream * (z > 0.0)


def linear(z):
    return np.array(z, dtype=float)


def linear_backward(z, a, upstream):
    return np.array(upstream, dtype=float)


def softmax(z):
    """e^{z_i} / Σ_j e^{z_j} along each row, shifted by the row's max so exp never overflows."""
    shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


def softmax_backward(z, a, upstream):
    # the transposed Jacobian diag(a) - a aᵀ applied to upstream, row by row, without building it
    return a * (upstream - np.expand_dims(row_dot(upstream, a), -1))


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
            SIGMOID,
            "Sigmoid",
            sigmoid,
            sigmoid_backward,
            r"\sigma(z) = \frac{1}{1 + e^{-z}}",
            r"\sigma'(z) = a\,(1 - a)",
            slope="a(1 − a)",
            slope_why="σ(z) = 1/(1 + e^−z) has σ′(z) = e^−z/(1 + e^−z)² = σ(z)·(1 − σ(z)): the slope is read off "
            "the unit's own output a.",
        ),
        Activation(
            TANH,
            "Tanh",
            tanh,
            tanh_backward,
            r"\tanh(z)",
            r"\tanh'(z) = 1 - a^2",
            slope="1 − a²",
            slope_why="tanh′(z) = 1 − tanh²(z): the slope is read off the unit's own output a.",
        ),
        Activation(
            RELU,
            "ReLU",
            relu,
            relu_backward,
            r"\mathrm{ReLU}(z) = \max(0, z)",
            r"\mathrm{ReLU}'(z) = [z > 0]",
            slope="[z > 0]",
            slope_why="ReLU passes z on unchanged where z > 0 (slope 1) and blocks it elsewhere (slope 0).",
        ),
        Activation(
            LINEAR,
            "Linear",
            linear,
            linear_backward,
            r"f(z) = z",
            r"f'(z) = 1",
            slope="1",
            slope_why="A linear unit passes z on unchanged: its slope is 1.",
        ),
        Activation(
            SOFTMAX,
            "Softmax",
            softmax,
            softmax_backward,
            r"\mathrm{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
            r"\frac{\partial a_i}{\partial z_j} = a_i\,([i = j] - a_j)",
            elementwise=False,
            output_only=True,
            slope="aᵢ([i = j] − aⱼ)",
            slope_why="Each softmax output depends on every z of its layer, so δ sums over the outputs.",
        ),
    )
}
