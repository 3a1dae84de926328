"""Stepping through the stages: the controls, the stage panel, and the fragment that holds them."""

from __future__ import annotations

import streamlit as st

from simulator.core import training
from simulator.core.names import subscript
from simulator.views.formatting import number
from simulator.views.stages import FIRST_STAGE

from . import learning, presenter, state
from .graph_panel import network_graph
from .keys import clicker
from .tables_view import all_update_tables, stage_table_row
from .text import problems_box


def go_to(index: int) -> None:
    ids = state.computed().ids
    state.put("stage", ids[max(0, min(index, len(ids) - 1))])


def move(offset: int) -> None:
    if offset > 0 and presenter.reveal_first():  # blank the answer: the first press reveals
        return
    go_to(state.computed().index + offset)


def pick_stage() -> None:
    state.put("stage", st.session_state.stage_picker)


def stage_controls(stages, index: int) -> None:
    reset, previous, following, end, picker, tools = st.columns([1, 1, 1, 1, 2.6, 1.4], vertical_alignment="bottom")
    reset.button(
        "Reset",
        key="reset",
        icon=":material/restart_alt:",
        on_click=go_to,
        args=(0,),
        width="stretch",
        help="Back to the first stage",
    )
    previous.button(
        "Prev",
        key="prev",
        icon=":material/chevron_left:",
        on_click=move,
        args=(-1,),
        help="Left arrow or Page Up",
        disabled=index == 0,
        width="stretch",
    )
    following.button(
        "Next",
        key="next",
        icon=":material/chevron_right:",
        icon_position="right",
        on_click=move,
        args=(1,),
        help="Right arrow or Page Down",
        type="primary",
        disabled=index == len(stages) - 1,
        width="stretch",
    )
    end.button(
        "End",
        key="end",
        icon=":material/skip_next:",
        icon_position="right",
        help="Jump to the last stage",
        on_click=go_to,
        args=(len(stages) - 1,),
        width="stretch",
    )
    ids = [s.id for s in stages]
    titles = {s.id: f"{k + 1}. {s.title}" for k, s in enumerate(stages)}
    st.session_state.stage_picker = ids[index]
    picker.selectbox(
        "Stage",
        ids,
        key="stage_picker",
        on_change=pick_stage,
        label_visibility="collapsed",
        format_func=titles.get,
    )
    with tools:
        presenter.presenter_tools()


def take_step() -> None:
    """Continue from the updated weights; the whole page reruns so every view shows them."""
    taken = training.take_step(state.get("scenario"), state.get("losses"))
    if taken.problem:
        state.note_problem("take_step", [taken.problem])
        return
    if not state.set_scenario(taken.scenario, "take_step"):  # the next step overflows: this one stays
        return
    state.put("losses", taken.losses)
    state.put("stage", FIRST_STAGE)


def stage_panel(record, stages, index: int) -> None:
    stage = stages[index]
    st.write(stage.explanation)
    st.latex(stage.formula)
    learning.shapes(stage)  # matrix form: the shape under every factor
    learning.quiz_room(state.computed(), index)  # quiz mode: the student's answers before the numbers
    presenter.worked_numbers(stage)  # substituted formula and code, "?" while blanked
    if stage.kind == "apply":
        if not presenter.hiding(stage.id):  # blanked or quizzed: the new output and loss are answers too
            *outputs, after = st.columns(len(record.new_output) + 1)
            for k, (column, new, old) in enumerate(zip(outputs, record.new_output, record.output), start=1):
                column.metric(f"Output o{subscript(k)}", number(new, 6), f"{new - old:+.3g}")
            after.metric(
                "Loss E", number(record.new_loss, 6), f"{record.new_loss - record.loss:+.3g}", delta_color="inverse"
            )
        if st.button("Take this step and start the next one", key="take_step"):
            take_step()
            st.rerun(scope="app")  # the sidebar and the download live outside this fragment
        problems_box(state.get("problems").get("take_step", []), kind="warning")
    learning.beside(state.computed(), index)  # the mistake beside the correct step; gradient check and nudge


def step_through() -> None:
    """The Step-through view: the learning controls around the stepper.

    They sit outside the fragment, so a Next click does not send them again; changing one reruns the
    whole page, which it must (the step itself changes). On a projector they go below the stage, so the
    graph, the formula and the table come first.
    """
    if not state.get("lecture"):
        learning.controls()  # quiz, classic mistake, paper mode, form, notation
    stepper()
    if state.get("lecture"):
        with st.expander("Learn: quiz, classic mistakes, paper mode, views", key="learning_tools"):
            learning.controls()


@st.fragment
def stepper() -> None:
    """Controls, graph, stage panel and tables: a Next click reruns only this."""
    now = state.computed()
    record, stages, index = now.record, now.stages, now.index
    state.put("stage", stages[index].id)  # an edit may have removed the stage that was current
    with st.container(key="controls"):  # sticky (style.py): controls and stage title at every scroll position
        stage_controls(stages, index)
        st.subheader(f"Stage {index + 1} of {len(stages)} — {stages[index].title}")
    learning.status(now)
    graph_column, panel_column = st.columns([1.2, 1], gap="medium")  # the graph at least as wide as the text
    with graph_column:
        network_graph(record, stages, index)
        if presenter.hiding(stages[index].id):
            st.caption("The tables of this stage are hidden until Reveal.")
        elif presenter.shown("tables"):
            stage_table_row(record, stages[index])
        presenter.graph_as_table(record, stages, index)
    with panel_column:
        stage_panel(record, stages, index)
        clicker(index, len(stages), presenter.narration(record, stages[index]), move, presenter.more_ahead)
    learning.below(now)  # loss curves with and without the mistake; paper mode's drift
    if presenter.shown("tables"):
        all_update_tables(record)
    state.write_link()
