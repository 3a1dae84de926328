"""A scenario from partly bad data: keep every good field, take each bad one from a fallback.

Links and the page use it so that one bad field costs that field only. It sits above the
scenario record, the editing helpers (to resize the fallback) and the engine (a scenario whose
step overflows is not used at all).
"""

from __future__ import annotations

from typing import Any

from .editing import with_layers
from .losses import HALF_SQUARED_ERROR
from .record import check_computable
from .scenario import Scenario, scenario_from_checked, scenario_to_dict
from .validation import FIELD_CHECKS, FIELDS, check_matrix, check_vector, describe, unknown_fields


def _resized(scenario: Scenario, layers: list[int]) -> Scenario:
    return with_layers(scenario, layers)


def _candidates(name: str, data: dict, base: dict, ctx: dict) -> list[Any]:
    """What to try for one field, best first: the data's value, the data's good matrices
    completed from the base's, the base's value, and a last resort that always fits."""
    found = [data[name]] if name in data else []
    value, default = data.get(name), base[name]
    if name == "biases" and default is None:
        default = [[0.0] * n for n in ctx["layers"][1:]]  # so that the good bias vectors can be kept
    fits = isinstance(value, list) and isinstance(default, list) and len(value) == len(default)
    if name in ("weights", "biases") and fits:
        mixed = [v if not _element_problems(name, l, v, ctx) else d for l, (v, d) in enumerate(zip(value, default))]
        found.append(mixed)
    found.append(base[name])
    if name == "loss":
        found.append(HALF_SQUARED_ERROR)  # fits every output activation
    elif name == "target":
        found.append([1.0 / ctx["layers"][-1]] * ctx["layers"][-1])  # fits every loss
    elif name in ("biases", "dataset"):
        found.append(None)
    return found


def _element_problems(name: str, l: int, value: Any, ctx: dict) -> list[str]:
    layers, problems = ctx["layers"], []
    if name == "weights":
        check_matrix(value, layers[l], layers[l + 1], "", "", problems)
    else:
        check_vector(value, layers[l + 1], "", "", problems)
    return problems


def scenario_with_fallback(data: Any, fallback: Scenario) -> tuple[Scenario, list[str]]:
    """Keep every good field of ``data``; take each bad or missing one from ``fallback``.

    Returns the scenario and the problems of the fields that were replaced. Fields are
    settled in order (layers, activations, loss, …), each checked against those already
    settled. When the kept layer sizes differ from the fallback's, the fallback is first
    resized to them (:func:`simulator.core.editing.with_layers`), so a bad field costs that
    field only; a bad weight matrix costs that matrix only. A scenario whose step
    overflows (:func:`check_computable`) is not used at all: ``fallback`` is returned.
    """
    if not isinstance(data, dict):
        return fallback, [f"scenario: must be a JSON object, got {describe(data)}"]
    problems = unknown_fields(data)
    base = scenario_to_dict(fallback)
    ctx: dict[str, Any] = {}
    chosen: dict[str, Any] = {}
    for name in FIELDS:
        if name == "activations" and ctx["layers"] != list(fallback.layers):
            base = scenario_to_dict(_resized(fallback, ctx["layers"]))
        for k, candidate in enumerate(_candidates(name, data, base, ctx)):
            found: list[str] = []
            result = FIELD_CHECKS[name](candidate, ctx, found)
            if k == 0 and name in data:
                problems.extend(found)
            if not found:
                ctx[name], chosen[name] = result, candidate
                break
    scenario = scenario_from_checked(ctx)  # every field of ``chosen`` passed its check into ``ctx``
    overflow = check_computable(scenario)
    if overflow:
        return fallback, [*problems, *overflow, "scenario: not used, its step cannot be computed; the default is shown"]
    return scenario, problems
