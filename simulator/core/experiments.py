"""Learning experiments over many steps: what a classic mistake or paper mode does to training.

They run the engine (:mod:`.record`, :mod:`.training`), so they live above it, not in the
registries that one step needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import Network
from .mistakes import Rules, rules_of
from .record import run_step, step
from .rounding import check_digits
from .scenario import Scenario
from .training import examples, mean_loss, train, within_limits

COMPARISON_WORK = 1_200_000  # about 0.3 s of CPU: example updates × (edges + units + UPDATE_OVERHEAD), both runs
UPDATE_OVERHEAD = 1_000  # an example update's fixed cost (Python, NumPy calls) in the same units as an edge


def comparison_steps(scenario: Scenario, steps: int) -> int:
    """How many of ``steps`` the correct-against-mistaken comparison may train in one request: each step updates
    once per example, at a cost that grows with the network (the seed: all 500; 8 × 16 over 64 examples: 6).
    0 when one step alone takes more than half of the request's budget (8 × 16 over its 256 examples: about
    0.2 s for both runs, which with the rest of the page came to 0.55–0.61 s): then no curve is drawn."""
    layers = scenario.layers
    cells = sum(a * b for a, b in zip(layers, layers[1:])) + sum(layers) + UPDATE_OVERHEAD
    work = len(examples(scenario)) * cells
    return 0 if 2 * work > COMPARISON_WORK else min(steps, COMPARISON_WORK // work)


def mistake_losses(scenario, mistake: str | None, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Losses over ``steps`` steps, correct and under ``mistake``: index 0 before training, k after step k.

    Each stops early (and is shorter) when its weights leave ±1e6 or stop being finite; the correct
    losses are :func:`~simulator.core.training.train`'s.
    """
    return train(scenario, steps).losses, train_with_rules(scenario, rules_of(mistake), steps)


@dataclass(frozen=True, eq=False)
class PaperDrift:
    """How far paper mode at ``digits`` lands from full precision after one step."""

    digits: int
    weight_drift: float  # max |W_new(paper) − W_new(exact)| over every weight (and bias)
    loss_drift: float  # |E_new(paper) − E_new(exact)|
    new_loss: float
    exact_new_loss: float


def paper_drift(scenario, digits: int) -> PaperDrift:
    """Run the step at full precision and at ``digits``; report the largest differences."""
    exact, paper = step(scenario), step(scenario, digits=check_digits(digits))
    pairs = list(zip(exact.new_weights, paper.new_weights)) + list(zip(exact.new_biases or (), paper.new_biases or ()))
    weight_drift = max(float(np.max(np.abs(a - b))) for a, b in pairs)
    return PaperDrift(digits, weight_drift, abs(paper.new_loss - exact.new_loss), paper.new_loss, exact.new_loss)


def train_with_rules(scenario: Scenario, rules: Rules, steps: int) -> np.ndarray:
    """Losses of ``steps`` SGD steps under ``rules``: [0] before, [k] after step k (mean over a dataset).

    Stops early, without NumPy warnings, once a parameter leaves ±1e6 or stops being finite;
    the losses then end with the last step that stayed inside.
    """
    network, data = Network.of(scenario), examples(scenario)
    weights, biases = list(scenario.weights), None if scenario.biases is None else list(scenario.biases)
    losses = [mean_loss(network, weights, biases, data)]
    # Under the accumulate mistake the buffers start empty and keep every gradient after that.
    buffers = ([np.zeros_like(w) for w in weights], None if biases is None else [np.zeros_like(b) for b in biases])
    rate, train_biases = scenario.learning_rate, scenario.train_biases
    with np.errstate(all="ignore"):
        for _ in range(steps):
            new_weights, new_biases = weights, biases
            for x, t in data:
                record = run_step(network, new_weights, new_biases, x, t, rate, train_biases, rules, carried=buffers)
                new_weights, new_biases = record.new_weights, record.new_biases
                buffers = record.weight_gradients, record.bias_gradients
            if not within_limits(new_weights, new_biases):
                break
            loss = mean_loss(network, new_weights, new_biases, data)
            if not np.isfinite(loss):
                break
            weights, biases = new_weights, new_biases
            losses.append(loss)
    result = np.array(losses)
    result.setflags(write=False)
    return result
