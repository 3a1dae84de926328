"""The lab's history: which steps were trained, the step in force, the scrubber and the diff of two steps.

The history belongs to the scenario the lab last put in force (``lab_scenario``) and to the
batch mode; any other scenario (an edit in the sidebar, new data, "Take this step", a link)
or another mode starts a new history from the current weights. Choosing step k puts
``history.scenario_at(k)`` in force, so the Step-through tab shows that step's stages, and
keeps the history.
"""

from __future__ import annotations

import streamlit as st

from simulator import History
from simulator.core.history import MAX_HISTORY
from simulator.views.lab_figures import trajectory_figure
from simulator.views.lab_tables import diff_tables, styled_diff

from . import state
from .text import problems_box


def current_history() -> History:
    """The history of the scenario in force, begun afresh when the scenario or the batch mode changed."""
    history, scenario = state.get("history"), state.get("scenario")
    if history is None or history.mode != state.get("batch") or not same(scenario, state.get("lab_scenario")):
        history = History.begin(scenario, state.get("batch"))
        state.put("history", history)
        state.put("lab_scenario", scenario)
        state.put("history_step", 0)
        state.put("lab_run", None)
    return history


def same(scenario, placed) -> bool:
    """Is ``scenario`` the one the lab put in force? An equal copy (an edit that changed nothing) counts."""
    if scenario is placed:
        return True
    if placed is None or scenario != placed:
        return False
    state.put("lab_scenario", scenario)
    return True


def put_in_force(history: History, k: int) -> bool:
    """Keep ``history`` and make step k's weights the scenario every view shows (False, with a message
    beside the history, when that step overflows under the mistake or paper mode in force)."""
    scenario = history.scenario_at(k)
    if not state.set_scenario(scenario, "history"):
        return False
    state.put("history", history)
    state.put("lab_scenario", scenario)
    state.put("history_step", k)
    return True


def scrub(key: str) -> None:
    """Show the step the slider points at, clamped to the steps kept (quick presses may point past them)."""
    history, k = state.get("history"), st.session_state.get(key)
    if history is None or k is None:
        return
    put_in_force(history, min(max(int(k), history.first), history.last))


def reset_to_step() -> None:
    """Drop the steps after the one in force, so training continues from there."""
    history = state.get("history")
    if history is None:
        return
    k = min(max(state.get("history_step"), history.first), history.last)
    state.put("history", history.truncated(k))
    state.put("lab_note", None)


def scrubber(history: History) -> None:
    """A slider over every kept step; the step chosen is in force in every tab."""
    if history.last == history.first:
        st.caption("Train a few steps: then every step is kept here and you can go back to any of them.")
        return
    k = min(max(state.get("history_step"), history.first), history.last)
    st.session_state["scrub"] = k
    st.slider(
        "Step shown (the Step-through tab shows this step's stages and weights)",
        history.first,
        history.last,
        key="scrub",
        on_change=scrub,
        args=("scrub",),
    )
    text = f"Step {k:,} of {history.last:,}: loss {history.loss_at(k):.6g}."
    if history.first > 0:
        text += f" Steps before {history.first:,} were dropped (the history keeps the latest {MAX_HISTORY:,})."
    if k < history.last:
        text += f" Training continues from step {history.last:,}, or from here after Reset."
    st.caption(text)
    if k < history.last:
        st.button(
            f"Reset to step {k:,} (drop the later steps and continue from here)",
            key="reset_history",
            icon=":material/history:",
            on_click=reset_to_step,
        )


def diff_view(history: History) -> None:
    """Two steps side by side: E, each W and b with ∂E/∂ of each, the change coloured; the trajectories."""
    expander = st.expander("Diff two steps", key="lab_diff", on_change="rerun", icon=":material/compare_arrows:")
    if not expander.open:  # built only when opened: a scrub stays cheap
        return
    with expander:
        if history.last == history.first:
            st.caption("Train first: then pick two steps to compare.")
            return
        if st.session_state.get("diff_steps") is None or not all(
            history.first <= k <= history.last for k in st.session_state["diff_steps"]
        ):
            st.session_state["diff_steps"] = (history.first, history.last)
        k1, k2 = st.slider("Compare steps", history.first, history.last, key="diff_steps")
        st.caption(
            f"Blue: grew from step {k1:,} to step {k2:,}; vermillion: shrank; the stronger the colour, the larger "
            "the change in its column. ∂E/∂W is the gradient of the mean loss over the data at that step's weights."
        )
        for name, frame in diff_tables(history, k1, k2).items():
            st.markdown(f"**{name}**")
            st.dataframe(styled_diff(frame), width="stretch")
        st.markdown("**Every weight over training** (dashed lines: the two steps compared)")
        st.plotly_chart(
            trajectory_figure(history, marks=(k1, k2), dark=dark(), lecture=state.get("lecture")),
            width="stretch",
            key="lab_trajectory",
            config={"displayModeBar": False},
        )


def dark() -> bool:
    return st.context.theme.type == "dark"


def history_section(history: History) -> None:
    st.subheader("History")
    problems_box(state.get("problems").get("history", []), "This step is not shown:", kind="warning")
    scrubber(history)
    diff_view(history)
