"""Plain SGD on the scenario's example, or one update per example of its dataset."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import Network, loss_of, sgd_step
from .scenario import MAX_ABS_VALUE, Scenario

MAX_STEPS = 1_000_000


DIVERGED = (
    "training stopped at step {step}: the update pushed a weight past ±1e6 or to infinity "
    "(try a smaller learning rate); the weights before that step are kept"
)
CHECK_EVERY = 64  # steps between checks that the weights are still inside the schema's limits


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """``losses[0]`` is before the first step, ``losses[k]`` after step k.

    When an update pushes a weight past ±1e6 (or to inf/NaN), training stops: ``diverged_at``
    is that step, ``losses`` ends with the step before it and ``scenario`` holds its weights.
    """

    losses: np.ndarray
    scenario: Scenario  # the starting scenario with the trained weights and biases
    diverged_at: int | None = None


def examples(scenario: Scenario) -> list[tuple[np.ndarray, np.ndarray]]:
    """The dataset, or the scenario's single example."""
    if scenario.dataset is None:
        return [(scenario.x, scenario.target)]
    return list(scenario.dataset)


def mean_loss(network: Network, weights, biases, data) -> float:
    return sum(loss_of(network, weights, biases, x, t) for x, t in data) / len(data)


def within_limits(weights, biases) -> bool:
    """Whether every parameter is finite and within the scenario limit of ±1e6."""
    return all(np.all(np.abs(a) <= MAX_ABS_VALUE) for a in (*weights, *(biases or ())))


def train(scenario: Scenario, steps: int) -> TrainingRun:
    """``steps`` SGD steps; with a dataset each step is one pass, one update per example in order.

    Losses are the mean over the dataset (or the single example's loss).
    """
    if not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps: must be a whole number from 0 to {MAX_STEPS:,}, got {steps}")
    network = Network.of(scenario)
    data = examples(scenario)
    single = len(data) == 1
    rate, train_biases = scenario.learning_rate, scenario.train_biases

    def one_step(weights, biases):
        loss = None
        for x, t in data:
            weights, biases, loss = sgd_step(network, weights, biases, x, t, rate, train_biases)
        return weights, biases, loss

    weights = list(scenario.weights)
    biases = None if scenario.biases is None else list(scenario.biases)
    losses = np.empty(steps + 1)
    if not single:
        losses[0] = mean_loss(network, weights, biases, data)
    checkpoint, diverged_at = (0, weights, biases), None
    with np.errstate(over="ignore", invalid="ignore"):  # divergence is detected and reported instead
        for k in range(1, steps + 1):
            weights, biases, before = one_step(weights, biases)
            if single:
                losses[k - 1] = before  # each forward pass yields the loss of the weights before the step
            else:
                losses[k] = mean_loss(network, weights, biases, data)
            if k % CHECK_EVERY and k != steps:
                continue
            if within_limits(weights, biases):
                checkpoint = (k, weights, biases)
                continue
            # Replay from the last good checkpoint to find the first step that left the limits.
            done, weights, biases = checkpoint
            for number in range(done + 1, k + 1):
                new_weights, new_biases, _ = one_step(weights, biases)
                if not within_limits(new_weights, new_biases):
                    diverged_at = number
                    break
                weights, biases = new_weights, new_biases
            losses = losses[:diverged_at]
            break
    if single and diverged_at is None:
        ((x, t),) = data
        losses[steps] = loss_of(network, weights, biases, x, t)
    losses.setflags(write=False)
    trained = scenario.replace(
        weights=[w.tolist() for w in weights],
        biases=None if biases is None else [b.tolist() for b in biases],
    )
    return TrainingRun(losses, trained, diverged_at)
