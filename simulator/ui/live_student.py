"""A student's phone in a live class (``?class=CODE``): follow the lecturer, predict, see your verdict.

The page joins once (join codes are rate-limited), then a small component polls the class's version
every second over a tiny route beside Streamlit (:mod:`.live_poll`): no Streamlit run at all; only
when the lecturer changed something does the whole page rerun and read the class's state. The stage
is the lecturer's, on the class's scenario; while a question is open, or while the lecturer blanks the
stage's numbers, they read "?" (the page never receives them) and, for a question, a field takes the
prediction, checked on the server by the quiz's reader and engine. The answer can change until Reveal;
after it the phone shows the numbers and this browser's own verdict. The nickname and the typed text stay in this
session; the store only ever sees the diagnosis label and verdict.
"""

from __future__ import annotations

import os
import re
import secrets

import plotly.graph_objects as go
import streamlit as st

from simulator.live import LiveError, SessionState, classroom
from simulator.views.figures import network_figure
from simulator.views.graph import graph_model
from simulator.views.narration import blank_latex
from simulator.views.quiz import TOLERANCE_TEXT, value_label

from . import live_poll, state
from .live_class import class_store, note, show_note, take_presenter_link
from .text import escaped

POLL_ENV = "BACKPROP_CLASS_POLL"  # seconds between a phone's polls, 0.5 to 10 (a poll costs the server ~0.3 ms)


def poll_interval() -> float:
    """Seconds between a phone's polls: 1 by default (±25 % jitter), so a phone follows within 2 s."""
    try:
        seconds = float(os.environ.get(POLL_ENV, "1"))
    except ValueError:
        seconds = 1.0
    return min(10.0, max(0.5, seconds))


POLL = poll_interval()


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


# The tab keeps its token in sessionStorage (per tab, kept across a reload and a reconnect to another
# replica) and hands it to the page once; until then the session's own random token stands in.
TAB_JS = """
export default function ({ data, setStateValue }) {
  let token = sessionStorage.getItem("backprop-class-token");
  if (!/^[A-Za-z0-9_-]{32}$/.test(token || "")) {
    const bytes = crypto.getRandomValues(new Uint8Array(24));
    token = btoa(String.fromCharCode(...bytes)).replace(/\\+/g, "-").replace(/\\//g, "_");
    sessionStorage.setItem("backprop-class-token", token);
  }
  if (data !== token) setStateValue("token", token);
}
"""
_TAB = st.components.v2.component("backprop_class_tab", js=TAB_JS)
TAB_TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")


def token() -> str:
    """This tab's token: random, never in the URL; the store keeps only an HMAC of it."""
    if state.get("class_token") is None:
        state.put("class_token", secrets.token_urlsafe(24))
    return state.get("class_token")


def tab_token() -> None:
    """Mount the tab's token keeper first and take the token it holds, so a reload or a failover to another
    replica counts as the same phone (a new session hears it in its first run: the page resends it)."""
    held = _TAB(key="class_tab", data=state.get("class_token") or "", on_token_change=lambda: None)
    given = getattr(held, "token", None)
    if isinstance(given, str) and TAB_TOKEN.fullmatch(given):
        state.put("class_token", given)
        state.put("class_token_held", True)


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
    nick = st.session_state.get("nickname_field") or state.get("nickname")
    state.put("nickname", str(nick)[:40])
    tab_token()
    code = joined(code_text)
    if code is None:
        return
    st.markdown(f"#### Class {code}" + (f" · {escaped(nick, 40)}" if nick else ""))  # the code: our alphabet
    show_note()
    found = class_store().state(code)
    try:
        tag = class_store().watch_tag(code)
    except LiveError:
        found = None  # ended between the two reads
    if found is None:
        st.info(classroom.GONE)
        return
    state.put("class_version", found.version)
    stage_card(found)
    with st.expander("Nickname (stays on this phone)"):
        st.text_input("Nickname", key="nickname_field", max_chars=40, placeholder="optional")
    live_poll.follow(code, tag, found.version, POLL)


def shown_stage(found: SessionState) -> str:
    """The open question's stage while it is open, else the lecturer's."""
    return found.question_stage if found.asking == "open" else found.stage


def hidden(found: SessionState) -> bool:
    """Are the shown stage's numbers kept from the phone: a question open, or the lecturer blanking them?"""
    return found.asking == "open" or found.hidden


class SharedFigure(go.Figure):
    """A figure whose dict is made once. ``st.plotly_chart`` asks a Figure for ``to_dict()`` on every call, a deep
    copy that cost about 10 ms of the 13 ms of a phone's rerun; a dict instead it validates anew (about 30 ms).
    Plotly only reads the dict to write the chart's JSON, so every phone may share it: nothing mutates it."""

    def __init__(self, figure: go.Figure):
        super().__init__(figure)
        self._shared = super().to_dict()

    def to_dict(self) -> dict:
        return self._shared


@st.cache_resource(max_entries=64)
def class_graph(scenario_json: str, index: int, hidden: bool, dark: bool) -> go.Figure:
    """The class's graph at a stage, built once per process for all its phones; shared, so never mutated."""
    record, stages = classroom.class_record(scenario_json), classroom.class_stages(scenario_json)
    return SharedFigure(network_figure(graph_model(record, stages, index, blank=hidden), dark=dark))


def stage_card(found: SessionState) -> None:
    stages = classroom.class_stages(found.scenario)
    ids = [s.id for s in stages]
    index = ids.index(shown_stage(found)) if shown_stage(found) in ids else 0
    stage, hiding = stages[index], hidden(found)
    st.subheader(f"Stage {index + 1} of {len(stages)} — {stage.title}")
    answer_room(found)  # under the title: on a phone the field is at hand without scrolling
    figure = class_graph(found.scenario, index, hiding, st.context.theme.type == "dark")
    st.plotly_chart(figure, key="class_graph", config={"displayModeBar": False, "staticPlot": True}, width="stretch")
    st.write(stage.explanation)
    st.latex(stage.formula)
    st.latex(r"\small " + (blank_latex(stage) if hiding else stage.substituted))


def send(code: str, question: int) -> None:
    """The Send button: check and count this browser's answer (a callback only records the outcome)."""
    text = str(st.session_state.get(f"class_answer_{question}") or "")
    if not state.get("class_token_held"):  # a new session (a reload, a failover) before the tab's token came
        note("error", "Reconnecting to the class: press Send again in a second.")
        return  # counting it under a stand-in token would count this phone twice
    try:
        classroom.answer(class_store(), code, question, token(), text)
    except ValueError as err:  # LiveError (closed, too fast, too long) or the reader's message quoting the text
        note("error", str(err))
        return
    state.put("class_sent", (question, text))
    note("success", "Your answer is in. You can change it until Reveal.")


def answer_room(found: SessionState) -> None:
    """The prediction field while a question is open; this browser's verdict once it is revealed."""
    if not found.question or found.asking == "none":
        st.caption("Follow the lecturer's stage. When a question opens, type your prediction here.")
        return
    sent = state.get("class_sent")
    mine = sent[1] if sent and sent[0] == found.question else None
    if found.asking == "open":
        with st.form(key=f"class_form_{found.question}", border=True, enter_to_submit=True):
            st.text_input(
                f"Your prediction: {value_label(found.value)}",
                key=f"class_answer_{found.question}",
                placeholder="one number per value: 0,24 or 0.24; rows separated by ;",
                max_chars=classroom.MAX_ANSWER_CHARS,
            )
            st.form_submit_button("Send", type="primary", on_click=send, args=(found.code, found.question))
        if mine is not None:
            st.caption("Sent: " + escaped(mine, 60))
        st.caption(TOLERANCE_TEXT)
        return
    verdict(found, mine)


def verdict(found: SessionState, mine: str | None) -> None:
    try:
        own = classroom.my_verdict(class_store(), found.code, found.question, token())
    except LiveError as err:
        st.caption(escaped(str(err)))
        return
    if own is None:
        st.info("The answer is revealed: compare your working with the numbers above.")
        return
    name, words = own
    if name == classroom.RIGHT:
        st.success("Right.", icon=":material/check_circle:")
    else:
        st.error(words, icon=":material/cancel:")  # the quiz's own sentence, made on the server: no typed text in it
    if mine:
        st.caption("You sent " + escaped(mine, 60))
