"""Learning experiments over many steps: what a classic mistake or paper mode does to training.

They run the engine (:mod:`.backprop`, :mod:`.training`), so they live above it, not in the
registries that one step needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import step, train_with_rules
from .mistakes import rules_of
from .rounding import check_digits
from .training import train


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
