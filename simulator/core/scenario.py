"""The scenario: one network, one training example, one learning rate.

This is the single schema for state: JSON files, the CLI, the app's share links
and uploads all go through :func:`scenario_from_dict` / :func:`scenario_to_dict`.
The record is built only from data that :mod:`.validation` (each field's check) passed.

Layout: ``weights[l][i][j]`` is the weight from unit i of layer l to unit j of
layer l+1, so a layer computes ``z = a @ W + b`` on row vectors (the seed's
``np.dot(x, weights_input_hidden)``). On screen ``weights[0]`` is W⁽¹⁾.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .validation import (
    FIELDS,
    MAX_ABS_VALUE,
    MAX_DATASET,
    MAX_FILE_BYTES,
    MAX_LAYERS,
    MAX_LEARNING_RATE,
    MAX_UNITS,
    MIN_LAYERS,
    SCHEMA_VERSION,
    describe,
    field_problems,
    key_name,
    layer_problems,
    unknown_fields,
)

# Re-exported: the schema's limits and message helpers are read through this module too.
__all__ = [
    "FIELDS",
    "MAX_ABS_VALUE",
    "MAX_DATASET",
    "MAX_FILE_BYTES",
    "MAX_LAYERS",
    "MAX_LEARNING_RATE",
    "MAX_UNITS",
    "MIN_LAYERS",
    "SCHEMA_VERSION",
    "Scenario",
    "ScenarioError",
    "describe",
    "key_name",
    "layer_problems",
    "scenario_from_dict",
    "scenario_to_dict",
    "scenario_to_json",
    "unknown_fields",
]


class ScenarioError(ValueError):
    """Every problem found in a scenario, each as "path: reason"."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def _frozen(values: Any) -> np.ndarray:
    array = np.array(values, dtype=float)
    array.setflags(write=False)
    return array


@dataclass(frozen=True, eq=False)
class Scenario:
    """An immutable, validated scenario. Build it with :func:`scenario_from_dict`."""

    layers: tuple[int, ...]
    activations: tuple[str, ...]
    loss: str
    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...] | None
    x: np.ndarray
    target: np.ndarray
    learning_rate: float
    train_biases: bool = True
    dataset: tuple[tuple[np.ndarray, np.ndarray], ...] | None = field(default=None)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "layers", tuple(int(n) for n in self.layers))
        set_(self, "activations", tuple(self.activations))
        set_(self, "weights", tuple(_frozen(w) for w in self.weights))
        if self.biases is not None:
            set_(self, "biases", tuple(_frozen(b) for b in self.biases))
        set_(self, "x", _frozen(self.x))
        set_(self, "target", _frozen(self.target))
        set_(self, "learning_rate", float(self.learning_rate))
        if self.dataset is not None:
            set_(self, "dataset", tuple((_frozen(x), _frozen(t)) for x, t in self.dataset))

    def replace(self, **changes: Any) -> Scenario:
        """A validated copy with some fields changed (raises ScenarioError)."""
        data = scenario_to_dict(self)
        data.update(changes)
        return scenario_from_dict(_jsonable(data))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Scenario):
            return NotImplemented
        return scenario_to_dict(self) == scenario_to_dict(other)

    __hash__ = None  # type: ignore[assignment]


def _jsonable(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, np.generic):
        return value.item()
    return value


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """Plain JSON-ready data; floats survive a JSON round trip exactly."""
    return {
        "version": SCHEMA_VERSION,
        "layers": list(scenario.layers),
        "activations": list(scenario.activations),
        "loss": scenario.loss,
        "weights": [w.tolist() for w in scenario.weights],
        "biases": None if scenario.biases is None else [b.tolist() for b in scenario.biases],
        "train_biases": scenario.train_biases,
        "x": scenario.x.tolist(),
        "target": scenario.target.tolist(),
        "learning_rate": scenario.learning_rate,
        "dataset": None
        if scenario.dataset is None
        else [{"x": x.tolist(), "target": t.tolist()} for x, t in scenario.dataset],
    }


def scenario_to_json(scenario: Scenario, indent: int | None = 2) -> str:
    return json.dumps(scenario_to_dict(scenario), indent=indent)


def scenario_from_dict(data: Any) -> Scenario:
    """Validate plain data (parsed JSON) into a Scenario; any problem raises :class:`ScenarioError` naming
    every one (:func:`simulator.core.fallback.scenario_with_fallback` keeps the good fields instead)."""
    if not isinstance(data, dict):
        raise ScenarioError([f"scenario: must be a JSON object, got {describe(data)}"])
    problems = unknown_fields(data)
    ctx, by_field = field_problems(data)
    for found in by_field.values():
        problems.extend(found)
    if problems:
        raise ScenarioError(problems)
    return scenario_from_checked(ctx)


def scenario_from_checked(ctx: dict[str, Any]) -> Scenario:
    """The record from every field's checked value (``ctx`` of the field checks of :mod:`.validation`)."""
    return Scenario(
        layers=ctx["layers"],
        activations=ctx["activations"],
        loss=ctx["loss"],
        weights=ctx["weights"],
        biases=ctx["biases"],
        train_biases=ctx["train_biases"],
        x=ctx["x"],
        target=ctx["target"],
        learning_rate=ctx["learning_rate"],
        dataset=ctx["dataset"],
    )
