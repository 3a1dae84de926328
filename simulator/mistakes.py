"""Classic mistakes students make in backpropagation, as named variants of a training step.

Each entry is data: an id (used in links, the CLI and tests), a title and what goes wrong.
``step(scenario, mistake=ID)`` runs the whole step with that mistake.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mistake:
    id: str
    title: str
    description: str


MISTAKES: dict[str, Mistake] = {
    m.id: m
    for m in (
        Mistake("plus_update", "Adding the gradient", "w ← w + η·∂E/∂w: the step climbs the loss."),
        Mistake(
            "target_minus_output",
            "Error as t − o",
            "The error is taken as t − o while the update stays w − η·δ·a.",
        ),
        Mistake(
            "slope_from_z",
            "Slope from z",
            "The activation's slope computed from z as if it were a (sigmoid: z(1 − z) instead of a(1 − a)).",
        ),
        Mistake("no_activation_slope", "No activation slope", "The deltas without f′: δ = e at the output, δʰ = W δ."),
        Mistake(
            "updated_weights_for_hidden_delta",
            "Updated weights for hidden δ",
            "Hidden deltas computed with the output weights after their update.",
        ),
        Mistake("biases_not_updated", "Biases not updated", "The biases are left unchanged."),
    )
}
