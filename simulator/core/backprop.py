"""One step of backpropagation, one small pure function per stage.

Notation (the same on screen): layer 0 is the input, layer L the output.
For l = 1..L:  z⁽ˡ⁾ = a⁽ˡ⁻¹⁾ W⁽ˡ⁾ + b⁽ˡ⁾,  a⁽ˡ⁾ = f⁽ˡ⁾(z⁽ˡ⁾),  a⁽⁰⁾ = x.
δ⁽ˡ⁾ = dE/dz⁽ˡ⁾; ``dW`` means dE/dW. Vectors are 1-D rows and W⁽ˡ⁾ has shape
(units in l−1, units in l), as in the seed's ``np.dot(x, weights_input_hidden)``;
so dE/dW⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾ is an outer product, not the δ aᵀ of column-vector texts.

The update is W ← W − η·dE/dW. The seed prints η·δ·a as the "change in
weights"; the weights actually move by the negative of that.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from .activations import ACTIVATIONS, Activation
from .losses import LOSSES, Loss
from .mistakes import CORRECT, Rules, rules_of
from .rounding import EXACT, rounder
from .scenario import MAX_ABS_VALUE, Scenario, ScenarioError

Arrays = tuple[np.ndarray, ...]


def pre_activation(a_prev: np.ndarray, weights: np.ndarray, bias: np.ndarray | None) -> np.ndarray:
    """z = a_prev W (+ b)."""
    z = np.dot(a_prev, weights)
    return z if bias is None else z + bias


def activate(activation: Activation, z: np.ndarray) -> np.ndarray:
    """a = f(z)."""
    return activation.forward(z)


def output_error(output: np.ndarray, target: np.ndarray) -> np.ndarray:
    """e = o − t, the seed's ``error``."""
    return output - target


def loss_value(loss: Loss, activation: Activation, z: np.ndarray, output: np.ndarray, target: np.ndarray) -> float:
    """E for one example."""
    return loss.value(z, output, target, activation)


def output_delta(
    loss: Loss, activation: Activation, z: np.ndarray, output: np.ndarray, target: np.ndarray
) -> np.ndarray:
    """δ⁽ᴸ⁾ = dE/dz⁽ᴸ⁾; for half squared error with sigmoid: (o − t) ⊙ o ⊙ (1 − o)."""
    return loss.output_delta(z, output, target, activation)


def hidden_delta(
    next_delta: np.ndarray, next_weights: np.ndarray, activation: Activation, z: np.ndarray, a: np.ndarray
) -> np.ndarray:
    """δ⁽ˡ⁾ = (δ⁽ˡ⁺¹⁾ W⁽ˡ⁺¹⁾ᵀ) ⊙ f'(z⁽ˡ⁾): the error sent back along each outgoing weight."""
    return activation.backward(z, a, np.dot(next_weights, next_delta))


def weight_gradient(a_prev: np.ndarray, delta: np.ndarray) -> np.ndarray:
    """dE/dW⁽ˡ⁾ = a⁽ˡ⁻¹⁾ᵀ δ⁽ˡ⁾ (entry i, j: a_i · δ_j)."""
    return a_prev[:, None] * delta


def bias_gradient(delta: np.ndarray) -> np.ndarray:
    """dE/db⁽ˡ⁾ = δ⁽ˡ⁾."""
    return np.array(delta, dtype=float)


def parameter_update(gradient: np.ndarray, learning_rate: float) -> np.ndarray:
    """ΔW = −η · dE/dW (the seed prints +η·dE/dW)."""
    return gradient * -learning_rate


def apply_update(parameter: np.ndarray, update: np.ndarray) -> np.ndarray:
    """W' = W + ΔW = W − η · dE/dW; a new array, the old one untouched."""
    return parameter + update


@dataclass(frozen=True)
class Network:
    """The registry lookups of a scenario, done once."""

    activations: tuple[Activation, ...]
    loss: Loss

    @classmethod
    def of(cls, scenario: Scenario) -> Network:
        return cls(tuple(ACTIVATIONS[name] for name in scenario.activations), LOSSES[scenario.loss])


def forward_pass(
    network: Network, weights: Sequence[np.ndarray], biases: Sequence[np.ndarray] | None, x: np.ndarray
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """z⁽¹⁾..z⁽ᴸ⁾ and a⁽⁰⁾..a⁽ᴸ⁾."""
    zs, activations = [], [x]
    for l, activation in enumerate(network.activations):
        z = pre_activation(activations[-1], weights[l], None if biases is None else biases[l])
        zs.append(z)
        activations.append(activate(activation, z))
    return zs, activations


def backward_pass(
    network: Network,
    weights: Sequence[np.ndarray],
    zs: list[np.ndarray],
    activations: list[np.ndarray],
    target: np.ndarray,
) -> list[np.ndarray]:
    """δ⁽¹⁾..δ⁽ᴸ⁾, computed from the output back, with the weights as they were in the forward pass."""
    last = len(zs) - 1
    deltas = [output_delta(network.loss, network.activations[last], zs[last], activations[-1], target)]
    for l in range(last - 1, -1, -1):
        deltas.append(hidden_delta(deltas[-1], weights[l + 1], network.activations[l], zs[l], activations[l + 1]))
    deltas.reverse()
    return deltas


def loss_of(
    network: Network,
    weights: Sequence[np.ndarray],
    biases: Sequence[np.ndarray] | None,
    x: np.ndarray,
    target: np.ndarray,
) -> float:
    """E after a forward pass: the function the gradient check differentiates."""
    zs, activations = forward_pass(network, weights, biases, x)
    return loss_value(network.loss, network.activations[-1], zs[-1], activations[-1], target)


def sgd_step(
    network: Network,
    weights: list[np.ndarray],
    biases: list[np.ndarray] | None,
    x: np.ndarray,
    target: np.ndarray,
    learning_rate: float,
    train_biases: bool = True,
) -> tuple[list[np.ndarray], list[np.ndarray] | None, float]:
    """Forward, backward and update without keeping a record: the training loop's step.

    Returns the new weights and biases, and the loss before the update.
    """
    zs, activations = forward_pass(network, weights, biases, x)
    loss = loss_value(network.loss, network.activations[-1], zs[-1], activations[-1], target)
    deltas = backward_pass(network, weights, zs, activations, target)
    new_weights = [
        apply_update(w, parameter_update(weight_gradient(a, d), learning_rate))
        for w, a, d in zip(weights, activations, deltas)
    ]
    if biases is None or not train_biases:
        return new_weights, biases, loss
    new_biases = [apply_update(b, parameter_update(bias_gradient(d), learning_rate)) for b, d in zip(biases, deltas)]
    return new_weights, new_biases, loss


def _frozen(arrays: Sequence[np.ndarray] | None) -> Arrays | None:
    if arrays is None:
        return None
    for array in arrays:
        array.setflags(write=False)
    return tuple(arrays)


@dataclass(frozen=True, eq=False)
class StepRecord:
    """Every intermediate of one training step on one example; arrays are read-only.

    Index l − 1 of each per-layer tuple belongs to layer l (``zs[0]`` is z⁽¹⁾),
    except ``activations``, which starts with a⁽⁰⁾ = x. ``mistake`` (an id of
    :data:`~simulator.core.mistakes.MISTAKES`) and ``digits`` (paper mode) say how it was computed.
    """

    scenario: Scenario
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
) -> dict:
    """Every intermediate of one step under ``rules``, each passed through ``keep`` before later use.

    Goes back layer by layer: δ⁽ˡ⁾, then ∂E/∂W⁽ˡ⁾ and its update, then δ⁽ˡ⁻¹⁾ (which ``rules``
    may compute from the updated W⁽ˡ⁾).
    """
    zs, activations = [], [x]
    for l, activation in enumerate(network.activations):
        zs.append(keep(pre_activation(activations[-1], weights[l], None if biases is None else biases[l])))
        activations.append(keep(activate(activation, zs[-1])))
    output, last = activations[-1], len(zs) - 1
    error = keep(output_error(output, target) * rules.error_sign)
    loss = keep(loss_value(network.loss, network.activations[last], zs[last], output, target))
    slopes = [rules.slope(activation) for activation in network.activations]
    out = _keeping_upstream(slopes[last], keep)
    deltas = [None] * len(zs)
    deltas[last] = keep(output_delta(network.loss, out, zs[last], output, target) * rules.error_sign)
    signed_rate = -rules.update_sign * rate  # parameter_update moves by −signed_rate · gradient
    update_biases = biases is not None and train_biases and rules.update_biases
    dW, dW_update, new_W = [None] * len(zs), [None] * len(zs), [None] * len(zs)
    db, db_update = [None] * len(zs), [None] * len(zs)
    new_b = None if biases is None else list(biases)
    for l in range(last, -1, -1):
        dW[l] = keep(weight_gradient(activations[l], deltas[l]))
        dW_update[l] = keep(parameter_update(dW[l], signed_rate))
        new_W[l] = keep(apply_update(weights[l], dW_update[l]))
        if biases is not None:
            db[l] = keep(bias_gradient(deltas[l]))
        if update_biases:
            db_update[l] = keep(parameter_update(db[l], signed_rate))
            new_b[l] = keep(apply_update(biases[l], db_update[l]))
        if l:
            sent_along = new_W[l] if rules.hidden_delta_uses_updated else weights[l]
            deltas[l - 1] = keep(hidden_delta(deltas[l], sent_along, slopes[l - 1], zs[l - 1], activations[l]))

    new_zs, new_activations = [], [x]
    for l, activation in enumerate(network.activations):
        new_zs.append(keep(pre_activation(new_activations[-1], new_W[l], None if new_b is None else new_b[l])))
        new_activations.append(keep(activate(activation, new_zs[-1])))
    new_loss = keep(loss_value(network.loss, network.activations[last], new_zs[last], new_activations[-1], target))
    return {
        "zs": zs,
        "activations": activations,
        "error": error,
        "loss": loss,
        "deltas": deltas,
        "weight_gradients": dW,
        "bias_gradients": None if biases is None else db,
        "weight_updates": dW_update,
        "bias_updates": db_update if update_biases else None,
        "new_weights": new_W,
        "new_biases": new_b,
        "new_zs": new_zs,
        "new_activations": new_activations,
        "new_loss": new_loss,
    }


# Where a value of a record can leave the float range, in the order the step computes them:
# (field, what it is, its first layer: 1 for per-layer tuples, 0 for activations that start with x,
# None for the backward pass, which goes from the output back).
_OVERFLOW_PLACES = (
    ("zs", "layer {l}: z overflows", 1),
    ("activations", "layer {l}: a overflows", 0),
    ("error", "the error o − t overflows", 1),
    ("loss", "the loss overflows", 1),
    ("deltas", "layer {l}: δ overflows", None),
    ("weight_gradients", "layer {l}: the gradient ∂E/∂W overflows", None),
    ("bias_gradients", "layer {l}: the gradient ∂E/∂b overflows", None),
    ("weight_updates", "layer {l}: the weight update overflows", None),
    ("bias_updates", "layer {l}: the bias update overflows", None),
    ("new_weights", "the updated weights overflow at layer {l}", None),
    ("new_biases", "the updated biases overflow at layer {l}", None),
    ("new_zs", "after the update, layer {l}: z overflows", 1),
    ("new_activations", "after the update, layer {l}: a overflows", 0),
    ("new_loss", "after the update, the loss overflows", 1),
)
OVERFLOW_ADVICE = " (beyond ±1.8e308) — use smaller weights, inputs or learning rate"


def _all_finite(record: StepRecord) -> bool:
    """One pass over every recorded value: the common case costs one call, not one per array."""
    parts = []
    for name, _, _ in _OVERFLOW_PLACES:
        value = getattr(record, name)
        if value is not None:
            parts.extend(np.ravel(a) for a in (value if isinstance(value, tuple) else (value,)))
    return bool(np.isfinite(np.concatenate(parts)).all())


def overflow_problems(record: StepRecord) -> list[str]:
    """The first value of ``record`` that is not finite, named by layer and stage (empty when all are)."""
    if _all_finite(record):
        return []
    for name, what, first in _OVERFLOW_PLACES:
        value = getattr(record, name)
        if value is None:
            continue
        arrays = value if isinstance(value, tuple) else (value,)
        bad = [k for k, array in enumerate(arrays) if not np.all(np.isfinite(array))]
        if bad:
            layer = bad[-1] + 1 if first is None else bad[0] + first
            return [what.format(l=layer) + OVERFLOW_ADVICE]
    return []


def _refusing_overflow(compute):
    """``compute`` with NumPy's floating-point warnings off; a record holding inf or NaN raises ScenarioError."""

    @functools.wraps(compute)
    def checked(*args, **kwargs) -> StepRecord:
        with np.errstate(all="ignore"):
            record = compute(*args, **kwargs)
        problems = overflow_problems(record)
        if problems:
            raise ScenarioError(problems)
        return record

    return checked


@_refusing_overflow
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
    values = run_step(
        Network.of(scenario),
        scenario.weights,
        scenario.biases,
        x,
        target,
        scenario.learning_rate,
        scenario.train_biases,
        rules,
        keep,
    )
    new_biases = values["new_biases"]
    return StepRecord(
        scenario=scenario,
        zs=_frozen(values["zs"]),
        activations=_frozen([np.array(a) for a in values["activations"]]),
        error=_frozen([np.array(values["error"])])[0],
        loss=values["loss"],
        deltas=_frozen(values["deltas"]),
        weight_gradients=_frozen(values["weight_gradients"]),
        bias_gradients=_frozen(values["bias_gradients"]),
        weight_updates=_frozen(values["weight_updates"]),
        bias_updates=_frozen(values["bias_updates"]),
        new_weights=_frozen(values["new_weights"]),
        new_biases=_frozen([np.array(b) for b in new_biases]) if new_biases is not None else None,
        new_zs=_frozen(values["new_zs"]),
        new_activations=_frozen([np.array(a) for a in values["new_activations"]]),
        new_loss=values["new_loss"],
        mistake=mistake,
        digits=digits,
    )


def train_with_rules(scenario: Scenario, rules: Rules, steps: int) -> np.ndarray:
    """Losses of ``steps`` SGD steps under ``rules``: [0] before, [k] after step k (mean over a dataset).

    Stops early, without NumPy warnings, once a parameter leaves ±1e6 or stops being finite;
    the losses then end with the last step that stayed inside.
    """
    network = Network.of(scenario)
    data = [(scenario.x, scenario.target)] if scenario.dataset is None else list(scenario.dataset)
    weights, biases = list(scenario.weights), None if scenario.biases is None else list(scenario.biases)

    def mean_loss(weights, biases) -> float:
        return sum(loss_of(network, weights, biases, x, t) for x, t in data) / len(data)

    losses = [mean_loss(weights, biases)]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            new_weights, new_biases = weights, biases
            for x, t in data:
                values = run_step(
                    network, new_weights, new_biases, x, t, scenario.learning_rate, scenario.train_biases, rules
                )
                new_weights, new_biases = values["new_weights"], values["new_biases"]
            parameters = (*new_weights, *(new_biases or ()))
            if not all(np.all(np.abs(p) <= MAX_ABS_VALUE) for p in parameters):
                break
            loss = mean_loss(new_weights, new_biases)
            if not np.isfinite(loss):
                break
            weights, biases = new_weights, new_biases
            losses.append(loss)
    result = np.array(losses)
    result.setflags(write=False)
    return result


def check_computable(scenario: Scenario) -> list[str]:
    """Why one step of ``scenario`` (on its example and on each example of its dataset) would
    overflow the floating-point range; empty when every value stays finite."""
    examples = [(None, None), *(scenario.dataset or ())]
    for k, (x, target) in enumerate(examples):
        try:
            step(scenario, x, target)
        except ScenarioError as err:
            return [f"dataset[{k - 1}]: {p}" if k else p for p in err.problems]
    return []
