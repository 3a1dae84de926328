"""Classic mistakes: each against a hand derivation on the seed, and where it parts from the correct step."""

import json
import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given

from simulator import MISTAKES, PRESETS, SEED, Scenario, build_stages, divergence, mistake_losses, step, train
from simulator.core.mistakes import inapplicable
from simulator.views.graph import graph_model

from .strategies import scenarios

# The seed by hand, straight-line NumPy as in the notebook (the oracle, not the code under test).
X = np.array([0.5, 0.1, -0.2])
W1 = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
W2 = np.array([[0.1], [-0.3]])
T, RATE = np.array([0.6]), 0.5


def sig(z):
    return 1 / (1 + np.exp(-z))


Z1 = X @ W1
H = sig(Z1)
Z2 = H @ W2
O = sig(Z2)
E = O - T
D2 = E * O * (1 - O)
D1 = (W2 @ D2) * H * (1 - H)


def test_no_activation_slope_gives_the_error_as_output_delta():
    record = step(SEED, mistake="no_activation_slope")
    assert record.deltas[1].tolist() == [-0.11502656915007464]
    np.testing.assert_allclose(record.deltas[0], W2 @ E, rtol=1e-15)  # δʰ = W δ, no slope
    np.testing.assert_allclose(record.new_weights[1], W2 - RATE * np.outer(H, E), rtol=1e-15)


def test_plus_update_climbs():
    record = step(SEED, mistake="plus_update")
    np.testing.assert_array_equal(record.deltas[1], step(SEED).deltas[1])
    np.testing.assert_allclose(record.new_weights[1], W2 + RATE * np.outer(H, D2), rtol=1e-15)
    np.testing.assert_allclose(record.new_weights[0], W1 + RATE * np.outer(X, D1), rtol=1e-15)
    assert record.new_loss > record.loss


def test_target_minus_output_flips_every_sign_from_the_error_on():
    record = step(SEED, mistake="target_minus_output")
    assert record.error.tolist() == [0.11502656915007464]
    assert record.loss == step(SEED).loss  # E = ½e² does not see the sign
    np.testing.assert_allclose(record.deltas[1], -D2, rtol=1e-15)
    np.testing.assert_allclose(record.deltas[0], -D1, rtol=1e-15)
    np.testing.assert_allclose(record.new_weights[1], W2 + RATE * np.outer(H, D2), rtol=1e-15)


def test_slope_from_z_uses_z_one_minus_z():
    record = step(SEED, mistake="slope_from_z")
    d2 = E * Z2 * (1 - Z2)
    np.testing.assert_allclose(record.deltas[1], d2, rtol=1e-15)
    np.testing.assert_allclose(record.deltas[0], (W2 @ d2) * Z1 * (1 - Z1), rtol=1e-14)
    assert record.deltas[1][0] > 0 > D2[0]  # z2 < 0, so z(1 − z) < 0 turns δ around


def test_updated_weights_for_hidden_delta_sends_delta_back_along_the_new_weights():
    record = step(SEED, mistake="updated_weights_for_hidden_delta")
    new_W2 = W2 - RATE * np.outer(H, D2)
    np.testing.assert_allclose(record.deltas[0], (new_W2 @ D2) * H * (1 - H), rtol=1e-14)
    np.testing.assert_allclose(record.new_weights[1], new_W2, rtol=1e-15)  # W2's own update is right
    np.testing.assert_allclose(record.new_weights[0], W1 - RATE * np.outer(X, record.deltas[0]), rtol=1e-15)


def test_biases_not_updated_keeps_them():
    xor = PRESETS["xor"]
    record = step(xor, mistake="biases_not_updated")
    for old, new in zip(xor.biases, record.new_biases):
        np.testing.assert_array_equal(old, new)
    assert record.bias_updates is None
    np.testing.assert_array_equal(record.new_weights[0], step(xor).new_weights[0])
    stages = {s.id: s for s in build_stages(record)}
    assert "not updated" in stages["update.b1"].formula and "Biases not updated" in stages["update.b1"].explanation


@pytest.mark.parametrize("name", ["seed", "two_outputs"])
def test_a_mistake_that_cannot_show_is_a_flagged_no_op(name):
    scenario = PRESETS[name]  # seed: no biases; two_outputs: frozen biases
    assert "biases" in inapplicable("biases_not_updated", scenario)
    record = step(scenario, mistake="biases_not_updated")
    assert record.mistake == "biases_not_updated"
    assert divergence(build_stages(step(scenario)), build_stages(record)).first is None


def test_unknown_mistake_names_the_valid_ids():
    with pytest.raises(ValueError, match="plus_update, target_minus_output") as info:
        step(SEED, mistake="minus_update")
    assert "minus_update" in str(info.value)


FIRST_ON_SEED = {
    "plus_update": "update.W2",
    "target_minus_output": "loss",
    "slope_from_z": "delta.2",
    "no_activation_slope": "delta.2",
    "updated_weights_for_hidden_delta": "delta.1",
    "accumulated_gradients": "gradient.W2",
    "no_hidden_slope": "delta.1",
    "z_for_a_in_gradient": "gradient.W2",
}


@pytest.mark.parametrize("mistake", FIRST_ON_SEED)
def test_divergence_on_the_seed(mistake):
    correct, mistaken = build_stages(step(SEED)), build_stages(step(SEED, mistake=mistake))
    found = divergence(correct, mistaken)
    assert found.first == FIRST_ON_SEED[mistake]
    ids = [s.id for s in correct]
    assert not any(found.differs(i) for i in ids[: ids.index(found.first)])
    assert found.differs("apply")  # every one of them changes the step's outcome


def test_divergence_masks_mark_entries_and_the_graph():
    correct, mistaken_record = build_stages(step(SEED)), step(SEED, mistake="updated_weights_for_hidden_delta")
    mistaken = build_stages(mistaken_record)
    found = divergence(correct, mistaken)
    assert found.masks["delta.1"]["delta1"].tolist() == [True, True]
    assert not found.masks["update.W2"]["new_W2"].any()
    assert found.masks["update.W1"]["new_W1"].all()
    before = graph_model(mistaken_record, mistaken, 5, divergence=found)  # delta.2: nothing differs yet
    assert not any(n.marked for n in before.nodes) and not any(e.marked for e in before.edges)
    at = graph_model(mistaken_record, mistaken, 6, divergence=found)  # delta.1
    assert {n.id for n in at.nodes if n.marked} == {"h1", "h2"}
    end = graph_model(mistaken_record, mistaken, len(mistaken) - 1, divergence=found)
    assert {(e.source, e.target) for e in end.edges if e.marked} == {
        (x, h) for x in ("x1", "x2", "x3") for h in ("h1", "h2")
    }


def _values(record, name):
    return getattr(record, name)


@given(scenarios())
def test_each_mistake_parts_where_it_should_and_nowhere_earlier(scenario):
    correct_record = step(scenario)
    correct = build_stages(correct_record)
    ids = [s.id for s in correct]
    last = len(scenario.layers) - 1
    for mistake in MISTAKES:
        record = step(scenario, mistake=mistake)
        found = divergence(correct, build_stages(record))
        first_allowed = {
            "plus_update": next(i for i in ids if i.startswith("update.")),
            "target_minus_output": "loss",
            "slope_from_z": f"delta.{last}",
            "no_activation_slope": f"delta.{last}",
            "updated_weights_for_hidden_delta": f"delta.{last - 1}",
            "biases_not_updated": next((i for i in ids if i.startswith("update.b")), "apply"),
            "accumulated_gradients": f"gradient.W{last}",
            "no_hidden_slope": f"delta.{last - 1}",
            "z_for_a_in_gradient": f"gradient.W{last}",
        }[mistake]
        if found.first is not None:
            assert ids.index(found.first) >= ids.index(first_allowed), (mistake, found.first)
        if inapplicable(mistake, scenario):
            assert found.first is None, mistake
    # What each mistake does where it first shows, from the correct record alone.
    rate = scenario.learning_rate
    plus = step(scenario, mistake="plus_update")
    for w, g, new in zip(scenario.weights, correct_record.weight_gradients, plus.new_weights):
        np.testing.assert_array_equal(new, w + g * rate)
    flipped = step(scenario, mistake="target_minus_output")
    np.testing.assert_array_equal(flipped.error, -correct_record.error)
    for d, d_correct in zip(flipped.deltas, correct_record.deltas):
        np.testing.assert_array_equal(d, -d_correct)
    bare = step(scenario, mistake="no_activation_slope")
    np.testing.assert_array_equal(bare.deltas[-1], correct_record.error)
    for l in range(last - 1):
        np.testing.assert_allclose(
            bare.deltas[l], scenario.weights[l + 1] @ bare.deltas[l + 1], rtol=1e-12, atol=1e-300
        )
    if scenario.biases is not None and scenario.train_biases:
        kept = step(scenario, mistake="biases_not_updated")
        for old, new in zip(scenario.biases, kept.new_biases):
            np.testing.assert_array_equal(old, new)


def test_mistake_losses_compare_learning():
    correct, mistaken = mistake_losses(SEED, "plus_update", 50)
    np.testing.assert_array_equal(correct, train(SEED, 50).losses)
    assert len(mistaken) == 51 and mistaken[0] == correct[0]
    assert correct[-1] < correct[0] and mistaken[-1] > mistaken[0]


def test_training_under_the_correct_rules_is_train():
    from simulator.core.experiments import train_with_rules
    from simulator.core.mistakes import CORRECT

    for scenario in (SEED, PRESETS["xor"]):
        np.testing.assert_allclose(train_with_rules(scenario, CORRECT, 30), train(scenario, 30).losses, rtol=1e-12)


def test_a_diverging_mistake_stops_cleanly():
    # One linear unit, w = 1, x = 1, t = 0: adding the gradient doubles w every step.
    doubling = Scenario(
        layers=[1, 1],
        activations=["linear"],
        loss="half_squared_error",
        weights=[[[1.0]]],
        biases=None,
        x=[1.0],
        target=[0.0],
        learning_rate=1.0,
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        correct, mistaken = mistake_losses(doubling, "plus_update", 100)
        _, huge = mistake_losses(doubling.replace(learning_rate=100.0), "plus_update", 100)
    assert correct[1] == 0.0  # the correct step lands on w = 0 at once
    assert len(mistaken) == 20 and mistaken[-1] == 0.5 * 2.0**38  # w = 2¹⁹ is the last inside ±1e6
    assert len(huge) == 3 and np.all(np.isfinite(huge))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, timeout=120)


def test_cli_walkthrough_with_a_mistake_keeps_the_json_shape():
    plain = json.loads(run("walkthrough", "--json").stdout)
    result = run("walkthrough", "--mistake", "no_activation_slope", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data.keys() == plain.keys()
    assert [s["id"] for s in data["stages"]] == [s["id"] for s in plain["stages"]]
    delta = next(s for s in data["stages"] if s["id"] == "delta.2")
    assert delta["values"]["delta2"] == [-0.11502656915007464]


def test_cli_unknown_mistake_lists_the_ids():
    result = run("walkthrough", "--mistake", "oops")
    assert result.returncode == 2
    assert "oops" in result.stderr and all(m in result.stderr for m in MISTAKES)
    assert "Traceback" not in result.stderr


def test_cli_check_shows_the_failing_check():
    result = run("check", "--preset", "seed", "--mistake", "slope_from_z")
    assert result.returncode == 0, result.stderr
    assert "slope_from_z" in result.stdout
    assert "largest relative error: 1.00e+00" in result.stdout
