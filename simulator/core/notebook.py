"""The seed notebook's own building blocks, public and tested.

``softmax`` and ``sigmoid`` are the engine's stable versions; on the notebook's
inputs they print the notebook's numbers.
"""

from __future__ import annotations

import numpy as np

from .activations import relu, sigmoid, softmax

SEED_VECTOR = (2.0, 4.0, 5.0)


def perceptron_weights(size: int, rng: np.random.Generator) -> np.ndarray:
    """The notebook's perceptron weights: uniform on [0, 1), one per input."""
    return rng.random(size)


def perceptron(x: np.ndarray, rng: np.random.Generator, bias: float = 10.0) -> np.ndarray:
    """sigmoid(w·x + b) with w from :func:`perceptron_weights`, as the notebook's perceptron."""
    x = np.asarray(x, dtype=float)
    weights = perceptron_weights(x.shape[0], rng)
    return sigmoid(np.array([bias + np.dot(x, weights)]))


__all__ = ["SEED_VECTOR", "perceptron", "perceptron_weights", "relu", "sigmoid", "softmax"]
