"""Central finite differences for every parameter: the independent check on backprop."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import Network, backward_pass, bias_gradient, forward_pass, loss_of, weight_gradient
from .scenario import Scenario


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


def numeric_gradients(scenario: Scenario, h: float = 1e-6) -> tuple[list[np.ndarray], list[np.ndarray] | None]:
    """(E(θ + h) − E(θ − h)) / 2h for each parameter θ in turn."""
    network = Network.of(scenario)
    weights = [w.copy() for w in scenario.weights]
    biases = None if scenario.biases is None else [b.copy() for b in scenario.biases]

    def differentiate(parameter: np.ndarray) -> np.ndarray:
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
