"""A live class through the page (AppTest): the lecturer starts it, phones follow, answer, see verdicts.

The store is SQLite in the test's own folder (``BACKPROP_STORE``); the store's behaviour on both
backends is tested in test_live_store.py and test_live_classroom.py.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path

import plotly.graph_objects as go
import plotly.io as pio
import pytest
from streamlit.testing.v1 import AppTest

from simulator import PRESETS
from simulator.live import classroom
from simulator.ui import live_class
from simulator.ui.live_student import class_graph

from .walkpage import pick, step

APP = str(Path(__file__).parents[1] / "streamlit_app.py")
RIGHT = "0,108040 -0,294441"  # new W⁽²⁾ of the seed, decimal commas
FORGOT_SLOPE = "0.132191 -0.277743"  # what forgetting the output's slope gives
SIGN_SLIP = "-0.108040 0.294441"


@pytest.fixture(autouse=True)
def class_store(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STORE", f"sqlite://{tmp_path / 'classes.db'}")
    live_class.class_store.clear()  # the process's client, opened on this test's file
    yield
    live_class.class_store.clear()


def ran(app: AppTest) -> AppTest:
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def lecturer() -> AppTest:
    app = ran(AppTest.from_file(APP, default_timeout=60))
    app.session_state["presenter"] = True  # the Presenter popover, open
    ran(app)
    app.button(key="class_start").click()
    return ran(app)


def student(code: str, held: bool = True, **params: str) -> AppTest:
    """A phone; ``held``: its tab has handed over its own token (the component's JS, which AppTest does not run)."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.session_state["class_token_held"] = held
    app.query_params["class"] = code
    for name, value in params.items():
        app.query_params[name] = value
    return ran(app)


def page_bytes(app: AppTest) -> bytes:
    """Every element the page sent, serialised: to search for what must not be there."""
    found, todo = [], [app._tree]
    while todo:
        node = todo.pop()
        proto = getattr(node, "proto", None)
        if proto is not None and hasattr(proto, "SerializeToString"):
            found.append(proto.SerializeToString())
        children = getattr(node, "children", {})
        todo.extend(children.values() if isinstance(children, dict) else children)
    return b"".join(found)


def texts(app: AppTest) -> str:
    kinds = (app.markdown, app.caption, app.success, app.error, app.info, app.subheader, app.code)
    return "\n".join(str(element.value) for kind in kinds for element in kind)


def tally_chart(app: AppTest) -> dict:
    (chart,) = [c for c in app.get("plotly_chart") if json.loads(c.proto.spec)["data"][0]["type"] == "bar"]
    return json.loads(chart.proto.spec)["data"][0]


def go_to(app: AppTest, stage_id: str) -> None:
    pick(app, stage_id)  # as the browser's walk does: the URL's stage, then a rerun


def answer(app: AppTest, text: str) -> AppTest:
    (field,) = [w for w in app.text_input if w.key and w.key.startswith("class_answer_")]
    field.input(text)
    app.get("form_submit_button")[0].click()
    return ran(app)


def test_a_started_class_shows_its_code_and_link_and_keeps_the_key_in_the_lecturers_link_only():
    app = lecturer()
    code, key = app.session_state["class_code"], app.session_state["class_key"]
    assert any(f"Class {code}<" in h.proto.body for h in app.get("html"))  # the code in large type
    assert f"?class={code}" in texts(app) and "presenter=" not in texts(app)
    assert app.query_params["class"] == code and app.query_params["presenter"] == key
    assert key.encode() not in page_bytes(app)  # the key is in the URL, never on the page
    phone = student(code)
    assert key.encode() not in page_bytes(phone)
    assert phone.subheader[0].value.startswith("Stage 1 of 12")
    assert "presenter" not in phone.query_params


def test_phones_follow_the_lecturers_stage():
    app = lecturer()
    phone = student(app.session_state["class_code"])
    step(app, "next")
    assert ran(phone).subheader[0].value.startswith("Stage 2 of 12")
    go_to(app, "delta.2")
    assert ran(phone).subheader[0].value.startswith("Stage 6 of 12 — ")


def test_ask_answer_tally_reveal_and_download():
    app = lecturer()
    code = app.session_state["class_code"]
    go_to(app, "update.W2")
    phones = [student(code) for _ in range(3)]
    app.button(key="class_ask").click()
    ran(app)
    assert app.session_state["blank"]  # the projector blanks the stage too
    for phone, text in zip(phones, (RIGHT, FORGOT_SLOPE, SIGN_SLIP)):
        ran(phone)
        assert phone.subheader[0].value.startswith("Stage 9 of 12")
        assert "?" in phone.latex[-1].value  # the numbers are blanked on the phone
        answer(phone, text)
        assert "Your answer is in" in texts(phone)
    ran(app)
    assert "**3** answered" in texts(app)
    chart = tally_chart(app)
    assert chart["x"] == [1, 1, 1]
    assert chart["y"] == ["right", classroom.label_name("no_activation_slope"), "sign slip"]
    assert "verdict" not in texts(phones[0]).lower() and "Right." not in texts(phones[0])  # not before Reveal
    app.button(key="class_reveal").click()
    ran(app)
    verdicts = [texts(ran(phone)) for phone in phones]
    assert "Right." in verdicts[0]
    assert "slope" in verdicts[1] and "sign flipped" in verdicts[2]
    assert "?" not in phones[0].latex[-1].value
    owner = classroom.Presenter(code, app.session_state["class_key"])
    rows = classroom.export_csv(live_class.class_store(), owner).splitlines()
    assert rows[0] == "question,stage,value,label,diagnosis,count" and len(rows) == 4
    assert json.loads(classroom.export_json(live_class.class_store(), owner))["questions"][0]["answered"] == 3


def test_a_phone_can_change_its_answer_until_reveal_and_is_counted_once():
    app = lecturer()
    go_to(app, "update.W2")
    app.button(key="class_ask").click()
    ran(app)
    phone = student(app.session_state["class_code"])
    answer(phone, SIGN_SLIP)
    time.sleep(0.6)  # the store refuses a change within 0.5 s
    answer(phone, RIGHT)
    assert "Your answer is in" in texts(phone)
    ran(app)
    assert "**1** answered" in texts(app)
    assert tally_chart(app)["y"] == ["right"]


def test_an_answer_before_the_tab_handed_its_token_is_not_counted_twice():
    app = lecturer()
    go_to(app, "update.W2")
    app.button(key="class_ask").click()
    ran(app)
    phone = student(app.session_state["class_code"], held=False)  # a failover's first run: a stand-in token
    answer(phone, RIGHT)
    assert "press Send again" in texts(phone) and "Your answer is in" not in texts(phone)
    ran(app)
    assert "answered" not in texts(app) or "**0** answered" in texts(app)


def test_unreadable_and_too_fast_answers_are_refused_as_text():
    app = lecturer()
    go_to(app, "forward.a1")
    app.button(key="class_ask").click()
    ran(app)
    phone = student(app.session_state["class_code"])
    answer(phone, "[x](http://evil.example) 1")
    assert [e.value for e in phone.error][0].startswith("`")  # shown as text, in a code span
    assert "is not a number" in texts(phone)
    answer(phone, "0.56 0.387")
    answer(phone, "0.5 0.3")
    assert "wait 0.5 s" in texts(phone)


def test_without_the_key_a_page_cannot_ask_reveal_or_download():
    app = lecturer()
    code, key = app.session_state["class_code"], app.session_state["class_key"]
    forged = student(code, presenter="x" * 32)  # an edited URL
    assert "only the presenter" in texts(forged)
    assert forged.subheader[0].value.startswith("Stage 1")  # a student's view, nothing more
    labels = {b.label for b in forged.button} | {b.label for b in forged.get("download_button")}
    assert not labels & {"Ask the class", "Reveal", "End session", "Tallies CSV", "Tallies JSON"}
    # Replaying the lecturer's button presses: the widgets do not exist on this page, so nothing happens.
    for widget in ("class_ask", "class_reveal", "class_end"):
        forged.session_state[widget] = True
    ran(forged)
    assert live_class.class_store().state(code).question == 0
    assert forged.session_state["class_key"] is None
    with pytest.raises(classroom.LiveError):
        classroom.ask(live_class.class_store(), classroom.Presenter(code, "y" * 32))
    assert key.encode() not in page_bytes(forged)


def test_the_lecturers_own_link_reopens_the_class_and_end_deletes_it():
    app = lecturer()
    code, key = app.session_state["class_code"], app.session_state["class_key"]
    again = student(code, presenter=key)  # the lecturer reloads their own link
    assert again.session_state["class_code"] == code and again.button(key="class_ask")
    phone = student(code)
    again.button(key="class_end").click()
    ran(again)
    assert "ended" in texts(again)
    assert classroom.GONE in texts(ran(phone))


def test_the_panel_says_when_the_network_changed_after_the_class_started():
    app = lecturer()
    assert "network changed" not in " ".join(w.value for w in app.warning)
    app.session_state["scenario"] = PRESETS["xor"]
    ran(app)
    assert "network changed" in " ".join(w.value for w in app.warning)


def test_phones_follow_the_projectors_blank_without_a_question_and_never_get_the_numbers_before_reveal():
    app = lecturer()
    phone = student(app.session_state["class_code"])
    go_to(app, "update.W2")  # new W⁽²⁾ of the seed: 0.108040, -0.294441
    assert "0.108" in ran(phone).latex[-1].value  # not blanked: the numbers are there
    app.session_state["blank"] = True  # the Presenter popover's "Blank the answer", no Ask
    ran(app)
    ran(phone)
    assert "?" in phone.latex[-1].value and "0.108" not in phone.latex[-1].value
    assert b"0.108" not in page_bytes(phone) and b"0,108" not in page_bytes(phone)  # nowhere on the page
    assert not [w for w in phone.text_input if w.key and w.key.startswith("class_answer_")]  # no question
    step(app, "reveal")  # the projector's Reveal (or the clicker's Right)
    ran(app)
    assert "0.108" in ran(phone).latex[-1].value
    step(app, "next")  # the next stage is blanked on the projector, so on the phone too
    ran(app)
    assert ran(phone).subheader[0].value.startswith("Stage 10 of 12") and "?" in phone.latex[-1].value


def test_every_phone_gets_the_class_graph_from_one_shared_figure_left_unchanged():
    app = lecturer()
    go_to(app, "delta.2")
    phones = [student(app.session_state["class_code"]) for _ in range(2)]
    shared = class_graph(live_class.class_store().state(app.session_state["class_code"]).scenario, 5, False, False)
    fresh = json.loads(pio.to_json(go.Figure(shared), validate=False))  # built from the figure, not its dict
    for phone in phones:
        (chart,) = phone.get("plotly_chart")
        assert json.loads(chart.proto.spec) == fresh


def test_the_presenter_key_never_reaches_a_log(caplog):
    logs = logging.getLogger("streamlit")
    logs.addHandler(caplog.handler)  # Streamlit's loggers do not propagate to the root
    try:
        with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="streamlit"):
            app = lecturer()
            key = app.session_state["class_key"]
            go_to(app, "update.W2")
            app.button(key="class_ask").click()
            ran(app)
            phone = student(app.session_state["class_code"])
            answer(phone, RIGHT)
            student(app.session_state["class_code"], presenter="x" * 32)  # a forged key is refused
            app.button(key="class_reveal").click()
            ran(app)
    finally:
        logs.removeHandler(caplog.handler)
    assert caplog.records  # the capture works: Streamlit logs as the pages run
    assert not [r for r in caplog.records if key in r.getMessage() or "x" * 32 in r.getMessage()]
