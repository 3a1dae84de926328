"""Plain SGD on the scenario's example, or one update per example of its dataset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import Network, loss_of, sgd_step
from .scenario import Scenario

MAX_STEPS = 1_000_000


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """``losses[0]`` is before the first step, ``losses[k]`` after step k."""

    losses: np.ndarray
    scenario: Scenario  # the starting scenario with the trained weights and biases


def examples(scenario: Scenario) -> list[tuple[np.ndarray, np.ndarray]]:
    """The dataset, or the scenario's single example."""
    if scenario.dataset is None:
        return [(scenario.x, scenario.target)]
    return list(scenario.dataset)


def mean_loss(network: Network, weights, biases, data) -> float:
    return sum(loss_of(network, weights, biases, x, t) for x, t in data) / len(data)


def train(scenario: Scenario, steps: int) -> TrainingRun:
    """``steps`` SGD steps; with a dataset each step is one pass, one update per example in order.

    Losses are the mean over the dataset (or the single example's loss).
    """
    if not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps: must be a whole number from 0 to {MAX_STEPS:,}, got {steps}")
    network = Network.of(scenario)
    data = examples(scenario)
    weights = list(scenario.weights)
    biases = None if scenario.biases is None else list(scenario.biases)
    rate, train_biases = scenario.learning_rate, scenario.train_biases
    losses = np.empty(steps + 1)
    if len(data) == 1:
        # Each step's forward pass already yields the loss of the weights before it.
        ((x, t),) = data
        for k in range(steps):
            weights, biases, losses[k] = sgd_step(network, weights, biases, x, t, rate, train_biases)
        losses[steps] = loss_of(network, weights, biases, x, t)
    else:
        losses[0] = mean_loss(network, weights, biases, data)
        for k in range(1, steps + 1):
            for x, t in data:
                weights, biases, _ = sgd_step(network, weights, biases, x, t, rate, train_biases)
            losses[k] = mean_loss(network, weights, biases, data)
    losses.setflags(write=False)
    trained = scenario.replace(
        weights=[w.tolist() for w in weights],
        biases=None if biases is None else [b.tolist() for b in biases],
    )
    return TrainingRun(losses, trained)
