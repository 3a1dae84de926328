"""Classic mistakes students make in backpropagation, as named variants of a training step.

Each entry is data: an id (used in links, the CLI and tests), a title, what goes wrong, and the
:class:`Rules` a step follows. ``step(scenario, mistake=ID)`` runs the whole step under that entry's
rules; the correct step is ``Rules()``. Nothing downstream tests ``if mistake == ...``.

A mistake that cannot show in a scenario (``biases_not_updated`` without trainable biases,
``updated_weights_for_hidden_delta`` without a hidden layer) is a no-op there, not an error:
the step equals the correct one and :func:`inapplicable` says why, so a view can say so.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np

from .activations import Activation
from .presets import XOR_PRESET


def _as_is(activation: Activation) -> Activation:
    return activation


def _slope_from_z(activation: Activation) -> Activation:
    """The activation with its slope evaluated at z as if z were a: sigmoid gives z(1 − z)."""
    return dataclasses.replace(activation, backward=lambda z, a, upstream: activation.backward(z, z, upstream))


def _no_slope(activation: Activation) -> Activation:
    """The activation with its slope left out: dE/dz taken to be dE/da."""
    return dataclasses.replace(activation, backward=lambda z, a, upstream: np.array(upstream, dtype=float))


@dataclass(frozen=True)
class Rules:
    """How a step computes its stages. The defaults are correct backpropagation; a mistake changes one field."""

    error_sign: float = 1.0  # e = sign·(o − t): −1 takes the error as t − o
    slope: Callable[[Activation], Activation] = _as_is  # the activation the backward pass differentiates
    slope_of: str | None = "a"  # on screen, the sigmoid's slope a(1 − a) is computed from "a", "z" or left out (None)
    hidden_delta_uses_updated: bool = False  # hidden δ from W⁽ˡ⁺¹⁾ after its update instead of before
    update_sign: float = -1.0  # W ← W + sign·η·∂E/∂W
    update_biases: bool = True
    accumulate: bool = False  # gradients added to what the buffers still hold (no zero_grad)
    slope_layers: str = "all"  # where the slope rule reaches: "all" layers, or "hidden" ones only
    gradient_from: str = "a"  # ∂E/∂W⁽ˡ⁾ from a⁽ˡ⁻¹⁾, or from "z"⁽ˡ⁻¹⁾ where that layer has a z (l ≥ 2)

    def at(self, l: int, last: int) -> Rules:
        """These rules as layer l (of ``last``) applies them: the slope rule only where it reaches."""
        if self.slope_layers == "hidden" and l == last:
            return dataclasses.replace(self, slope=_as_is, slope_of="a")
        return self

    def gradient_input(self, l: int) -> str:
        """What ∂E/∂W⁽ˡ⁾ multiplies δ⁽ˡ⁾ by: "a" (correct), or "z" of the layer before under that mistake."""
        return "z" if self.gradient_from == "z" and l >= 2 else "a"


CORRECT = Rules()


def _always(scenario) -> str | None:
    return None


def _needs_hidden_layer(scenario) -> str | None:
    if len(scenario.layers) < 3:
        return "this network has no hidden layer, so there is no hidden δ to compute"
    return None


def _needs_trainable_biases(scenario) -> str | None:
    if scenario.biases is None:
        return "this network has no biases"
    if not scenario.train_biases:
        return "this network's biases are frozen anyway"
    return None


@dataclass(frozen=True)
class Mistake:
    id: str
    title: str
    description: str
    rules: Rules
    matches: str  # completes "your answer matches …" in a quiz diagnosis
    notes: Mapping[str, str] = field(default_factory=dict)  # stage key ("loss", "delta.output", …) → what goes wrong
    applies: Callable[[object], str | None] = _always  # why it changes nothing in a scenario, or None
    uphill: str = ""  # why the loss did not fall, when this mistake is the cause (not the learning rate)
    looks_better: str = ""  # why training with it can end lower than the correct step here
    goes_wrong_on: str | None = None  # a preset (id of core.presets.PRESETS) where it visibly fails to learn


_SLOPE_NOTE = "The slope of the activation is computed from z as if it were a: for a sigmoid z(1 − z), not a(1 − a)."
_LOOKS_BETTER = (
    "A sigmoid's slope a(1 − a) is never negative and at most 0.25, so leaving it out keeps each step pointing "
    "roughly downhill on one example and makes it at least 4 times longer: like a larger learning rate. "
    "It is not the gradient of the loss, though, and with several examples the wrongly weighted steps stop "
    "agreeing."
)
_NO_SLOPE_NOTE = "The slope of the activation f′ is left out: δ is the error (or the sum sent back) alone."

MISTAKES: dict[str, Mistake] = {
    m.id: m
    for m in (
        Mistake(
            "plus_update",
            "Adding the gradient",
            "w ← w + η·∂E/∂w: the step climbs the loss.",
            Rules(update_sign=1.0),
            "adding η·∂E/∂w instead of subtracting it (w + η·∂E/∂w)",
            {
                "update.W": "The gradient is added instead of subtracted: W + η·∂E/∂W climbs the loss.",
                "update.b": "The gradient is added instead of subtracted: b + η·∂E/∂b climbs the loss.",
            },
            uphill="the gradient was added, so the step went uphill; a smaller learning rate only climbs slower",
        ),
        Mistake(
            "target_minus_output",
            "Error as t − o",
            "The error is taken as t − o while the update stays w − η·δ·a.",
            Rules(error_sign=-1.0),
            "taking the error as t − o instead of o − t",
            {
                "loss": "The error is taken as t − o: every sign that follows is flipped.",
                "delta.output": "δ is built from e = t − o, so it points the wrong way.",
            },
            uphill="the error's sign is flipped (t − o), so every gradient points uphill; "
            "a smaller learning rate only climbs slower",
        ),
        Mistake(
            "slope_from_z",
            "Slope from z",
            "The activation's slope computed from z as if it were a (sigmoid: z(1 − z) instead of a(1 − a)).",
            Rules(slope=_slope_from_z, slope_of="z"),
            "computing the activation's slope from z instead of a (z(1 − z) rather than a(1 − a))",
            {"delta.output": _SLOPE_NOTE, "delta.hidden": _SLOPE_NOTE},
        ),
        Mistake(
            "no_activation_slope",
            "No activation slope",
            "The deltas without f′: δ = e at the output, δʰ = W δ.",
            Rules(slope=_no_slope, slope_of=None),
            "forgetting the activation's slope (for a sigmoid o(1 − o))",
            {"delta.output": _NO_SLOPE_NOTE, "delta.hidden": _NO_SLOPE_NOTE},
            looks_better=_LOOKS_BETTER,
            goes_wrong_on=XOR_PRESET,
        ),
        Mistake(
            "no_hidden_slope",
            "No slope in the hidden layer",
            "The output δ is right, but the hidden deltas leave out their own slope: δʰ = W δ.",
            Rules(slope=_no_slope, slope_of=None, slope_layers="hidden"),
            "forgetting the hidden layer's own slope (the output's was right)",
            {"delta.hidden": "The hidden unit's own slope f′ is left out: δ is the sum sent back alone."},
            _needs_hidden_layer,
            looks_better=_LOOKS_BETTER,
            goes_wrong_on=XOR_PRESET,
        ),
        Mistake(
            "z_for_a_in_gradient",
            "z in place of a in ∂E/∂W",
            "∂E/∂W⁽ˡ⁾ = z⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾: the weighted input of the layer before, not what it sent on (a = f(z)).",
            Rules(gradient_from="z"),
            "using z of the layer before where its output a belongs (∂E/∂w = z·δ instead of a·δ)",
            {
                "gradient.W": "The gradient multiplies δ by z of the layer before, not by a = f(z), "
                "which the edge carried."
            },
            _needs_hidden_layer,
        ),
        Mistake(
            "updated_weights_for_hidden_delta",
            "Updated weights for hidden δ",
            "Hidden deltas computed with the output weights after their update.",
            Rules(hidden_delta_uses_updated=True),
            "using the weights after their update to send δ back",
            {"delta.hidden": "δ is sent back along the weights after their update, not the ones of the forward pass."},
            _needs_hidden_layer,
        ),
        Mistake(
            "accumulated_gradients",
            "Gradients not reset",
            "The gradient buffers are never zeroed (PyTorch's forgotten zero_grad()): each backward pass adds to "
            "what they hold. Shown on a second pass over this example, every gradient doubles; in training each "
            "step moves by the sum of all the gradients so far.",
            Rules(accumulate=True),
            "adding this gradient to one left from an earlier pass (the buffers were not zeroed, no zero_grad())",
            {
                "gradient.W": "The buffer was not zeroed: ∂E/∂W is the left-over gradient of the earlier pass plus "
                "this one's.",
                "gradient.b": "The buffer was not zeroed: ∂E/∂b is the left-over gradient plus this one's.",
            },
            uphill="the gradient buffers were not zeroed, so the step is the sum of old and new gradients and "
            "overshoots",
        ),
        Mistake(
            "biases_not_updated",
            "Biases not updated",
            "The biases are left unchanged.",
            Rules(update_biases=False),
            "leaving the biases unchanged",
            {"update.b": "The biases are left unchanged although they should be trained."},
            _needs_trainable_biases,
        ),
    )
}


def mistake_entry(mistake_id: str | None) -> Mistake | None:
    """The registry entry, or None for the correct step; ValueError naming the valid ids otherwise."""
    if mistake_id is None:
        return None
    try:
        return MISTAKES[mistake_id]
    except (KeyError, TypeError):
        raise ValueError(f"mistake: unknown id {mistake_id!r}; choose one of {', '.join(MISTAKES)}") from None


def rules_of(mistake_id: str | None) -> Rules:
    entry = mistake_entry(mistake_id)
    return CORRECT if entry is None else entry.rules


def inapplicable(mistake_id: str | None, scenario) -> str | None:
    """Why the mistake changes nothing in this scenario (so the step equals the correct one), or None."""
    entry = mistake_entry(mistake_id)
    return None if entry is None else entry.applies(scenario)


@dataclass(frozen=True, eq=False)
class Divergence:
    """Where a variant's stages part from the correct ones.

    ``masks[stage_id][value_key]`` is a read-only boolean array, True where the entry differs.
    """

    first: str | None  # the first stage id whose values differ, None when none does
    masks: Mapping[str, Mapping[str, np.ndarray]]

    def differs(self, stage_id: str) -> bool:
        return any(mask.any() for mask in self.masks.get(stage_id, {}).values())


def _differs(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return np.ones(b.shape, dtype=bool)
    mask = (a != b) & ~(np.isnan(a) & np.isnan(b))
    mask.setflags(write=False)
    return mask


def divergence(correct_stages: Sequence, mistaken_stages: Sequence) -> Divergence:
    """Compare two stage lists of the same scenario entry by entry (exact comparison)."""
    correct = {stage.id: stage for stage in correct_stages}
    masks, first = {}, None
    for stage in mistaken_stages:
        reference = correct.get(stage.id)
        if reference is None:
            continue
        stage_masks = {key: _differs(reference.values.get(key, np.nan), value) for key, value in stage.values.items()}
        masks[stage.id] = MappingProxyType(stage_masks)
        if first is None and any(mask.any() for mask in stage_masks.values()):
            first = stage.id
    return Divergence(first, MappingProxyType(masks))
