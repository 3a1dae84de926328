"""The scenario schema: round trips, and every bad input named with its path."""

import json

import pytest
from hypothesis import given

from simulator import (
    PRESETS,
    SEED,
    ScenarioError,
    load_scenario,
    save_scenario,
    scenario_from_dict,
    scenario_from_json,
    scenario_to_dict,
    scenario_to_json,
    scenario_with_fallback,
)

from .strategies import scenarios

SEED_JSON = {
    "version": 1,
    "layers": [3, 2, 1],
    "activations": ["sigmoid", "sigmoid"],
    "loss": "half_squared_error",
    "weights": [[[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], [[0.1], [-0.3]]],
    "biases": None,
    "train_biases": True,
    "x": [0.5, 0.1, -0.2],
    "target": [0.6],
    "learning_rate": 0.5,
}


def seed_with(**changes):
    data = json.loads(json.dumps(SEED_JSON))
    data.update(changes)
    return data


def problems_of(data) -> list[str]:
    with pytest.raises(ScenarioError) as caught:
        scenario_from_dict(data)
    return caught.value.problems


def test_the_issue_example_is_the_seed_preset():
    assert scenario_from_dict(SEED_JSON) == SEED


@given(scenarios(max_layers=8, max_units=5))
def test_json_round_trip_is_exact(scenario):
    again = scenario_from_json(scenario_to_json(scenario))
    assert scenario_to_dict(again) == scenario_to_dict(scenario)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_file_round_trip(tmp_path, name):
    path = tmp_path / "scenario.json"
    save_scenario(PRESETS[name], str(path))
    assert load_scenario(str(path)) == PRESETS[name]


BAD_SCENARIOS = [
    (
        seed_with(weights=[[[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], [["abc"], [-0.3]]]),
        ['weights[1][0][0]: must be a finite number, got "abc"'],
    ),
    (
        seed_with(weights=[[[0.5, -0.6], [0.1, -0.2]], [[0.1], [-0.3]]]),
        ["weights[0]: must be 3×2 to match layers [3, 2, 1], got 2×2"],
    ),
    (
        seed_with(weights=[[[0.5, -0.6], [0.1], [0.1, 0.7]], [[0.1], [-0.3]]]),
        ["weights[0]: must be 3×2 to match layers [3, 2, 1], got rows of different lengths"],
    ),
    (seed_with(x=[0.5, float("nan"), -0.2]), ["x[1]: must be a finite number, got NaN"]),
    (seed_with(x=[0.5, float("inf"), -0.2]), ["x[1]: must be a finite number, got Infinity"]),
    (seed_with(target=[1e7]), ["target[0]: must be between -1e6 and 1e6, got 10000000.0"]),
    (seed_with(x=[0.5, True, -0.2]), ["x[1]: must be a finite number, got true"]),
    (seed_with(x=[0.5, 0.1]), ["x: must have 3 numbers (one per input unit of layers [3, 2, 1]), got 2"]),
    (seed_with(learning_rate=0), ["learning_rate: must be greater than 0 and at most 100, got 0"]),
    (seed_with(learning_rate=101), ["learning_rate: must be greater than 0 and at most 100, got 101"]),
    (seed_with(learning_rate="0.5"), ['learning_rate: must be a finite number, got "0.5"']),
    (
        seed_with(activations=["sigmoid", "swish"]),
        ['activations[1]: must be one of sigmoid, tanh, relu, linear, softmax, got "swish"'],
    ),
    (seed_with(activations=["softmax", "sigmoid"]), ["activations[0]: softmax is only allowed on the output layer"]),
    (
        seed_with(activations=["sigmoid", "softmax"]),
        ["activations[1]: softmax needs at least 2 output units, the output layer has 1"],
    ),
    (seed_with(loss="mse"), ['loss: must be one of half_squared_error, cross_entropy, got "mse"']),
    (
        seed_with(activations=["sigmoid", "relu"], loss="cross_entropy"),
        ["loss: cross_entropy needs a sigmoid or softmax output layer, got relu"],
    ),
    (seed_with(loss="cross_entropy", target=[1.5]), ["target: cross-entropy needs targets between 0 and 1, got [1.5]"]),
    (
        seed_with(layers=[3, 2, 1, 1, 1, 1, 1, 1, 1]),
        ["layers: must be a list of 2 to 8 layer sizes, each 1 to 16, got 9 layers"],
    ),
    (seed_with(layers=[3, 17, 1]), ["layers[1]: must be a whole number from 1 to 16, got 17"]),
    (seed_with(layers=[3, 2.5, 1]), ["layers[1]: must be a whole number from 1 to 16, got 2.5"]),
    (seed_with(biases=[[0.1, 0.2]]), ["biases: must be null or hold 2 vectors to match layers [3, 2, 1], got 1"]),
    (seed_with(train_biases="yes"), ['train_biases: must be true or false, got "yes"']),
    (seed_with(version=2), ["version: must be 1, got 2"]),
    (seed_with(dataset=[{"x": [1, 2, 3]}]), ['dataset[0]: must be an object with "x" and "target", got an object']),
    (
        seed_with(dataset=[{"x": [1, 2], "target": [0.5]}]),
        ["dataset[0].x: must have 3 numbers (one per input unit of layers [3, 2, 1]), got 2"],
    ),
    (seed_with(extra=1), ["extra: is not a scenario field"]),
    ({k: v for k, v in SEED_JSON.items() if k != "weights"}, ["weights: is missing"]),
    ([1, 2, 3], ["scenario: must be a JSON object, got a list"]),
]


@pytest.mark.parametrize(("data", "expected"), BAD_SCENARIOS, ids=[e[0] for _, e in BAD_SCENARIOS])
def test_bad_scenarios_name_every_problem(data, expected):
    assert problems_of(data) == expected


def test_all_problems_are_reported_at_once():
    problems = problems_of(seed_with(x=["a", None, 1], target=[float("nan")], learning_rate=-1))
    assert problems == [
        'x[0]: must be a finite number, got "a"',
        "x[1]: must be a finite number, got null",
        "target[0]: must be a finite number, got NaN",
        "learning_rate: must be greater than 0 and at most 100, got -1",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "{not json",
            "file: is not valid JSON (Expecting property name enclosed in double quotes at line 1, column 2)",
        ),
        ("[" * 100_000 + "]" * 100_000, "file: is nested too deeply to be a scenario"),
        ('{"x": NaN}', None),
        (b"\xff\xfe\x00", "file: is not UTF-8 text"),
        ("", "file: is not valid JSON (Expecting value at line 1, column 1)"),
    ],
)
def test_malformed_files(text, expected):
    with pytest.raises(ScenarioError) as caught:
        scenario_from_json(text)
    if expected:
        assert caught.value.problems == [expected]


def test_nan_literal_in_a_file_is_named():
    text = json.dumps(seed_with(x=[0.5, 0.1, 0.0])).replace("0.0]", "NaN]", 1)
    with pytest.raises(ScenarioError) as caught:
        scenario_from_json(text)
    assert caught.value.problems == ["x[2]: must be a finite number, got NaN"]


def test_a_5_mb_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(seed_with(dataset=[{"x": [0, 0, 0], "target": [0]}] * 160_000)))
    assert path.stat().st_size > 5_000_000
    with pytest.raises(ScenarioError) as caught:
        load_scenario(str(path))
    assert caught.value.problems == ["file: must be at most 1 MB, got 5.3 MB"]
    with pytest.raises(ScenarioError, match="at most 1 MB, got 5"):
        scenario_from_json(path.read_text())


def test_a_missing_file_is_a_scenario_error(tmp_path):
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(str(tmp_path / "nope.json"))


def test_fallback_keeps_good_fields_and_names_bad_ones():
    data = seed_with(x=[1.0, 2.0, 3.0], learning_rate="fast", target=["?"])
    scenario, problems = scenario_with_fallback(data, SEED)
    assert scenario.x.tolist() == [1.0, 2.0, 3.0]
    assert scenario.learning_rate == SEED.learning_rate
    assert scenario.target.tolist() == SEED.target.tolist()
    assert problems == [
        'target[0]: must be a finite number, got "?"',
        'learning_rate: must be a finite number, got "fast"',
    ]


def test_fallback_on_a_shape_clash_keeps_the_layers_and_resizes_the_default():
    data = seed_with(layers=[2, 2, 1], x=[1.0, 2.0], weights=[[[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]], [[0.25], [-0.5]]])
    scenario, problems = scenario_with_fallback(data, SEED)
    # The 3×2 matrix cannot be W1 of a 2-2-1 network: it alone comes from the default resized to 2-2-1.
    assert scenario.layers == (2, 2, 1) and scenario.x.tolist() == [1.0, 2.0]
    assert scenario.weights[0].tolist() == [[0.5, -0.6], [0.1, -0.2]]
    assert scenario.weights[1].tolist() == [[0.25], [-0.5]]
    assert problems == ["weights[0]: must be 2×2 to match layers [2, 2, 1], got 3×2"]


def test_fallback_settles_the_loss_before_checking_the_target():
    data = seed_with(x=[1.0, 0.0, 0.0], loss="bogus", target=["abc"])
    scenario, problems = scenario_with_fallback(data, SEED)
    assert scenario.x.tolist() == [1.0, 0.0, 0.0] and scenario.target.tolist() == [0.6]
    assert problems == [
        'loss: must be one of half_squared_error, cross_entropy, got "bogus"',
        'target[0]: must be a finite number, got "abc"',
    ]
