"""The Train tab: N more steps with a progress bar, and the loss curve."""

from __future__ import annotations

import numpy as np
import streamlit as st

from simulator import train
from simulator.figures import loss_curve_figure
from simulator.formatting import number
from simulator.training import DIVERGED

from . import state

MAX_TRAIN_STEPS = 20_000


def run_training(steps: int) -> None:
    st.session_state.pending_training = steps


def train_with_progress(scenario, record, pending: int) -> None:
    """Train ``pending`` steps in chunks with a progress bar, then rerun the whole page."""
    progress = st.progress(0.0, text="Training…")
    current, losses = scenario, [np.array([record.loss if scenario.dataset is None else np.nan])]
    chunk = max(1, pending // 20)
    done = 0
    while done < pending:
        run = train(current, min(chunk, pending - done))
        losses[0] = run.losses[:1] if done == 0 else losses[0]
        losses.append(run.losses[1:])
        current = run.scenario
        if run.diverged_at is not None:
            st.session_state.training_note = DIVERGED.format(step=done + run.diverged_at).capitalize() + "."
            break
        done += min(chunk, pending - done)
        progress.progress(done / pending, text=f"Trained {done} of {pending} steps")
    history = np.concatenate(losses)
    if state.get("losses") is not None:
        history = np.concatenate([state.get("losses"), history[1:]])
    state.set_scenario(current)
    state.put("losses", history)
    state.put("stage", "forward.z1")
    st.rerun()


def training_panel() -> None:
    scenario = state.get("scenario")
    record = state.computed().record
    lecture = state.get("lecture")
    now, target, loss = st.columns(3)
    now.metric("Output now", ", ".join(number(v, 6) for v in record.output))
    target.metric("Target", ", ".join(number(v, 6) for v in scenario.target))
    loss.metric("Loss now", number(record.loss, 6))
    steps_column, button_column = st.columns([2, 1], vertical_alignment="bottom")
    steps = steps_column.number_input("Steps", 1, MAX_TRAIN_STEPS, 100, key="train_steps")
    button_column.button(f"Train {steps} more steps", key="train", on_click=run_training, args=(steps,))
    if scenario.dataset is not None:
        st.caption(
            f"Each step is one pass over the {len(scenario.dataset)} examples of the dataset, "
            "one update per example; the loss is their mean."
        )
    pending = st.session_state.pop("pending_training", None)
    if pending:
        train_with_progress(scenario, record, pending)
    note = st.session_state.pop("training_note", None)
    if note:
        st.warning(note, icon="⚠️")
    losses = state.get("losses")
    if losses is not None:
        st.plotly_chart(loss_curve_figure(losses, lecture), width="stretch")
        st.caption(f"Loss from {losses[0]:.6g} to {losses[-1]:.6g} over {len(losses) - 1} steps.")
