"""A scenario whose step leaves the float range is refused by name: never a warning, inf or NaN."""

import json

import numpy as np
import pytest

from simulator import SEED, Scenario, ScenarioError, save_scenario, scenario_from_dict, scenario_from_json, step
from simulator.core.record import check_computable
from simulator.core.scenario import scenario_to_json
from simulator.io.cli import main
from simulator.io.share import decode, encode

from .test_fuzz_links import strict

# The issue's case: 8-8-8-8, all linear, every weight 1e6, x = 1e6, target 0, learning rate 100.
WILD = scenario_from_dict(
    {
        "version": 1,
        "layers": [8, 8, 8, 8],
        "activations": ["linear"] * 3,
        "loss": "half_squared_error",
        "weights": [[[1e6] * 8] * 8] * 3,
        "x": [1e6] * 8,
        "target": [0.0] * 8,
        "learning_rate": 100,
    }
)
MESSAGE = "after the update, the loss overflows (beyond ±1.8e308) — use smaller weights, inputs or learning rate"


def test_the_issue_case_is_refused_by_name_without_a_warning():
    with strict(), pytest.raises(ScenarioError) as caught:
        step(WILD)
    assert caught.value.problems == [MESSAGE]
    assert check_computable(WILD) == [MESSAGE]


def test_overflow_names_the_layer_and_stage():
    huge = Scenario(  # built directly, past the schema's limits, to reach the forward pass
        layers=(2, 2, 1, 1),
        activations=("linear", "linear", "linear"),
        loss="half_squared_error",
        weights=([[1e200, 0.0], [0.0, 0.0]], [[1e200], [0.0]], [[1.0]]),
        biases=None,
        x=[1.0, 0.0],
        target=[0.0],
        learning_rate=0.5,
    )
    with strict(), pytest.raises(ScenarioError, match=r"^layer 2: z overflows \(beyond ±1\.8e308\)"):
        step(huge)


def test_files_and_links_with_an_overflowing_step_are_refused():
    with pytest.raises(ScenarioError) as caught:
        scenario_from_json(scenario_to_json(WILD))
    assert caught.value.problems == [MESSAGE]
    with strict():
        view = decode(encode(WILD, "loss"), SEED)
    assert view.scenario == SEED  # the last good state: the default
    assert MESSAGE in view.problems and view.stage == "loss"


def test_cli_refuses_it_on_stderr_with_exit_2(tmp_path, capsys):
    path = tmp_path / "wild.json"
    save_scenario(WILD, str(path))
    assert main(["walkthrough", str(path), "--json"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and MESSAGE in err and "Traceback" not in err


def test_a_large_but_finite_step_is_strict_json(tmp_path, capsys):
    big = WILD.replace(learning_rate=1e-4, activations=["linear", "linear", "linear"], target=[1.0] * 8)
    big = big.replace(weights=[[[1e3] * 8] * 8] * 3)
    record = step(big)
    assert np.isfinite(record.new_loss) and record.new_loss > 1e30
    path = tmp_path / "big.json"
    save_scenario(big, str(path))
    assert main(["walkthrough", str(path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out, parse_constant=lambda name: pytest.fail(name))
    assert data["new_loss"] == record.new_loss
