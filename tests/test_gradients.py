"""Backprop against an independent oracle: central finite differences."""

import numpy as np
import pytest
from hypothesis import assume, given

from simulator import PRESETS, Scenario, gradient_check, step, train
from simulator.core.backprop import Network, forward_pass
from simulator.core.scenario import scenario_to_dict

from .strategies import scenarios


def assert_gradients_match(scenario: Scenario) -> None:
    rows = gradient_check(scenario)
    bad = [r for r in rows if abs(r.analytic - r.numeric) > 1e-7 + 1e-5 * abs(r.numeric)]
    assert not bad, "\n".join(f"{r.parameter}: analytic {r.analytic!r}, numeric {r.numeric!r}" for r in bad)


def no_relu_kink(scenario: Scenario) -> bool:
    """Finite differences are meaningless within h of ReLU's kink at 0."""
    zs, _ = forward_pass(Network.of(scenario), scenario.weights, scenario.biases, scenario.x)
    return all(np.min(np.abs(z)) > 1e-3 for z, name in zip(zs, scenario.activations) if name == "relu")


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_gradients_match_finite_differences(name):
    assert_gradients_match(PRESETS[name])
    assert len(gradient_check(PRESETS[name])) == sum(w.size for w in PRESETS[name].weights) + sum(
        b.size for b in PRESETS[name].biases or ()
    )


@given(scenarios())
def test_random_networks_gradients_match_finite_differences(scenario):
    assume(no_relu_kink(scenario))
    assert_gradients_match(scenario)


@given(scenarios())
def test_a_small_step_lowers_the_loss(scenario):
    assume(no_relu_kink(scenario))
    small = scenario.replace(learning_rate=1e-4)
    record = step(small)
    gradient_norm = sum(float(np.sum(g * g)) for g in record.weight_gradients)
    if record.bias_updates is not None:
        gradient_norm += sum(float(np.sum(g * g)) for g in record.bias_gradients)
    assume(gradient_norm > 1e-8)
    assert record.new_loss < record.loss


@given(scenarios())
def test_stages_and_training_never_mutate_their_inputs(scenario):
    from simulator import build_stages

    before = scenario_to_dict(scenario)
    record = step(scenario)
    build_stages(record)
    train(scenario, 2)
    gradient_check(scenario)
    assert scenario_to_dict(scenario) == before
    with pytest.raises(ValueError):
        scenario.weights[0][0, 0] = 1.0
    with pytest.raises(ValueError):
        record.deltas[-1][0] = 1.0


def test_training_reduces_the_seed_loss_and_reports_every_step():
    run = train(PRESETS["seed"], 100)
    assert run.losses.shape == (101,)
    assert run.losses[0] == step(PRESETS["seed"]).loss
    assert run.losses[1] == step(PRESETS["seed"]).new_loss
    assert np.all(np.diff(run.losses) < 0)


def test_xor_dataset_is_learned():
    run = train(PRESETS["xor"], 500)
    assert run.losses[0] > 0.12
    assert run.losses[-1] < 0.002
    trained = run.scenario
    outputs = [step(trained, x, t).output[0] for x, t in trained.dataset]
    assert [round(o) for o in outputs] == [0, 1, 1, 0]


def test_frozen_biases_stay_put_during_training():
    scenario = PRESETS["two_outputs"]
    trained = train(scenario, 50).scenario
    for before, after in zip(scenario.biases, trained.biases):
        np.testing.assert_array_equal(before, after)
    trained = train(scenario.replace(train_biases=True), 50).scenario
    assert not np.array_equal(scenario.biases[0], trained.biases[0])


def test_train_rejects_a_bad_step_count():
    with pytest.raises(ValueError, match="steps"):
        train(PRESETS["seed"], -1)


def exploding() -> Scenario:
    return PRESETS["seed"].replace(
        activations=["linear", "linear"], learning_rate=100, weights=[[[5, 5], [5, 5], [5, 5]], [[5], [5]]]
    )


def test_diverging_training_stops_at_the_step_that_leaves_the_limits():
    run = train(exploding(), 1000)
    assert run.diverged_at == 2
    assert len(run.losses) == 2 and np.all(np.isfinite(run.losses))
    step_one = train(exploding(), 1)
    assert step_one.diverged_at is None
    assert run.scenario == step_one.scenario  # the weights before the step that diverged
    assert max(np.abs(w).max() for w in run.scenario.weights) <= 1e6
