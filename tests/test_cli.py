"""The command line, run as a user would run it."""

import json
import subprocess
import sys

import numpy as np
import pytest

from simulator import PRESETS, SEED, save_scenario, step, train


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True, timeout=120)


def test_walkthrough_reads_like_the_notebook():
    result = run("walkthrough")
    assert result.returncode == 0, result.stderr
    assert "[ 1/12] Weighted sums of the hidden layer" in result.stdout
    assert "a1 = [0.55971365 0.38698582]" in result.stdout
    assert "a2 = 0.48497343084992534" in result.stdout
    assert "update_W1 = [[ 1.77005547e-04 -5.11178506e-04]" in result.stdout


def test_walkthrough_json():
    result = run("walkthrough", "--json")
    data = json.loads(result.stdout)
    record = step(SEED)
    assert data["output"] == [0.48497343084992534]
    assert data["loss"] == record.loss
    assert data["gradients"]["weights"][0] == record.weight_gradients[0].tolist()
    assert data["gradients"]["biases"] is None
    assert data["updated"]["weights"][1] == record.new_weights[1].tolist()
    assert [s["id"] for s in data["stages"]][:2] == ["forward.z1", "forward.a1"]


def test_train_json_with_a_dataset(tmp_path):
    path = tmp_path / "xor.json"
    save_scenario(PRESETS["xor"], str(path))
    result = run("train", str(path), "--steps", "20", "--json")
    data = json.loads(result.stdout)
    expected = train(PRESETS["xor"], 20)
    assert len(data["losses"]) == 21
    assert data["losses"] == expected.losses.tolist()
    assert data["biases"] == [b.tolist() for b in expected.scenario.biases]


def test_check_prints_a_small_error():
    result = run("check", "--preset", "seed")
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["parameter", "analytic", "numeric", "relative", "error"]
    assert len(lines) == 1 + 8 + 1
    assert float(lines[-1].split()[-1]) < 1e-6


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"layers": [3, 2, 1], "x": "abc"}', "x: must be a list of 3 numbers"),
        ("{broken", "file: is not valid JSON"),
    ],
)
def test_bad_files_exit_2_with_every_problem_on_stderr(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    result = run("walkthrough", str(path))
    assert result.returncode == 2
    assert result.stdout == ""
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["train", "--preset", "seed", "--steps", "many"],
        ["train", "--preset", "seed"],
        ["check"],
        ["fly"],
        ["train", "--preset", "seed", "--steps", "-4"],
    ],
)
def test_bad_arguments_exit_2(args):
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and result.stderr.strip()


def test_train_text_output_ends_at_the_last_step():
    result = run("train", "--preset", "seed", "--steps", "5")
    assert result.stdout.splitlines()[-1].startswith("step       5: loss")
    assert np.isclose(float(result.stdout.split()[-1]), train(SEED, 5).losses[-1], rtol=1e-9)


def test_diverging_training_says_where_it_stopped(tmp_path):
    from simulator import save_scenario as save

    path = tmp_path / "wild.json"
    save(
        SEED.replace(
            activations=["linear", "linear"], learning_rate=100, weights=[[[5, 5], [5, 5], [5, 5]], [[5], [5]]]
        ),
        str(path),
    )
    result = run("train", str(path), "--steps", "1000", "--json")
    assert result.returncode == 0
    assert "training stopped at step 2" in result.stderr and "Traceback" not in result.stderr
    data = json.loads(result.stdout)
    assert data["diverged_at"] == 2 and len(data["losses"]) == 2
