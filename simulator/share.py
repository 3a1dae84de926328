"""Share links: the whole scenario and the current stage in a URL query string.

One declarative codec per query parameter writes the state and reads it back.
A parameter that cannot be read is named in a warning and that field alone
falls back to the default scenario's (see ``scenario_with_fallback``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .scenario import MAX_LAYERS, Scenario, scenario_to_dict, scenario_with_fallback

MAX_PARAM_LENGTH = 200_000


def _number(text: str) -> float | str:
    """A float, or the text itself so that validation can name it."""
    try:
        return float(text)
    except ValueError:
        return text


def _format(value: float) -> str:
    return repr(float(value))


def encode_vector(values) -> str:
    return ",".join(_format(v) for v in values)


def decode_vector(text: str) -> list:
    return [_number(part.strip()) for part in text.split(",")]


def encode_matrix(rows) -> str:
    return ";".join(encode_vector(row) for row in rows)


def decode_matrix(text: str) -> list:
    return [decode_vector(row) for row in text.split(";")]


def _decode_layers(text: str) -> list:
    return [int(part) if part.strip().lstrip("-").isdigit() else _number(part) for part in text.split("-")]


def _encode_dataset(dataset) -> str:
    return "|".join(f"{encode_vector(example['x'])}:{encode_vector(example['target'])}" for example in dataset)


def _decode_dataset(text: str) -> list:
    examples = []
    for part in text.split("|"):
        x, target = part.split(":")
        examples.append({"x": decode_vector(x), "target": decode_vector(target)})
    return examples


@dataclass(frozen=True)
class SharedView:
    scenario: Scenario
    stage: str | None
    lecture: bool
    problems: tuple[str, ...]


def encode(scenario: Scenario, stage: str | None = None, lecture: bool = False) -> dict[str, str]:
    """Query parameters for a scenario, a stage id and the lecture mode."""
    data = scenario_to_dict(scenario)
    params = {
        "layers": "-".join(str(n) for n in data["layers"]),
        "act": ",".join(data["activations"]),
        "loss": data["loss"],
        **{f"w{l + 1}": encode_matrix(w) for l, w in enumerate(data["weights"])},
        "x": encode_vector(data["x"]),
        "t": encode_vector(data["target"]),
        "lr": _format(data["learning_rate"]),
    }
    if data["biases"] is not None:
        params.update({f"b{l + 1}": encode_vector(b) for l, b in enumerate(data["biases"])})
    if not data["train_biases"]:
        params["frozen"] = "1"
    if data["dataset"] is not None:
        params["data"] = _encode_dataset(data["dataset"])
    if stage:
        params["stage"] = stage
    if lecture:
        params["mode"] = "lecture"
    return params


def _numbered(params: Mapping[str, str], prefix: str) -> list[str] | None:
    found = sorted((int(k[1:]), v) for k, v in params.items() if k[0] == prefix and k[1:].isdigit())
    if not found:
        return None
    return [v for _, v in found] if [n for n, _ in found] == list(range(1, len(found) + 1)) else []


def decode(params: Mapping[str, str], default: Scenario) -> SharedView:
    """Read query parameters back; every field that cannot be used is named in ``problems``."""
    problems: list[str] = []
    data: dict[str, Any] = {"version": 1}
    readers = {
        "layers": ("layers", _decode_layers),
        "act": ("activations", lambda text: text.split(",")),
        "loss": ("loss", str),
        "x": ("x", decode_vector),
        "t": ("target", decode_vector),
        "lr": ("learning_rate", _number),
        "data": ("dataset", _decode_dataset),
    }
    for param, (field, read) in readers.items():
        if param not in params:
            continue
        text = params[param]
        if len(text) > MAX_PARAM_LENGTH:
            problems.append(f"{param}: ignored, longer than {MAX_PARAM_LENGTH:,} characters")
            continue
        try:
            data[field] = read(text)
        except ValueError:
            problems.append(f"{param}: ignored, could not be read")
    for prefix, field in (("w", "weights"), ("b", "biases")):
        texts = _numbered(params, prefix)
        if texts is None:
            continue
        if not texts or len(texts) > MAX_LAYERS or any(len(t) > MAX_PARAM_LENGTH for t in texts):
            problems.append(f"{prefix}1…: ignored, the {field} must be numbered 1, 2, … without gaps")
            continue
        reader = decode_matrix if prefix == "w" else decode_vector
        data[field] = [reader(t) for t in texts]
    if "biases" not in data and any(k in params for k in ("layers", "w1")):
        data["biases"] = None  # a link without b1… describes a network without biases
    if "frozen" in params:
        data["train_biases"] = params["frozen"] != "1"
    scenario, found = scenario_with_fallback(data, default)
    problems.extend(found)
    lecture = params.get("mode") == "lecture"
    return SharedView(scenario, params.get("stage"), lecture, tuple(problems))
