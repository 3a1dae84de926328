"""Fuzzing scenario files: the loader and ``backprop-sim walkthrough FILE --json`` answer every file clearly."""

import contextlib
import io
import json
import os
import tempfile

import pytest
from hypothesis import HealthCheck, given, settings

from simulator import ScenarioError, build_stages, scenario_from_json, scenario_to_json, step
from simulator.core.record import check_computable
from simulator.io.cli import main

from .strategies import extreme_scenarios, hostile_json
from .test_fuzz_hostile import recorded
from .test_fuzz_links import assert_finite, strict


def _refuse_constant(name):
    raise ValueError(f"not strict JSON: {name}")


def run_cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_json())
def test_any_file_loads_or_is_refused_with_scenario_errors(text):
    with strict():
        try:
            scenario = recorded("file", scenario_from_json, text)
        except ScenarioError as err:
            assert err.problems and all(p.isprintable() and len(p) < 400 for p in err.problems), err.problems
            return
        assert_finite(step(scenario))


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(hostile_json())
def test_walkthrough_json_is_strict_or_exits_2(text):
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "scenario.json")
        with open(path, "wb") as handle:
            handle.write(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
        with strict():
            code, out, err = recorded("cli", run_cli, "walkthrough", path, "--json")
    if code == 0:
        data = json.loads(out, parse_constant=_refuse_constant)
        assert data["stages"] and err == ""
    else:
        assert code == 2 and out == "" and "cannot" in err or "not a valid scenario" in err
        assert "Traceback" not in err


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(extreme_scenarios())
def test_every_activation_and_loss_at_the_limits_computes_or_names_the_overflow(scenario):
    with strict():
        problems = check_computable(scenario)
        try:
            record = step(scenario)
        except ScenarioError as err:
            assert problems == err.problems
            assert "overflow" in err.problems[0] and "layer" in err.problems[0] or "loss" in err.problems[0]
            with pytest.raises(ScenarioError, match="overflow"):
                scenario_from_json(scenario_to_json(scenario))
            return
        assert problems == []
        assert_finite(record)
        for stage in build_stages(record):
            assert all(value.size == 0 or (abs(value) < float("inf")).all() for value in stage.values.values())
        assert scenario_from_json(scenario_to_json(scenario)) == scenario
