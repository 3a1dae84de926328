"""Backprop Simulator: step through one training step of a small network, stage by stage.

Read state (the URL once per session, then session state), compute (the engine, once per
rerun), render (the rooms of ``simulator.ui``), write the URL.
"""

from __future__ import annotations

import streamlit as st

from simulator.ui import state
from simulator.ui.activations import activation_view
from simulator.ui.collector import tune_for_a_class
from simulator.ui.editor import editing_panel
from simulator.ui.flush import visit_waiting_sessions_only, wake_the_loop_once
from simulator.ui.handouts import handouts_view
from simulator.ui.keys import install as install_clicker
from simulator.ui.live_class import class_panel
from simulator.ui.live_poll import routes as class_routes
from simulator.ui.live_student import student_page
from simulator.ui.presenter import shown
from simulator.ui.reconnect import rerun_after_reconnect
from simulator.ui.stepper import step_through
from simulator.ui.style import page_style
from simulator.ui.text import problems_box
from simulator.ui.training import training_panel
from simulator.ui.turns import count_fragment_runs, let_others_go, page_turn
from simulator.ui.walk_assets import routes as walk_routes
from simulator.ui.walk_worker import start as start_walk_worker

VIEWS = {
    "Step through": step_through,
    "Train": training_panel,
    "Activation functions": activation_view,
    "Handouts": handouts_view,
}


def header() -> None:
    if shown("title"):  # a lecturer's link can hide=title (the row with the Lecture toggle goes too)
        title, toggle = st.columns([5, 1], vertical_alignment="center")
        title.title("Backprop Simulator")
        toggle.toggle("Lecture mode", key="lecture")
    problems_box(
        state.get("link_problems"),
        "This link could not be used in full; these fields were ignored and defaults used instead:",
        icon="🔗",
        kind="warning",
    )


def views() -> None:
    if not shown("tabs"):  # hide=tabs: the stepper alone
        step_through()
        return
    # Only the open tab is built, so a click in one never pays for the others.
    state.put("walk_drawn", False)  # the stepper says when it is drawn: an edit then reruns only it and the editor
    tabs = st.tabs(list(VIEWS), key="view", on_change="rerun")
    for tab, build in zip(tabs, VIEWS.values()):
        if tab.open:
            with tab:
                build()


def editor() -> None:
    if not shown("editor"):
        return
    if state.get("lecture"):
        expander = st.expander("Edit the network", key="lecture_editor", on_change="rerun")
        if expander.open:
            with expander:
                editing_panel()
    else:
        with st.sidebar:
            st.header("Edit the network")
            editing_panel()


def main() -> None:
    st.set_page_config(page_title="Backprop Simulator", page_icon="🧮", layout="wide")
    if student_page():  # ?class=CODE without the presenter's key: the phone's view of a live class, only
        return  # the phone follows and answers through its own routes: a replica's death costs it nothing
    state.read_link_once()
    page_style()
    install_clicker()  # the keyboard's code, sent once per page load rather than with every Next click
    header()
    class_panel()  # the lecturer's live class: join code, QR, Ask / Reveal, the live tally
    let_others_go()  # a first view steps aside for the runs of pages already open (an edit, an answer)
    views()
    let_others_go()
    editor()
    state.write_link()
    rerun_after_reconnect()  # a page whose server died reruns in full on the next one


if __name__ == "__main__":
    with page_turn(first_view=state.first_view()):  # first views take turns; nothing else waits for them
        main()
elif __name__ != "__mp_main__":  # `streamlit run` imports this file for its server (a walk worker, too, by that name)
    app = st.App(__file__, routes=class_routes() + walk_routes())  # the phones' polls; the walk's code, once
    start_walk_worker()  # a second process builds each new scenario's walk, beside the event loop
    tune_for_a_class()  # the garbage collector: no long pauses with hundreds of sessions
    count_fragment_runs()  # an edit (a fragment run) goes ahead of the first views (turns)
    visit_waiting_sessions_only()  # Streamlit's message loop skips the idle sessions, sends the others' at once
    wake_the_loop_once()  # … and a script wakes it once per batch of messages, not once per message
