"""Training lab engine: full batch, target loss, chunks, the output grid, figures, tables and the CLI."""

import subprocess
import sys
import warnings

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given

from simulator import PRESETS, step, train
from simulator.core.backprop import Network
from simulator.core.boundary import output_curve, output_grid
from simulator.core.datasets import DATASETS, dataset_of, with_dataset
from simulator.core.editing import with_layers
from simulator.core.history import History
from simulator.core.training import batch_gradients, train_chunks
from simulator.views.figures import loss_curve_figure
from simulator.views.lab_figures import boundary_figure, curve_figure, trajectory_figure
from simulator.views.lab_tables import diff_tables, styled_diff

from .strategies import scenarios

# The page test relies on these: circle, 100 points, seed 0, a 2-8-1 sigmoid network with biases
# (the XOR preset resized), learning rate 2, one update per example: below 0.01 within 25 steps.
CIRCLE_LOSS, CIRCLE_STEPS = 0.01, 25


def circle_scenario():
    network = with_layers(PRESETS["xor"], [2, 8, 1]).replace(learning_rate=2.0)
    return with_dataset(network, DATASETS["circle"](100, 0.0, 0))


def with_random_data(scenario, seed=0):
    rng = np.random.default_rng(seed)
    n = 5
    x = rng.uniform(-1, 1, (n, scenario.layers[0]))
    if scenario.activations[-1] == "softmax":
        t = rng.dirichlet(np.ones(scenario.layers[-1]), n)
    else:
        t = rng.uniform(0, 1, (n, scenario.layers[-1]))
    data = [{"x": a.tolist(), "target": b.tolist()} for a, b in zip(x, t)]
    return scenario.replace(dataset=data)


@given(scenarios())
def test_full_batch_gradient_is_the_mean_of_per_example_gradients(scenario):
    scenario = with_random_data(scenario)
    network = Network.of(scenario)
    data = dataset_of(scenario)
    loss, dWs, dbs = batch_gradients(network, scenario.weights, scenario.biases, data.x, data.t)
    records = [step(scenario, x, t) for x, t in scenario.dataset]
    assert loss == pytest.approx(np.mean([r.loss for r in records]), rel=1e-12, abs=1e-15)
    for l, dW in enumerate(dWs):
        expected = np.mean([r.weight_gradients[l] for r in records], axis=0)
        np.testing.assert_allclose(dW, expected, rtol=1e-10, atol=1e-14, err_msg=f"W{l + 1}")
    if scenario.biases is not None:
        for l, db in enumerate(dbs):
            expected = np.mean([r.bias_gradients[l] for r in records], axis=0)
            np.testing.assert_allclose(db, expected, rtol=1e-10, atol=1e-14, err_msg=f"b{l + 1}")


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "linear"])
@pytest.mark.parametrize("loss", ["half_squared_error", "cross_entropy"])
def test_full_batch_gradient_agrees_with_finite_differences_of_the_mean_loss(activation, loss):
    base = with_layers(PRESETS["xor"], [2, 3, 2])
    output = "softmax" if loss == "cross_entropy" else activation
    scenario = base.replace(activations=[activation, output], loss=loss, target=[0.3, 0.7])
    data = DATASETS["gaussians"](6, 0.0, 1)
    scenario = with_random_data(scenario, 2).replace(
        dataset=[{"x": x.tolist(), "target": [t[0], 1 - t[0]]} for x, t in zip(data.x, data.t)]
    )
    network = Network.of(scenario)
    data = dataset_of(scenario)
    weights = [w.copy() for w in scenario.weights]
    biases = [b.copy() for b in scenario.biases]
    _, dWs, dbs = batch_gradients(network, weights, biases, data.x, data.t)
    h = 1e-6

    def mean_loss():
        return batch_gradients(network, weights, biases, data.x, data.t)[0]

    for analytic, parameters in ((dWs, weights), (dbs, biases)):
        for gradient, parameter in zip(analytic, parameters):
            for index in np.ndindex(parameter.shape):
                original = parameter[index]
                parameter[index] = original + h
                above = mean_loss()
                parameter[index] = original - h
                below = mean_loss()
                parameter[index] = original
                assert gradient[index] == pytest.approx((above - below) / (2 * h), rel=1e-5, abs=1e-8)


def test_full_batch_training_takes_mean_gradient_steps():
    scenario = PRESETS["xor"]
    run = train(scenario, 3, mode="full")
    network, data = Network.of(scenario), dataset_of(scenario)
    weights, biases = list(scenario.weights), list(scenario.biases)
    losses = []
    for _ in range(3):
        loss, dWs, dbs = batch_gradients(network, weights, biases, data.x, data.t)
        losses.append(loss)
        weights = [w - 2.0 * g for w, g in zip(weights, dWs)]
        biases = [b - 2.0 * g for b, g in zip(biases, dbs)]
    losses.append(batch_gradients(network, weights, biases, data.x, data.t)[0])
    np.testing.assert_allclose(run.losses, losses, rtol=1e-13)
    for got, expected in zip(run.scenario.weights, weights):
        np.testing.assert_allclose(got, expected, rtol=1e-13)
    assert run.losses[0] == train(scenario, 0).losses[0]  # both report the mean loss over the data


def test_full_batch_with_one_example_matches_per_example_training():
    seed = PRESETS["seed"]
    np.testing.assert_allclose(train(seed, 50, mode="full").losses, train(seed, 50).losses, rtol=1e-12)


@pytest.mark.parametrize("mode", ["example", "full"])
def test_target_loss_stops_at_the_first_step_at_or_below_it(mode):
    scenario = PRESETS["xor"]
    full = train(scenario, 2000, mode)
    target = float(full.losses[700])
    first = int(np.argmax(full.losses <= target))
    run = train(scenario, 2000, mode, target_loss=target)
    assert run.reached_target and run.steps == first
    assert np.array_equal(run.losses, full.losses[: first + 1])
    assert run.scenario == train(scenario, first, mode).scenario
    assert not train(scenario, 10, mode, target_loss=1e-9).reached_target
    assert train(scenario, 10, mode, target_loss=1.0).steps == 0


@pytest.mark.parametrize("mode", ["example", "full"])
def test_chunked_training_ends_exactly_where_one_run_does(mode):
    scenario = PRESETS["two_outputs"]
    runs = list(train_chunks(scenario, 250, chunk=64, mode=mode))
    assert [r.steps for r in runs] == [64, 128, 192, 250]
    whole = train(scenario, 250, mode)
    assert np.array_equal(runs[-1].losses, whole.losses) and runs[-1].scenario == whole.scenario
    assert runs[1].scenario == train(scenario, 128, mode).scenario  # stopping keeps what was trained


def exploding():
    return PRESETS["xor"].replace(
        activations=["linear", "linear"], learning_rate=100, weights=[[[5, 5], [5, 5]], [[5], [5]]]
    )


@pytest.mark.parametrize("mode", ["example", "full"])
def test_divergence_stops_cleanly_without_numpy_warnings(mode):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        run = train(exploding(), 1000, mode)
        chunks = list(train_chunks(exploding(), 1000, chunk=1, mode=mode))
        history = History.begin(exploding(), mode).train(1000)
    assert run.diverged_at is not None and np.all(np.isfinite(run.losses))
    assert chunks[-1].diverged_at == run.diverged_at == history.diverged_at
    assert run.scenario == train(exploding(), run.diverged_at - 1, mode).scenario


def test_bad_mode_steps_and_target():
    with pytest.raises(ValueError, match="batch: must be one of example, full"):
        train(PRESETS["seed"], 1, mode="mini")
    with pytest.raises(ValueError, match="target loss"):
        train(PRESETS["seed"], 1, target_loss=-1.0)


def test_circle_trains_below_the_stated_loss_within_the_stated_steps():
    """Speed lives in benchmarks/lab.py; here only the promise in steps."""
    run = train(circle_scenario(), 1000, target_loss=CIRCLE_LOSS)
    assert run.reached_target and run.steps <= CIRCLE_STEPS and run.losses[-1] <= CIRCLE_LOSS


@given(scenarios())
def test_grid_outputs_equal_the_forward_pass_of_step(scenario):
    if scenario.layers[0] != 2:
        scenario = with_layers(scenario, [2, *scenario.layers[1:]])
    grid = output_grid(scenario, resolution=7, bounds=((-2, 3), (-1, 1)))
    outputs = grid.outputs.reshape(-1, scenario.layers[-1])
    for point, output in zip(grid.points(), outputs):
        np.testing.assert_allclose(output, step(scenario, point, scenario.target).output, rtol=1e-12, atol=1e-15)
    assert grid.x1[0] == -2 and grid.x1[-1] == 3 and grid.x2[0] == -1 and grid.x2[-1] == 1
    # Row i of the grid follows x₂, column j x₁, as a heatmap draws them.
    np.testing.assert_allclose(
        grid.outputs[2, 5], step(scenario, [grid.x1[5], grid.x2[2]], scenario.target).output, rtol=1e-12
    )


def test_grid_bounds_come_from_the_data_with_a_margin_and_one_input_gets_a_curve():
    grid = output_grid(PRESETS["xor"], resolution=100)
    assert np.allclose(grid.bounds, ((-0.15, 1.15), (-0.15, 1.15))) and grid.outputs.shape == (100, 100, 1)
    sine = with_dataset(PRESETS["seed"], DATASETS["sine"](), resize=True)
    curve = output_curve(sine)
    assert curve.outputs.shape == (200, 1)
    np.testing.assert_allclose(curve.outputs[17], step(sine, [curve.x[17]], [0.5]).output, rtol=1e-12)
    with pytest.raises(ValueError, match="needs a network with 2 input"):
        output_grid(PRESETS["seed"])


def test_boundary_figure_draws_the_heatmap_and_both_classes_by_shape():
    scenario = circle_scenario()
    data = dataset_of(scenario)
    for dark in (False, True):
        figure = boundary_figure(output_grid(scenario, 30), data, dark=dark)
        go.Figure(figure.to_dict())  # valid Plotly
        heatmap, high, low = figure.data
        assert heatmap.type == "heatmap" and (heatmap.zmin, heatmap.zmax) == (0.0, 1.0)
        assert high.marker.symbol == "circle" and low.marker.symbol == "x"
        assert len(high.x) + len(low.x) == 100 and len(high.x) == 50
    curve = go.Figure(
        curve_figure(
            output_curve(
                PRESETS["seed"].replace(
                    layers=[1, 1], activations=["sigmoid"], weights=[[[1.0]]], x=[0.5], target=[0.5]
                )
            ),
            None,
        ).to_dict()
    )
    assert curve.data[0].mode == "lines"


def test_trajectory_and_diff_tables_show_two_steps():
    history = History.begin(circle_scenario()).train(30)
    figure = go.Figure(trajectory_figure(history, marks=(5, 30)).to_dict())
    assert [t.name for t in figure.data] == ["W⁽¹⁾", "W⁽²⁾", "b⁽¹⁾", "b⁽²⁾"]
    assert len(figure.layout.shapes) == 2
    tables = diff_tables(history, 5, 30)
    assert list(tables) == ["E", "W⁽¹⁾", "W⁽²⁾", "b⁽¹⁾", "b⁽²⁾"]
    w1 = tables["W⁽¹⁾"]
    assert w1.shape == (16, 6) and w1.index[0] == "x₁→h₁"
    at5, at30 = history.weights_at(5), history.weights_at(30)
    assert w1["W⁽¹⁾ at step 30"].iloc[1] == at30.weights[0][0, 1]
    assert w1["W⁽¹⁾ change"].iloc[1] == at30.weights[0][0, 1] - at5.weights[0][0, 1]
    assert tables["E"].iloc[0].tolist() == [
        history.loss_at(5),
        history.loss_at(30),
        history.loss_at(30) - history.loss_at(5),
    ]
    assert "rgba(" in styled_diff(w1).to_html()


def test_loss_curve_uses_plain_powers_of_ten_and_titled_axes():
    figure = go.Figure(loss_curve_figure(np.geomspace(0.13, 1e-20, 50)).to_dict())
    assert figure.layout.yaxis.type == "log"
    assert figure.layout.yaxis.ticktext[-1] == "1" and "10⁻³" in figure.layout.yaxis.ticktext
    assert not any(c in "".join(figure.layout.yaxis.ticktext) for c in "µnpmf")
    assert figure.layout.xaxis.title.text == "Step" and figure.layout.yaxis.title.text == "Loss E"
    assert figure.data[0].hovertemplate.startswith("step %{x}, loss")
    linear = loss_curve_figure(np.array([0.0003, 0.0002]), first=40)
    go.Figure(linear.to_dict())
    assert linear.layout.yaxis.type == "linear" and list(linear.data[0].x) == [40, 41]


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "simulator", *args], capture_output=True, text=True)


def test_cli_trains_on_a_csv_and_refuses_a_bad_one(tmp_path):
    good = tmp_path / "xor.csv"
    good.write_text("x1,x2,t1\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    result = run_cli("train", "--preset", "xor", "--data", str(good), "--steps", "500", "--target-loss", "0.01")
    assert result.returncode == 0
    expected = train(PRESETS["xor"], 500, target_loss=0.01)
    assert f"training stopped at step {expected.steps}" in result.stdout
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,t1\n0,abc,0\n0,1\n")
    result = run_cli("train", "--preset", "xor", "--data", str(bad), "--steps", "5")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert 'row 2, column x2: "abc" is not a number' in result.stderr
    assert "row 3: has 2 cells, the header row 1 has 3" in result.stderr
    result = run_cli("train", "--preset", "seed", "--dataset", "circle", "--steps", "5")
    assert result.returncode == 2 and "add --resize" in result.stderr
    result = run_cli(
        "train",
        "--preset",
        "seed",
        "--dataset",
        "spiral",
        "--size",
        "20",
        "--resize",
        "--batch",
        "full",
        "--steps",
        "3",
        "--json",
    )
    assert result.returncode == 0 and '"batch": "full"' in result.stdout and '"examples": 20' in result.stdout
