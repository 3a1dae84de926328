"""The scenario schema's fields, their limits, and the check of each field.

Each check reads one field of plain data (parsed JSON) and appends every problem to a list as
"path: reason", quoting what was given; fields are checked in dependency order (the weights need
valid layers), and a field that depends on a bad one is not checked. :func:`field_problems` runs
them all; :func:`simulator.core.scenario.scenario_from_dict` builds the record from what passed.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .activations import ACTIVATIONS, SOFTMAX
from .losses import CROSS_ENTROPY, LOSSES
from .messages import MAX_LISTED, quote

SCHEMA_VERSION = 1
MAX_LAYERS, MIN_LAYERS = 8, 2
MAX_UNITS = 16
MAX_ABS_VALUE = 1e6
MAX_LEARNING_RATE = 100.0
MAX_DATASET = 256
MAX_FILE_BYTES = 1_000_000

FIELDS = (
    "version",
    "layers",
    "activations",
    "loss",
    "weights",
    "biases",
    "train_biases",
    "x",
    "target",
    "learning_rate",
    "dataset",
)
OPTIONAL_FIELDS = {"biases": None, "train_biases": True, "dataset": None}
# Fields whose validity depends on the layer sizes.
SHAPED_FIELDS = ("layers", "activations", "loss", "weights", "biases", "x", "target", "dataset")


def key_name(key: Any) -> str:
    """A dictionary key or parameter name for a message: as is when it is a plain name, quoted otherwise."""
    if isinstance(key, str) and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,39}", key):
        return key
    return quote(key) if isinstance(key, str) else describe(key)


def describe(value: Any) -> str:
    """A short, student-readable rendering of a bad value."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    if isinstance(value, str):
        return quote(value)
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, int) and value.bit_length() > 128:  # repr() refuses beyond 4,300 digits
        return f"a whole number of about {value.bit_length() * 0.30103:,.0f} digits"
    text = repr(value)
    return text if len(text) <= 40 else text[:39] + "…"


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _number(value: Any, path: str, problems: list[str]) -> float | None:
    if type(value) is float and -MAX_ABS_VALUE <= value <= MAX_ABS_VALUE:  # nearly every value (NaN fails it)
        return value
    if _is_number(value) and isinstance(value, int) and value.bit_length() > 1000:  # float() would overflow
        problems.append(f"{path}: must be between -1e6 and 1e6, got {describe(value)}")
        return None
    if not _is_number(value) or not math.isfinite(value):
        problems.append(f"{path}: must be a finite number, got {describe(value)}")
        return None
    if abs(value) > MAX_ABS_VALUE:
        problems.append(f"{path}: must be between -1e6 and 1e6, got {describe(value)}")
        return None
    return float(value)


def check_vector(value: Any, length: int, path: str, what: str, problems: list[str]) -> list[float] | None:
    if not isinstance(value, list):
        problems.append(f"{path}: must be a list of {length} numbers {what}, got {describe(value)}")
        return None
    if len(value) != length:
        problems.append(f"{path}: must have {length} numbers {what}, got {len(value)}")
        return None
    before = len(problems)
    numbers = [_number(v, f"{path}[{i}]", problems) for i, v in enumerate(value)]
    return numbers if len(problems) == before else None


def check_matrix(value: Any, rows: int, cols: int, path: str, what: str, problems: list[str]):
    shape_text = f"{rows}×{cols}"
    if not isinstance(value, list) or not all(isinstance(r, list) for r in value):
        problems.append(f"{path}: must be a {shape_text} list of lists {what}, got {describe(value)}")
        return None
    widths = {len(r) for r in value}
    if len(widths) > 1:
        problems.append(f"{path}: must be {shape_text} {what}, got rows of different lengths")
        return None
    got = f"{len(value)}×{widths.pop() if widths else 0}"
    if got != shape_text:
        problems.append(f"{path}: must be {shape_text} {what}, got {got}")
        return None
    before = len(problems)
    matrix = [[_number(v, f"{path}[{i}][{j}]", problems) for j, v in enumerate(row)] for i, row in enumerate(value)]
    return matrix if len(problems) == before else None


def _check_version(value, ctx, problems):
    if value != SCHEMA_VERSION or isinstance(value, bool):
        problems.append(f"version: must be {SCHEMA_VERSION}, got {describe(value)}")
    return SCHEMA_VERSION


def _check_layers(value, ctx, problems):
    limits = f"a list of {MIN_LAYERS} to {MAX_LAYERS} layer sizes, each 1 to {MAX_UNITS}"
    if not isinstance(value, list) or not MIN_LAYERS <= len(value) <= MAX_LAYERS:
        got = f"{len(value)} layers" if isinstance(value, list) else describe(value)
        problems.append(f"layers: must be {limits}, got {got}")
        return None
    before = len(problems)
    for i, n in enumerate(value):
        if not (isinstance(n, int) and not isinstance(n, bool)) or not 1 <= n <= MAX_UNITS:
            problems.append(f"layers[{i}]: must be a whole number from 1 to {MAX_UNITS}, got {describe(n)}")
    return list(value) if len(problems) == before else None


def layer_problems(layers: Any) -> list[str]:
    """What is wrong with a list of layer sizes (empty when nothing is)."""
    problems: list[str] = []
    _check_layers(layers, {}, problems)
    return problems


def _check_activations(value, ctx, problems):
    layers = ctx["layers"]
    count = len(layers) - 1
    names = ", ".join(ACTIVATIONS)
    if not isinstance(value, list) or len(value) != count:
        got = f"{len(value)}" if isinstance(value, list) else describe(value)
        problems.append(f"activations: must list {count} activation names (one per layer after the input), got {got}")
        return None
    before = len(problems)
    for i, name in enumerate(value):
        path = f"activations[{i}]"
        if not isinstance(name, str) or name not in ACTIVATIONS:
            problems.append(f"{path}: must be one of {names}, got {describe(name)}")
        elif ACTIVATIONS[name].output_only and i != count - 1:
            problems.append(f"{path}: {name} is only allowed on the output layer")
        elif name == SOFTMAX and layers[-1] < 2:
            problems.append(f"{path}: softmax needs at least 2 output units, the output layer has {layers[-1]}")
    return list(value) if len(problems) == before else None


def _check_loss(value, ctx, problems):
    if not isinstance(value, str) or value not in LOSSES:
        problems.append(f"loss: must be one of {', '.join(LOSSES)}, got {describe(value)}")
        return None
    allowed = LOSSES[value].output_activations
    output_activation = ctx["activations"][-1]
    if allowed and output_activation not in allowed:
        problems.append(f"loss: {value} needs a {' or '.join(allowed)} output layer, got {output_activation}")
        return None
    return value


def _per_layer(name: str, value, layers, problems: list[str], kinds: tuple[str, str], check, must: str = "must hold"):
    """One entry per layer after the input, each read by ``check(entry, l, what)``; None if any is bad."""
    count = len(layers) - 1
    if not isinstance(value, list) or len(value) != count:
        got = f"{len(value)}" if isinstance(value, list) else describe(value)
        problems.append(f"{name}: {must} {_plural(count, *kinds)} to match layers {layers}, got {got}")
        return None
    before = len(problems)
    entries = [check(entry, l, f"to match layers {layers}") for l, entry in enumerate(value)]
    return entries if len(problems) == before else None


def _check_weights(value, ctx, problems):
    layers = ctx["layers"]

    def matrix(w, l, what):
        return check_matrix(w, layers[l], layers[l + 1], f"weights[{l}]", what, problems)

    return _per_layer("weights", value, layers, problems, ("matrix", "matrices"), matrix)


def _check_biases(value, ctx, problems):
    if value is None:
        return None
    layers = ctx["layers"]

    def vector(b, l, what):
        return check_vector(b, layers[l + 1], f"biases[{l}]", what, problems)

    return _per_layer("biases", value, layers, problems, ("vector", "vectors"), vector, "must be null or hold")


def _check_train_biases(value, ctx, problems):
    if not isinstance(value, bool):
        problems.append(f"train_biases: must be true or false, got {describe(value)}")
        return True
    return value


def _check_x(value, ctx, problems, path="x"):
    layers = ctx["layers"]
    return check_vector(value, layers[0], path, f"(one per input unit of layers {layers})", problems)


def _check_target(value, ctx, problems, path="target"):
    layers = ctx["layers"]
    target = check_vector(value, layers[-1], path, f"(one per output unit of layers {layers})", problems)
    if target is None or ctx.get("loss") != CROSS_ENTROPY:
        return target
    if any(not 0.0 <= t <= 1.0 for t in target):
        problems.append(f"{path}: cross-entropy needs targets between 0 and 1, got {target}")
        return None
    if ctx["activations"][-1] == SOFTMAX and abs(sum(target) - 1.0) > 1e-9:
        problems.append(f"{path}: softmax with cross-entropy needs targets that sum to 1, got {sum(target):g}")
        return None
    return target


def _check_learning_rate(value, ctx, problems):
    rate = _number(value, "learning_rate", problems)
    if rate is not None and not 0.0 < rate <= MAX_LEARNING_RATE:
        problems.append(
            f"learning_rate: must be greater than 0 and at most {MAX_LEARNING_RATE:g}, got {describe(value)}"
        )
        return None
    return rate


def _check_dataset(value, ctx, problems):
    if value is None:
        return None
    if not isinstance(value, list) or not 1 <= len(value) <= MAX_DATASET:
        got = f"{len(value)} examples" if isinstance(value, list) else describe(value)
        problems.append(f"dataset: must be null or a list of 1 to {MAX_DATASET} examples, got {got}")
        return None
    before = len(problems)
    examples = []
    for i, example in enumerate(value):
        path = f"dataset[{i}]"
        if not isinstance(example, dict) or set(example) != {"x", "target"}:
            problems.append(f'{path}: must be an object with "x" and "target", got {describe(example)}')
            continue
        examples.append(
            (
                _check_x(example["x"], ctx, problems, f"{path}.x"),
                _check_target(example["target"], ctx, problems, f"{path}.target"),
            )
        )
    return examples if len(problems) == before else None


FIELD_CHECKS = {
    "version": _check_version,
    "layers": _check_layers,
    "activations": _check_activations,
    "loss": _check_loss,
    "weights": _check_weights,
    "biases": _check_biases,
    "train_biases": _check_train_biases,
    "x": _check_x,
    "target": _check_target,
    "learning_rate": _check_learning_rate,
    "dataset": _check_dataset,
}


def field_problems(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """Check each field in dependency order; a field that depends on a bad one is not checked."""
    ctx: dict[str, Any] = {}
    problems: dict[str, list[str]] = {}
    for name in FIELDS:
        if name not in data and name not in OPTIONAL_FIELDS:
            problems[name] = [f"{name}: is missing"]
            continue
        depends_on_bad = any(dep in problems for dep in ("layers", "activations", "loss")[: _DEPTH.get(name, 0)])
        if depends_on_bad:
            continue
        found: list[str] = []
        ctx[name] = FIELD_CHECKS[name](data.get(name, OPTIONAL_FIELDS.get(name)), ctx, found)
        if found:
            problems[name] = found
    return ctx, problems


# How many of (layers, activations, loss) a field needs to be valid before it can be checked.
_DEPTH = {"activations": 1, "loss": 2, "weights": 1, "biases": 1, "x": 1, "target": 3, "dataset": 3}


def unknown_fields(data: dict) -> list[str]:
    unknown = [key for key in data if key not in FIELDS]
    problems = [f"{key_name(key)}: is not a scenario field" for key in unknown[:MAX_LISTED]]
    if len(unknown) > MAX_LISTED:
        problems.append(f"…and {len(unknown) - MAX_LISTED:,} more fields that are not scenario fields")
    return problems
