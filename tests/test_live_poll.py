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
from simulator.ui.live_poll import FRESH_S, path

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
