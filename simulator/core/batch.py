"""The whole dataset at once: rows are examples, so ``Z = A @ W + b``.

∂Ē/∂W⁽ˡ⁾ = A⁽ˡ⁻¹⁾ᵀ Δ⁽ˡ⁾ / n, where Δ⁽ˡ⁾ stacks the examples' δ⁽ˡ⁾ as rows: the mean of the
per-example gradients of :mod:`.backprop`, from the same activation and loss records (which
work on rows).
"""

from __future__ import annotations

import numpy as np

from .backprop import Network


def batch_forward(network: Network, weights, biases, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Z⁽¹⁾..Z⁽ᴸ⁾ and A⁽⁰⁾..A⁽ᴸ⁾ for every row of ``x`` (n, inputs) at once."""
    zs, activations = [], [x]
    for l, activation in enumerate(network.activations):
        z = activations[-1] @ weights[l]
        if biases is not None:
            z = z + biases[l]
        zs.append(z)
        activations.append(activation.forward(z))
    return zs, activations


def batch_losses(network: Network, z: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """E of each row (shape (n,)), as :mod:`simulator.core.losses` defines it for one example."""
    return network.loss.rows(network.activations[-1])(z, a, t)


def batch_gradients(
    network: Network, weights, biases, x: np.ndarray, t: np.ndarray
) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """Mean loss Ē over the rows, ∂Ē/∂W⁽ˡ⁾ and ∂Ē/∂b⁽ˡ⁾: the means of the per-example gradients."""
    zs, activations = batch_forward(network, weights, biases, x)
    n = x.shape[0]
    deltas = [network.loss.output_delta(zs[-1], activations[-1], t, network.activations[-1])]
    for l in range(len(zs) - 2, -1, -1):
        upstream = deltas[-1] @ weights[l + 1].T
        deltas.append(network.activations[l].backward(zs[l], activations[l + 1], upstream))
    deltas.reverse()
    weight_gradients = [(a.T @ d) / n for a, d in zip(activations, deltas)]
    bias_gradients = [np.sum(d, axis=0) / n for d in deltas]
    loss = float(np.mean(batch_losses(network, zs[-1], activations[-1], t)))
    return loss, weight_gradients, bias_gradients


CLEAR_OF_OVERFLOW = 1e300  # eight orders of magnitude inside the float range (±1.8e308)


def steps_stay_clear(network: Network, weights, biases, x: np.ndarray, t: np.ndarray, rate: float, train_biases: bool):
    """Whether one step on each row of ``x`` alone (as :func:`simulator.core.record.step` takes it: its own
    gradient, update and forward pass after the update) keeps every value it records within ±1e300.

    All rows at once: the cheap proof that a dataset is computable (256 examples of 8 × 16 units: one
    vectorised pass instead of 256 recorded steps). The elementwise arithmetic is the step's own; only the
    sums of a matrix product may round differently, far less than the margin to the float range, so a
    True here means every per-example step stays finite. False proves nothing: the caller steps each example.
    """
    layers = len(network.activations)
    with np.errstate(all="ignore"):
        zs, activations = batch_forward(network, weights, biases, x)
        output = activations[-1]
        if not _clear(*zs, *activations, output - t, batch_losses(network, zs[-1], output, t)):
            return False
        delta = network.loss.output_delta(zs[-1], output, t, network.activations[-1])
        new_weights, new_biases = [None] * layers, [None] * layers
        for l in range(layers - 1, -1, -1):
            gradient = activations[l][:, :, None] * delta[:, None, :]  # each row's own ∂E/∂W⁽ˡ⁾
            update = gradient * -rate
            new_weights[l] = weights[l] + update
            if not _clear(delta, gradient, update, new_weights[l]):
                return False
            if biases is not None:
                bias_update = delta * -rate if train_biases else np.zeros_like(delta)
                new_biases[l] = biases[l] + bias_update if train_biases else biases[l]
                if not _clear(bias_update, new_biases[l]):
                    return False
            if l:
                delta = network.activations[l - 1].backward(zs[l - 1], activations[l], delta @ weights[l].T)
        a = x
        for l, activation in enumerate(network.activations):
            z = np.matmul(a[:, None, :], new_weights[l])[:, 0, :]  # each row through its own updated weights
            if biases is not None:
                z = z + new_biases[l]
            a = activation.forward(z)
            if not _clear(z, a):
                return False
        return _clear(batch_losses(network, z, a, t))


def _clear(*values: np.ndarray) -> bool:
    return all(bool((np.abs(v) <= CLEAR_OF_OVERFLOW).all()) for v in values)
