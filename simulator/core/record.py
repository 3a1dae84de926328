"""The recorded step: every intermediate of one training step, under a classic mistake or paper mode.

:func:`step` runs the stage functions of :mod:`.backprop` once and keeps what each produced in a
:class:`StepRecord` (read-only arrays), which the views turn into stages, text and figures. A
value that leaves the float range is refused with a message naming its layer and stage (:mod:`.overflow`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .activations import Activation
from .backprop import (
    Network,
    apply_update,
    bias_gradient,
    forward_pass,
    hidden_delta,
    loss_value,
    output_delta,
    output_error,
    parameter_update,
    weight_gradient,
)
from .batch import steps_stay_clear
from .mistakes import CORRECT, Rules, rules_of
from .overflow import refusing_overflow
from .rounding import EXACT, rounder
from .scenario import Scenario, ScenarioError

Arrays = tuple[np.ndarray, ...]


def _frozen(arrays: Sequence[np.ndarray] | None) -> Arrays | None:
    if arrays is None:
        return None
    for array in arrays:
        array.setflags(write=False)
    return tuple(arrays)


def _copies(arrays: Sequence[np.ndarray] | None) -> Arrays | None:
    """Read-only copies: the first activation is the caller's x, an unchanged bias the caller's b."""
    return None if arrays is None else _frozen([np.array(a) for a in arrays])


@dataclass(frozen=True, eq=False)
class StepRecord:
    """Every intermediate of one training step on one example; arrays are read-only.

    Index l − 1 of each per-layer tuple belongs to layer l (``zs[0]`` is z⁽¹⁾),
    except ``activations``, which starts with a⁽⁰⁾ = x. ``mistake`` (an id of
    :data:`~simulator.core.mistakes.MISTAKES`) and ``digits`` (paper mode) say how it was computed.
    """

    scenario: Scenario | None  # None for a step taken outside a scenario (training under a mistake's rules)
    zs: Arrays
    activations: Arrays
    error: np.ndarray
    loss: float
    deltas: Arrays
    weight_gradients: Arrays
    bias_gradients: Arrays | None
    weight_updates: Arrays
    bias_updates: Arrays | None  # None when there are no biases or they are frozen (or not updated)
    new_weights: Arrays
    new_biases: Arrays | None
    new_zs: Arrays
    new_activations: Arrays
    new_loss: float
    mistake: str | None = None
    digits: int | None = None
    carried_weight_gradients: Arrays | None = None  # what the buffers held before (the accumulate mistake)
    carried_bias_gradients: Arrays | None = None

    @property
    def output(self) -> np.ndarray:
        return self.activations[-1]

    @property
    def new_output(self) -> np.ndarray:
        return self.new_activations[-1]

    def shown(self, values):
        """``values`` as this record's stages show them: rounded to ``digits`` in paper mode."""
        return rounder(self.digits)(values)


def _keeping_upstream(activation: Activation, keep) -> Activation:
    """The activation with the dE/da it receives rounded as the loss stage showed it (paper mode)."""
    return replace(activation, backward=lambda z, a, upstream: activation.backward(z, a, keep(upstream)))


@dataclass
class _Backward:
    """What the backward pass fills in, layer by layer from the output (a scratch pad of :func:`run_step`)."""

    deltas: list
    dW: list
    dW_update: list
    new_W: list
    db: list
    db_update: list
    new_b: list | None

    @classmethod
    def empty(cls, layers: int, biases) -> _Backward:
        none = [None] * layers
        return cls([*none], [*none], [*none], [*none], [*none], [*none], None if biases is None else list(biases))


def _plus(gradient: np.ndarray, left: list | None, l: int) -> np.ndarray:
    """The gradient added to what its buffer still holds (the accumulate mistake), else as it is."""
    return gradient if left is None else left[l] + gradient


def _backward(network: Network, weights, biases, zs, activations, target, rate, train_biases, rules, keep, carried):
    """δ⁽ˡ⁾, then ∂E/∂W⁽ˡ⁾ and its update, then δ⁽ˡ⁻¹⁾ (which ``rules`` may send along the updated W⁽ˡ⁾).
    ``carried``: what the gradient buffers still hold (weights', biases'), added under the accumulate mistake."""
    last = len(zs) - 1
    left_W, left_b = carried
    slopes = [rules.at(k + 1, last + 1).slope(activation) for k, activation in enumerate(network.activations)]
    out = _keeping_upstream(slopes[last], keep)
    pad = _Backward.empty(len(zs), biases)
    pad.deltas[last] = keep(output_delta(network.loss, out, zs[last], activations[-1], target) * rules.error_sign)
    signed_rate = -rules.update_sign * rate  # parameter_update moves by −signed_rate · gradient
    update_biases = biases is not None and train_biases and rules.update_biases
    for l in range(last, -1, -1):
        fed = zs[l - 1] if rules.gradient_input(l + 1) == "z" else activations[l]  # what the edge carried
        pad.dW[l] = keep(_plus(weight_gradient(fed, pad.deltas[l]), left_W, l))
        pad.dW_update[l] = keep(parameter_update(pad.dW[l], signed_rate))
        pad.new_W[l] = keep(apply_update(weights[l], pad.dW_update[l]))
        if biases is not None:
            pad.db[l] = keep(_plus(bias_gradient(pad.deltas[l]), left_b, l))
        if update_biases:
            pad.db_update[l] = keep(parameter_update(pad.db[l], signed_rate))
            pad.new_b[l] = keep(apply_update(biases[l], pad.db_update[l]))
        if l:
            sent_along = pad.new_W[l] if rules.hidden_delta_uses_updated else weights[l]
            delta = hidden_delta(pad.deltas[l], sent_along, slopes[l - 1], zs[l - 1], activations[l])
            pad.deltas[l - 1] = keep(delta)
    if biases is None:
        pad.db = None
    if not update_biases:
        pad.db_update = None
    return pad


def run_step(
    network: Network,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None,
    x: np.ndarray,
    target: np.ndarray,
    rate: float,
    train_biases: bool = True,
    rules: Rules = CORRECT,
    keep: Callable = EXACT,
    *,
    scenario: Scenario | None = None,
    mistake: str | None = None,
    digits: int | None = None,
    carried: tuple | None = None,
) -> StepRecord:
    """Every intermediate of one step under ``rules``, each passed through ``keep`` before later use.

    ``scenario``, ``mistake`` and ``digits`` are recorded as given: they say what the step was run on.
    Under ``rules.accumulate`` each gradient is added to what the buffers still hold: ``carried``
    (weights', biases' gradients), by default this example's own gradient from a backward pass before
    (as when a notebook cell runs twice without zeroing).
    """
    if rules.accumulate and carried is None:
        again = run_step(
            network, weights, biases, x, target, rate, train_biases, replace(rules, accumulate=False), keep
        )
        carried = again.weight_gradients, again.bias_gradients
    carried = carried if rules.accumulate else (None, None)
    zs, activations = forward_pass(network, weights, biases, x, keep)
    output, last = activations[-1], network.activations[-1]
    back = _backward(network, weights, biases, zs, activations, target, rate, train_biases, rules, keep, carried)
    new_zs, new_activations = forward_pass(network, back.new_W, back.new_b, x, keep)
    return StepRecord(
        scenario=scenario,
        zs=_frozen(zs),
        activations=_copies(activations),
        error=_copies([keep(output_error(output, target) * rules.error_sign)])[0],
        loss=keep(loss_value(network.loss, last, zs[-1], output, target)),
        deltas=_frozen(back.deltas),
        weight_gradients=_frozen(back.dW),
        bias_gradients=_frozen(back.db),
        weight_updates=_frozen(back.dW_update),
        bias_updates=_frozen(back.db_update),
        new_weights=_frozen(back.new_W),
        new_biases=_copies(back.new_b),
        new_zs=_frozen(new_zs),
        new_activations=_copies(new_activations),
        new_loss=keep(loss_value(network.loss, last, new_zs[-1], new_activations[-1], target)),
        mistake=mistake,
        digits=digits,
        carried_weight_gradients=None if carried[0] is None else tuple(carried[0]),
        carried_bias_gradients=None if carried[1] is None else tuple(carried[1]),
    )


@refusing_overflow
def step(
    scenario: Scenario,
    x: np.ndarray | None = None,
    target: np.ndarray | None = None,
    *,
    mistake: str | None = None,
    digits: int | None = None,
) -> StepRecord:
    """One full step on the scenario's example (or on ``x``, ``target``), every stage recorded.

    ``mistake``: an id of :data:`~simulator.core.mistakes.MISTAKES`, to run the step with that classic
    mistake. ``digits``: paper mode, every computed value rounded to that many significant digits
    (1–17) before a later stage uses it. ValueError for an unknown id or a bad digit count.
    """
    rules, keep = rules_of(mistake), rounder(digits)
    x = scenario.x if x is None else np.asarray(x, dtype=float)
    target = scenario.target if target is None else np.asarray(target, dtype=float)
    return run_step(
        Network.of(scenario),
        scenario.weights,
        scenario.biases,
        x,
        target,
        scenario.learning_rate,
        scenario.train_biases,
        rules,
        keep,
        scenario=scenario,
        mistake=mistake,
        digits=digits,
    )


def _dataset_clear(scenario: Scenario) -> bool:
    """Every example of the dataset stepped at once, well inside the float range (:func:`.batch.steps_stay_clear`)."""
    x = np.array([x for x, _ in scenario.dataset], dtype=float)
    target = np.array([t for _, t in scenario.dataset], dtype=float)
    network, rate = Network.of(scenario), scenario.learning_rate
    return steps_stay_clear(network, scenario.weights, scenario.biases, x, target, rate, scenario.train_biases)


def check_computable(scenario: Scenario) -> list[str]:
    """Why one step of ``scenario`` (on its example and on each example of its dataset) would
    overflow the floating-point range; empty when every value stays finite."""
    examples = [(None, None), *(scenario.dataset or ())]
    if scenario.dataset and _dataset_clear(scenario):
        examples = examples[:1]  # the dataset is proved computable at once; the scenario's own example is stepped
    for k, (x, target) in enumerate(examples):
        try:
            step(scenario, x, target)
        except ScenarioError as err:
            return [f"dataset[{k - 1}]: {p}" if k else p for p in err.problems]
    return []


def step_problems(scenario: Scenario, mistake: str | None = None, digits: int | None = None) -> list[str]:
    """Why the step a page shows (the scenario's own example, correct and with ``mistake``, each at
    paper mode's ``digits``) would overflow; empty when both stay finite. The cheap check for a view
    option: :func:`check_computable` also steps every example of the dataset."""
    try:
        step(scenario, digits=digits)
        if mistake is not None:
            step(scenario, mistake=mistake, digits=digits)
    except ScenarioError as err:
        return err.problems
    return []
