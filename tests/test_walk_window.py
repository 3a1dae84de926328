"""A large network's walk comes a window of stages at a time, each page the same as in the whole walk.

The whole walk of the largest legal network (8 layers × 16 units) is 51 stages of 1,792 edges: seconds of
work and megabytes of text, so the page sends a window of stages per message (docs/limits.md). The walk's
cheaper parts (the graph table written once per layer state, the inspector cut from the whole one) must
give what the direct builders give.
"""

import pytest

from simulator import SEED, build_stages, step
from simulator.core.mistakes import MISTAKES, divergence, inapplicable
from simulator.core.scenario import scenario_from_dict
from simulator.views.chain import MAX_TERMS
from simulator.views.narration import graph_table
from simulator.views.walk import (
    MAX_WEIGHT_CHAINS,
    WalkView,
    inspector,
    per_message,
    reveals_chains,
    shipped_units,
    walk,
    window,
)
from simulator.views.walk_tables import graph_table_html, graph_table_pages

from .walk_hashes import network_data

LARGEST = (16,) * 8


def network(layers: int, units: int, seed: int = 15):
    return scenario_from_dict(network_data(layers, units, seed))


def test_small_networks_come_whole_and_the_largest_a_few_stages_at_a_time():
    assert per_message(SEED.layers) >= len(build_stages(step(SEED)))
    assert per_message((4, 4, 4)) >= 16  # 3 × 4: whole, as before windows
    assert per_message(LARGEST) == 2
    assert per_message((16,) * 3) == 7


def test_a_window_is_the_block_of_stages_around_the_one_shown():
    assert window(51, 0, 2) == (0, 2)
    assert window(51, 7, 2) == (6, 8)
    assert window(51, 50, 2) == (50, 51)
    assert window(12, 11, 16) == (0, 12)
    blocks = {window(51, k, 3) for k in range(51)}
    assert sorted(k for first, end in blocks for k in range(first, end)) == list(range(51))  # each stage once


@pytest.mark.parametrize("mistake", [None, *sorted(MISTAKES)[:2]])
def test_each_window_holds_the_pages_of_the_whole_walk(mistake):
    scenario = network(3, 6)
    if mistake and inapplicable(mistake, scenario):
        pytest.skip("mistake not applicable")
    record = step(scenario, mistake=mistake)
    stages = build_stages(record)
    extra = {}
    if mistake:
        correct = build_stages(step(scenario))
        extra = {"correct_stages": correct, "divergence": divergence(correct, stages)}
    whole = walk(record, stages, WalkView(), **extra)
    units = inspector(record, stages, len(stages), WalkView())
    assert whole["first"] == 0 and len(whole["stages"]) == len(stages)
    for first in range(0, len(stages), 5):
        _, end = window(len(stages), first, 5)
        part = walk(record, stages, WalkView(first=first, limit=end), units=units, **extra)
        assert part["first"] == first and part["count"] == len(stages) and part["ids"] == whole["ids"]
        assert part["stages"] == whole["stages"][first:end]
        assert part["units"] == walk(record, stages, WalkView(limit=end), **extra)["units"]


@pytest.mark.parametrize("scenario", [SEED, network(3, 6), network(4, 3, seed=2)], ids=["seed", "3x6", "4x3"])
def test_the_whole_inspector_cut_to_a_window_is_the_inspector_built_for_it(scenario):
    record = step(scenario)
    stages = build_stages(record)
    whole = inspector(record, stages, len(stages), WalkView())
    for shipped in range(1, len(stages) + 1):
        assert shipped_units(whole, shipped) == inspector(record, stages, shipped, WalkView()), stages[shipped - 1].id


def test_the_graph_table_written_per_layer_is_the_table_of_each_stage():
    for scenario in (SEED, network(3, 6), network(5, 3, seed=3)):
        record = step(scenario)
        stages = build_stages(record)
        pages = graph_table_pages(record, stages)
        for k in range(len(stages)):
            for blank in (False, True):
                assert pages(k, blank) == graph_table_html(graph_table(record, stages, k, blank=blank)), stages[k].id


def test_a_unit_fed_by_many_lists_its_first_weights_and_says_how_many_more():
    record = step(network(3, 6))
    stages = build_stages(record)
    chain = inspector(record, stages, len(stages), WalkView())["h3"]["chain"]
    assert MAX_WEIGHT_CHAINS == MAX_TERMS == 4
    weights = [item.split(" = ")[0] for item, kind, _ in chain if item.startswith(r"\partial E/\partial w")]
    assert weights == [rf"\partial E/\partial w^{{(1)}}_{{{i}3}}" for i in (1, 2, 3, 4)]  # 5 and 6 left out
    notes = [(item, at) for item, kind, at in chain if item.startswith("…")]
    assert notes == [
        (
            "… and 2 more weights into h₃: each gradient is this δ times what its edge carries "
            "(the stage's table lists every one).",
            [s.id for s in stages].index("gradient.W1"),
        )
    ]
    assert any(item.startswith(r"\partial E/\partial b") for item, _, _ in chain)  # the bias's chain follows


def test_the_seed_inspector_keeps_every_chain():
    record = step(SEED)
    stages = build_stages(record)
    chain = inspector(record, stages, len(stages), WalkView())["h1"]["chain"]
    assert not any(item.startswith("… and") for item, _, _ in chain)
    assert all(f"w^{{(1)}}_{{{i}1}}" in "".join(item for item, _, _ in chain) for i in (1, 2, 3))


def test_only_a_stage_after_a_delta_reveals_a_chain():
    stages = build_stages(step(SEED))
    first_delta = next(k for k, s in enumerate(stages) if s.kind == "delta")
    assert not reveals_chains(stages, first_delta)
    assert reveals_chains(stages, first_delta + 1)
    record = step(SEED)
    assert all(not unit["chain"] for unit in inspector(record, stages, first_delta, WalkView()).values())
