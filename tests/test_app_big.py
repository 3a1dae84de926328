"""The largest legal link (8 layers × 16 units, biases, 256 examples) opens, steps and trains on the page.

Its whole walk is 51 stages of 1,792 edges: the page sends a window of stages at a time (docs/limits.md,
"The walk of a large network"), and a step out of the window brings the next one.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simulator import SEED
from simulator.core.experiments import comparison_steps
from simulator.core.mistakes import MISTAKES, inapplicable
from simulator.io.share import decode, encode
from simulator.views.walk import per_message

from .test_app import open_tab, start
from .test_walk_window import network
from .walkpage import current, pick, step, walk_data

PAGE_BYTES = 1_000_000  # the walk sent with one page: never megabytes


def largest_link() -> dict[str, str]:
    rng = np.random.default_rng(15)
    rows = (
        ",".join(f"{v:.5f}" for v in rng.uniform(-1, 1, 16)) + ":" + ",".join(f"{v:.5f}" for v in rng.uniform(0, 1, 16))
        for _ in range(256)
    )
    return {**encode(network(8, 16)), "data": "|".join(rows)}


@pytest.fixture(scope="module")
def big():
    app = start(largest_link())
    assert len(app.session_state["scenario"].dataset) == 256  # the examples came with the link
    return app


def sent(app) -> int:
    (element,) = [e for e in app.get("bidi_component") if e.proto.component_name == "backprop_walk"]
    return len(element.proto.mixed.json if element.proto.WhichOneof("data") == "mixed" else element.proto.json)


def test_the_largest_link_opens_on_its_first_window_of_stages(big):
    data = walk_data(big)
    per = per_message((16,) * 8)
    assert (data["count"], data["first"], data["index"], len(data["stages"])) == (51, 0, 0, per)
    assert current(big)["heading"].startswith("Stage 1 of 51 — ")
    assert len(current(big)["figure"]["data"][-2]["hovertext"]) == 7 * 16 * 16  # every edge on the graph
    assert sent(big) < PAGE_BYTES
    assert not big.error


def test_a_step_out_of_the_window_brings_the_next_one(big):
    pick(big, walk_data(big)["ids"][1])
    data = walk_data(big)
    assert (data["first"], data["index"]) == (0, 1)
    step(big, "next")  # stage 3: out of the first window
    data = walk_data(big)
    assert (data["first"], data["index"], [p["id"] for p in data["stages"]]) == (2, 2, data["ids"][2:4])
    assert current(big)["heading"].startswith("Stage 3 of 51 — ")
    step(big, "end")
    data = walk_data(big)
    assert (data["first"], data["index"], len(data["stages"])) == (50, 50, 1)
    assert current(big)["after"]  # the apply stage: outputs and the loss before → after
    chains = [item for unit in data["units"].values() for item in unit["chain"]]
    assert any(item[0].startswith("… and 12 more weights into") for item in chains)  # 4 of 16 chains a unit
    assert sent(big) < PAGE_BYTES


def test_the_largest_link_with_a_mistake_or_on_paper_shows_its_walk_or_says_why():
    params = largest_link()
    mistake = next(m for m in sorted(MISTAKES) if inapplicable(m, network(8, 16)) is None)
    for extra in ({"mistake": mistake}, {"round": "3"}):
        app = start({**params, **extra, "stage": "apply"})
        data = walk_data(app)
        assert data["index"] == 50 and data["first"] == 50
        assert current(app)["compare"] if "mistake" in extra else current(app)["after"]
        assert sent(app) < PAGE_BYTES
    trained = [c.value for c in app_with_mistake_captions(params, mistake)]
    said = "The loss over 100 steps is not drawn: one step of this network over its 256 examples is too long"
    assert any(text.startswith(said) for text in trained)


def app_with_mistake_captions(params: dict, mistake: str):
    app = start({**params, "mistake": mistake})
    return app.caption


def test_the_mistake_comparison_trains_what_one_request_affords():
    seed, largest = step_of(encode(SEED)), step_of(largest_link())
    assert comparison_steps(seed, 500) == 500  # the seed: every step chosen
    assert comparison_steps(network(8, 16), 100) == 100  # one example: 100 steps of the largest network
    assert comparison_steps(largest, 100) == 0  # 256 examples: one step is 0.2 s of the request's 0.5 s
    fewer = dataclasses.replace(largest, dataset=largest.dataset[:64])
    assert comparison_steps(fewer, 100) == 6  # 1.2e6 // (64 × 2,920)
    half = dataclasses.replace(largest, dataset=largest.dataset[:205])  # 205 × 2,920 = 598,600: just under half
    assert comparison_steps(half, 100) == 2


def step_of(params: dict):
    return decode(params, SEED).scenario


def test_the_largest_link_trains_a_tick_at_a_time():
    app = open_tab(start(largest_link()), "Train")
    app.number_input(key="train_steps").set_value(3)
    app.button(key="train").click().run()
    assert not app.exception, [e.value for e in app.exception]
    for _ in range(10):
        if app.session_state["lab_run"] is None:
            break
        app.run()
        assert not app.exception, [e.value for e in app.exception]
    assert app.session_state["lab_run"] is None
    assert app.session_state["history"].last == 3
