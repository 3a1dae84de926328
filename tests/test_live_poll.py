"""The version route a phone polls (simulator/ui/live_poll.py), over HTTP from a real `streamlit run`.

It must answer a class's version to a phone that joined (it holds the watch tag), follow a change, and
tell nobody else anything: a wrong tag, an unknown code and a malformed one get the same 404.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request

import pytest

from simulator import SEED
from simulator.live import classroom, open_store
from simulator.live.store import OVER
from simulator.ui.live_poll import ANSWER_PATH, FRESH_S, MAX_BODY, VIEW_PATH, path

from .appserver import running_app


def get(url: str) -> tuple[int, dict, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, json.loads(answer.read()), answer.headers.get("Cache-Control")
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read()), refused.headers.get("Cache-Control")


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    url = f"sqlite://{tmp_path_factory.mktemp('poll') / 'classes.db'}"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("BACKPROP_STORE", url)  # the app process inherits it
        with running_app() as app:
            yield app, open_store(url)


def test_a_joined_phone_reads_the_version_and_sees_it_move(served):
    app, store = served
    owner = classroom.open_class(store, SEED)
    tag = store.watch_tag(owner.code)
    assert get(app + path(owner.code, tag)) == (200, {"version": 1}, "no-store")
    store.set_stage(owner.code, owner.key, "delta.2", hidden=True)
    time.sleep(FRESH_S + 0.1)  # the route answers from memory for FRESH_S
    assert get(app + path(owner.code, tag))[:2] == (200, {"version": 2})
    store.end_session(owner.code, owner.key)
    time.sleep(FRESH_S + 0.1)
    assert get(app + path(owner.code, tag))[:2] == (404, {"version": None})


def test_without_the_tag_the_route_tells_nothing_about_a_code(served):
    app, store = served
    owner = classroom.open_class(store, SEED)
    other = classroom.open_class(store, SEED)
    nobody = "ABCDEF" if "ABCDEF" not in (owner.code, other.code) else "ABCDEG"
    refused = (404, {"version": None}, "no-store")
    wrong = [
        path(owner.code, store.watch_tag(other.code)),  # another class's tag
        path(owner.code, secrets.token_hex(12)),  # a made-up tag of the right shape
        path(nobody, secrets.token_hex(12)),  # a code nobody holds
        path("a-b!%20", "x"),  # malformed
        path(owner.code, owner.key),  # the presenter key is no tag either
    ]
    assert [get(app + p) for p in wrong] == [refused] * len(wrong)


def post(url: str, body: object, content_type: str = "application/json") -> tuple[int, dict]:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method="POST", headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_a_phone_follows_answers_and_reads_its_verdict_through_the_routes(served):
    app, store = served
    owner = classroom.open_class(store, SEED)
    tag, token = store.watch_tag(owner.code), secrets.token_urlsafe(24)
    view = app + VIEW_PATH.format(code=owner.code, tag=tag)
    status, shown = post(view, {"token": token})
    assert status == 200 and shown["stage"]["heading"].startswith("Stage 1 of 12")
    assert shown["room"]["kind"] == "follow" and shown["version"] == 1
    store.set_stage(owner.code, owner.key, "update.W2")
    question = classroom.ask(store, owner)
    status, shown = post(view, {"token": token, "dark": True})
    assert shown["room"] == {**shown["room"], "kind": "open", "question": question}
    assert "0.108" not in json.dumps(shown) and "?" in shown["stage"]["substituted"]  # blanked until Reveal
    answer = app + ANSWER_PATH.format(code=owner.code, tag=tag)
    assert post(answer, {"token": token, "question": question, "text": "0,108040 -0,294441"}) == (
        200, {"ok": True, "message": "Your answer is in. You can change it until Reveal."})  # fmt: skip
    assert store.tallies(owner.code, owner.key, question).counts == {"right": 1}
    store.reveal(owner.code, owner.key)
    status, shown = post(view, {"token": token})
    assert shown["room"]["right"] is True and "0.108" in shown["stage"]["substituted"]


def test_the_phone_routes_refuse_what_is_not_a_phones_request(served):
    app, store = served
    owner = classroom.open_class(store, SEED)
    tag, token = store.watch_tag(owner.code), secrets.token_urlsafe(24)
    view, answer = (app + p.format(code=owner.code, tag=tag) for p in (VIEW_PATH, ANSWER_PATH))
    gone = {"ok": False, "message": classroom.GONE}
    assert post(app + VIEW_PATH.format(code=owner.code, tag=secrets.token_hex(12)), {"token": token}) == (404, gone)
    assert post(app + VIEW_PATH.format(code="ABCDEF", tag=tag), {"token": token})[0] == 404
    assert post(view, b"token=x", "application/x-www-form-urlencoded")[0] == 400  # a form from another site
    assert post(view, b"{not json")[0] == 400
    assert post(view, ["a list"])[0] == 400
    assert post(answer, {"token": token, "question": 1, "text": "1" * (MAX_BODY + 1)})[0] == 400  # read no further
    status, said = post(answer, {"token": token, "question": 1, "text": "1 2"})
    assert status == 422 and said["message"] == OVER  # no question open
