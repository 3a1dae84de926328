"""The seed notebook's own building blocks, public and tested.

``softmax`` and ``sigmoid`` are the engine's stable versions; on the notebook's
inputs they print the notebook's numbers.
"""

from __future__ import annotations

import numpy as np

from .activations import relu, sigmoid, softmax

SEED_VECTOR = (2.0, 4.0, 5.0)


def perceptron(x: np.ndarray, rng: np.random.Generator, bias: float = 10.0) -> np.ndarray:
    """sigmoid(w·x + b) with w drawn uniformly from [0, 1) by ``rng``, as the notebook's perceptron."""
    x = np.asarray(x, dtype=float)
    weights = rng.random(x.shape[0])
    return sigmoid(np.array([bias + np.dot(x, weights)]))


__all__ = ["SEED_VECTOR", "perceptron", "relu", "sigmoid", "softmax"]
