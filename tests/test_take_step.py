"""'Take this step': one engine call returns the new scenario, the grown losses or why it was refused."""

import numpy as np

from simulator import PRESETS, SEED, Scenario, step, train
from simulator.core.training import take_step
from simulator.io.share import encode

from .test_app import start
from .walkpage import current
from .walkpage import step as walk_step


def test_take_step_is_one_step_of_train_appended_to_the_history():
    first = take_step(SEED)
    assert first.problem is None
    assert first.scenario == train(SEED, 1).scenario
    np.testing.assert_array_equal(first.scenario.weights[0], step(SEED).new_weights[0])
    second = take_step(first.scenario, first.losses)
    assert len(second.losses) == 3
    np.testing.assert_array_equal(second.losses, train(SEED, 2).losses)


def test_a_diverging_step_changes_nothing_and_says_why():
    blowing_up = Scenario(
        layers=[1, 1],
        activations=["linear"],
        loss="half_squared_error",
        weights=[[[1.0]]],
        biases=None,
        x=[1000.0],
        target=[0.0],
        learning_rate=100.0,
    )
    losses = np.array([0.5])
    taken = take_step(blowing_up, losses)
    assert taken.problem.startswith("Training stopped at step 1")
    assert taken.scenario is blowing_up and taken.losses is losses


def test_the_page_shows_every_output_after_the_update():
    app = start(encode(PRESETS["two_outputs"]))
    walk_step(app, "end")
    assert [m["label"] for m in current(app)["after"]] == ["Output o₁", "Output o₂", "Loss E"]
