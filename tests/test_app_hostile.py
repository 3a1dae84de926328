"""A valid scenario that overflows under a classic mistake or paper mode never crashes the page.

Every path that changes the scenario or an option that changes the computation (link, editor
edit, upload, mistake and paper-mode toggles, training, the history) checks the step once: an
overflow is a message where the user is looking and the last good state stays (issue 15).
"""

from urllib.parse import parse_qsl

from simulator import SEED as SEED_SCENARIO
from simulator.core.scenario import scenario_from_dict, scenario_to_json
from simulator.io.share import encode

from .test_app import click, errors, field, open_tab, shown, start

CRASH = (
    "layers=1-1-1-1-1&act=linear,linear,linear,sigmoid&loss=half_squared_error&w1=1e6&w2=1e6&w3=1e6&w4=1e6"
    "&x=1e6&t=0&lr=100&mistake=slope_from_z"
)
# Fine at full precision; rounded to 1 significant digit, the step overflows.
PAPER = scenario_from_dict(
    {
        "version": 1,
        "layers": [1, 1, 1, 1, 1],
        "activations": ["linear"] * 4,
        "loss": "half_squared_error",
        "weights": [[[29000.0]], [[2600.0]], [[-26000.0]], [[-75000.0]]],
        "biases": None,
        "x": [5500.0],
        "target": [0.0],
        "learning_rate": 1.0,
    }
)


def params(query: str) -> dict:
    return dict(parse_qsl(query))


def warnings(app) -> list[str]:
    return [shown(w.value) for w in app.warning]


def test_the_minimal_crash_link_opens_without_the_mistake_and_says_why():
    app = start(params(CRASH))
    assert app.session_state["mistake"] is None
    (link,) = [w for w in warnings(app) if w.startswith("This link could not be used in full")]
    assert "mistake: ignored, with the classic mistake" in link and "overflows" in link
    click(app, "next")


def test_a_mistake_that_overflows_is_refused_where_it_is_chosen():
    app = start(params(CRASH.removesuffix("&mistake=slope_from_z")))
    app.selectbox(key="l_mistake").select("slope_from_z").run()
    assert not app.exception
    assert app.session_state["mistake"] is None  # the last good option stays
    assert any("cannot be shown" in w and "overflows" in w for w in warnings(app))
    app.selectbox(key="l_mistake").select("plus_update").run()  # a mistake that works is taken
    assert app.session_state["mistake"] == "plus_update"


def test_paper_mode_that_overflows_is_refused_where_it_is_chosen():
    app = start(encode(PAPER))
    app.selectbox(key="l_digits").select(2).run()
    assert app.session_state["digits"] == 2
    app.selectbox(key="l_digits").select(0).run()
    app.selectbox(key="l_digits").select(2).run()
    assert not app.exception
    before = app.session_state["digits"]
    app = start({**encode(PAPER), "round": "1"})  # from a link: turned off, with the reason
    assert app.session_state["digits"] is None and before == 2
    assert any("round: ignored, with paper mode (1 digits)" in w for w in warnings(app))


def test_an_edit_that_overflows_under_the_mistake_keeps_the_last_good_scenario():
    app = start(params(CRASH.replace("&x=1e6", "&x=1")))
    assert app.session_state["mistake"] == "slope_from_z"
    good = app.session_state["scenario"]
    field(app, "Input x").input("1e6").run()
    assert not app.exception
    assert app.session_state["scenario"] == good
    assert any("overflows" in e for e in errors(app))


def test_an_upload_that_overflows_under_the_mistake_is_refused_beside_the_uploader():
    app = start(params(CRASH.replace("&x=1e6", "&x=1")))
    good = app.session_state["scenario"]
    hostile = good.replace(x=[1e6])
    (uploader,) = [u for u in app.get("file_uploader") if u.label.startswith("Upload a scenario")]
    uploader.set_value(("x.json", scenario_to_json(hostile).encode(), "application/json")).run()
    assert not app.exception
    assert app.session_state["scenario"] == good
    assert any("overflows" in e for e in errors(app))


def test_training_stops_with_a_message_when_the_step_shown_would_overflow():
    app = start(params(CRASH.replace("&x=1e6", "&x=1")))
    open_tab(app, "Train")
    app.number_input(key="train_steps").set_value(3)
    click(app, "train")
    for _ in range(10):
        app.run()
        assert not app.exception
        if app.session_state["lab_run"] is None:
            break


def test_steps_past_the_limit_get_words():
    app = open_tab(start(), "Train")
    app.number_input(key="train_steps").set_value(99_999).run()
    click(app, "train")
    assert app.session_state["lab_run"] is None
    assert any("from 1 to 20,000, got 99,999" in w for w in warnings(app))


def test_pause_or_resume_as_the_run_ends_does_nothing(monkeypatch):
    from simulator.ui import state, training

    kept = {"lab_run": None}
    monkeypatch.setattr(state, "get", kept.get)
    monkeypatch.setattr(state, "put", kept.__setitem__)
    training.pause()
    training.resume()
    assert kept["lab_run"] is None


def test_a_scrub_past_the_history_is_clamped_and_keeps_it(monkeypatch):
    from simulator import SEED, History
    from simulator.ui import lab_history, state

    history = History.begin(SEED, "example")
    history = next(iter(history.trained(5, None, chunk=history.every)))
    kept = {"history": history, "history_step": history.last}
    placed = []
    monkeypatch.setattr(state, "get", kept.get)
    monkeypatch.setattr(lab_history, "put_in_force", lambda h, k: placed.append((h, k)))
    monkeypatch.setattr(lab_history.st, "session_state", {"scrub": 51})
    lab_history.scrub("scrub")
    assert placed == [(history, history.last)]


def test_quiz_feedback_quotes_what_was_typed_short_and_escaped():
    from .test_app_learning import answer

    app = start({**encode(SEED_SCENARIO), "quiz": "1"})
    for typed in ("0.5\u202e0.1", "1" * 10_000 + "x", "0.24 \u200d-0.46"):
        answer(app, "forward.z1", {"z1": typed})
        for message in [e.value for e in app.error]:
            assert len(message) <= 320
            assert not any(ch in message for ch in "\u202e\u200d")


def test_a_csv_that_overflows_under_the_mistake_is_refused_in_the_lab():
    app = open_tab(start(params(CRASH.replace("&x=1e6", "&x=1"))), "Train")
    good = app.session_state["scenario"]
    (uploader,) = [u for u in app.get("file_uploader") if u.label == "Upload a CSV file"]
    uploader.set_value(("big.csv", b"x1,t1\n1e6,0\n", "text/csv")).run()
    assert not app.exception
    assert app.session_state["scenario"] == good
    assert any("overflows" in e for e in errors(app) + warnings(app))
