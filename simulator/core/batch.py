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
