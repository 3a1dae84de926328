"""A mistaken step says what it computed: every sentence, formula and code line of every mistake × stage.

The oracle for the narration is arithmetic: each sentence "…: A times B plus C, which equals R" is
evaluated with interval arithmetic over the numbers as spoken (at least 4 significant digits each), and R
must lie inside. Saying "times o times 1 minus o" where no slope was applied, or "times 0.1" where the
updated 0.108 was used, fails. The oracle for the code is NumPy: each stage's line is run on the
record's own values and must give the stage's values.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
from hypothesis import given, settings

from simulator import MISTAKES, PRESETS, Scenario, build_stages, step
from simulator.core.activations import ACTIVATIONS
from simulator.views.narration import narrate

from .strategies import scenarios

TANH_CE = Scenario(
    layers=(2, 3, 1),
    activations=("tanh", "sigmoid"),
    loss="cross_entropy",
    weights=([[0.4, -0.7, 0.2], [0.3, 0.5, -0.6]], [[0.8], [-0.5], [0.3]]),
    biases=([0.1, -0.2, 0.05], [0.1]),
    x=[0.6, -0.4],
    target=[1.0],
    learning_rate=0.5,
)
DEEP = Scenario(
    layers=(2, 2, 2, 2),
    activations=("relu", "tanh", "linear"),
    loss="half_squared_error",
    weights=([[0.5, -0.3], [0.2, 0.8]], [[0.7, -0.4], [0.1, 0.6]], [[0.3, 0.9], [-0.5, 0.2]]),
    biases=([0.1, 0.2], [0.0, -0.1], [0.05, 0.05]),
    x=[1.0, 0.5],
    target=[0.2, -0.3],
    learning_rate=0.1,
)
SCENARIOS = {**PRESETS, "tanh_ce": TANH_CE, "deep": DEEP}

_NUMBER = r"\d+(?:\.\d+)?(?: times 10 to the (?:minus )?\d+)?"
_TOKEN = re.compile(rf"{_NUMBER}|times|plus|minus|\?|" + "|".join(a for a in ACTIVATIONS if a != "softmax"))


def _interval(text: str) -> tuple[float, float]:
    """A spoken number and the rounding it may hide: at least 4 significant digits."""
    mantissa, _, exponent = text.partition(" times 10 to the ")
    value = float(mantissa) * 10 ** (-int(exponent.split()[-1]) if "minus" in exponent else int(exponent or 0))
    if value == 0:
        return 0.0, 0.0
    digits = max(4, len(mantissa.replace(".", "").lstrip("0")))
    half = 0.5 * 10 ** (math.floor(math.log10(abs(value))) - digits + 1) * (1 + 1e-9)
    return value - half, value + half


def _mul(a, b):
    products = [x * y for x in a for y in b]
    return min(products), max(products)


def _evaluate(tokens: list[str]) -> tuple[float, float]:
    """expression = term (plus|minus term)*; term = factor (times factor)*; factor = minus factor | f factor | n."""
    position = 0

    def factor():
        nonlocal position
        token = tokens[position]
        position += 1
        if token == "minus":
            low, high = factor()
            return -high, -low
        if token in ACTIVATIONS:
            low, high = factor()
            f = ACTIVATIONS[token]
            return float(f(np.array([low]))[0]), float(f(np.array([high]))[0])  # all of them rise
        return _interval(token)

    def term():
        nonlocal position
        value = factor()
        while position < len(tokens) and tokens[position] == "times":
            position += 1
            value = _mul(value, factor())
        return value

    value = term()
    while position < len(tokens):
        operator = tokens[position]
        position += 1
        low, high = term()
        value = (value[0] + low, value[1] + high) if operator == "plus" else (value[0] - high, value[1] - low)
    return value


def sums_checked(sentence: str) -> int:
    """Check "…: expression, which equals R." arithmetically; the number of sentences checked (0 or 1)."""
    if ", which equals " not in sentence or "softmax" in sentence or "?" in sentence:
        return 0
    left, result = sentence.rsplit(", which equals ", 1)
    expression = left.rsplit(":", 1)[1] if ":" in left else left.rsplit(",", 1)[-1]
    tokens = _TOKEN.findall(expression)
    if not tokens:  # "∂E/∂b of o₁ equals δ of o₁, which equals …": nothing to compute
        return 0
    low, high = _evaluate(tokens)
    result = result.rstrip(".")
    r_low, r_high = _interval(result.removeprefix("minus "))
    if result.startswith("minus "):
        r_low, r_high = -r_high, -r_low
    # Below ~1e-308 floats are subnormal and carry fewer digits than the spoken numbers: a tiny absolute slack.
    assert low <= r_high + 1e-300 and r_low - 1e-300 <= high, f"{sentence!r}: the numbers give [{low:.6g}, {high:.6g}]"
    return 1


def _namespace(record) -> dict:
    """Every name a stage's code line reads, with the record's own values."""
    s = record.scenario
    space = {"np": np, "x": s.x, "target": s.target, "learning_rate": s.learning_rate, "error": record.error}
    for l in range(1, len(s.layers)):
        space |= {
            f"W{l}": s.weights[l - 1],
            f"z{l}": record.zs[l - 1],
            f"a{l}": record.activations[l],
            f"delta{l}": record.deltas[l - 1],
            f"dW{l}": record.weight_gradients[l - 1],
            f"W{l}_new": record.new_weights[l - 1],
        }
        if s.biases is not None:
            space |= {f"b{l}": s.biases[l - 1], f"db{l}": record.bias_gradients[l - 1]}
        if record.carried_weight_gradients is not None:  # what the buffers still held (no zero_grad)
            space[f"dW{l}_left"] = record.carried_weight_gradients[l - 1]
            if s.biases is not None:
                space[f"db{l}_left"] = record.carried_bias_gradients[l - 1]
    for activation in ACTIVATIONS.values():
        space[activation.name] = activation.forward
        space[f"{activation.name}_backward"] = activation.backward
    return space


def code_checked(record, stage) -> None:
    """Run the stage's NumPy line on the record's values: it must give the stage's values."""
    if stage.kind == "apply":
        return
    line = stage.code.split("#")[0]
    name = line.split("=")[0].strip()
    space = _namespace(record)
    exec(line, space)  # noqa: S102 - our own generated one-liner, on our own arrays
    key = re.sub(r"^([Wb])(\d+)_new$", r"new_\1\2", name)
    expected = stage.values.get(key)
    if expected is not None:
        np.testing.assert_allclose(space[name], expected, rtol=1e-12, atol=1e-15, err_msg=f"{stage.id}: {line}")


def every_case():
    for name, scenario in SCENARIOS.items():
        for mistake in (None, *MISTAKES):
            yield pytest.param(scenario, mistake, id=f"{name}-{mistake or 'correct'}")


@pytest.mark.parametrize(("scenario", "mistake"), list(every_case()))
def test_every_sentence_and_code_line_describes_the_mistaken_computation(scenario, mistake):
    record = step(scenario, mistake=mistake)
    checked = 0
    for stage in build_stages(record):
        for sentence in narrate(record, stage):
            checked += sums_checked(sentence)
        code_checked(record, stage)
    assert checked > 10


@settings(max_examples=40, deadline=None)
@given(scenarios())
def test_random_networks_under_every_mistake(scenario):
    for mistake in MISTAKES:
        record = step(scenario, mistake=mistake)
        for stage in build_stages(record):
            for sentence in narrate(record, stage):
                sums_checked(sentence)
            code_checked(record, stage)


def test_the_issue_sentences():
    record = step(PRESETS["seed"], mistake="no_activation_slope")
    stage = next(s for s in build_stages(record) if s.id == "delta.2")
    assert narrate(record, stage)[1] == (
        "δ of o₁ equals e alone, the slope left out: minus 0.115, which equals minus 0.115."
    )
    record = step(PRESETS["seed"], mistake="updated_weights_for_hidden_delta")
    stage = next(s for s in build_stages(record) if s.id == "delta.1")
    text = " ".join(narrate(record, stage))
    assert "times 0.1080 from o₁" in text or "times 0.108 from o₁" in text
    assert "times 0.1 from" not in text


def test_mistaken_formulas_and_shapes_follow_the_rules():
    record = step(TANH_CE, mistake="target_minus_output")
    stage = next(s for s in build_stages(record) if s.id == "delta.2")
    assert "= t - o" in stage.formula and stage.code == "delta2 = target - a2"
    record = step(DEEP, mistake="no_activation_slope")
    stages = {s.id: s for s in build_stages(record)}
    assert "f'" not in stages["delta.3"].formula and stages["delta.3"].code == "delta3 = error"
    assert "f′" not in stages["delta.3"].worked[0] and "f′" not in stages["delta.2"].worked[0]
    assert stages["delta.1"].code == "delta1 = np.dot(W2, delta2)"
    record = step(DEEP, mistake="slope_from_z")
    stages = {s.id: s for s in build_stages(record)}
    assert stages["delta.2"].code == "delta2 = tanh_backward(z2, z2, np.dot(W3, delta3))"
