"""A student's phone in a live class (``?class=CODE``): follow the lecturer, predict, see your verdict.

The page runs in Streamlit once, to join (join codes are rate-limited) and hand the phone its watch tag;
from then on the phone's own component (``phone.js``) does everything with no Streamlit run: a Web Worker
polls the class's version every second (:mod:`.live_poll`'s GET route, ~0.3 ms of server CPU), a change
brings what to show in one POST (:func:`simulator.live.phone.phone_view`: the stage is built once per
process for every phone), and Send is one POST checked by the quiz's reader and engine
(:func:`simulator.live.phone.phone_answer`). While a question is open, or while the lecturer blanks the
stage's numbers, they read "?" (the phone never receives them). The answer can change until Reveal; after
it the phone shows the numbers and this tab's own verdict. The tab's token, the nickname and the typed
text stay in the browser; the store only ever sees an HMAC of the token, the diagnosis label and verdict.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import streamlit as st

from simulator.live import LiveError, classroom

from . import live_poll, state
from .live_class import class_store, show_note, take_presenter_link
from .text import escaped
from .walk_view import KATEX, PLOTLY

POLL_ENV = "BACKPROP_CLASS_POLL"  # seconds between a phone's polls, 0.5 to 10 (a poll costs the server ~0.3 ms)
_HERE = Path(__file__).parent


def poll_interval() -> float:
    """Seconds between a phone's polls: 1 by default (±25 % jitter), so a phone follows within 2 s."""
    try:
        seconds = float(os.environ.get(POLL_ENV, "1"))
    except ValueError:
        seconds = 1.0
    return min(10.0, max(0.5, seconds))


POLL = poll_interval()
_PHONE = st.components.v2.component(
    "backprop_class_phone",
    html=(_HERE / "phone.html").read_text(),
    css=(_HERE / "katex.css").read_text() + (_HERE / "walk.css").read_text() + (_HERE / "phone.css").read_text(),
    js=((_HERE / "walk_common.js").read_text() + live_poll.WORKER_JS + (_HERE / "phone.js").read_text()),
    isolate_styles=False,
)


def student_page() -> bool:
    """Route ``?class=CODE``: True when this page is a student's (drawn here), False for anything else."""
    params = st.query_params
    if classroom.JOIN_PARAM not in params:
        return False
    state.init()
    code, key = params[classroom.JOIN_PARAM], params.get(classroom.KEY_PARAM)
    if key is not None and take_presenter_link(code, key):
        return False  # the lecturer's own link: the full page with the class panel
    student_view(code)
    return True


def token() -> str:
    """This session's stand-in for the browser when it joins (the rate limit on wrong codes counts by it)."""
    if state.get("class_token") is None:
        state.put("class_token", secrets.token_urlsafe(24))
    return state.get("class_token")


def joined(code_text: str) -> str | None:
    """The normalised code once the store took it (wrong codes are rate-limited per browser)."""
    try:
        code = classroom.normal_code(code_text)
        if state.get("class_code") != code:
            class_store().join(code, token())
            state.put("class_code", code)
            state.put("class_key", None)
    except LiveError as err:
        st.error(escaped(str(err)))
        return None
    return code


def student_view(code_text: str) -> None:
    """Join, then hand the phone's component what it needs: the class's routes (with the watch tag)."""
    code = joined(code_text)
    if code is None:
        return
    show_note()  # e.g. an edited presenter key: "only the presenter of this class can do that"
    try:
        tag = class_store().watch_tag(code)
    except LiveError:
        st.info(classroom.GONE)
        return
    _PHONE(
        key="class_phone",
        data={
            "code": code,
            "poll_url": live_poll.path(code, tag),
            "view_url": live_poll.VIEW_PATH.format(code=code, tag=tag),
            "answer_url": live_poll.ANSWER_PATH.format(code=code, tag=tag),
            "period": POLL,
            "dark": st.context.theme.type == "dark",
            "katex": KATEX,
            "plotly": PLOTLY,
        },
    )
