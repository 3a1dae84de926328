"""Notebook export: the exported notebook runs with NumPy alone and prints the engine's numbers.

Five notebooks run in a real Jupyter kernel (nbclient, ipykernel's ``python3``); every other
combination of scenario, mistake and rounding runs its code cells in-process, which is the same
Python and NumPy without the kernel's start-up cost.
"""

import contextlib
import io
import json
import re
import subprocess
import sys
from urllib.parse import parse_qsl, urlsplit

import nbformat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import PRESETS, SEED, ScenarioError, build_stages, save_scenario, scenario_from_dict, step
from simulator.core.mistakes import MISTAKES
from simulator.io.notebook_export import notebook_bytes, walkthrough_notebook
from simulator.io.share import decode
from simulator.views.formatting import notebook_values

from .strategies import scenarios

TWO_TWO_TWO = PRESETS["two_outputs"].replace(train_biases=True)  # 2-2-2 with trainable biases
TANH_RELU = scenario_from_dict(
    {
        "version": 1,
        "layers": [3, 3, 2, 2],
        "activations": ["tanh", "relu", "softmax"],
        "loss": "cross_entropy",
        "weights": [
            [[0.5, -0.6, 0.2], [0.1, -0.2, 0.3], [0.1, 0.7, -0.4]],
            [[0.1, 0.2], [-0.3, 0.4], [0.5, -0.6]],
            [[0.3, -0.2], [0.6, 0.1]],
        ],
        "biases": [[0.1, -0.1, 0.2], [0.05, 0.1], [0.0, 0.2]],
        "train_biases": False,
        "x": [0.5, 0.1, -0.2],
        "target": [0.0, 1.0],
        "learning_rate": 0.5,
    }
)
TANH_LINEAR = scenario_from_dict(
    {
        "version": 1,
        "layers": [2, 3, 1],
        "activations": ["tanh", "linear"],
        "loss": "half_squared_error",
        "weights": [[[0.5, -0.6, 0.2], [0.1, -0.2, 0.3]], [[0.1], [-0.3], [0.5]]],
        "biases": [[0.1, -0.1, 0.2], [0.05]],
        "x": [0.5, -0.3],
        "target": [0.4],
        "learning_rate": 0.25,
    }
)


def expected_outputs(scenario, mistake=None, digits=None) -> dict[str, str]:
    """What each stage prints in the app and the CLI, by stage id."""
    record = step(scenario, mistake=mistake, digits=digits)
    return {stage.id: notebook_values(stage.values) + "\n" for stage in build_stages(record)}


def stage_cells(notebook) -> list:
    return [cell for cell in notebook.cells if cell.cell_type == "code" and "stage" in cell.metadata]


def assert_prints_engine_numbers(notebook, outputs: dict[str, str], scenario, mistake=None, digits=None):
    expected = expected_outputs(scenario, mistake, digits)
    assert list(outputs) == list(expected), "one code cell per stage, in the app's order"
    for stage_id, text in outputs.items():
        assert text == expected[stage_id], (
            f"stage {stage_id}:\nnotebook printed\n{text}\nthe app shows\n{expected[stage_id]}"
        )


def run_in_process(notebook) -> dict[str, str]:
    """Execute the code cells in order in a fresh namespace; each stage cell's printed text."""
    namespace, outputs = {}, {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            exec(compile(cell.source, f"<cell {cell.id}>", "exec"), namespace)
        if "stage" in cell.metadata:
            outputs[cell.metadata["stage"]] = printed.getvalue()
    return outputs


# --- in a real kernel: the five notebooks issue 9 names ------------------------------------------


KERNEL_CASES = {
    "seed": (SEED, None, None),
    "2-2-2 with trainable biases": (TWO_TWO_TWO, None, None),
    "tanh/ReLU, softmax and cross-entropy, frozen biases": (TANH_RELU, None, None),
    "a classic mistake": (TWO_TWO_TWO, "updated_weights_for_hidden_delta", None),
    "paper mode, 3 digits": (SEED, None, 3),
}


@pytest.mark.parametrize("case", list(KERNEL_CASES))
def test_notebook_runs_in_jupyter_and_prints_the_engine_numbers(case):
    nbclient = pytest.importorskip("nbclient")
    scenario, mistake, digits = KERNEL_CASES[case]
    # Through the file format, as a student would open it.
    notebook = nbformat.reads(notebook_bytes(scenario, mistake=mistake, digits=digits).decode(), as_version=4)
    nbclient.NotebookClient(notebook, kernel_name="python3", timeout=60).execute()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert not [o for o in cell.outputs if o.output_type == "error"], cell.source
    outputs = {
        cell.metadata["stage"]: "".join(
            o.text for o in cell.outputs if o.output_type == "stream" and o.name == "stdout"
        )
        for cell in stage_cells(notebook)
    }
    assert_prints_engine_numbers(notebook, outputs, scenario, mistake, digits)


def test_the_seed_notebook_prints_the_seed_numbers():
    outputs = run_in_process(walkthrough_notebook(SEED))
    assert outputs["forward.a1"] == "a1 = [0.55971365 0.38698582]\n"
    assert outputs["forward.a2"] == "a2 = 0.48497343084992534\n"
    assert "lr_dW2 = [-0.00804047 -0.00555918]\n" in outputs["update.W2"]


# --- in process: every mistake, rounding and random scenarios -----------------------------------

SCENARIOS = {"seed": SEED, "2-2-2": TWO_TWO_TWO, "tanh-relu": TANH_RELU, "tanh-linear": TANH_LINEAR}


@pytest.mark.parametrize("mistake", [None, *MISTAKES])
@pytest.mark.parametrize("name", list(SCENARIOS))
@pytest.mark.parametrize("digits", [None, 2, 4])
def test_every_mistake_and_rounding_prints_the_engine_numbers(name, mistake, digits):
    scenario = SCENARIOS[name]
    notebook = walkthrough_notebook(scenario, mistake=mistake, digits=digits)
    assert_prints_engine_numbers(notebook, run_in_process(notebook), scenario, mistake, digits)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(
    scenarios(),
    st.sampled_from([None, *MISTAKES]),
    st.one_of(st.none(), st.integers(1, 17)),
)
def test_random_scenarios_print_the_engine_numbers(scenario, mistake, digits):
    try:
        expected = expected_outputs(scenario, mistake, digits)
    except ScenarioError:  # the engine refuses a step that overflows; so does the export
        return
    outputs = run_in_process(walkthrough_notebook(scenario, mistake=mistake, digits=digits))
    assert outputs == expected


# --- what the notebook says and needs -------------------------------------------------------------


def test_needs_only_numpy():
    notebook = walkthrough_notebook(TANH_RELU, mistake="slope_from_z", digits=3)
    code = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    assert re.findall(r"^\s*(?:import|from)\s+(\S+)", code, flags=re.M) == ["numpy"]
    assert "simulator" not in code
    for name in ("def tanh(", "def relu(", "def softmax(", "def tanh_backward(", "def cross_entropy(", "def r("):
        assert name in code


def test_first_cell_names_the_scenario_and_links_to_it():
    notebook = walkthrough_notebook(TWO_TWO_TWO, mistake="plus_update", digits=4, app_url="https://example.org/app")
    first = notebook.cells[0]
    assert first.cell_type == "markdown"
    scenario_json = re.search(r"```json\n(.*?)\n```", first.source, flags=re.S)[1]
    assert scenario_from_dict(json.loads(scenario_json)) == TWO_TWO_TWO
    url = re.search(r"\[Open this scenario in the app\]\((.*?)\)", first.source)[1]
    assert url.startswith("https://example.org/app?")
    view = decode(dict(parse_qsl(urlsplit(url).query)), SEED)
    assert view.problems == ()
    assert view.scenario == TWO_TWO_TWO
    assert (view.options.mistake, view.options.round) == ("plus_update", 4)
    assert "Adding the gradient" in first.source and "4 significant digits" in first.source


def test_a_mistake_is_marked_in_code_and_text():
    notebook = walkthrough_notebook(SEED, mistake="plus_update")
    cells = {cell.id: cell.source for cell in notebook.cells}
    assert "update_W2 = lr_dW2  # MISTAKE" in cells["update-W2"]
    assert "Mistake — Adding the gradient" in cells["update-W2-text"]
    correct = walkthrough_notebook(SEED)
    assert "MISTAKE" not in "".join(cell.source for cell in correct.cells)
    assert "update_W2 = -lr_dW2" in {cell.id: cell.source for cell in correct.cells}["update-W2"]


def test_one_markdown_and_one_code_cell_per_stage_with_the_formula():
    notebook = walkthrough_notebook(SEED)
    stages = build_stages(step(SEED))
    assert len(stage_cells(notebook)) == len(stages) == 12
    for stage in stages:
        text = next(cell for cell in notebook.cells if cell.id == stage.id.replace(".", "-") + "-text")
        assert stage.title in text.source and f"$${stage.formula}$$" in text.source


def test_bytes_are_valid_and_deterministic():
    data = notebook_bytes(TANH_RELU, mistake="no_activation_slope", digits=2)
    assert data == notebook_bytes(TANH_RELU, mistake="no_activation_slope", digits=2)
    nbformat.validate(nbformat.reads(data.decode(), as_version=4))
    assert json.loads(data)["metadata"]["kernelspec"]["name"] == "python3"


def test_bad_mistake_or_digits_are_refused():
    with pytest.raises(ValueError, match="mistake"):
        walkthrough_notebook(SEED, mistake="nope")
    with pytest.raises(ValueError, match="digits"):
        walkthrough_notebook(SEED, digits=0)


# --- the command line -----------------------------------------------------------------------------


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, timeout=120)


def test_cli_writes_the_same_notebook(tmp_path):
    path = tmp_path / "scenario.json"
    save_scenario(TWO_TWO_TWO, str(path))
    out = tmp_path / "walk.ipynb"
    result = cli("notebook", str(path), "-o", str(out), "--mistake", "target_minus_output", "--round", "3")
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == notebook_bytes(TWO_TWO_TWO, mistake="target_minus_output", digits=3)
    result = cli("notebook", "--preset", "seed")
    assert result.stdout == notebook_bytes(SEED)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--round", "0"], b"must be from 1 to 17"),
        (["--mistake", "nope"], b"invalid choice"),
        (["-o", "/nonexistent-dir/walk.ipynb"], b'cannot write "/nonexistent-dir/walk.ipynb"'),
    ],
)
def test_cli_refuses_bad_arguments(args, message):
    result = cli("notebook", "--preset", "seed", *args)
    assert result.returncode == 2
    assert message in result.stderr and b"Traceback" not in result.stderr
