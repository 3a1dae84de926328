"""Stepping through the stages: the walk (stepping in the browser) and the rooms that need the server."""

from __future__ import annotations

import streamlit as st

from simulator.core import training
from simulator.views.stages import FIRST_STAGE

from . import learning, presenter, state
from .gradcheck_view import nudge_room
from .intro import start_here
from .tables_view import all_update_tables
from .text import problems_box
from .walk_view import stage_sync, walk_component


def go_to(index: int) -> None:
    ids = state.computed().ids
    state.move_to(ids[max(0, min(index, len(ids) - 1))])


def move(offset: int) -> None:
    if offset > 0 and presenter.reveal_first():  # blank the answer: the first press reveals
        return
    go_to(state.computed().index + offset)


def take_step() -> None:
    """Continue from the updated weights; the whole page reruns so every view shows them."""
    taken = training.take_step(state.get("scenario"), state.get("losses"))
    if taken.problem:
        state.note_problem("take_step", [taken.problem])
        return
    if not state.set_scenario(taken.scenario, "take_step"):  # the next step overflows: this one stays
        return
    state.put("losses", taken.losses)
    state.move_to(FIRST_STAGE)


def take_step_room() -> None:
    """At the last stage (shown there by the page's CSS, whichever stage the server last knew): continue."""
    with st.container(key="take_step_room"):
        if st.button("Take this step and start the next one", key="take_step", on_click=take_step):
            st.rerun(scope="app")  # the sidebar and the download live outside this fragment
        problems_box(state.get("problems").get("take_step", []), kind="warning")


def step_through() -> None:
    """The Step-through view: the learning controls around the stepper.

    They sit outside the fragment, so a rerun of the stepper does not send them again; changing one reruns
    the whole page, which it must (the step itself changes). On a projector they go below the stage, so the
    graph, the formula and the table come first.
    """
    if not state.get("lecture"):
        start_here()  # first time in this browser: what the page is, and where to begin
        learning.controls()  # quiz, classic mistake, paper mode, form, notation
    stage_sync()
    stepper()
    if state.get("lecture"):
        with st.expander("Learn: quiz, classic mistakes, paper mode, views", key="learning_tools"):
            learning.controls()


STEPPER = "stepper"  # the stepper's fragment key: an edit in the editor reruns it (ui.editor)


@st.fragment(key=STEPPER)
def stepper() -> None:
    """The walk and, under it, what needs the server: a Next click reruns nothing, a Reveal or a quiz step only this."""
    state.put("walk_drawn", True)
    state.follow_browser_stage()  # a fragment rerun: the browser may have stepped since the server last heard
    now = state.computed()
    index = now.index
    state.put("stage", now.ids[index])  # an edit may have removed the stage that was current
    learning.status(now)
    walk_component(now, index)
    learning.quiz_room(now, index)  # quiz mode: the student's answers before the numbers (every step asks the server)
    take_step_room()
    with st.container(key="stage_tools", width=220):
        presenter.presenter_tools()
    nudge_room(now)
    learning.below(now)  # loss curves with and without the mistake; paper mode's drift
    if presenter.shown("tables"):
        all_update_tables(now.record)
    state.write_link()
