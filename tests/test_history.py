"""The training history: exact replay from snapshots, bounded memory, reset and truncation."""

import numpy as np
import pytest

from simulator import PRESETS, train
from simulator.core import history as history_module
from simulator.core.editing import with_layers
from simulator.core.history import MAX_HISTORY, History, parameter_names, snapshot_interval
from simulator.core.training import Params


def assert_same_weights(params: Params, scenario):
    for got, expected in zip(params.weights, scenario.weights):
        assert np.array_equal(got, expected)
    if scenario.biases is not None:
        for got, expected in zip(params.biases, scenario.biases):
            assert np.array_equal(got, expected)


@pytest.mark.parametrize("mode", ["example", "full"])
@pytest.mark.parametrize("preset", ["seed", "xor", "two_outputs"])
def test_weights_at_every_step_equal_training_that_many_steps(preset, mode):
    scenario = PRESETS[preset]
    chunks = list(History.begin(scenario, mode).trained(47, chunk=13))  # chunk edges fall between snapshots
    assert [h.last for h in chunks] == [13, 26, 39, 47]
    history = chunks[-1]
    assert history.last == 47 and history.every == 10
    whole = train(scenario, 47, mode)
    assert np.array_equal(history.losses, whole.losses)
    for k in (0, 1, 9, 10, 11, 20, 33, 46, 47):
        assert_same_weights(history.weights_at(k), train(scenario, k, mode).scenario)
    assert history.reset_to(33) == train(scenario, 33, mode).scenario


def test_truncating_and_continuing_equals_training_straight_through():
    scenario = PRESETS["xor"]
    history = History.begin(scenario).train(60).truncated(25).train(30)
    assert history.last == 55
    assert np.array_equal(history.losses, train(scenario, 55).losses)
    assert history.scenario_at(55) == train(scenario, 55).scenario


def test_history_keeps_the_latest_steps_up_to_the_limit(monkeypatch):
    assert MAX_HISTORY == 20_000
    monkeypatch.setattr(history_module, "MAX_HISTORY", 200)  # the same code path, 100 times faster
    scenario = PRESETS["seed"]
    history = History.begin(scenario, "full").train(200 + 1234)
    assert history.last == 1434
    assert history.first == 1240  # dropped a whole snapshot interval (10 steps) at a time
    assert len(history.losses) == 195 and len(history.snapshots) == 20
    k = 1377
    at_k = train(scenario, k, "full")
    assert_same_weights(history.weights_at(k), at_k.scenario)
    assert history.loss_at(k) == at_k.losses[-1]
    with pytest.raises(ValueError, match="step: must be a whole number from 1240 to 1434, got 5"):
        history.weights_at(5)


def test_memory_per_step():
    history = History.begin(PRESETS["xor"]).train(1000)
    # 8 bytes of loss a step plus a 9-parameter (72-byte) snapshot every 10 steps.
    assert history.nbytes == 1001 * 8 + 101 * 72


def test_snapshot_interval_grows_with_the_network_to_bound_memory():
    assert snapshot_interval(PRESETS["seed"]) == 10
    big = with_layers(PRESETS["seed"], [16] * 8)
    count = 7 * 16 * 16
    assert snapshot_interval(big) == int(np.ceil(MAX_HISTORY * count * 8 / 2_000_000))
    assert MAX_HISTORY / snapshot_interval(big) * count * 8 <= 2_000_000


def test_target_loss_and_names():
    history = History.begin(PRESETS["xor"]).train(5000, target_loss=0.01)
    assert history.reached_target and history.loss_at(history.last) <= 0.01 < history.loss_at(history.last - 1)
    steps, values, names = history.trajectory()
    assert steps[0] == 0 and steps[-1] == history.last and values.shape == (len(steps), 9)
    assert names[:2] == ["W⁽¹⁾ x₁→h₁", "W⁽¹⁾ x₁→h₂"] and names[-1] == "b⁽²⁾ o₁"
    assert parameter_names(PRESETS["seed"])[-1] == "W⁽²⁾ h₂→o₁"
