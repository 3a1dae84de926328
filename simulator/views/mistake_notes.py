"""Why a classic mistake can seem to learn better, and where it goes wrong: words and numbers for the page.

A mistaken step can end with a lower loss than the correct one on a single example (leaving out a
sigmoid's slope makes every step longer). The note says why, shows the gradient check failing, and trains
the mistake's counter-example preset (:attr:`~simulator.core.mistakes.Mistake.goes_wrong_on`), where it
stalls or diverges.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..core.experiments import mistake_losses
from ..core.gradcheck import stage_gradient_check
from ..core.mistakes import MISTAKES
from ..core.presets import PRESET_TITLES, PRESETS

COUNTER_STEPS = 2000


@dataclass(frozen=True)
class BetterLooking:
    """The loss under a mistake ended lower than the correct one's; why, and the evidence that it is wrong."""

    why: str
    check_error: float  # the worst relative error of the gradient check, over every weight matrix
    counterexample: (
        str  # "On XOR … after 2000 steps the loss is 0.00019 correctly and 0.129 with the mistake: it stalls."
    )

    def text(self) -> str:
        check = f"The gradient check fails: relative error up to {self.check_error:.2g} (it passes at 1e-5)."
        return " ".join(part for part in (self.why, check, self.counterexample) if part)


def _counterexample(mistake: str, steps: int) -> str:
    preset = MISTAKES[mistake].goes_wrong_on
    if preset is None:
        return ""
    correct, mistaken = mistake_losses(PRESETS[preset], mistake, steps)
    if len(mistaken) < len(correct):
        ending = f"it diverges after {len(mistaken) - 1} steps"
    elif mistaken[-1] > 10 * correct[-1]:
        ending = "it stalls"
    else:
        return ""
    return (
        f"Where it goes wrong: on the preset “{PRESET_TITLES[preset]}”, after {len(correct) - 1} steps the loss is "
        f"{correct[-1]:.2g} correctly and {mistaken[-1]:.3g} with the mistake: {ending}."
    )


def looks_better(
    scenario, mistake: str, correct: np.ndarray, mistaken: np.ndarray, steps: int = COUNTER_STEPS
) -> BetterLooking | None:
    """The note for a mistake whose loss curve ended below the correct one (None otherwise)."""
    if len(mistaken) < len(correct) or not mistaken[-1] < correct[-1]:
        return None
    entry = MISTAKES[mistake]
    why = entry.looks_better or (
        "A lower loss here does not make the step right: it is not the gradient of the loss. A longer step in "
        "nearly the right direction can happen to land lower on one example."
    )
    worst = max(stage_gradient_check(scenario, l, mistake=mistake).worst for l in range(1, len(scenario.layers)))
    return BetterLooking(why, float(worst), _counterexample(mistake, steps))
