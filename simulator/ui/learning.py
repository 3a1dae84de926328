"""Learning by doing: one row of controls (quiz, classic mistake, paper mode, form, notation) and the
rooms they open in the stage panel and under it.

Every control copies its widget into the canonical key of :mod:`simulator.ui.state` (which travels in
links: ``quiz=1``, ``mistake=ID``, ``round=K``, ``form=scalar``, ``notation=mazur``); the engine does the
rest (``state.computed()`` runs the step with the mistake and paper mode in force).
"""

from __future__ import annotations

import streamlit as st

from simulator.core.experiments import paper_drift
from simulator.core.mistakes import MISTAKES
from simulator.views.forms import MATRIX, SCALAR
from simulator.views.learning_figures import paper_drift_figure
from simulator.views.notation import MAZUR, ZAD

from . import mistakes_view, presenter, quiz, state
from .gradcheck_view import gradient_room
from .text import problems_box

PAPER_DIGITS = (2, 3, 4, 5, 6, 7, 8)
FORMS = {MATRIX: "Matrix", SCALAR: "Scalar"}
NOTATIONS = {ZAD.id: "z, a, δ", MAZUR.id: "net, out"}
# widget key → state name
WIDGETS = {"l_quiz": "quiz", "l_mistake": "mistake", "l_digits": "digits", "l_form": "form", "l_notation": "notation"}


NONE = {"l_mistake": "", "l_digits": 0}  # a selectbox shows None as "Choose an option": these stand for it


COMPUTING = ("mistake", "digits")  # options that change the computation: checked before they are put in force


def _copy(widget: str) -> None:
    value = st.session_state[widget]
    if value is None:  # a segmented control clicked off keeps its choice
        return
    name, value = WIDGETS[widget], None if widget in NONE and value == NONE[widget] else value
    if name in COMPUTING:
        options = {"mistake": state.get("mistake"), "digits": state.get("digits"), name: value}
        problems = state.option_problems(state.get("scenario"), options["mistake"], options["digits"])
        if problems:  # the last good option stays; the message sits under the controls
            state.note_problem(name, problems)
            return
        state.note_problem(name, [])
    state.put(name, value)


def controls() -> None:
    """Quiz · Classic mistake · Paper mode · Form · Notation, in one row (wrapping on a phone)."""
    for widget, name in WIDGETS.items():
        value = state.get(name)
        st.session_state[widget] = NONE[widget] if value is None and widget in NONE else value
    digits = state.get("digits")
    paper = [0, *PAPER_DIGITS] + ([digits] if digits is not None and digits not in PAPER_DIGITS else [])
    with st.container(key="learning", horizontal=True, vertical_alignment="bottom", gap="small"):
        st.toggle(
            "Quiz",
            key="l_quiz",
            on_change=_copy,
            args=("l_quiz",),
            help="Type each stage's values before they appear (link: quiz=1).",
        )
        st.selectbox(
            "Classic mistake",
            ["", *MISTAKES],
            key="l_mistake",
            on_change=_copy,
            args=("l_mistake",),
            format_func=lambda m: MISTAKES[m].title if m else "None: the correct step",
            help="Run the whole step with a mistake students make, beside the correct one (link: mistake=ID).",
            width=195,
        )
        st.selectbox(
            "Paper mode",
            paper,
            key="l_digits",
            on_change=_copy,
            args=("l_digits",),
            format_func=lambda k: f"{k} significant digits" if k else "Full precision",
            help="Round every value a stage shows to k significant digits before a later stage uses it (round=K).",
            width=165,
        )
        st.segmented_control(
            "Form",
            list(FORMS),
            key="l_form",
            on_change=_copy,
            args=("l_form",),
            format_func=FORMS.get,
            label_visibility="collapsed",
            help="Whole matrices with their shapes, or each unit's own sum (link: form=scalar).",
        )
        st.segmented_control(
            "Notation",
            list(NOTATIONS),
            key="l_notation",
            on_change=_copy,
            args=("l_notation",),
            format_func=NOTATIONS.get,
            help="Our z, a, δ or the net/out names of Matt Mazur's worked example (link: notation=mazur).",
            label_visibility="collapsed",
        )
    for name in COMPUTING:
        problems_box(state.get("problems").get(name, []), "Kept as it was:", kind="warning")


def status(now) -> None:
    """What the controls changed, in a line each: the mistake and where it shows, paper mode's drift."""
    mistakes_view.status(now)
    digits = state.get("digits")
    if digits is not None:
        drift = paper_drift(now.record.scenario, digits)
        st.caption(
            f"Paper mode: every value rounded to {digits} significant digits before it is used. After this step "
            f"the weights are at most {drift.weight_drift:.2g} away from full precision, and the new loss "
            f"{drift.new_loss:.6g} is {drift.loss_drift:.2g} away from {drift.exact_new_loss:.6g}."
        )


def shapes(stage) -> None:
    """Matrix form: the formula again with each factor's shape underneath."""
    if state.get("form") == MATRIX and stage.shapes:
        st.latex(r"\small " + stage.shapes)


def beside(now, index: int) -> None:
    """Under the stage's numbers, once they are shown: the mistake side by side, the gradient check and nudge."""
    stage = now.stages[index]
    if presenter.hiding(stage.id):
        return
    mistakes_view.side_by_side(now, index)
    gradient_room(now.record, stage)


def below(now) -> None:
    """Across the page under the graph: loss curves with and without the mistake, paper mode's drift over k."""
    if state.get("mistake") is not None:
        with st.container(key="mistake_curves"):
            st.markdown("**What the mistake does to learning**")
            mistakes_view.loss_curves(now)
    if state.get("digits") is not None:
        expander = st.expander(
            "Paper mode: drift from full precision for 1 to 8 digits", key="paper_drift", on_change="rerun"
        )
        if expander.open:
            with expander:
                drifts = [paper_drift(now.record.scenario, k) for k in range(1, 9) if not overflows(now, k)]
                st.plotly_chart(
                    paper_drift_figure(drifts, state.get("lecture")),
                    key="paper_drift_plot",
                    config={"displayModeBar": False},
                    width="stretch",
                )


def overflows(now, digits: int) -> bool:
    """Whether paper mode at ``digits`` would overflow this step (such a k is left out of the drift plot)."""
    return bool(state.option_problems(now.record.scenario, None, digits))


def quiz_room(now, index: int) -> None:
    quiz.quiz_room(now.correct_record, now.stages, index)
