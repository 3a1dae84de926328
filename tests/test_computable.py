"""The dataset's computability proved at once (``batch.steps_stay_clear``) agrees with stepping each example."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import SEED, ScenarioError, scenario_from_dict, step
from simulator.core.backprop import Network
from simulator.core.batch import steps_stay_clear
from simulator.core.record import check_computable

from .strategies import extreme_scenarios, scenarios, with_dataset


def each_example_steps(scenario) -> bool:
    try:
        for x, target in scenario.dataset:
            step(scenario, x, target)
    except ScenarioError:
        return False
    return True


def clear(scenario) -> bool:
    x = np.array([x for x, _ in scenario.dataset])
    t = np.array([t for _, t in scenario.dataset])
    return steps_stay_clear(
        Network.of(scenario), scenario.weights, scenario.biases, x, t, scenario.learning_rate, scenario.train_biases
    )


@st.composite
def scenarios_with_data(draw):
    scenario = draw(st.one_of(scenarios(), extreme_scenarios()))
    return draw(with_dataset(scenario))


@settings(deadline=None)
@given(scenarios_with_data())
def test_clear_at_once_means_every_example_steps(scenario):
    if clear(scenario):
        assert each_example_steps(scenario)


@settings(deadline=None)
@given(scenarios_with_data())
def test_the_check_says_what_stepping_each_example_says(scenario):
    """Same answer and same message as the example-by-example check it short-cuts."""
    expected = []
    for k, (x, target) in enumerate([(None, None), *scenario.dataset]):
        try:
            step(scenario, x, target)
        except ScenarioError as err:
            expected = [f"dataset[{k - 1}]: {p}" if k else p for p in err.problems]
            break
    assert check_computable(scenario) == expected


def test_an_ordinary_dataset_is_proved_clear_and_an_exploding_one_is_not():
    ordinary = SEED.replace(dataset=[{"x": [0.5, 0.1, -0.2], "target": [0.6]}, {"x": [1, 2, 3], "target": [0]}])
    assert clear(ordinary)
    wild = {"layers": [8, 8, 8, 8], "activations": ["linear"] * 3, "loss": "half_squared_error"}
    wild |= {"weights": [[[1e6] * 8] * 8] * 3, "x": [1e-3] * 8, "target": [0.0] * 8, "learning_rate": 100}
    exploding = scenario_from_dict({"version": 1, **wild}).replace(
        dataset=[{"x": [1e-3] * 8, "target": [0.0] * 8}, {"x": [1e6] * 8, "target": [0.0] * 8}]
    )
    assert not clear(exploding)
    assert check_computable(exploding)[0].startswith("dataset[1]: ")
