"""The quiz names a mistake made in one layer only, reads mixed decimal separators, gives a hint (the first
factor to check) before "Show me", and its summary lists which mistakes the wrong answers matched."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from simulator import SEED, build_stages, check_answer, step
from simulator.views.quiz import diagnosed, hint, read_answer

from .test_app import APP

RECORD = step(SEED)


def test_forgetting_only_the_hidden_slope_is_named():
    only_hidden = np.dot(SEED.weights[1], RECORD.deltas[1])  # the output δ right, the hidden slope left out
    verdict = check_answer(RECORD, "delta.1", "delta1", only_hidden)
    assert verdict.matched == "no_hidden_slope" and "hidden layer's own slope" in verdict.diagnosis


def test_z_in_place_of_a_in_the_gradient_is_named():
    with_z = np.outer(RECORD.zs[0], RECORD.deltas[1])
    verdict = check_answer(RECORD, "gradient.W2", "dW2", with_z)
    assert verdict.matched == "z_for_a_in_gradient" and "z of the layer before" in verdict.diagnosis


def test_mixed_separators_are_read_as_typed():
    assert read_answer("0,5597 0.3870")[0].tolist() == [0.5597, 0.387]
    assert check_answer(RECORD, "forward.a1", "a1", "0,5597 0.3870").correct
    assert check_answer(RECORD, "forward.a1", "a1", "0,5597; 0.3870".replace(";", "")).correct
    assert read_answer("1,2,3")[0].tolist() == [1, 2, 3] and read_answer("0, 5")[0].tolist() == [0, 5]
    assert read_answer("0.5,0.3")[0].tolist() == [0.5, 0.3]
    # "0,56 0,39" reads as 0.56 and 0.39; 0.39 is 0.387 to two digits only, and three are asked for
    assert read_answer("0,56 0,39")[0].tolist() == [0.56, 0.39]


def test_the_hint_names_the_first_factor():
    stages = {s.id: s for s in build_stages(RECORD)}
    assert "Check ∂E/∂o₁ = o₁ − t₁ first, then times ∂o₁/∂z⁽²⁾₁ = o₁(1 − o₁)" in hint(RECORD, stages["delta.2"])
    assert "δ⁽²⁾₁·w⁽²⁾₁₁" in hint(RECORD, stages["delta.1"])
    assert hint(RECORD, stages["loss"]).startswith("Check the error e = o − t")


def test_the_summary_lists_the_diagnosed_mistakes():
    lines = diagnosed([("6. Output delta", "no_activation_slope"), ("7. Hidden", "no_hidden_slope")])
    assert lines == (
        "Forgetting the activation's slope (for a sigmoid o(1 − o)) (6. Output delta)",
        "Forgetting the hidden layer's own slope (the output's was right) (7. Hidden)",
    )


def test_on_the_page_hint_then_summary():
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["quiz"] = "1"
    app.query_params["stage"] = "delta.2"
    app.run()
    (hint_button,) = [b for b in app.get("button") if getattr(b, "label", None) == "Hint"]
    hint_button.click().run()
    assert any("∂E/∂o₁ = o₁ − t₁" in i.value for i in app.info)
    app.text_input(key="quiz_delta.2_delta2").input("-0.115")
    (check,) = [b for b in app.get("button") if getattr(b, "label", None) == "Check"]
    check.click().run()
    assert not app.exception
    app.selectbox(key="stage_picker").select("apply").run()
    shown = "\n".join(m.value for m in app.markdown)
    assert "What your wrong answers matched" in shown and "Forgetting the activation" in shown
    assert any("Hints used" in c.value for c in app.caption)
