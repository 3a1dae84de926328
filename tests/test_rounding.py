"""Paper mode: values rounded to k significant digits before later stages use them."""

import json
import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import PRESETS, SEED, build_stages, paper_drift, step
from simulator.core.rounding import check_digits, round_sig

from .strategies import scenarios

FIELDS = ("zs", "activations", "deltas", "weight_gradients", "weight_updates", "new_weights", "new_activations")


def test_round_sig_is_the_format_spec():
    assert round_sig(0.48497343084992534, 3) == 0.485
    assert round_sig(-1.77005547e-04, 2) == -0.00018
    assert round_sig(np.array([[0.123456, -98765.4]]), 3).tolist() == [[0.123, -98800.0]]
    assert isinstance(round_sig(np.float64(2.5), 1), float)


@pytest.mark.parametrize("bad", [0, 18, -3, 2.5, "3", True])
def test_digits_out_of_range_are_refused(bad):
    with pytest.raises(ValueError, match="from 1 to 17"):
        check_digits(bad)
    with pytest.raises(ValueError, match="digits"):
        step(SEED, digits=bad)


def test_paper_mode_on_the_seed_by_hand():
    record = step(SEED, digits=3)
    assert record.zs[0].tolist() == [0.24, -0.46]
    assert record.activations[1].tolist() == [0.56, 0.387]  # σ(0.24) = 0.5597… → 0.56
    assert record.zs[1].tolist() == [-0.0601]  # 0.56·0.1 + 0.387·(−0.3) = −0.0601
    assert record.output.tolist() == [0.485]
    assert record.error.tolist() == [-0.115]
    assert record.deltas[1].tolist() == [round_sig(-0.115 * 0.485 * (1 - 0.485), 3)]
    assert record.digits == 3


def test_every_value_a_stage_shows_has_k_digits():
    for k in (2, 3, 5):
        for stage in build_stages(step(PRESETS["two_outputs"], digits=k)):
            for key, values in stage.values.items():
                np.testing.assert_array_equal(round_sig(values, k), values, err_msg=f"{stage.id} {key}")


def _assert_same(a, b):
    for field in FIELDS:
        for x, y in zip(getattr(a, field), getattr(b, field)):
            np.testing.assert_array_equal(x, y, err_msg=field)
    assert a.loss == b.loss and a.new_loss == b.new_loss
    np.testing.assert_array_equal(a.error, b.error)


def test_seventeen_digits_is_full_precision_on_the_seed():
    _assert_same(step(SEED, digits=17), step(SEED))
    assert paper_drift(SEED, 17).weight_drift == 0.0


@given(scenarios())
def test_seventeen_digits_is_full_precision(scenario):
    _assert_same(step(scenario, digits=17), step(scenario))


def test_drift_shrinks_as_digits_grow_on_the_seed():
    drifts = [paper_drift(SEED, k) for k in range(1, 18)]
    weights = [d.weight_drift for d in drifts]
    assert all(later < earlier for earlier, later in zip(weights, weights[1:-1]))
    assert weights[-1] == 0.0 and drifts[-1].loss_drift == 0.0
    assert all(d.loss_drift <= 10.0 ** (-d.digits) for d in drifts[1:])


@given(scenarios(), st.integers(2, 6))
def test_drift_shrinks_as_digits_grow(scenario, k):
    coarse, fine, exact = paper_drift(scenario, k), paper_drift(scenario, k + 8), paper_drift(scenario, 17)
    assert exact.weight_drift == 0.0 and exact.loss_drift == 0.0
    scale = max(1.0, *(float(np.max(np.abs(w))) for w in step(scenario).new_weights))
    assert fine.weight_drift <= coarse.weight_drift + 1e-9 * scale


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, timeout=120)


def test_cli_round_gives_the_rounded_numbers_in_the_same_shape():
    plain = json.loads(run("walkthrough", "--json").stdout)
    result = run("walkthrough", "--round", "3", "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data.keys() == plain.keys()
    assert data["output"] == [0.485]
    assert data["stages"][0]["values"]["z1"] == [0.24, -0.46]


@pytest.mark.parametrize("bad", ["0", "18", "three"])
def test_cli_bad_round_exits_2(bad):
    result = run("walkthrough", "--round", bad)
    assert result.returncode == 2
    assert "--round" in result.stderr and "Traceback" not in result.stderr
