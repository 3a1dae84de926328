"""The stage in words and the graph as a table: every number taken from the engine, "?" where blanked."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given

from simulator import PRESETS, SEED, build_stages, step
from simulator.views.formatting import latex_matrix, latex_number, latex_vector, number
from simulator.views.narration import (
    MAX_EDGE_SENTENCES,
    blank_latex,
    blank_output,
    graph_table,
    narrate,
    say,
)

from .strategies import scenarios


def spoken(value: float, digits: int = 4) -> str:
    """The oracle for ``say``: formatting.number, "-" read as "minus", e-notation as "times 10 to the"."""
    text = number(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa} times 10 to the {int(exponent)}"
    return text.replace("-", "minus ")


def apart(old: float, new: float) -> int:
    return next((d for d in range(4, 13) if number(old, d) != number(new, d)), 4)


def results(record, stage) -> list[str]:
    """What ``stage`` computes, spoken as the narration must say it."""
    s = record.scenario
    kind, l = stage.kind, stage.layer
    if stage.id.startswith("forward.z"):
        return [spoken(v) for v in record.zs[l - 1]]
    if stage.id.startswith("forward.a"):
        return [spoken(v) for v in record.activations[l]]
    if kind == "loss":
        return [spoken(v) for v in record.error] + [spoken(record.loss, 6)]
    if kind == "delta":
        return [spoken(v) for v in record.deltas[l - 1]]
    if stage.id.startswith("gradient.W"):
        dW = record.weight_gradients[l - 1]
        if dW.size > MAX_EDGE_SENTENCES:  # told by its largest entry
            return [spoken(dW.flat[np.abs(dW).argmax()])]
        return [spoken(v) for v in dW.ravel()]
    if stage.id.startswith("update.W"):
        W, new = s.weights[l - 1], record.new_weights[l - 1]
        if W.size > MAX_EDGE_SENTENCES:
            return []
        return [spoken(b, apart(a, b)) for a, b in zip(W.ravel(), new.ravel())]
    if stage.id.startswith("gradient.b"):
        return [spoken(v) for v in record.bias_gradients[l - 1]]
    if stage.id.startswith("update.b"):
        old, new = s.biases[l - 1], record.new_biases[l - 1]
        return [spoken(b, apart(a, b)) if s.train_biases else spoken(a) for a, b in zip(old, new)]
    return [spoken(b, apart(a, b)) for a, b in zip(record.output, record.new_output)] + [spoken(record.new_loss, 6)]


def every_stage():
    for name, scenario in PRESETS.items():
        record = step(scenario)
        for stage in build_stages(record):
            yield pytest.param(record, stage, id=f"{name}-{stage.id}")


def test_say_reads_numbers_aloud():
    assert say(-0.115) == "minus 0.115"
    assert say(-3.54e-4) == "minus 3.540 times 10 to the -4".replace("-", "minus ")
    assert say(0.24) == "0.24"


def test_seed_output_delta_in_words():
    record = step(SEED)
    stage = next(s for s in build_stages(record) if s.id == "delta.2")
    assert narrate(record, stage) == (
        "Output delta.",
        "δ of o₁ equals e times o times 1 minus o: minus 0.115 times 0.485 times 0.515, which equals minus 0.02873.",
    )


def test_seed_weighted_sum_in_words():
    record = step(SEED)
    sentences = narrate(record, build_stages(record)[0])
    assert sentences[1] == (
        "z of h₁ is the weighted sum of its inputs: 0.5 times 0.5, plus 0.1 times 0.1, plus minus 0.2 times 0.1, "
        "which equals 0.24."
    )
    assert sentences[2].endswith("which equals minus 0.46.")


def test_seed_update_tells_old_and_new_apart():
    record = step(SEED)
    stage = next(s for s in build_stages(record) if s.id == "update.W1")
    text = " ".join(narrate(record, stage))
    assert "w from x₂ to h₁: 0.1 minus 0.5 times minus 7.080 times 10 to the minus 5, which equals 0.10004." in text


@pytest.mark.parametrize(("record", "stage"), list(every_stage()))
def test_every_stage_says_every_result(record, stage):
    sentences = narrate(record, stage)
    assert sentences[0] == f"{stage.title}."
    text = " ".join(sentences)
    for value in results(record, stage):
        assert (
            f"equals {value}" in text
            or f"becomes {value}" in text
            or f"to {value}" in text
            or (f"stays {value}" in text)
        ), f"{stage.id}: {value!r} missing from {text!r}"


@pytest.mark.parametrize(("record", "stage"), list(every_stage()))
def test_blank_hides_every_result_and_keeps_the_inputs(record, stage):
    text = " ".join(narrate(record, stage, blank=True))
    assert "?" in text or "frozen" in text
    if record.scenario.train_biases or not stage.id.startswith("update.b"):
        for value in results(record, stage):
            assert f"equals {value}." not in text and f"becomes {value}," not in text, stage.id
    if stage.id == "forward.z1" and record.scenario == SEED:
        assert "0.5 times 0.5" in text  # what the class computes from stays on screen


@pytest.mark.parametrize(("record", "stage"), list(every_stage()))
def test_blank_latex_hides_what_the_stage_computes(record, stage):
    text = blank_latex(stage)
    assert r"\text{?}" in text
    for name, value in stage.values.items():
        value = np.asarray(value, dtype=float)
        shown = [latex_number(float(value), 6)] if value.ndim == 0 else [latex_vector(value), latex_matrix(value)]
        for latex in shown:
            assert latex not in text, f"{stage.id}: {name} still shows {latex}"
    assert blank_output(stage) == "\n".join(f"{name} = ?" for name in stage.values)


def test_blank_latex_keeps_the_inputs():
    stage = build_stages(step(SEED))[0]
    assert latex_vector(np.array([0.5, 0.1, -0.2])) in blank_latex(stage)


def test_graph_table_matches_the_engine():
    record = step(SEED)
    stages = build_stages(record)
    index = [s.id for s in stages].index("update.W2")
    table = graph_table(record, stages, index)
    assert len(table.units) == 6 and len(table.edges) == 8
    h1 = next(row for row in table.units if row["unit"] == "h₁")
    assert h1["z"] == number(0.24, 6) and h1["a"] == number(record.activations[1][0], 6)
    assert h1["δ"] == number(record.deltas[0][0], 6)
    o1 = table.units[-1]
    assert o1["t"] == "0.6" and o1["o new"] == ""  # the new output comes at the last stage
    top = [row for row in table.edges if row["to"] == "o₁"]
    assert [row["w new"] for row in top] == [number(w, 4) for w in record.new_weights[1].ravel()]
    bottom = [row for row in table.edges if row["to"] != "o₁"]
    assert all(row["∂E/∂w"] == "" and row["w new"] == "" for row in bottom)  # W⁽¹⁾ is not reached yet


def test_graph_table_blank_hides_only_the_current_stage():
    record = step(SEED)
    stages = build_stages(record)
    index = [s.id for s in stages].index("loss")
    table = graph_table(record, stages, index, blank=True)
    o1 = table.units[-1]
    assert o1["t"] == "0.6" and o1["a"] == number(record.output[0], 6)  # givens and earlier stages stay
    index = [s.id for s in stages].index("delta.1")
    table = graph_table(record, stages, index, blank=True)
    assert [row["δ"] for row in table.units if row["layer"] == "hidden"] == ["?", "?"]
    assert table.units[-1]["δ"] == number(record.deltas[1][0], 6)


@given(scenarios())
def test_any_network_narrates_every_stage(scenario):
    record = step(scenario)
    stages = build_stages(record)
    for stage in stages:
        text = " ".join(narrate(record, stage))
        for value in results(record, stage):
            assert value in text, f"{stage.id}: {value!r} missing"
        assert "?" not in text
    table = graph_table(record, stages, len(stages) - 1)
    assert len(table.edges) == sum(w.size for w in scenario.weights)
    assert len(table.units) == sum(scenario.layers)
