"""A live class through the page (AppTest): the lecturer starts it, phones follow, answer, see verdicts.

The store is SQLite in the test's own folder (``BACKPROP_STORE``); the store's behaviour on both
backends is tested in test_live_store.py and test_live_classroom.py.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import time
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from simulator import PRESETS
from simulator.live import classroom
from simulator.live.phone import FOLLOW_TEXT, phone_answer, phone_view, stage_json
from simulator.live.store import OVER
from simulator.ui import live_class

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


def student(code: str, **params: str) -> AppTest:
    """A page opened on the students' link (``params``: an edited URL)."""
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["class"] = code
    for name, value in params.items():
        app.query_params[name] = value
    return ran(app)


def component_data(app: AppTest, name: str = "backprop_class_phone") -> list[dict]:
    found, todo = [], [app._tree]
    while todo:
        node = todo.pop()
        proto = getattr(node, "proto", None)
        if getattr(proto, "component_name", None) == name:
            found.append(json.loads(proto.json))
        children = getattr(node, "children", {})
        todo.extend(children.values() if isinstance(children, dict) else children)
    return found


class Phone:
    """A student's phone: its page runs once (join) and hands the phone's component its routes; from then on
    the component's requests, as the routes run them (:mod:`simulator.live.phone`), with the tab's own token."""

    def __init__(self, code: str, **params: str):
        self.page = student(code, **params)
        (self.data,) = component_data(self.page)
        self.code, self.tag = re.fullmatch(r"/api/class/(\w+)/(\w+)/view", self.data["view_url"]).groups()
        self.token = secrets.token_urlsafe(24)  # sessionStorage's, in the browser

    def view(self) -> dict:
        return json.loads(phone_view(live_class.class_store(), self.code, self.tag, self.token))

    def answer(self, text: str) -> dict:
        question = self.view()["room"]["question"]
        return phone_answer(live_class.class_store(), self.code, self.tag, self.token, question, text)

    def heading(self) -> str:
        return self.view()["stage"]["heading"]

    def substituted(self) -> str:
        return self.view()["stage"]["substituted"]


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


def test_a_started_class_shows_its_code_and_link_and_keeps_the_key_in_the_lecturers_link_only():
    app = lecturer()
    code, key = app.session_state["class_code"], app.session_state["class_key"]
    assert any(f"Class {code}<" in h.proto.body for h in app.get("html"))  # the code in large type
    assert f"?class={code}" in texts(app) and "presenter=" not in texts(app)
    assert app.query_params["class"] == code and app.query_params["presenter"] == key
    assert key.encode() not in page_bytes(app)  # the key is in the URL, never on the page
    phone = Phone(code)
    assert key.encode() not in page_bytes(phone.page)
    assert key not in json.dumps(phone.view())
    assert phone.data["code"] == code and phone.heading().startswith("Stage 1 of 12")
    assert "presenter" not in phone.page.query_params
    assert not phone.page.get("plotly_chart") and not phone.page.button  # the phone's page is its component


def test_phones_follow_the_lecturers_stage():
    app = lecturer()
    phone = Phone(app.session_state["class_code"])
    before = phone.view()["version"]
    step(app, "next")
    assert phone.heading().startswith("Stage 2 of 12") and phone.view()["version"] > before
    go_to(app, "delta.2")
    assert phone.heading().startswith("Stage 6 of 12 — ")
    assert phone.view()["room"] == {"kind": "follow", "text": FOLLOW_TEXT}


def test_ask_answer_tally_reveal_and_download():
    app = lecturer()
    code = app.session_state["class_code"]
    go_to(app, "update.W2")
    phones = [Phone(code) for _ in range(3)]
    app.button(key="class_ask").click()
    ran(app)
    assert app.session_state["blank"]  # the projector blanks the stage too
    for phone, text in zip(phones, (RIGHT, FORGOT_SLOPE, SIGN_SLIP)):
        shown = phone.view()
        assert shown["stage"]["heading"].startswith("Stage 9 of 12")
        assert shown["room"]["kind"] == "open" and shown["room"]["label"] == "Your prediction: new W⁽²⁾"
        assert "?" in shown["stage"]["substituted"]  # the numbers are blanked on the phone
        assert phone.answer(text) == {"ok": True, "message": "Your answer is in. You can change it until Reveal."}
    ran(app)
    assert "**3** answered" in texts(app)
    chart = tally_chart(app)
    assert chart["x"] == [1, 1, 1]
    assert chart["y"] == ["right", classroom.label_name("no_activation_slope"), "sign slip"]
    assert "Right." not in json.dumps(phones[0].view())  # no verdict before Reveal
    app.button(key="class_reveal").click()
    ran(app)
    rooms = [phone.view()["room"] for phone in phones]
    assert rooms[0]["right"] is True and rooms[0]["text"] == "Right."
    assert rooms[1]["right"] is False and "slope" in rooms[1]["text"] and "sign flipped" in rooms[2]["text"]
    assert "?" not in phones[0].substituted() and "0.108" in phones[0].substituted()
    never = Phone(code).view()["room"]  # a phone that did not answer
    assert never["right"] is None and "revealed" in never["text"]
    owner = classroom.Presenter(code, app.session_state["class_key"])
    rows = classroom.export_csv(live_class.class_store(), owner).splitlines()
    assert rows[0] == "question,stage,value,label,diagnosis,count" and len(rows) == 4
    assert json.loads(classroom.export_json(live_class.class_store(), owner))["questions"][0]["answered"] == 3


def test_a_phone_can_change_its_answer_until_reveal_and_is_counted_once():
    app = lecturer()
    go_to(app, "update.W2")
    app.button(key="class_ask").click()
    ran(app)
    phone = Phone(app.session_state["class_code"])
    assert phone.answer(SIGN_SLIP)["ok"]
    time.sleep(0.6)  # the store refuses a change within 0.5 s
    assert phone.answer(RIGHT)["ok"]
    ran(app)
    assert "**1** answered" in texts(app)
    assert tally_chart(app)["y"] == ["right"]


def test_a_reloaded_tab_is_the_same_phone():
    """The tab's token lives in sessionStorage: a reload, or a failover to another replica, opens a new page
    and session, but the same token, so the answer moves instead of counting twice."""
    app = lecturer()
    go_to(app, "update.W2")
    app.button(key="class_ask").click()
    ran(app)
    phone = Phone(app.session_state["class_code"])
    assert phone.answer(SIGN_SLIP)["ok"]
    reloaded = Phone(app.session_state["class_code"])
    reloaded.token = phone.token
    time.sleep(0.6)
    assert reloaded.answer(RIGHT)["ok"]
    ran(app)
    assert "**1** answered" in texts(app) and tally_chart(app)["y"] == ["right"]


def test_unreadable_too_fast_late_and_forged_answers_are_refused_as_text():
    app = lecturer()
    go_to(app, "forward.a1")
    app.button(key="class_ask").click()
    ran(app)
    phone = Phone(app.session_state["class_code"])
    refused = phone.answer("[x](http://evil.example) 1\u202e")
    assert not refused["ok"] and "is not a number" in refused["message"] and "\u202e" not in refused["message"]
    assert phone.answer("0.56 0.387")["ok"]
    assert phone.answer("0.5 0.3") == {"ok": False, "message": "answer not stored: wait 0.5 s between changes"}
    store, question = live_class.class_store(), phone.view()["room"]["question"]
    for token, tag, asked, text in (
        ("short", phone.tag, question, "1 2"),  # not a tab's token
        (phone.token, "0" * 24, question, "1 2"),  # a made-up tag: the same words as a class that is gone
        (phone.token, phone.tag, question + 1, "1 2"),  # a question not open
        (phone.token, phone.tag, True, "1 2"),  # not a question number
        (phone.token, phone.tag, question, "1" * (classroom.MAX_ANSWER_CHARS + 1)),
    ):
        said = phone_answer(store, phone.code, tag, token, asked, text)
        assert not said["ok"] and len(said["message"]) <= 200, said
    app.button(key="class_reveal").click()
    ran(app)
    question = phone.view()["room"]["question"]
    late = phone_answer(store, phone.code, phone.tag, phone.token, question, "0.56 0.387")
    assert late == {"ok": False, "message": OVER}


def test_without_the_key_a_page_cannot_ask_reveal_or_download():
    app = lecturer()
    code, key = app.session_state["class_code"], app.session_state["class_key"]
    forged = Phone(code, presenter="x" * 32)  # an edited URL
    assert "only the presenter" in texts(forged.page)
    assert forged.heading().startswith("Stage 1")  # a student's view, nothing more
    labels = {b.label for b in forged.page.button} | {b.label for b in forged.page.get("download_button")}
    assert not labels & {"Ask the class", "Reveal", "End session", "Tallies CSV", "Tallies JSON"}
    # Replaying the lecturer's button presses: the widgets do not exist on this page, so nothing happens.
    for widget in ("class_ask", "class_reveal", "class_end"):
        forged.page.session_state[widget] = True
    ran(forged.page)
    assert live_class.class_store().state(code).question == 0
    assert forged.page.session_state["class_key"] is None
    with pytest.raises(classroom.LiveError):
        classroom.ask(live_class.class_store(), classroom.Presenter(code, "y" * 32))
    assert key.encode() not in page_bytes(forged.page)


def test_the_lecturers_own_link_reopens_the_class_and_end_deletes_it():
    app = lecturer()
    code, key = app.session_state["class_code"], app.session_state["class_key"]
    again = student(code, presenter=key)  # the lecturer reloads their own link
    assert again.session_state["class_code"] == code and again.button(key="class_ask")
    phone = Phone(code)
    again.button(key="class_end").click()
    ran(again)
    assert "ended" in texts(again)
    with pytest.raises(classroom.LiveError, match="no class with this code"):
        phone.view()  # the route answers 404 with these words; the phone shows them
    assert classroom.GONE in texts(student(code))


def test_the_panel_says_when_the_network_changed_after_the_class_started():
    app = lecturer()
    assert "network changed" not in " ".join(w.value for w in app.warning)
    app.session_state["scenario"] = PRESETS["xor"]
    ran(app)
    assert "network changed" in " ".join(w.value for w in app.warning)


def test_phones_follow_the_projectors_blank_without_a_question_and_never_get_the_numbers_before_reveal():
    app = lecturer()
    phone = Phone(app.session_state["class_code"])
    go_to(app, "update.W2")  # new W⁽²⁾ of the seed: 0.108040, -0.294441
    assert "0.108" in phone.substituted()  # not blanked: the numbers are there
    app.session_state["blank"] = True  # the Presenter popover's "Blank the answer", no Ask
    ran(app)
    shown = json.dumps(phone.view(), ensure_ascii=False)
    assert "?" in phone.substituted() and "0.108" not in shown and "0,108" not in shown  # nowhere in what it gets
    assert b"0.108" not in page_bytes(student(app.session_state["class_code"]))
    assert phone.view()["room"]["kind"] == "follow"  # no question
    step(app, "reveal")  # the projector's Reveal (or the clicker's Right)
    ran(app)
    assert "0.108" in phone.substituted()
    step(app, "next")  # the next stage is blanked on the projector, so on the phone too
    ran(app)
    assert phone.heading().startswith("Stage 10 of 12") and "?" in phone.substituted()


def test_every_phone_gets_the_class_stage_from_one_shared_build():
    app = lecturer()
    go_to(app, "delta.2")
    phones = [Phone(app.session_state["class_code"]) for _ in range(2)]
    scenario = live_class.class_store().state(app.session_state["class_code"]).scenario
    stage_json.cache_clear()
    views = [phone.view() for phone in phones]
    assert stage_json.cache_info().hits == 1 and stage_json.cache_info().misses == 1  # built once, for both
    assert views[0]["stage"] == views[1]["stage"] == json.loads(stage_json(scenario, 5, False, False))
    assert views[0]["stage"]["figure"]["layout"]["xaxis"]["range"][1] > 0


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
            phone = Phone(app.session_state["class_code"])
            phone.answer(RIGHT)
            student(app.session_state["class_code"], presenter="x" * 32)  # a forged key is refused
            app.button(key="class_reveal").click()
            ran(app)
    finally:
        logs.removeHandler(caplog.handler)
    assert caplog.records  # the capture works: Streamlit logs as the pages run
    assert not [r for r in caplog.records if key in r.getMessage() or "x" * 32 in r.getMessage()]
