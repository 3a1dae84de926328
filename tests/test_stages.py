"""The stage list: order, ids, texts and values, all traceable to the step record."""

import numpy as np
import pytest
from hypothesis import given

from simulator import PRESETS, SEED, build_stages, step, unit_names
from simulator.core.names import unit_label

from .strategies import scenarios

SEED_IDS = [
    "forward.z1",
    "forward.a1",
    "forward.z2",
    "forward.a2",
    "loss",
    "delta.2",
    "delta.1",
    "gradient.W2",
    "update.W2",
    "gradient.W1",
    "update.W1",
    "apply",
]


def test_seed_stage_order():
    assert [s.id for s in build_stages(step(SEED))] == SEED_IDS


def test_bias_stages_follow_their_weights():
    ids = [s.id for s in build_stages(step(PRESETS["two_outputs"]))]
    assert ids[7:15] == [
        "gradient.W2",
        "update.W2",
        "gradient.b2",
        "update.b2",
        "gradient.W1",
        "update.W1",
        "gradient.b1",
        "update.b1",
    ]


def test_frozen_biases_are_said_to_be_frozen():
    stages = {s.id: s for s in build_stages(step(PRESETS["two_outputs"]))}
    assert "frozen" in stages["update.b1"].explanation
    np.testing.assert_array_equal(stages["update.b1"].values["new_b1"], PRESETS["two_outputs"].biases[0])


def test_update_stages_state_the_sign_convention():
    for stage in build_stages(step(SEED)):
        if stage.id.startswith("update.W"):
            assert "minus" in stage.explanation and "η·dE/dW" in stage.explanation
            assert "the seed prints learning_rate * dW" in stage.code


def test_stage_values_are_the_records():
    record = step(PRESETS["xor"])
    stages = {s.id: s for s in build_stages(record)}
    np.testing.assert_array_equal(stages["forward.z1"].values["z1"], record.zs[0])
    np.testing.assert_array_equal(stages["delta.1"].values["delta1"], record.deltas[0])
    np.testing.assert_array_equal(stages["gradient.W1"].values["dW1"], record.weight_gradients[0])
    np.testing.assert_array_equal(stages["update.b2"].values["new_b2"], record.new_biases[1])
    assert float(stages["apply"].values["new_loss"]) == record.new_loss


def test_substituted_formula_shows_the_numbers():
    stages = {s.id: s for s in build_stages(step(SEED))}
    assert r"0.5 & 0.1 & -0.2" in stages["forward.z1"].substituted
    assert r"0.24 & -0.46" in stages["forward.z1"].substituted
    assert r"\begin{bmatrix} 1.77{\times}10^{-4} & -5.11{\times}10^{-4}" in stages["update.W1"].substituted
    assert stages["forward.z1"].code == "z1 = np.dot(x, W1)"


def test_nodes_and_edges_name_real_units():
    names = unit_names(SEED.layers)
    assert names == (("x1", "x2", "x3"), ("h1", "h2"), ("o1",))
    stages = {s.id: s for s in build_stages(step(SEED))}
    assert stages["forward.z1"].edges[0] == ("x1", "h1")
    assert len(stages["forward.z1"].edges) == 6
    assert stages["delta.1"].nodes == ("h1", "h2", "o1")


def test_deep_networks_name_hidden_layers_by_number():
    names = unit_names((2, 3, 3, 1))
    assert names[1] == ("h1_1", "h1_2", "h1_3")
    assert unit_label("h2_3") == "h²₃" and unit_label("x1") == "x₁"


@given(scenarios(max_layers=8, max_units=16))
def test_every_scenario_builds_a_complete_stage_list(scenario):
    stages = build_stages(step(scenario))
    layers = len(scenario.layers) - 1
    per_parameter = 2 * layers * (2 if scenario.biases is not None else 1)
    assert len(stages) == 2 * layers + 1 + layers + per_parameter + 1
    assert len({s.id for s in stages}) == len(stages)
    for stage in stages:
        assert stage.title and stage.explanation and stage.formula and stage.substituted and stage.code
        for value in stage.values.values():
            assert not value.flags.writeable
            assert np.all(np.isfinite(value))


def test_large_matrices_are_named_not_spelled_out():
    scenario = SEED.replace(
        layers=[16, 16, 1],
        weights=[np.full((16, 16), 0.01).tolist(), np.full((16, 1), 0.01).tolist()],
        x=[0.1] * 16,
    )
    stages = {s.id: s for s in build_stages(step(scenario))}
    assert r"W^{(1)}_{[16\times16]}" in stages["forward.z1"].substituted
    assert len(stages["update.W1"].substituted) < 2000


@pytest.mark.parametrize("loss, output", [("cross_entropy", "sigmoid"), ("half_squared_error", "tanh")])
def test_output_delta_formula_follows_loss_and_activation(loss, output):
    scenario = SEED.replace(loss=loss, activations=["sigmoid", output])
    stage = {s.id: s for s in build_stages(step(scenario))}["delta.2"]
    if loss == "cross_entropy":
        assert stage.formula.endswith("= o - t") and "cancels" in stage.explanation
    else:
        assert "f'(z^{(2)})" in stage.formula


def test_hidden_delta_shows_the_slope_of_a_non_sigmoid_activation():
    scenario = SEED.replace(activations=["tanh", "sigmoid"])
    record = step(scenario)
    stage = {s.id: s for s in build_stages(record)}["delta.1"]
    slope = 1 - record.activations[1] ** 2
    assert r"\odot f'(z^{(1)})" in stage.substituted
    assert f"{slope[0]:.4g} & {slope[1]:.4g}" in stage.substituted
