"""The lecturer's live class: start it, show how to join, follow the stage, ask, reveal, tally.

"Start a class session" (in the Presenter tools) opens a class on the scenario in force. The panel at
the top of the page then holds the join code, the students' link, the QR code (in a dialog big enough
for the back of a hall), Ask the class / Reveal / the downloads / End, and a fragment that runs every
second: it writes the lecturer's stage to the store when it changed (the students' phones follow it),
closes the question when the lecturer revealed its stage (Reveal button or clicker), and draws the
live count and the bar chart. The presenter key lives in this session and in the lecturer's own link
(``?class=CODE&presenter=KEY``, written by :func:`simulator.ui.state.write_link`); it is never drawn.
"""

from __future__ import annotations

import os
from datetime import timedelta

import streamlit as st

from simulator.live import ENV, LiveError, SessionState, Store, classroom, open_store
from simulator.views.class_figures import tally_figure
from simulator.views.quiz import value_label

from . import state
from .text import escaped

POLL = timedelta(seconds=1)  # the projector's count is at most this old
BAR_PX = 26  # a bar of the projector's chart: the panel stays one band above the stage (counts are on the bars)
PUBLIC_URL = "BACKPROP_PUBLIC_URL"  # the address students reach the app at, when the page's own is not it
FALLBACK_URL = "http://localhost:8501/"
PANEL_CODE_HTML = (
    '<div style="font: 700 2rem/1 ui-monospace, monospace; letter-spacing: 0.04em" aria-label="join code">'
    "Class {code}</div>"
)
PANEL_CSS = "<style>.st-key-class_panel [data-testid=stVerticalBlock] { gap: 0.45rem; }</style>"
CODE_HTML = (
    '<div style="font: 700 6.5rem/1.1 ui-monospace, monospace; letter-spacing: 0.08em; '
    'text-align: center" aria-label="join code">{code}</div>'
)


def configured_store() -> str | None:
    """``BACKPROP_STORE`` from the environment, else from ``.streamlit/secrets.toml``, else the default."""
    if os.environ.get(ENV):
        return None  # open_store reads it
    if st.secrets.load_if_toml_exists():
        value = st.secrets.get(ENV)
        return value if isinstance(value, str) else None
    return None


@st.cache_resource
def class_store() -> Store:
    """This process's client of the shared store (a connection, not the data: that lives in the store)."""
    return open_store(configured_store())


def base_url() -> str:
    return os.environ.get(PUBLIC_URL) or st.context.url or FALLBACK_URL


def presenter() -> classroom.Presenter | None:
    code, key = state.get("class_code"), state.get("class_key")
    return classroom.Presenter(code, key) if code and key else None


def note(kind: str, text: str) -> None:
    state.put("class_note", (kind, text))


def show_note() -> None:
    """The last class action's outcome: our own words, or a refusal (which may quote typed text: shown as text)."""
    found = state.get("class_note")
    if found:
        kind, text = found
        if kind == "success":
            st.success(text, icon=":material/check_circle:")
        else:
            st.error(escaped(text), icon=":material/error:")
        state.put("class_note", None)


def take_presenter_link(code: str, key: str) -> bool:
    """The lecturer's own link: True when ``key`` opens ``code`` (then this session presents it)."""
    if state.get("class_code") == code and state.get("class_key") == key:
        return True
    try:
        class_store().export(code, key)  # any presenter-only call checks the key (constant time)
    except LiveError as err:
        note("error", f"{err}: you follow this class as a student")
        return False
    state.put("class_code", classroom.normal_code(code))
    state.put("class_key", key)
    return True


def start_class() -> None:
    """Open a class on the scenario in force, at the stage on screen."""
    try:
        made = classroom.open_class(class_store(), state.get("scenario"), state.get("digits"))
        stage = lecturer_stage()
        class_store().set_stage(made.code, made.key, stage, hidden=blanked_here(stage))
    except LiveError as err:
        note("error", str(err))
        return
    state.put("class_code", made.code)
    state.put("class_key", made.key)


def start_entry() -> None:
    """The Presenter tools' entry: a button, or the running class's code."""
    if presenter() is not None:
        st.caption(f"Class {state.get('class_code')} is live: its panel is at the top of the page.")
        return
    if st.button("Start a class session", key="class_start", icon=":material/groups:", width="stretch"):
        start_class()
        st.rerun(scope="app")  # the class panel lives outside the stepper's fragment


# The browser's walk turns pages without a rerun and keeps the stage in the URL; Streamlit's own reruns carry
# the query string it last set, not that one. This watcher reads the URL's stage in the lecturer's browser and
# hands it to the panel's fragment when it changes (a fragment run: cheap, and only on a change).
WATCH_JS = """
export default function ({ setStateValue }) {
  const watch = window.__bpClassStage || (window.__bpClassStage = { last: null });
  watch.set = setStateValue;
  clearInterval(watch.timer);
  watch.timer = setInterval(() => {
    const stage = new URLSearchParams(window.location.search).get("stage") || "";
    if (stage !== watch.last) { watch.last = stage; watch.set("stage", stage); }
  }, 250);
  return () => { clearInterval(watch.timer); watch.last = null; };
}
"""
_WATCH = st.components.v2.component("backprop_class_stage", js=WATCH_JS)


def watch_stage() -> None:
    """Mount in the panel's fragment: a change of the URL's stage reruns only the fragment."""
    _WATCH(key="class_stage_watch", on_stage_change=lambda: None)


def lecturer_stage() -> str:
    """The stage on the projector: the one the lecturer's browser shows (its URL), else the session's."""
    shown = (st.session_state.get("class_stage_watch") or {}).get("stage")
    ids = state.computed().ids
    return shown if shown in ids else state.get("stage")


def blanked_here(stage_id: str) -> bool:
    """Does the projector blank this stage's numbers (blank mode, not yet revealed)? As ``presenter.blanked``,
    which imports this module."""
    return bool(state.get("blank")) and state.get("revealed") != stage_id


def sync(found: SessionState, owner: classroom.Presenter) -> None:
    """Write the lecturer's stage and its blanking when they changed; close the question once its stage was
    revealed here. The phones follow both: a stage blanked on the projector is blanked on every phone."""
    store, stage = class_store(), lecturer_stage()
    if found.asking == "open" and state.get("revealed") == found.question_stage:
        store.reveal(owner.code, owner.key)
    hidden = blanked_here(stage)
    if (stage, hidden) != (found.stage, found.hidden):
        store.set_stage(owner.code, owner.key, stage, hidden=hidden)


def ask() -> None:
    owner = presenter()
    try:
        found = class_store().state(owner.code)
        if found is not None:
            sync(found, owner)
        classroom.ask(class_store(), owner)
    except LiveError as err:
        note("error", str(err))
        return
    state.put("blank", True)  # the projector hides the stage's numbers until Reveal, as the phones do
    state.put("revealed", None)


def reveal() -> None:
    owner = presenter()
    try:
        found = class_store().state(owner.code)
        class_store().reveal(owner.code, owner.key)
    except LiveError as err:
        note("error", str(err))
        return
    if found is not None:
        state.put("revealed", found.question_stage)


def end() -> None:
    owner = presenter()
    try:
        class_store().end_session(owner.code, owner.key)
    except LiveError as err:
        note("error", str(err))
    state.put("class_code", None)
    state.put("class_key", None)
    note("success", "The class session ended; its answers and tallies are deleted.")


@st.dialog("Join the class", width="large")
def qr_dialog(link: str, code: str) -> None:
    """The QR code as large as the dialog allows, the code in type legible from the back row."""
    qr, words = st.columns([1.15, 1], vertical_alignment="center")
    qr.image(classroom.qr_svg(link), width="stretch")
    with words:
        st.markdown("Scan, or open the link and type nothing else:")
        st.html(CODE_HTML.format(code=classroom.normal_code(code)))  # our own alphabet: no user text
        st.code(link, language=None, wrap_lines=True)
        if not os.environ.get(PUBLIC_URL):
            st.caption(f"Phones must reach this address; set {PUBLIC_URL} when they reach the app by another.")


def join_card(owner: classroom.Presenter) -> str:
    """The code in large type and the students' link (never the key); the link."""
    link = classroom.join_link(base_url(), owner.code)
    st.html(PANEL_CODE_HTML.format(code=classroom.normal_code(owner.code)))  # our own alphabet: no user text
    st.markdown(f"`{link}`")  # a URL we built: no backtick in it
    return link


def downloads(owner: classroom.Presenter) -> None:
    """The tallies as files (built only when clicked) and End, in a popover: rarely used, kept off the projector."""
    st.download_button(
        "Tallies CSV",
        data=lambda: classroom.export_csv(class_store(), owner),
        file_name=f"class-{owner.code}.csv",
        mime="text/csv",
        key="class_csv",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )
    st.download_button(
        "Tallies JSON",
        data=lambda: classroom.export_json(class_store(), owner),
        file_name=f"class-{owner.code}.json",
        mime="application/json",
        key="class_json",
        on_click="ignore",
        icon=":material/download:",
        width="stretch",
    )
    if st.button("End session", key="class_end", icon=":material/stop_circle:", width="stretch"):
        end()
        st.rerun(scope="app")  # the panel goes
    st.caption("Your address bar holds the presenter key: project in full screen (F11).")


def actions(owner: classroom.Presenter, link: str) -> None:
    """Ask and Reveal at hand, and the big QR code."""
    with st.container(horizontal=True, gap="small"):
        if st.button("Ask the class", key="class_ask", type="primary", icon=":material/quiz:"):
            ask()
        if st.button("Reveal all", key="class_reveal", icon=":material/visibility:"):
            reveal()
        if st.button("QR", key="class_qr_button", icon=":material/qr_code_2:", help="The QR code, big, for a hall"):
            qr_dialog(link, owner.code)


def class_panel() -> None:
    """The lecturer's class panel: one low band above the stage (a small QR code, the code and link, the buttons,
    the count and chart), so the graph stays on screen at 1280 × 720. Nothing when this page presents no class."""
    show_note()
    owner = presenter()
    if owner is None:
        return
    with st.container(key="class_panel", border=True):
        st.html(PANEL_CSS)
        qr, card, live = st.columns([0.36, 2.2, 2], gap="small")
        with card:
            link = join_card(owner)
            actions(owner, link)
        qr.image(classroom.qr_svg(link, scale=4), width="stretch")  # the front rows scan it; the dialog's is big
        with qr.popover("⋯", help="Tallies as CSV or JSON; end the session"):  # rarely used: one click away
            downloads(owner)
        with live:
            live_tally()


def drifted(found: SessionState) -> None:
    """Say so when the projector no longer shows the class's step (an edit, a classic mistake, paper mode)."""
    if classroom.payload(state.get("scenario"), state.get("digits")) != found.scenario:
        st.warning("The network changed after the class started: phones still show the class's. "
                   "End the session and start a new one to use this network.", icon=":material/warning:")  # fmt: skip
    elif state.get("mistake"):
        st.caption("A classic mistake is on here; the phones show the correct step.")


@st.fragment(run_every=POLL)
def live_tally() -> None:
    """Every second: push the stage if it moved, then the current question's count and chart."""
    owner = presenter()
    if owner is None:
        return
    watch_stage()
    store = class_store()
    found = store.state(owner.code)
    if found is None:
        state.put("class_code", None)
        state.put("class_key", None)
        note("error", classroom.GONE)
        st.rerun(scope="app")
    sync(found, owner)
    drifted(found)
    if not found.question:
        st.caption("Step to a stage and press Ask the class: the phones blank its numbers and take predictions.")
        return
    tally = store.tallies(owner.code, owner.key, found.question)
    status = "open" if found.asking == "open" else "revealed"
    asked = f"{value_label(found.value)} at {found.question_stage}"
    st.markdown(f"**Question {found.question}** · {asked}, {status}: **{tally.answered}** answered")
    if tally.answered:
        dark = st.context.theme.type == "dark"
        bars = classroom.bars(tally)
        figure = tally_figure(bars, lecture=bool(state.get("lecture")), dark=dark)
        figure.update_layout(height=BAR_PX * len(bars) + 12, margin={"t": 0, "b": 0}, xaxis={"visible": False})
        config = {"displayModeBar": False, "staticPlot": True}
        st.plotly_chart(figure, key="class_tally", config=config, width="stretch")
