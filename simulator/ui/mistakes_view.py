"""Classic mistakes side by side: where the mistaken step parts from the correct one, and what it does to learning.

The step on screen is the mistaken one (``state.computed().record``); the correct one travels beside it.
The graph marks the units and edges whose values differ (:func:`simulator.figures.marked_traces`), the stage panel shows
both formulas and the entry-by-entry comparison, and under the page the two loss curves share one plot.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from simulator.core.experiments import comparison_steps, mistake_losses
from simulator.core.mistakes import MISTAKES, inapplicable
from simulator.core.scenario import scenario_from_dict, scenario_to_json
from simulator.core.training import examples
from simulator.views.formatting import number
from simulator.views.learning_figures import mistake_loss_figure
from simulator.views.learning_tables import mistake_comparison_table
from simulator.views.mistake_notes import looks_better

from . import state
from .text import escaped

DIFFERS = "background-color: rgba(213,94,0,0.28); font-weight: 600"
LOSS_STEPS = 100


def status(now) -> None:
    """One line under the learning controls: what the mistake is, and where it first shows (or why it cannot)."""
    mistake = state.get("mistake")
    if mistake is None:
        return
    entry, reason = MISTAKES[mistake], inapplicable(mistake, now.record.scenario)
    if reason:
        st.info(f"**{entry.title}** cannot show here: {reason}. The numbers are the correct ones.", icon="ℹ️")
        return
    first = now.divergence.first if now.divergence else None
    if first is None:
        st.info(f"**{entry.title}**: {entry.description} In this network it changes no number.", icon="ℹ️")
        return
    position = now.ids.index(first)
    st.warning(
        f"**Mistake: {entry.title}.** {entry.description} It first parts from the correct step at "
        f"stage {position + 1}, “{now.stages[position].title}”; dotted vermillion marks what differs.",
        icon="⚠️",
    )


def _comparison_styled(frame):
    """Rows whose entries differ shaded vermillion and in bold (the "differs" column says it in words)."""

    def colour(row):
        return [DIFFERS if row["differs"] else ""] * len(row)

    return frame.style.apply(colour, axis=1).format({"correct": number, "with the mistake": number})


def side_by_side(now, index: int) -> None:
    """The current stage with the mistake beside the correct one, and the differing entries marked."""
    if now.divergence is None:
        return
    stage, correct = now.stages[index], now.correct_stages[index]
    if not now.divergence.differs(stage.id):
        st.caption("This stage's numbers are the same as in the correct step.")
        return
    with st.container(key="mistake_compare", border=True):
        st.markdown("**Correct vs with the mistake**")
        # One above the other at the page's own size: two half-width columns shrank wide matrices to illegible.
        st.caption("Correct")
        st.latex(correct.substituted)
        st.caption("With the mistake")
        st.latex(stage.substituted)
        frame = mistake_comparison_table(correct, stage, now.divergence.masks.get(stage.id))
        st.table(_comparison_styled(frame))


@st.cache_data(max_entries=256, show_spinner=False)
def _losses(scenario_json: str, mistake: str, steps: int) -> tuple[np.ndarray, np.ndarray]:
    import json

    return mistake_losses(scenario_from_dict(json.loads(scenario_json)), mistake, steps)


def loss_curves(now) -> None:
    """Loss over N steps, correct and with the mistake, on one plot."""
    mistake = state.get("mistake")
    if mistake is None:
        return
    steps = st.select_slider(
        "Steps of training to compare", options=[10, 20, 50, 100, 200, 500], value=LOSS_STEPS, key="mistake_steps"
    )
    chosen, steps = steps, comparison_steps(now.record.scenario, steps)  # within the request's budget
    if not steps:
        st.caption(
            f"The loss over {chosen} steps is not drawn: one step of this network over its "
            f"{len(examples(now.record.scenario))} examples is too long to run while the page waits "
            "(the Train tab trains it a little at a time)."
        )
        return
    correct, mistaken = _losses(scenario_to_json(now.record.scenario, indent=None), mistake, steps)
    st.plotly_chart(
        mistake_loss_figure(correct, mistaken, mistake, state.get("lecture")),
        key="mistake_losses",
        config={"displayModeBar": False},
        width="stretch",
    )
    ending = (
        f"Training with the mistake stopped after {len(mistaken) - 1} steps: a weight left ±1e6 or the loss stopped "
        "being finite. "
        if len(mistaken) < len(correct)
        else ""
    )
    st.caption(
        escaped(
            f"{ending}After {len(correct) - 1} steps the loss is {correct[-1]:.4g} correctly and "
            f"{mistaken[-1]:.4g} with the mistake (it started at {correct[0]:.4g})."
        )
    )
    if steps < chosen:
        st.caption(
            f"Trained {steps} of the {chosen} steps chosen: each step of this network over its "
            f"{len(examples(now.record.scenario))} examples is too long to run more while the page waits "
            "(the Train tab trains it a little at a time)."
        )
    note = _looks_better(scenario_to_json(now.record.scenario, indent=None), mistake, steps)
    if note is not None:
        st.info(f"**Why the mistake can look better here — and why it is still wrong.** {note}", icon="🤔")


@st.cache_data(max_entries=64, show_spinner="Training the counter-example…")
def _looks_better(scenario_json: str, mistake: str, steps: int) -> str | None:
    import json

    scenario = scenario_from_dict(json.loads(scenario_json))
    correct, mistaken = _losses(scenario_json, mistake, steps)  # the curves' own run, cached: not trained twice
    note = looks_better(scenario, mistake, correct, mistaken)
    return None if note is None else note.text()
