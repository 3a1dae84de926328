"""The walk the browser steps through: every stage built once by Python, JSON-ready, and no hidden number in it."""

import gzip
import json
import re

import numpy as np
import pytest

from simulator import PRESETS, SEED, build_stages, step
from simulator.core.mistakes import divergence
from simulator.views.formatting import notebook_values, number, plain
from simulator.views.graph import graph_model
from simulator.views.graph_layout import graph_layout
from simulator.views.narration import narrate
from simulator.views.walk import WalkView, walk


def seed_walk(view: WalkView | None = None, scenario=SEED, mistake=None):
    view = view or WalkView()
    record = step(scenario, mistake=mistake)
    stages = build_stages(record)
    if mistake is None:
        return record, stages, walk(record, stages, view)
    correct = build_stages(step(scenario))
    return record, stages, walk(record, stages, view, correct_stages=correct, divergence=divergence(correct, stages))


def as_json(data) -> str:
    return json.dumps(data, allow_nan=False, ensure_ascii=False)


def shown_forms(value: float) -> set[str]:
    """Every way the page could write ``value``: 4 to 8 significant digits, and in full."""
    return {number(value, digits) for digits in range(4, 9)} | {plain(value), repr(float(value))}


def test_every_stage_of_the_seed_is_in_the_walk_with_the_engines_numbers():
    record, stages, data = seed_walk()
    assert data["count"] == len(stages) == len(data["stages"]) == 12
    assert data["ids"] == [s.id for s in stages]
    for k, (stage, page) in enumerate(zip(stages, data["stages"])):
        assert page["heading"] == f"Stage {k + 1} of 12 — {stage.title}"
        assert page["code"] == f">>> {stage.code}\n{notebook_values(stage.values)}"
        assert page["substituted"] == stage.substituted and page["formula"] == stage.formula
        assert page["narration"] == list(narrate(record, stage))
        assert not page["hidden"]
    code = "\n".join(page["code"] for page in data["stages"])
    assert "a1 = [0.55971365 0.38698582]" in code and "a2 = 0.48497343084992534" in code
    assert "-1.77005547e-04" in code and "-0.00804047" in code


def test_the_graph_of_each_stage_carries_every_label_the_layout_placed():
    record, stages, data = seed_walk()
    for k, page in enumerate(data["stages"]):
        texts = {note["text"] for note in page["figure"]["layout"]["annotations"]}
        placed = {box.text for box in graph_layout(graph_model(record, stages, k)).labels}
        assert placed <= texts, stages[k].id


def test_the_walk_is_json_and_small():
    _, _, data = seed_walk()
    text = as_json(data)
    assert len(gzip.compress(text.encode())) <= 60 * 1024


def test_tables_are_html_with_the_numbers_of_the_stage():
    _, _, data = seed_walk()
    page = data["stages"][9]  # gradient of W1
    assert page["id"] == "gradient.W1"
    tables = "".join(page["tables"])
    assert "-3.540e-04" in tables and "<script" not in tables
    assert "All 6 agree" in page["check"]["verdict"]


def test_the_inspector_reveals_each_line_at_its_stage():
    _, stages, data = seed_walk()
    lines = data["units"]["h1"]["lines"]
    ids = [s.id for s in stages]
    assert [ids[k] for _, k in lines] == ["forward.z1", "forward.a1", "delta.1"]
    assert data["units"]["x1"]["lines"][0][1] == -1  # an input is known from the start


@pytest.mark.parametrize("stage_id", ["forward.z1", "delta.1", "gradient.W1", "update.W2", "apply"])
def test_a_hidden_stage_and_the_stages_after_it_send_none_of_their_numbers(stage_id):
    record, stages = step(SEED), build_stages(step(SEED))
    index = [s.id for s in stages].index(stage_id)
    data = walk(record, stages, WalkView(hidden=frozenset({stage_id}), limit=index + 1))
    assert len(data["stages"]) == index + 1 and data["stages"][index]["hidden"]
    text = as_json(data)
    for value in np.concatenate([np.ravel(v) for v in stages[index].values.values()]):
        leaked = [t for t in shown_forms(value) if re.search(rf"(?<![\d.]){re.escape(t)}(?!\d)", text)]
        assert not leaked, (stage_id, value, leaked)


def test_a_classic_mistake_brings_its_comparison_and_marks():
    _, stages, data = seed_walk(mistake="slope_from_z")
    pages = {page["id"]: page for page in data["stages"]}
    assert pages["forward.z1"]["compare"] == {"same": True}
    assert "table" in pages["delta.2"]["compare"] and pages["delta.2"]["marked"]
    assert "disagree" in pages["gradient.W2"]["check"]["verdict"]


def test_the_2_2_2_preset_walks_too():
    scenario = PRESETS["two_outputs"]
    record, stages, data = seed_walk(scenario=scenario)
    assert data["count"] == len(stages)
    as_json(data)
