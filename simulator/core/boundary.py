"""The network's output over its input space: a grid for two inputs, a curve for one.

Every point goes through the network in one vectorised forward pass (rows are points),
the same computation as :func:`simulator.core.backprop.forward_pass` one point at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backprop import Network
from .batch import batch_forward
from .datasets import dataset_of
from .scenario import Scenario

MARGIN = 0.15  # of the data's span, on each side
MIN_SPAN = 1.0  # a single point or a line of points still gets a plane around it
MAX_RESOLUTION = 400

Bounds = tuple[tuple[float, float], ...]


def _frozen(array: np.ndarray) -> np.ndarray:
    array.setflags(write=False)
    return array


def data_bounds(scenario: Scenario, margin: float = MARGIN) -> Bounds:
    """(low, high) for each input: the dataset's (or the single example's) range plus a margin."""
    x = dataset_of(scenario).x
    low, high = x.min(axis=0), x.max(axis=0)
    centre, span = (low + high) / 2, np.maximum(high - low, MIN_SPAN)
    half = span * (0.5 + margin)
    return tuple((float(c - h), float(c + h)) for c, h in zip(centre, half))


def outputs_at(scenario: Scenario, points: np.ndarray) -> np.ndarray:
    """The network's output for each row of ``points`` (n, inputs): (n, outputs)."""
    network = Network.of(scenario)
    with np.errstate(over="ignore", invalid="ignore"):
        _, activations = batch_forward(network, scenario.weights, scenario.biases, np.asarray(points, dtype=float))
    return activations[-1]


def _check(scenario: Scenario, inputs: int, resolution: int, bounds: Bounds | None) -> Bounds:
    if scenario.layers[0] != inputs:
        what = "an output map" if inputs == 2 else "an output curve"
        raise ValueError(f"{what} needs a network with {inputs} input(s), this one has {scenario.layers[0]}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or not 2 <= resolution <= MAX_RESOLUTION:
        raise ValueError(f"resolution: must be a whole number from 2 to {MAX_RESOLUTION}, got {resolution!r}")
    bounds = data_bounds(scenario) if bounds is None else tuple(tuple(map(float, b)) for b in bounds)
    if len(bounds) != inputs or any(not (np.isfinite(lo) and np.isfinite(hi) and lo < hi) for lo, hi in bounds):
        raise ValueError(f"bounds: must be {inputs} finite (low, high) pairs with low < high, got {bounds!r}")
    return bounds


@dataclass(frozen=True, eq=False)
class Grid:
    """``outputs[i, j, k]``: output unit k at x₁ = ``x1[j]``, x₂ = ``x2[i]`` (rows follow x₂, as a heatmap draws)."""

    x1: np.ndarray
    x2: np.ndarray
    outputs: np.ndarray
    bounds: Bounds

    def points(self) -> np.ndarray:
        """The grid points as rows (x₁, x₂), in the order of ``outputs.reshape(-1, units)``."""
        return _mesh(self.x1, self.x2)


def _mesh(x1: np.ndarray, x2: np.ndarray) -> np.ndarray:
    a, b = np.meshgrid(x1, x2)
    return np.column_stack([a.ravel(), b.ravel()])


def output_grid(scenario: Scenario, resolution: int = 100, bounds: Bounds | None = None) -> Grid:
    """The output of a two-input network at ``resolution`` × ``resolution`` points over ``bounds``.

    ``bounds`` defaults to :func:`data_bounds`.
    """
    bounds = _check(scenario, 2, resolution, bounds)
    x1, x2 = (np.linspace(lo, hi, resolution) for lo, hi in bounds)
    outputs = outputs_at(scenario, _mesh(x1, x2)).reshape(resolution, resolution, -1)
    return Grid(_frozen(x1), _frozen(x2), _frozen(outputs), bounds)


@dataclass(frozen=True, eq=False)
class Curve:
    """``outputs[i, k]``: output unit k at x = ``x[i]``."""

    x: np.ndarray
    outputs: np.ndarray
    bounds: Bounds


def output_curve(scenario: Scenario, resolution: int = 200, bounds: Bounds | None = None) -> Curve:
    """The output of a one-input network at ``resolution`` points over ``bounds``."""
    bounds = _check(scenario, 1, resolution, bounds)
    x = np.linspace(*bounds[0], resolution)
    return Curve(_frozen(x), _frozen(outputs_at(scenario, x[:, None])), bounds)
