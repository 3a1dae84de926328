"""Learning by doing on the page, driven headless with AppTest: the quiz, classic mistakes side by side,
the gradient check and nudge, paper mode, forms and notations, and the links that reproduce them."""

import json
import re

from streamlit.testing.v1 import AppTest

from simulator import SEED, build_stages, step
from simulator.views.formatting import number
from simulator.views.narration import blank_latex
from simulator.views.quiz import TOLERANCE_TEXT

from .test_app import APP, click, heading, shown, shown_code
from .walkpage import current

NO_SLOPE_DELTA = "-0.11502656915007464"  # the output δ when the sigmoid's slope is forgotten: e itself


def start(params: dict | None = None) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in (params or {}).items():
        app.query_params[key] = value
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def answer(app: AppTest, stage_id: str, typed: dict[str, str], button: str = "Check") -> AppTest:
    """Type into the quiz fields of ``stage_id`` and press Check (or Show me)."""
    for key, text in typed.items():
        app.text_input(key=f"quiz_{stage_id}_{key}").input(text)
    (submit,) = [b for b in app.get("button") if getattr(b, "label", None) == button]
    submit.click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def quiz_fields(app: AppTest) -> list[str]:
    return [w.key for w in app.text_input if w.key and w.key.startswith("quiz_")]


def texts(elements) -> list[str]:
    return [shown(e.value) for e in elements]


def graph_spec(app: AppTest, key: str = "graph") -> dict:
    (chart,) = [c for c in app.get("plotly_chart") if c.proto.id and key in c.proto.id] or app.get("plotly_chart")[:1]
    return json.loads(chart.proto.spec)


def graph(app: AppTest) -> dict:
    """The network graph of the stage on screen: the walk's figure (the browser draws it with Plotly.react)."""
    return current(app)["figure"]


def formulas(app: AppTest) -> list[str]:
    page = current(app)
    return [page["formula"], page["shapes"], page["substituted"], *(l.value for l in app.latex)]


def open_nudge(app: AppTest) -> AppTest:
    app.session_state["nudge_tools"] = True
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def charts(app: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in app.get("plotly_chart")]


def test_a_quiz_link_opens_in_quiz_mode_with_the_numbers_hidden():
    app = start({"quiz": "1"})
    assert app.session_state["quiz"] is True
    assert app.toggle(key="l_quiz").value is True
    assert quiz_fields(app) == ["quiz_forward.z1_z1"]
    assert "z1 = ?" in shown_code(app) and "0.24" not in shown_code(app)
    assert TOLERANCE_TEXT in [c.value for c in app.caption]
    figure = json.dumps(graph(app))
    assert "z=?" in figure and "z=0.24" not in figure
    assert app.query_params["quiz"] == "1"


def test_a_whole_quiz_walkthrough_right_wrong_diagnosed_shown_and_summarised():
    app = start({"quiz": "1"})
    # Stage 1: right at the first try; the numbers appear.
    answer(app, "forward.z1", {"z1": "0.24 -0.46"})
    assert "Right at the first try" in " ".join(texts(app.success))
    assert "z1 = [ 0.24 -0.46]" in shown_code(app)
    assert "z=0.24" in json.dumps(graph(app))
    # Stage 2: decimal commas are read.
    click(app, "next")
    assert quiz_fields(app) == ["quiz_forward.a1_a1"]
    answer(app, "forward.a1", {"a1": "0,5597 0,387"})
    assert "Right at the first try" in " ".join(texts(app.success))
    # Stage 3: a wrong answer says which factor to check, then Show me gives up.
    click(app, "next")
    answer(app, "forward.z2", {"z2": "0.5"})
    (message,) = texts(app.error)
    assert 'you typed "0.5"' in message and "Check the weighted sum z" in message
    assert "z2 = ?" in shown_code(app)
    answer(app, "forward.z2", {}, button="Show me")
    assert "z2 = -0.06012438" in shown_code(app).replace("[", "").replace("]", "")
    assert "Shown" in " ".join(i.value for i in app.info)
    # Stages 4 and 5 skipped with Next (the clicker still steps); stage 6: the forgotten slope is named.
    click(app, "next")
    click(app, "next")
    click(app, "next")
    assert heading(app).startswith("Stage 6 of 12")
    answer(app, "delta.2", {"delta2": NO_SLOPE_DELTA})
    (message,) = texts(app.error)
    assert "matches forgetting the activation's slope (for a sigmoid o(1 − o))" in message
    assert "delta2 = ?" in shown_code(app)
    answer(app, "delta.2", {"delta2": "-0.02873"})
    assert "Right after 2 tries" in " ".join(i.value for i in app.info)
    # Typed text is never Markdown: it appears escaped, quoted, in plain words.
    click(app, "next")
    answer(app, "delta.1", {"delta1": "**1** [x](http://evil)"})
    (message,) = [e.value for e in app.error]
    assert message.startswith("`") and "**1** [x](http://evil)" in message and "is not a number" in message
    # The end: the score and the summary table.
    click(app, "end")
    summary = " ".join(m.value for m in app.markdown)
    assert "Quiz summary — 2 of 5 stages right at the first try" in summary
    table = app.table[-1].value
    assert list(table.index) == [
        "1. Weighted sums of the hidden layer",
        "2. Activations of the hidden layer",
        "3. Weighted sums of the output layer",
        "6. Output delta",
        "7. Deltas of the hidden layer",
    ]
    assert list(table["right first try"]) == ["yes", "yes", "no", "no", "no"]
    assert list(table["attempts"]) == [1, 1, 2, 2, 1]
    # Start again: the score is gone, the stage asks again.
    click(app, "quiz_restart")
    assert "score 0 of 12" in " ".join(m.value for m in app.markdown)
    assert quiz_fields(app) == ["quiz_apply_new_output", "quiz_apply_new_loss"]


def test_the_quiz_toggle_turns_it_on_and_an_empty_check_asks_for_an_answer():
    app = start()
    app.toggle(key="l_quiz").set_value(True).run()
    assert quiz_fields(app) == ["quiz_forward.z1_z1"]
    answer(app, "forward.z1", {})
    assert "Type an answer first" in " ".join(w.value for w in app.warning)
    assert "score 0 of 12" in " ".join(m.value for m in app.markdown)


def test_a_picked_mistake_names_where_it_parts_and_marks_the_graph_and_table():
    app = start({"stage": "delta.2"})
    app.selectbox(key="l_mistake").set_value("no_activation_slope").run()
    assert not app.exception
    (warning,) = [w.value for w in app.warning if "Mistake" in w.value]
    assert "first parts from the correct step at stage 6, “Output delta”" in warning
    rings = [t for t in graph(app)["data"] if t.get("marker", {}).get("symbol") == "circle-open-dot"]
    assert len(rings) == 1 and len(rings[0]["x"]) == 1  # the output unit o₁: its δ differs
    assert current(app)["marked"]  # the walk's legend: "Dotted vermillion: differs from the correct step."
    row = re.search(r"<tr><th>δ⁽²⁾</th>(.*?)</tr>", current(app)["compare"]["table"]).group(1)
    cells = re.findall(r">([^<>]*)</td>", row)
    assert cells == [number(-0.028730669543515018), number(float(NO_SLOPE_DELTA)), "True"]
    assert "font-weight: 600" in row  # the differing row shaded and bold
    losses = [c for c in charts(app) if any(t.get("name") == "No activation slope" for t in c["data"])]
    assert len(losses) == 1  # the loss curves, correct and mistaken, on one plot
    assert {t["name"] for t in losses[0]["data"]} == {"correct", "No activation slope"}
    assert app.query_params["mistake"] == "no_activation_slope"
    # An earlier stage is the same as the correct one: said in words, nothing marked.
    click(app, "reset")
    assert current(app)["compare"] == {"same": True}  # "This stage's numbers are the same as in the correct step."
    assert not [t for t in graph(app)["data"] if t.get("marker", {}).get("symbol") == "circle-open-dot"]


def test_a_mistake_that_cannot_show_says_why():
    app = start({"mistake": "biases_not_updated"})
    (info,) = [i.value for i in app.info]
    assert "cannot show here: this network has no biases" in info


def test_gradient_stages_show_the_check_and_the_nudge_and_a_mistake_fails_it():
    app = start({"stage": "gradient.W2"})
    check = current(app)["check"]
    rows = re.findall(r"<tr><th>(W2\[\d,\d\])</th>(.*?)</tr>", check["table"])
    assert [name for name, _ in rows] == ["W2[1,1]", "W2[2,1]"]
    record = step(SEED)
    cells = [re.findall(r">([^<>]*)</td>", row) for _, row in rows]
    assert [c[0] for c in cells] == [number(g) for g in record.weight_gradients[1].ravel()]
    assert [c[1] for c in cells] == [c[0] for c in cells]  # the central difference agrees to 4 digits
    assert all(c[3] == "True" for c in cells)
    assert "All 2 agree" in check["verdict"]
    open_nudge(app)
    (nudge,) = [c for c in charts(app) if "Nudging" in json.dumps(c.get("layout", {}).get("title", ""))]
    actual, tangent = nudge["data"]
    assert actual["name"] == "actual ΔE" and tangent["name"].startswith("∂E/∂w·Δw")
    # Under a mistake that bends the gradient the check fails, visibly and in words.
    app.selectbox(key="l_mistake").set_value("slope_from_z").run()
    check = current(app)["check"]
    assert "True</td>" not in check["table"]
    assert "2 of 2 disagree" in check["verdict"] and "the check fails" in check["verdict"]


def test_the_nudge_follows_the_picked_weight_and_step():
    app = open_nudge(start({"stage": "gradient.W1"}))
    app.selectbox(key="nudge_parameter_gradient.W1").set_value(("weights", 1, 2, 1)).run()
    app.slider(key="nudge_delta_gradient.W1").set_value(-1.0).run()
    (caption,) = [c.value for c in app.caption if c.value.startswith("Moving")]
    assert "(W1[3,2])" in caption and "from 0.7 by Δw = -1.00" in caption


def test_a_link_reproduces_mistake_paper_mode_and_scalar_form():
    app = start({"mistake": "slope_from_z", "round": "3", "form": "scalar", "stage": "delta.2"})
    state = app.session_state
    assert (state["mistake"], state["digits"], state["form"]) == ("slope_from_z", 3, "scalar")
    assert app.selectbox(key="l_digits").value == 3
    record = step(SEED, mistake="slope_from_z", digits=3)
    stage = build_stages(record, form="scalar")[5]
    assert [l for l in formulas(app) if stage.substituted in l]
    assert "(1 - (-0.0601)) = 0.00733" in stage.substituted  # z(1 − z), each value at 3 digits
    assert any(c.value.startswith("Paper mode: every value rounded to 3 significant digits") for c in app.caption)
    click(app, "next")
    params = app.query_params
    kept = (params["mistake"], params["round"], params["form"], params["stage"])
    assert kept == ("slope_from_z", "3", "scalar", "delta.1")


def test_paper_mode_control_rounds_and_reports_the_drift():
    app = start({"stage": "forward.a1"})
    app.selectbox(key="l_digits").set_value(2).run()
    assert "a1 = [0.56 0.39]" in shown_code(app)
    (caption,) = [c.value for c in app.caption if c.value.startswith("Paper mode")]
    assert re.search(r"at most [0-9.e-]+ away from full precision", caption)
    assert app.query_params["round"] == "2"


def test_matrix_form_shows_the_shapes_and_mazur_notation_renames():
    app = start()
    for key, shown_first in (("l_mistake", "None: the correct step"), ("l_digits", "Full precision")):
        picker = app.selectbox(key=key)
        assert picker.options[picker.index] == shown_first  # never "Choose an option"
    assert any(r"\underset{1\times 3}{a^{(0)}}" in l for l in formulas(app))
    app.segmented_control(key="l_notation").set_value("mazur").run()
    assert app.query_params["notation"] == "mazur"
    assert any("net" in l for l in formulas(app))
    app.segmented_control(key="l_form").set_value("scalar").run()
    assert not any(r"\underset" in l for l in formulas(app)[1:])  # scalar form: no shapes under the factors


def test_scalar_blanking_hides_each_units_result_and_the_error_reused_in_the_loss():
    stages = build_stages(step(SEED), form="scalar")
    loss = blank_latex(stages[4])
    assert "-0.115" not in loss and "0.006616" not in loss and "0.485 - 0.6" in loss
    update = blank_latex(stages[10])
    assert "0.5002" not in update and r"w_{31} \leftarrow  0.1 - 0.5" in update
