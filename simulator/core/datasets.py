"""Datasets: the record, the built-in sets, and fitting a dataset onto a network.

A dataset is two read-only arrays with one row per example: ``x`` (n, inputs) and
``t`` (n, outputs). The scenario stores it as ``((x, target), …)``; see
:func:`dataset_of` and :func:`with_dataset`. CSV files are read and written by
:mod:`simulator.io.csv_data`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .activations import SOFTMAX
from .editing import with_layers
from .losses import CROSS_ENTROPY
from .scenario import MAX_DATASET, Scenario, ScenarioError

DECIMALS = 3  # built-in sets are rounded so that files and links stay short


@dataclass(frozen=True, eq=False)
class Dataset:
    """Examples as rows: ``x`` is (n, inputs), ``t`` is (n, outputs); both read-only."""

    x: np.ndarray
    t: np.ndarray

    def __post_init__(self) -> None:
        for name in ("x", "t"):
            array = np.array(getattr(self, name), dtype=float, ndmin=2)
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        if self.x.shape[0] != self.t.shape[0]:
            raise ValueError(f"dataset: {self.x.shape[0]} inputs rows but {self.t.shape[0]} target rows")

    def __len__(self) -> int:
        return self.x.shape[0]

    @property
    def inputs(self) -> int:
        return self.x.shape[1]

    @property
    def outputs(self) -> int:
        return self.t.shape[1]

    def examples(self) -> list[dict[str, list[float]]]:
        """The scenario JSON's ``dataset`` field."""
        return [{"x": x.tolist(), "target": t.tolist()} for x, t in zip(self.x, self.t)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return np.array_equal(self.x, other.x) and np.array_equal(self.t, other.t)

    __hash__ = None  # type: ignore[assignment]


def dataset_of(scenario: Scenario) -> Dataset:
    """The scenario's dataset, or its single example as a one-row dataset."""
    if scenario.dataset is None:
        return Dataset(scenario.x[None, :], scenario.target[None, :])
    return Dataset(np.array([x for x, _ in scenario.dataset]), np.array([t for _, t in scenario.dataset]))


# --- fitting onto a network ------------------------------------------------


def fit_problems(dataset: Dataset, scenario: Scenario) -> list[str]:
    """Why the dataset cannot train this network as it is (empty when it can)."""
    layers = scenario.layers
    problems = []
    if dataset.inputs != layers[0]:
        problems.append(f"the data has {dataset.inputs} inputs, the network has {layers[0]} input units")
    if dataset.outputs != layers[-1]:
        problems.append(f"the data has {dataset.outputs} targets, the network has {layers[-1]} output units")
    if scenario.loss == CROSS_ENTROPY:
        outside = np.flatnonzero(np.any((dataset.t < 0) | (dataset.t > 1), axis=1))
        if outside.size:
            problems.append(
                f"cross-entropy needs targets between 0 and 1; "
                f"example {outside[0] + 1} has {dataset.t[outside[0]].tolist()}"
            )
        if scenario.activations[-1] == SOFTMAX:
            off = np.flatnonzero(np.abs(dataset.t.sum(axis=1) - 1.0) > 1e-9)
            if off.size:
                problems.append(
                    f"softmax with cross-entropy needs targets that sum to 1; example {off[0] + 1} does not"
                )
    return problems


def resized_layers(dataset: Dataset, scenario: Scenario) -> list[int]:
    """The network's layer sizes with the input and output layers sized to the data."""
    return [dataset.inputs, *scenario.layers[1:-1], dataset.outputs]


def with_dataset(scenario: Scenario, dataset: Dataset, resize: bool = False) -> Scenario:
    """The scenario training on ``dataset``; its single example becomes the dataset's first.

    With ``resize`` the input and output layers take the data's sizes (every weight that still
    fits is kept, see :func:`simulator.core.editing.with_layers`). Raises ScenarioError when it does not fit.
    """
    if resize:
        scenario = with_layers(scenario, resized_layers(dataset, scenario))
    problems = fit_problems(dataset, scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario.replace(dataset=dataset.examples(), x=dataset.x[0].tolist(), target=dataset.t[0].tolist())


# --- built-in sets -----------------------------------------------------------


def _binary(points: np.ndarray, labels: np.ndarray, noise: float, rng: np.random.Generator) -> Dataset:
    """Jitter the points, shuffle, round; targets 1.0 / 0.0."""
    points = points + rng.normal(0.0, noise, size=points.shape) if noise else points
    order = rng.permutation(len(points))
    return Dataset(points[order].round(DECIMALS) + 0.0, labels[order, None].astype(float))  # + 0.0: no −0


def _halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def xor(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """Points in the square [−1, 1]²; target 1 where x₁ and x₂ have different signs."""
    points = rng.uniform(-1.0, 1.0, size=(n, 2))
    points += np.sign(points) * 0.05  # a small gap along the axes, as in Playground
    labels = points[:, 0] * points[:, 1] < 0
    return _binary(points, labels, noise, rng)


def circle(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """Target 1 inside radius 0.5, 0 on the ring from radius 0.7 to 1."""
    inside, outside = _halves(n)
    radius = np.concatenate([rng.uniform(0.0, 0.5, inside), rng.uniform(0.7, 1.0, outside)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return _binary(points, np.arange(n) < inside, noise, rng)


def gaussians(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """Two round clouds of spread 0.25 + noise: target 1 around (0.5, 0.5), 0 around (−0.5, −0.5)."""
    first, second = _halves(n)
    centres = np.repeat([[0.5, 0.5], [-0.5, -0.5]], [first, second], axis=0)
    points = centres + rng.normal(0.0, 0.25 + noise, size=(n, 2))
    return _binary(points, np.arange(n) < first, 0.0, rng)


def spiral(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """Two interleaved spiral arms of radius up to 1 (Playground's), target 1 on one arm, 0 on the other."""
    first, second = _halves(n)
    arms = []
    for count, turn in ((first, 0.0), (second, np.pi)):
        r = np.arange(1, count + 1) / count
        angle = 1.75 * 2 * np.pi * r + turn
        arms.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
    return _binary(np.concatenate(arms), np.arange(n) < first, noise, rng)


def sine(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """One input in [−1, 1]; target 0.5 + 0.4 sin(πx) (+ noise, kept within [0, 1])."""
    x = np.sort(rng.uniform(-1.0, 1.0, n))
    t = 0.5 + 0.4 * np.sin(np.pi * x) + rng.normal(0.0, noise, n)
    order = rng.permutation(n)
    return Dataset(x[order, None].round(DECIMALS) + 0.0, np.clip(t[order], 0.0, 1.0).round(DECIMALS)[:, None])


MAX_NOISE = 1.0


@dataclass(frozen=True)
class BuiltIn:
    """A seeded generator: ``DATASETS[name](n, noise, seed)`` gives the same data for the same arguments."""

    name: str
    label: str
    inputs: int
    make: Callable[[int, float, np.random.Generator], Dataset]
    size: int = 200
    noise: float = 0.0

    def __call__(self, n: int | None = None, noise: float | None = None, seed: int = 0) -> Dataset:
        n = self.size if n is None else n
        noise = self.noise if noise is None else noise
        problems = []
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_DATASET:
            problems.append(f"size: must be a whole number from 1 to {MAX_DATASET}, got {n!r}")
        if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise <= MAX_NOISE:
            problems.append(f"noise: must be a number from 0 to {MAX_NOISE:g}, got {noise!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            problems.append(f"seed: must be a whole number 0 or more, got {seed!r}")
        if problems:
            raise ScenarioError(problems)
        return self.make(int(n), float(noise), np.random.default_rng(int(seed)))


DATASETS: dict[str, BuiltIn] = {
    maker.name: maker
    for maker in (
        BuiltIn("xor", "XOR: opposite quadrants", 2, xor),
        BuiltIn("circle", "Circle: inside or outside", 2, circle),
        BuiltIn("gaussians", "Two Gaussians", 2, gaussians),
        BuiltIn("spiral", "Two spirals", 2, spiral),
        BuiltIn("sine", "Sine (1 input, regression)", 1, sine, size=64, noise=0.0),
    )
}
