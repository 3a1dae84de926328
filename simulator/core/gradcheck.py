"""Central finite differences for every parameter: the independent check on backprop."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import Network, backward_pass, bias_gradient, forward_pass, loss_of, weight_gradient
from .record import StepRecord, step
from .scenario import Scenario

AGREEMENT = 1e-5  # relative error at which a gradient check counts as passed (central differences, ε = 1e-6)


@dataclass(frozen=True)
class GradientCheck:
    parameter: str  # e.g. "W1[0,1]" (weight from unit 1 of layer 0 to unit 2 of layer 1) or "b2[0]"
    analytic: float
    numeric: float

    @property
    def relative_error(self) -> float:
        scale = max(abs(self.analytic) + abs(self.numeric), 1e-12)
        return abs(self.analytic - self.numeric) / scale


def analytic_gradients(scenario: Scenario) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """dE/dW⁽ˡ⁾ and dE/db⁽ˡ⁾ by backpropagation."""
    network = Network.of(scenario)
    zs, activations = forward_pass(network, scenario.weights, scenario.biases, scenario.x)
    deltas = backward_pass(network, scenario.weights, zs, activations, scenario.target)
    weight_gradients = [weight_gradient(a, d) for a, d in zip(activations, deltas)]
    bias_gradients = None if scenario.biases is None else [bias_gradient(d) for d in deltas]
    return weight_gradients, bias_gradients


def _central_differences(scenario: Scenario, weights: list, biases: list | None, parameter: np.ndarray, h: float):
    """(E(θ + h) − E(θ − h)) / 2h for each entry θ of ``parameter``, one of ``weights`` or ``biases``
    (nudged in place and restored)."""
    network = Network.of(scenario)
    gradient = np.zeros_like(parameter)
    for index in np.ndindex(parameter.shape):
        original = parameter[index]
        parameter[index] = original + h
        above = loss_of(network, weights, biases, scenario.x, scenario.target)
        parameter[index] = original - h
        below = loss_of(network, weights, biases, scenario.x, scenario.target)
        parameter[index] = original
        gradient[index] = (above - below) / (2 * h)
    return gradient


def numeric_gradients(scenario: Scenario, h: float = 1e-6) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """(E(θ + h) − E(θ − h)) / 2h for each parameter θ in turn."""
    weights = [w.copy() for w in scenario.weights]
    biases = None if scenario.biases is None else [b.copy() for b in scenario.biases]

    def differentiate(parameter: np.ndarray) -> np.ndarray:
        return _central_differences(scenario, weights, biases, parameter, h)

    weight_gradients = [differentiate(w) for w in weights]
    bias_gradients = None if biases is None else [differentiate(b) for b in biases]
    return weight_gradients, bias_gradients


def gradient_check(scenario: Scenario, h: float = 1e-6) -> list[GradientCheck]:
    """One row per parameter: analytic, numeric and their relative error."""
    analytic_w, analytic_b = analytic_gradients(scenario)
    numeric_w, numeric_b = numeric_gradients(scenario, h)
    rows = []
    for l, (a, n) in enumerate(zip(analytic_w, numeric_w), start=1):
        for i, j in np.ndindex(a.shape):
            rows.append(GradientCheck(f"W{l}[{i},{j}]", float(a[i, j]), float(n[i, j])))
    if analytic_b is not None:
        for l, (a, n) in enumerate(zip(analytic_b, numeric_b), start=1):
            for j in range(a.shape[0]):
                rows.append(GradientCheck(f"b{l}[{j}]", float(a[j]), float(n[j])))
    return rows


def _parameters(
    scenario: Scenario, kind: str, layer: int
) -> tuple[list[np.ndarray], list[np.ndarray] | None, np.ndarray]:
    """Writable copies of the weights and biases, and the array of the parameters asked for."""
    if kind not in ("weights", "biases"):
        raise ValueError(f'kind: must be "weights" or "biases", got {kind!r}')
    last = len(scenario.layers) - 1
    if not isinstance(layer, int | np.integer) or not 1 <= layer <= last:
        raise ValueError(f"layer: must be from 1 to {last}, got {layer!r}")
    if kind == "biases" and scenario.biases is None:
        raise ValueError("biases: this network has no biases to check")
    weights = [w.copy() for w in scenario.weights]
    biases = None if scenario.biases is None else [b.copy() for b in scenario.biases]
    return weights, biases, (weights if kind == "weights" else biases)[layer - 1]


@dataclass(frozen=True, eq=False)
class StageGradientCheck:
    """∂E/∂W⁽ˡ⁾ (or ∂E/∂b⁽ˡ⁾) from the step, beside central differences of the true loss; arrays read-only."""

    kind: str  # "weights" | "biases"
    layer: int
    mistake: str | None
    epsilon: float
    analytic: np.ndarray  # from the (possibly mistaken) step's gradient stage
    numeric: np.ndarray  # [E(w + ε) − E(w − ε)] / 2ε of the true loss
    relative_error: np.ndarray  # |analytic − numeric| / max(|analytic| + |numeric|, 1e-12)

    @property
    def worst(self) -> float:
        return float(np.max(self.relative_error))

    def agrees(self, tolerance: float = AGREEMENT) -> np.ndarray:
        return self.relative_error <= tolerance


def _read_only(array: np.ndarray) -> np.ndarray:
    array = np.array(array, dtype=float)
    array.setflags(write=False)
    return array


def stage_gradient_check(
    scenario: Scenario,
    layer: int,
    kind: str = "weights",
    *,
    mistake: str | None = None,
    epsilon: float = 1e-6,
    record: StepRecord | None = None,
) -> StageGradientCheck:
    """The gradient stage of W⁽ˡ⁾ or b⁽ˡ⁾ checked entry by entry; under a mistake that bends the gradient it fails.
    ``record``: ``step(scenario, mistake=mistake)`` when the caller has it already (full precision)."""
    weights, biases, parameter = _parameters(scenario, kind, layer)
    record = record or step(scenario, mistake=mistake)
    analytic = (record.weight_gradients if kind == "weights" else record.bias_gradients)[layer - 1]
    numeric = _central_differences(scenario, weights, biases, parameter, epsilon)
    relative = np.abs(analytic - numeric) / np.maximum(np.abs(analytic) + np.abs(numeric), 1e-12)
    return StageGradientCheck(
        kind, layer, mistake, epsilon, _read_only(analytic), _read_only(numeric), _read_only(relative)
    )


@dataclass(frozen=True, eq=False)
class NudgeCurve:
    """Moving one parameter by Δw: the actual change of the loss and the first-order prediction ∂E/∂w·Δw."""

    parameter: str  # "W2[0,0]" or "b1[1]"
    value: float  # the parameter before the nudge
    gradient: float  # ∂E/∂w from the (possibly mistaken) step
    deltas: np.ndarray  # Δw
    actual: np.ndarray  # E(w + Δw) − E(w)
    predicted: np.ndarray  # ∂E/∂w · Δw
    mistake: str | None = None


def nudge_curve(scenario: Scenario, parameter: tuple, deltas, *, mistake: str | None = None) -> NudgeCurve:
    """``parameter`` is ("weights", l, i, j) or ("biases", l, j); ``deltas`` the Δw to try."""
    kind, layer, *index = parameter
    weights, biases, array = _parameters(scenario, kind, layer)
    index = tuple(int(i) for i in index)
    if len(index) != array.ndim or any(not 0 <= i < n for i, n in zip(index, array.shape)):
        raise ValueError(f"parameter: {kind} of layer {layer} has shape {array.shape}, no entry {index}")
    deltas = np.asarray(deltas, dtype=float).ravel()
    if deltas.size == 0 or not np.all(np.isfinite(deltas)):
        raise ValueError("deltas: give at least one finite Δw")
    record = step(scenario, mistake=mistake)
    gradients = record.weight_gradients if kind == "weights" else record.bias_gradients
    gradient = float(gradients[layer - 1][index])
    network = Network.of(scenario)
    base = loss_of(network, weights, biases, scenario.x, scenario.target)
    original = array[index]
    actual = np.empty_like(deltas)
    with np.errstate(over="ignore", invalid="ignore"):
        for k, delta in enumerate(deltas):
            array[index] = original + delta
            actual[k] = loss_of(network, weights, biases, scenario.x, scenario.target) - base
    array[index] = original
    name = f"{'W' if kind == 'weights' else 'b'}{layer}[{','.join(map(str, index))}]"
    return NudgeCurve(
        name, float(original), gradient, _read_only(deltas), _read_only(actual), _read_only(gradient * deltas), mistake
    )
