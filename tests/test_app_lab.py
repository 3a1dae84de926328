"""The Train tab as a lab, driven headless with AppTest: data, training, the output map, history, diff."""

from __future__ import annotations

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from simulator import DATASETS, PRESETS, History, with_dataset
from simulator.core.editing import with_layers
from simulator.io.share import encode

from .test_app import click, errors, heading, open_tab, shown_code, start

# The reference run of docs/lab.md: circle, 100 points, seed 0, no noise, XOR resized to 2-8-1, lr 2.
NETWORK = with_layers(PRESETS["xor"], [2, 8, 1]).replace(learning_rate=2.0)
CIRCLE = DATASETS["circle"](100, 0.0, 0)
TARGET = 0.01  # the loss is below this by step 25 (tests/test_lab.py)


def lab(scenario=NETWORK) -> AppTest:
    return open_tab(start(encode(scenario, "forward.z1")), "Train")


def run_out(app: AppTest, most: int = 40) -> AppTest:
    """Rerun until the training run in progress ends (AppTest has no timer: one tick per run)."""
    for _ in range(most):
        if app.session_state["lab_run"] is None:
            return app
        app.run()
        assert not app.exception, [e.value for e in app.exception]
    raise AssertionError("training did not finish")


def train(app: AppTest, steps: int, target: float | None = None) -> AppTest:
    app.number_input(key="train_steps").set_value(steps)
    if target is not None:
        app.number_input(key="target_loss").set_value(target)
    return run_out(click(app, "train"))


def upload(app: AppTest, content: bytes, name: str = "data.csv") -> AppTest:
    (uploader,) = [u for u in app.get("file_uploader") if u.label == "Upload a CSV file"]
    uploader.set_value((name, content, "text/csv")).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def use_circle(app: AppTest) -> AppTest:
    app.selectbox(key="lab_set").set_value("circle").run()
    app.number_input(key="lab_size.circle").set_value(100)
    app.number_input(key="lab_seed").set_value(0)
    return click(app, "use_set")


def figures(app: AppTest) -> list[dict]:
    import json

    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


def trace_types(app: AppTest) -> list[str]:
    return [trace.get("type", "scatter") for figure in figures(app) for trace in figure["data"]]


def test_upload_a_good_csv_trains_on_it():
    app = lab()
    text = b"x1,x2,t1\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n0.5,0.5,1\n"
    upload(app, text)
    scenario = app.session_state["scenario"]
    assert len(scenario.dataset) == 5
    assert scenario.x.tolist() == [0.0, 0.0] and scenario.layers == (2, 8, 1)
    assert any(c.value.startswith("Training on 5 examples, 2 inputs and 1 target") for c in app.caption)
    assert "Download the data (CSV)" in [d.proto.label for d in app.get("download_button")]
    assert "heatmap" in trace_types(app)  # two inputs: the output map with the points on it


def test_a_bad_csv_names_row_and_column_and_keeps_the_last_good_data():
    app = lab(with_dataset(NETWORK, CIRCLE))
    upload(app, b"x1,x2,t1\n0,0,0\n0,abc,1\n1,0\n", name="bad*name.csv")
    (message,) = errors(app)
    assert message.startswith('"bad*name.csv" was not used; the last good data is kept:')
    assert 'row 3, column x2: "abc" is not a number' in message
    assert "row 4: has 2 cells, the header row 1 has 3" in message
    assert len(app.session_state["scenario"].dataset) == 100  # still the circle
    assert app.error[0].value.startswith('`"bad*name.csv"`')  # user text in a code span, never Markdown


def test_data_of_another_size_offers_to_resize_the_network():
    app = lab()
    upload(app, b"x1,t1,t2\n0.5,0.2,0.8\n-0.5,0.9,0.1\n")
    assert app.session_state["scenario"] == NETWORK  # not used yet: still XOR's four examples
    (warning,) = app.warning
    assert "the data has 1 inputs, the network has 2 input units" in warning.value
    assert "the data has 2 targets, the network has 1 output units" in warning.value
    click(app, "resize_to_fit")
    scenario = app.session_state["scenario"]
    assert scenario.layers == (1, 8, 2) and len(scenario.dataset) == 2
    assert not app.warning
    assert "scatter" in trace_types(app) and "heatmap" not in trace_types(app)  # one input: the learned curve


def test_circle_trains_below_the_stated_loss_with_the_boundary_drawn():
    app = use_circle(lab())
    assert len(app.session_state["scenario"].dataset) == 100
    train(app, 100, target=TARGET)
    history = app.session_state["history"]
    assert history.last <= 25 and history.loss_at(history.last) <= TARGET
    assert history.losses[0] == pytest.approx(0.131, abs=5e-4)
    assert any("reached the target 0.01" in i.value for i in app.info)
    loss = [m.value for m in app.metric if m.label == "Loss now"][0]
    assert float(loss) <= TARGET
    assert "heatmap" in trace_types(app)
    # the weights in force are step `last`'s, exactly as the engine trains them
    expected = History.begin(with_dataset(NETWORK, CIRCLE)).train(history.last).weights_at(history.last)
    assert np.array_equal(app.session_state["scenario"].weights[0], expected.weights[0])


def test_scrubbing_back_shows_that_steps_weights_in_the_step_through_tab():
    app = use_circle(lab())
    train(app, 12)
    history = app.session_state["history"]
    app.slider(key="scrub").set_value(3).run()
    assert app.session_state["history"] is history  # kept, not thrown away
    step3 = history.scenario_at(3)
    assert app.session_state["scenario"] == step3
    assert any(c.value.startswith("Step 3 of 12: loss") for c in app.caption)
    open_tab(app, "Step through")
    assert heading(app).startswith("Stage 1 of")
    x = np.array(step3.x)
    z1 = x @ step3.weights[0] + step3.biases[0]
    assert f"z1 = {np.array2string(z1, precision=8)}"[:30] in shown_code(app)
    open_tab(app, "Train")
    assert app.slider(key="scrub").value == 3  # still there on coming back
    click(app, "reset_history")
    assert app.session_state["history"].last == 3
    train(app, 2)
    assert app.session_state["history"].last == 5
    continued = History.begin(with_dataset(NETWORK, CIRCLE)).train(5)
    assert np.array_equal(app.session_state["scenario"].weights[1], continued.weights_at(5).weights[1])


def test_an_edit_or_a_new_batch_mode_starts_a_new_history():
    app = use_circle(lab())
    train(app, 5)
    assert app.session_state["history"].last == 5
    app.radio(key="batch_mode").set_value("full").run()
    history = app.session_state["history"]
    assert history.mode == "full" and history.last == 0
    assert app.query_params["batch"] == "full"  # travels in the link
    assert any("one update per pass by the mean gradient" in c.value for c in app.caption)
    train(app, 5)
    assert app.session_state["history"].last == 5
    (lr,) = [w for w in app.text_input if w.label == "Learning rate η"]
    lr.input("1").run()
    assert app.session_state["history"].last == 0


def test_diff_two_steps_colours_the_change_and_marks_the_trajectory():
    app = use_circle(lab())
    train(app, 10)
    app.session_state["lab_diff"] = True
    app.run()
    app.slider(key="diff_steps").set_value((2, 10)).run()
    assert not app.exception
    columns = [list(t.value.columns) for t in app.dataframe if t.key is None]
    assert ["E at step 2", "E at step 10", "E change"] in columns
    assert any("W⁽¹⁾ change" in c and "∂E/∂W⁽¹⁾ at step 10" in c for c in columns)
    (trajectory,) = [f for f in figures(app) if f["layout"].get("shapes")]
    assert [shape["x0"] for shape in trajectory["layout"]["shapes"]] == [2, 10]


def test_diverging_training_says_so_and_keeps_the_last_good_weights():
    wild = NETWORK.replace(learning_rate=100, activations=["linear", "linear"])
    app = lab(with_dataset(wild, CIRCLE))
    train(app, 100)
    (warning,) = app.warning
    assert warning.value.startswith("Training stopped at step ")
    history = app.session_state["history"]
    assert history.diverged_at == history.last + 1
    assert np.all(np.isfinite(app.session_state["scenario"].weights[0]))


def test_the_dataset_downloads_as_csv_and_large_sets_say_they_leave_the_link():
    app = use_circle(lab())
    (download,) = [d for d in app.get("download_button") if d.proto.label == "Download the data (CSV)"]
    assert not any("too large for a link" in c.value for c in app.caption)  # 100 points: 1,679 characters
    assert app.query_params["data"].count("|") == 99
    app.number_input(key="lab_size.circle").set_value(256)
    click(app, "use_set")
    assert len(app.session_state["scenario"].dataset) == 256
    assert any("too large for a link" in c.value for c in app.caption)  # 4,304 characters
    assert "data" not in app.query_params
