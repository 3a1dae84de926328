"""The presenter's tools: blank the answer, spotlight, auto-play, the graph for slides, hidden parts.

Every switch lives in session state (declared in :mod:`simulator.ui.state`) and travels in the
link (``blank=1``, ``spotlight=1``, ``speed=3``, ``hide=editor,tabs,…``). The tools sit in a
"Presenter" popover beside the stage controls, open to everyone: a student can blank the answers
to test themselves.
"""

from __future__ import annotations

import streamlit as st

from simulator.io.share import MAX_SPEED, MIN_SPEED
from simulator.views.formatting import notebook_values
from simulator.views.narration import blank_latex, blank_output, graph_table, narrate
from simulator.views.notation import notation_named

from . import live_class, quiz, state


def shown(part: str) -> bool:
    """False when the link hid ``part`` (editor, tabs, code, tables, narration, title)."""
    return part not in state.get("hide")


def blanked(stage_id: str) -> bool:
    """Blank the answer: on, and Reveal not yet pressed on ``stage_id``?"""
    return bool(state.get("blank")) and state.get("revealed") != stage_id


def hiding(stage_id: str) -> bool:
    """Are the numbers of ``stage_id`` hidden (blanked, or the quiz still waiting for the student's answer)?"""
    return blanked(stage_id) or quiz.asking(stage_id)


def current_stage_id() -> str:
    now = state.computed()
    return now.ids[now.index]


def reveal_first() -> bool:
    """A step forward first reveals hidden numbers: True when it did (and should not move on)."""
    stage_id = current_stage_id()
    if not blanked(stage_id):  # the quiz's answers are not revealed by a step: Next moves on
        return False
    state.put("revealed", stage_id)
    return True


def more_ahead() -> bool:
    """Is a step forward left: numbers to reveal or a later stage?"""
    now = state.computed()
    return blanked(now.ids[now.index]) or now.index < len(now.ids) - 1


def narration(record, stage) -> tuple[str, ...]:
    return narrate(record, stage, blank=hiding(stage.id))


def _copy(widget: str, name: str) -> None:
    state.put(name, st.session_state[widget])


def _start_autoplay() -> None:
    playing = st.session_state.p_autoplay
    state.put("autoplay", playing)
    now = state.computed()
    if playing and not more_ahead():
        state.move_to(now.ids[0])  # started at the end: play from the beginning


def reveal() -> None:
    state.put("revealed", current_stage_id())


def presenter_tools() -> None:
    """The "Presenter" popover; its widgets are built only while it is open."""
    popover = st.popover("Presenter", icon=":material/co_present:", key="presenter", on_change="rerun", width="stretch")
    if not popover.open:
        return
    for widget, name in (("p_blank", "blank"), ("p_spotlight", "spotlight"), ("p_autoplay", "autoplay")):
        st.session_state[widget] = bool(state.get(name))
    st.session_state.p_speed = float(state.get("speed"))
    with popover:
        st.toggle(
            "Blank the answer",
            key="p_blank",
            on_change=_copy,
            args=("p_blank", "blank"),
            help="Hide the numbers each stage computes until Reveal or the next Right / Page Down.",
        )
        st.toggle(
            "Spotlight",
            key="p_spotlight",
            on_change=_copy,
            args=("p_spotlight", "spotlight"),
            help="Dim everything the current stage does not touch.",
        )
        st.toggle(
            "Auto-play",
            key="p_autoplay",
            on_change=_start_autoplay,
            help="Step by itself; any key pauses it.",
        )
        st.slider(
            "Seconds per stage",
            min_value=MIN_SPEED,
            max_value=MAX_SPEED,
            step=0.5,
            key="p_speed",
            on_change=_copy,
            args=("p_speed", "speed"),
        )
        st.caption(
            "The graph's camera button saves a PNG at twice the size, the arrow beside it an SVG. "
            "Link options: blank=1, spotlight=1, speed=3, hide=editor,tabs,code,tables,narration,title."
        )
        live_class.start_entry()  # a live class: students follow and answer on their phones


def graph_config(stage_id: str) -> dict:
    """Plotly's mode bar with only its image button: a PNG at 2× for slides (the clicker adds SVG)."""
    return {
        "displayModeBar": True,
        "displaylogo": False,
        "modeBarButtons": [["toImage"]],
        "toImageButtonOptions": {"format": "png", "scale": 2, "filename": f"backprop-{stage_id}"},
    }


def worked_numbers(stage) -> None:
    """The substituted formula and the NumPy line with its output, or "?" while the numbers are hidden."""
    hidden = hiding(stage.id)
    st.latex(r"\small " + (blank_latex(stage) if hidden else stage.substituted))
    if shown("code"):
        output = blank_output(stage) if hidden else notebook_values(stage.values)
        # the printout's names in the notation on screen (Mazur: net_h, out_o), as the code line above has them
        output = notation_named(state.get("notation")).code(output, tuple(state.get("scenario").layers))
        st.code(f">>> {stage.code}\n{output}", language="python")
    if blanked(stage.id):  # the quiz has its own Check and Show me
        st.button(
            "Reveal",
            key="reveal",
            icon=":material/visibility:",
            on_click=reveal,
            help="Show the numbers (or press Right / Page Down)",
        )


def graph_as_table(record, stages, index: int) -> None:
    """The graph's text alternative: units and edges with the values revealed so far."""
    expander = st.expander("Graph as a table", key="graph_table", on_change="rerun")
    if not expander.open:
        return
    table = graph_table(record, stages, index, blank=hiding(stages[index].id))
    with expander:
        st.table(list(table.units))
        st.table(list(table.edges))
