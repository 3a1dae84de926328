"""One step of backpropagation, one small pure function per stage: the engine's core.

The recorded step (every intermediate, a classic mistake, paper mode) is built from these
functions in :mod:`.record`; training's batch path in :mod:`.batch`.

Notation (the same on screen): layer 0 is the input, layer L the output.
For l = 1..L:  z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾,  a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾),  a⁽⁰⁾ = x.
δ⁽ˡ⁾ = dE/dz⁽ˡ⁾; ``dW`` means dE/dW. Vectors are 1-D rows and W⁽ˡ⁾ has shape
(units in l−1, units in l), as in the seed's ``np.dot(x, weights_input_hidden)``;
so dE/dW⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾ is an outer product, not the δ aᵀ of column-vector texts.

The update is W ← W − η·dE/dW. The seed prints η·δ·a as the "change in
weights"; the weights actually move by the negative of that.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS, Activation
from .losses import LOSSES, Loss
from .scenario import Scenario


def pre_activation(a_prev: np.ndarray, weights: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """z = a_prev W (+ b)."""
    z = np.dot(a_prev, weights)
    return z if bias is None else z + bias


def activate(activation: Activation, z: np.ndarray) -> np.ndarray:
    """a = f(z)."""
    return activation.forward(z)


def output_error(output: np.ndarray, target: np.ndarray) -> np.ndarray:
    """e = o − t, the seed's ``error``."""
    return output - target


def loss_value(loss: Loss, activation: Activation, z: np.ndarray, output: np.ndarray, target: np.ndarray) -> float:
    """E for one example."""
    return loss.value(z, output, target, activation)


def output_delta(
    loss: Loss, activation: Activation, z: np.ndarray, output: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """δ⁽ᴸ⁾ = dE/dz⁽ᴸ⁾; for half squared error with sigmoid: (o − t) ⊙ o ⊙ (1 − o)."""
    return loss.output_delta(z, output, target, activation)


def sent_back(next_delta: np.ndarray, next_weights: np.ndarray) -> np.ndarray:
    """∂E/∂a⁽ˡ⁾ = δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾ᵀ: each unit's outgoing weights times the deltas they feed, summed. Every view of
    this sum calls this one function: a sum that cancels to rounding noise is the same noise everywhere it is
    shown (a row-by-row dot product can round it differently)."""
    return np.dot(next_weights, next_delta)


def hidden_delta(
    next_delta: np.ndarray, next_weights: np.ndarray, activation: Activation, z: np.ndarray, a: np.ndarray
) -> np.ndarray:
    """δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾ᵀ) ⊙ f'(z⁽ˡ⁾): the error sent back along each outgoing weight."""
    return activation.backward(z, a, sent_back(next_delta, next_weights))


def weight_gradient(a_prev: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """dE/dW⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾ (entry i, j: a_i · δ_j)."""
    return a_prev[:, None] * delta


def bias_gradient(delta: np.ndarray) -> np.ndarray:
    """dE/db⁽ˡ⁾ = δ⁽ˡ⁾."""
    return np.array(delta, dtype=float)


def parameter_update(gradient: np.ndarray, learning_rate: float) -> np.ndarray:
    """ΔW = −η · dE/dW (the seed prints +η·dE/dW)."""
    return gradient * -learning_rate


def apply_update(parameter: np.ndarray, update: np.ndarray) -> np.ndarray:
    """W' = W + ΔW = W − η · dE/dW; a new array, the old one untouched."""
    return parameter + update


@dataclass(frozen=True)
class Network:
    """The registry lookups of a scenario, done once."""

    activations: tuple[Activation, ...]
    loss: Loss

    @classmethod
    def of(cls, scenario: Scenario) -> Network:
        return cls(tuple(ACTIVATIONS[name] for name in scenario.activations), LOSSES[scenario.loss])


def forward_pass(
    network: Network,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None,
    x: np.ndarray,
    keep: Callable | None = None,
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """z⁽¹⁾..z⁽ᴸ⁾ and a⁽⁰⁾..a⁽ᴸ⁾; with ``keep`` (paper mode's rounding), each value passes through it
    before the next stage uses it."""
    zs, activations = [], [x]
    for l, activation in enumerate(network.activations):
        z = pre_activation(activations[-1], weights[l], None if biases is None else biases[l])
        zs.append(z if keep is None else keep(z))
        a = activate(activation, zs[-1])
        activations.append(a if keep is None else keep(a))
    return zs, activations


def backward_pass(
    network: Network,
    weights: Sequence[np.ndarray],
    zs: list[np.ndarray],
    activations: list[np.ndarray],
    target: np.ndarray,
) -> list[np.ndarray]:
    """δ⁽¹⁾..δ⁽ᴸ⁾, computed from the output back, with the weights as they were in the forward pass."""
    last = len(zs) - 1
    deltas = [output_delta(network.loss, network.activations[last], zs[last], activations[-1], target)]
    for l in range(last - 1, -1, -1):
        deltas.append(hidden_delta(deltas[-1], weights[l + 1], network.activations[l], zs[l], activations[l + 1]))
    deltas.reverse()
    return deltas


def loss_of(
    network: Network,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None,
    x: np.ndarray,
    target: np.ndarray,
) -> float:
    """E after a forward pass: the function the gradient check differentiates."""
    zs, activations = forward_pass(network, weights, biases, x)
    return loss_value(network.loss, network.activations[-1], zs[-1], activations[-1], target)


def sgd_step(
    network: Network,
    weights: list[np.ndarray],
    biases: list[np.ndarray] | None,
    x: np.ndarray,
    target: np.ndarray,
    learning_rate: float,
    train_biases: bool = True,
) -> tuple[list[np.ndarray], list[np.ndarray] | None, float]:
    """Forward, backward and update without keeping a record: the training loop's step.

    Returns the new weights and biases, and the loss before the update.
    """
    zs, activations = forward_pass(network, weights, biases, x)
    loss = loss_value(network.loss, network.activations[-1], zs[-1], activations[-1], target)
    deltas = backward_pass(network, weights, zs, activations, target)
    new_weights = [
        apply_update(w, parameter_update(weight_gradient(a, d), learning_rate))
        for w, a, d in zip(weights, activations, deltas)
    ]
    if biases is None or not train_biases:
        return new_weights, biases, loss
    new_biases = [apply_update(b, parameter_update(bias_gradient(d), learning_rate)) for b, d in zip(biases, deltas)]
    return new_weights, new_biases, loss
