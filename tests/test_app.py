"""The Streamlit app, driven headless with AppTest: what a user sees after each action."""

import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulator import PRESETS, SEED
from simulator.io.share import encode

from .walkpage import current, disabled, heading, pick, step, walk_code

APP = str(Path(__file__).parents[1] / "streamlit_app.py")
SEED_STAGES = 12


def start(params: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def shown_code(app: AppTest) -> str:
    walk = [walk_code(app)] if app.get("bidi_component") else []  # the walk is built only in its tab
    return "\n".join([*walk, *(block.value for block in app.code)])


def field(app: AppTest, label: str):
    (widget,) = [w for w in app.text_input if w.label == label]
    return widget


def shown(markdown: str) -> str:
    """What a reader sees of an alert whose messages sit in code spans."""
    return re.sub(r"`+ ?(.*?) ?`+", r"\1", markdown)


def errors(app: AppTest) -> list[str]:
    return [shown(e.value) for e in app.error]


def open_tab(app: AppTest, label: str) -> AppTest:
    """Tabs are built lazily: only the open one exists on the page."""
    app.session_state["view"] = label
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def click(app: AppTest, key: str) -> AppTest:
    if key in ("next", "prev", "reset", "end", "reveal"):  # the walk's buttons step in the browser
        return step(app, key)
    app.button(key=key).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


@pytest.fixture
def app() -> AppTest:
    return start()


def test_starts_on_the_first_stage(app):
    assert heading(app) == f"Stage 1 of {SEED_STAGES} — Weighted sums of the hidden layer"
    assert "z1 = [ 0.24 -0.46]" in shown_code(app)
    assert disabled(app, "prev")


def test_stepping_to_the_end_shows_every_number_the_seed_prints(app):
    seen = []
    for _ in range(SEED_STAGES - 1):
        click(app, "next")
        seen.append(shown_code(app))
    everything = "\n".join(seen)
    assert heading(app) == f"Stage {SEED_STAGES} of {SEED_STAGES} — After the update"
    assert "a1 = [0.55971365 0.38698582]" in everything
    assert "a2 = 0.48497343084992534" in everything
    assert "lr_dW2 = [-0.00804047 -0.00555918]" in everything  # the seed prints delta_w_h_o flat
    assert (
        "lr_dW1 = [[-1.77005547e-04  5.11178506e-04]\n"
        "          [-3.54011093e-05  1.02235701e-04]\n"
        "          [ 7.08022187e-05 -2.04471402e-04]]"
    ) in everything
    assert disabled(app, "next")
    assert [m["label"] for m in current(app)["after"]] == ["Output o₁", "Loss E"]
    assert current(app)["after"][1]["value"] == "0.00642512"


def test_previous_goes_back_and_reset_returns_to_the_start(app):
    for _ in range(3):
        click(app, "next")
    assert heading(app).startswith("Stage 4 of")
    click(app, "prev")
    assert heading(app).startswith("Stage 3 of")
    click(app, "reset")
    assert heading(app).startswith("Stage 1 of")
    click(app, "end")
    assert heading(app).startswith(f"Stage {SEED_STAGES} of")
    assert disabled(app, "next")  # nothing past the end (the clicker keys: test_browser_classroom)
    click(app, "prev")
    assert heading(app).startswith(f"Stage {SEED_STAGES - 1} of")


def test_stage_picker_jumps(app):
    pick(app, "delta.1")
    assert heading(app) == f"Stage 7 of {SEED_STAGES} — Deltas of the hidden layer"
    assert app.query_params["stage"] == "delta.1"


def test_editing_the_input_changes_the_downstream_numbers(app):
    field(app, "Input x").input("1, 0, 0").run()
    assert not errors(app)
    assert "z1 = [ 0.5 -0.6]" in shown_code(app)
    assert app.query_params["x"] == "1.0,0.0,0.0"


def test_editing_the_learning_rate_changes_the_update(app):
    field(app, "Learning rate η").input("1").run()
    pick(app, "update.W2")
    assert "lr_dW2 = [-0.01608095 -0.01111836]" in shown_code(app)


@pytest.mark.parametrize(
    ("label", "text", "message"),
    [
        ("Input x", "abc, 0.1, -0.2", 'x[0]: must be a finite number, got "abc"'),
        ("Input x", "nan, 0.1, -0.2", 'x[0]: must be a finite number, got "nan"'),
        ("Input x", "0.5, inf, -0.2", 'x[1]: must be a finite number, got "inf"'),
        ("Input x", "0.5, 0.1", "x: must have 3 numbers (one per input unit of layers [3, 2, 1]), got 2"),
        ("Target t", "1e9", 'target[0]: must be between -1e6 and 1e6, got "1e9"'),
        ("Learning rate η", "-1", 'learning_rate: must be greater than 0 and at most 100, got "-1"'),
        ("Learning rate η", "1e9", 'learning_rate: must be greater than 0 and at most 100, got "1e9"'),
        ("Input x", "0,5, 0,1, -0,2, 7", "x: must have 3 numbers (one per input unit of layers [3, 2, 1]), got 4"),
        ("Learning rate η", "fast", 'learning_rate: must be a finite number, got "fast"'),
        ("Layer sizes", "3-99-1", "layers[1]: must be a whole number from 1 to 16, got 99"),
        ("Layer sizes", "3-x-1", 'layers[1]: must be a whole number from 1 to 16, got "x"'),
    ],
)
def test_bad_values_keep_the_last_good_state_and_say_why(app, label, text, message):
    field(app, label).input(text).run()
    assert not app.exception
    assert errors(app) == [f"{message} The last good value is kept."]
    assert "z1 = [ 0.24 -0.46]" in shown_code(app)
    assert field(app, label).value == text  # the field keeps what was typed, beside the message
    click(app, "next")  # and the app carries on
    assert "a1 = [0.55971365 0.38698582]" in shown_code(app)


@pytest.mark.parametrize(("label", "good"), [("Input x", "0.5, 0.1, -0.2"), ("Learning rate η", "0.5")])
def test_retyping_the_good_value_clears_the_message(app, label, good):
    field(app, label).input("abc").run()
    assert errors(app)
    field(app, label).input(good).run()
    assert not errors(app)


def test_decimal_commas_typed_with_comma_space_separators_are_read(app):
    field(app, "Input x").input("0,5, 0,1, -0,2").run()
    assert not errors(app)
    assert "z1 = [ 0.24 -0.46]" in shown_code(app)  # the seed's own x, typed the European way


def test_changing_the_architecture_rebuilds_every_stage(app):
    field(app, "Layer sizes").input("3-4-2-1").run()
    assert not errors(app)
    assert heading(app) == "Stage 1 of 17 — Weighted sums of hidden layer 1"
    assert "z1 = [ 0.24  -0.46  " in shown_code(app)  # the weights that still fit are kept


def test_choosing_a_preset_loads_it(app):
    (preset,) = [s for s in app.selectbox if s.label == "Preset"]
    preset.select("two_outputs").run()
    assert heading(app) == "Stage 1 of 16 — Weighted sums of the hidden layer"
    assert "z1 = [0.3775 0.3925]" in shown_code(app)


def test_share_link_restores_scenario_and_stage():
    scenario = SEED.replace(weights=[[[0.9, -0.6], [0.1, -0.2], [0.1, 0.7]], [[0.1], [-0.3]]])
    app = start(encode(scenario, "forward.z1"))
    assert "z1 = [ 0.44 -0.46]" in shown_code(app)
    app = start(encode(PRESETS["xor"], "update.b2"))
    assert heading(app) == "Stage 11 of 16 — Update of b⁽²⁾"
    assert not app.warning


def test_malformed_link_warns_and_falls_back_per_field():
    params = encode(SEED.replace(x=[1.0, 0.0, 0.0]), "nonsense")
    params.update(w1="0.5,abc;0.1,-0.2;0.1,0.7", lr="fast")
    app = start(params)
    (warning,) = app.warning
    assert 'weights[0][0][1]: must be a finite number, got "abc"' in shown(warning.value)
    assert 'learning_rate: must be a finite number, got "fast"' in shown(warning.value)
    assert 'stage: ignored, there is no stage "nonsense"' in shown(warning.value)
    assert "z1 = [ 0.5 -0.6]" in shown_code(app)  # x from the link kept, weights from the default
    assert heading(app).startswith("Stage 1 of")


def test_lecture_mode_from_the_link_moves_the_editor_into_an_expander():
    app = start({"mode": "lecture"})
    assert app.toggle(key="lecture").value is True
    assert len(app.sidebar) == 0
    assert [e.label for e in app.expander][-1] == "Edit the network"


def test_training_lowers_the_loss_and_draws_the_curve(app):
    open_tab(app, "Train")
    app.number_input(key="train_steps").set_value(50).run()
    click(app, "train")
    losses = [m.value for m in app.metric if m.label == "Loss now"]
    assert float(losses[0]) < 0.0066
    assert any("over 50 steps" in c.value for c in app.caption)
    open_tab(app, "Step through")
    assert heading(app).startswith("Stage 1 of")


def test_taking_the_step_continues_from_the_new_weights(app):
    click(app, "end")
    click(app, "take_step")
    assert heading(app).startswith("Stage 1 of")
    assert "z1 = [ 0.2401062  -0.46030671]" in shown_code(app)


def test_activation_view_shows_the_seed_outputs(app):
    open_tab(app, "Activation functions")
    assert not app.get("bidi_component")  # the step-through tab is not built while closed
    code = shown_code(app)
    assert "softmax([2. 4. 5.]) = [0.03511903 0.25949646 0.70538451]" in code
    assert "sigmoid([2. 4. 5.]) = [0.88079708 0.98201379 0.99330715]" in code
    assert "relu([2. 4. 5.]) = [2. 4. 5.]" in code
    app.text_input(key="activation_vector").input("2, oops").run()
    assert "Type 1 to 16 finite numbers" in errors(app)[0]


def test_all_weight_update_tables_open_on_demand(app):
    assert len(current(app)["tables"]) == 2  # W⁽¹⁾ and layer 1 of the first stage, in the walk
    assert len(app.table) == 0
    app.session_state["all_tables"] = True
    app.run()
    captions = [m.value for m in app.markdown]
    for l in (1, 2):
        for caption in (f"W⁽{'¹²'[l - 1]}⁾", f"∂E/∂W⁽{'¹²'[l - 1]}⁾", f"W⁽{'¹²'[l - 1]}⁾ new"):
            assert f"**{caption}**" in captions
    assert len(app.table) == 8


def test_the_link_follows_edits_made_outside_the_stepper(app):
    open_tab(app, "Train")
    field(app, "Target t").input("0.9").run()
    assert app.query_params["t"] == "0.9"


def test_diverging_training_is_reported_and_keeps_good_weights():
    wild = SEED.replace(
        activations=["linear", "linear"], learning_rate=100, weights=[[[5, 5], [5, 5], [5, 5]], [[5], [5]]]
    )
    app = start(encode(wild, "forward.z1"))
    open_tab(app, "Train")
    click(app, "train")
    (warning,) = app.warning
    assert warning.value.startswith("Training stopped at step 2:")
    assert not app.exception
    open_tab(app, "Step through")
    assert "z1 = [" in shown_code(app)
