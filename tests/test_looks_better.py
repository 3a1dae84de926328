"""A mistake that "learns better" says why, and shows where it goes wrong: the gradient check and a preset
where it stalls."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from simulator import SEED
from simulator.core.experiments import mistake_losses
from simulator.views.mistake_notes import looks_better

from .test_app import APP


def test_leaving_the_slope_out_ends_lower_on_the_seed_and_the_note_says_why():
    correct, mistaken = mistake_losses(SEED, "no_activation_slope", 100)
    assert mistaken[-1] < correct[-1]  # the trap: 2.2e-08 against 3.7e-04
    note = looks_better(SEED, "no_activation_slope", correct, mistaken)
    assert "at most 0.25" in note.why and "larger learning rate" in note.why
    assert note.check_error > 0.1  # the gradient check fails
    assert "XOR" in note.counterexample and "it stalls" in note.counterexample


def test_no_note_when_the_mistake_does_worse():
    correct, mistaken = mistake_losses(SEED, "plus_update", 100)
    assert looks_better(SEED, "plus_update", correct, mistaken) is None


def test_the_page_explains_it_under_the_loss_curves():
    app = AppTest.from_file(APP, default_timeout=120)
    app.query_params["mistake"] = "no_activation_slope"
    app.run()
    assert not app.exception
    (note,) = [i.value for i in app.info if "look better" in i.value]
    assert "gradient check fails" in note and "stalls" in note
