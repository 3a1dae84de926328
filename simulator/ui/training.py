"""The Train tab, a training lab: data, train controls, the output map and loss curve, the history.

Training runs in a fragment that reruns itself every ``TICK`` seconds while a run is playing
and trains for at most ``BUDGET`` seconds each time, so the page stays responsive: Pause is an
ordinary click between two ticks and keeps every step trained so far. Each tick puts the latest
weights in force; when a run ends or pauses the whole page reruns, so the sidebar and the link
catch up.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace

import streamlit as st

from simulator import History, output_curve, output_grid
from simulator.core.datasets import dataset_of
from simulator.core.training import DIVERGED, EXAMPLE, FULL, MODE_TEXT, MODES, REACHED
from simulator.views.figures import loss_curve_figure
from simulator.views.formatting import number
from simulator.views.lab_figures import boundary_figure, curve_figure

from . import state
from .lab_data import data_section
from .lab_history import current_history, dark, history_section, put_in_force

MAX_TRAIN_STEPS = 20_000
TICK = 0.5  # seconds between two ticks of a playing run (time for the browser to draw and take a click)
BUDGET = 0.3  # seconds of training per tick (at least one snapshot interval of steps)
GRID = 64  # output map resolution (points per side)


@dataclass(frozen=True)
class Run:
    """A training run in progress: ``done`` of ``total`` steps, stopping early at ``target`` loss."""

    total: int
    done: int = 0
    target: float | None = None
    playing: bool = True


def start_run() -> None:
    steps = st.session_state.get("train_steps")
    if steps is None or not 1 <= steps <= MAX_TRAIN_STEPS:
        got = "nothing" if steps is None else f"{steps:,}"
        state.put("lab_note", ("warning", f"Steps: type a whole number from 1 to {MAX_TRAIN_STEPS:,}, got {got}."))
        return
    state.put("lab_run", Run(int(steps), target=st.session_state.get("target_loss")))
    state.put("lab_note", None)


def pause() -> None:
    """Pause the run; a click that arrives as the run ends finds nothing to pause."""
    run = state.get("lab_run")
    if run is not None:
        state.put("lab_run", replace(run, playing=False))


def resume() -> None:
    run = state.get("lab_run")
    if run is not None:
        state.put("lab_run", replace(run, playing=True))


def stop() -> None:
    state.put("lab_run", None)


def pick_batch() -> None:
    state.put("batch", st.session_state["batch_mode"])


def tick(history: History, run: Run) -> None:
    """Train for about ``BUDGET`` seconds, then put the latest step in force and note how it ended.

    Bounded by time, not by steps: the first chunk is one step, and each next one as many steps as the
    time left allows at the pace measured so far (a step of 8 layers × 16 units over 256 examples takes
    about 50 ms, one of the seed a few µs). The history keeps the latest weights, so nothing is replayed.
    """
    started, latest, chunk = time.perf_counter(), history, 1
    while (left := run.total - (run.done + latest.last - history.last)) > 0:
        begun = time.perf_counter()
        latest = latest.train(min(chunk, left), run.target)
        spent = time.perf_counter() - started
        if latest.diverged_at is not None or latest.reached_target or spent > BUDGET:
            break
        pace = (time.perf_counter() - begun) / min(chunk, left)
        chunk = max(1, min(100 * chunk, int((BUDGET - spent) / max(pace, 1e-7))))
    done = run.done + latest.last - history.last
    finished = done >= run.total or latest.diverged_at is not None or latest.reached_target
    if not put_in_force(latest, latest.last):  # the step shown would overflow under the mistake or paper mode
        state.put("lab_run", None)
        problems = state.get("problems").get("history", [])
        state.put("lab_note", ("warning", "Training stopped: " + (problems[0] if problems else "overflow")))
        return
    state.put("lab_run", None if finished else replace(run, done=done))
    if latest.diverged_at is not None:
        state.put("lab_note", ("warning", DIVERGED.format(step=latest.diverged_at).capitalize() + "."))
    elif latest.reached_target:
        loss = latest.loss_at(latest.last)
        state.put("lab_note", ("info", REACHED.format(step=latest.last, loss=loss, target=run.target).capitalize()))


def train_controls(history: History, run: Run | None) -> None:
    steps, target, mode = st.columns([1, 1, 2], vertical_alignment="bottom")
    steps.number_input(  # no max_value: past it the browser only turns the field red; start_run says why
        "Steps", min_value=1, value=100, key="train_steps", disabled=run is not None, help=f"1 to {MAX_TRAIN_STEPS:,}"
    )
    target.number_input(
        "Stop at loss",
        min_value=0.0,
        value=None,
        format="%g",
        key="target_loss",
        placeholder="no target",
        help="Training stops as soon as the mean loss is at or below this.",
        disabled=run is not None,
    )
    st.session_state["batch_mode"] = state.get("batch")
    mode.radio(
        "Each step makes",
        MODES,
        key="batch_mode",
        format_func=lambda m: {EXAMPLE: "one update per example", FULL: "one update (full batch)"}[m],
        horizontal=True,
        on_change=pick_batch,
        disabled=run is not None,
    )
    scenario = history.start
    examples = len(dataset_of(scenario))
    st.caption(
        f"One step: {MODE_TEXT[history.mode]}"
        + (f", over {examples} examples" if scenario.dataset is not None else ", on the single example")
        + ". The loss is the mean over the data. Changing the network, the data, the learning rate or "
        "this choice starts a new history."
    )


def run_buttons(history: History, run: Run | None) -> None:
    left, right = st.columns(2)
    if run is None:
        steps = int(st.session_state.get("train_steps", 100))
        left.button(
            f"Train {steps:,} more steps",
            key="train",
            type="primary",
            icon=":material/play_arrow:",
            on_click=start_run,
            width="stretch",
        )
        return
    if run.playing:
        left.button("Pause", key="pause", icon=":material/pause:", on_click=pause, width="stretch")
    else:
        left.button(
            "Resume", key="resume", type="primary", icon=":material/play_arrow:", on_click=resume, width="stretch"
        )
    right.button("Stop", key="stop", icon=":material/stop:", on_click=stop, width="stretch")
    st.progress(
        run.done / run.total,
        text=f"Trained {run.done:,} of {run.total:,} steps" + ("" if run.playing else " (paused)"),
    )


def metrics(history: History) -> None:
    k = state.get("history_step")
    record = state.computed().record
    step_column, loss_column, output_column = st.columns(3)
    step_column.metric("Step", f"{k:,}")
    loss_column.metric("Loss now", number(history.loss_at(k), 6))
    output_column.metric("Output now (first example)", ", ".join(number(v, 4) for v in record.output))


def output_map(scenario) -> None:
    """The decision boundary (two inputs) or the learned curve (one input)."""
    data = dataset_of(scenario) if scenario.dataset is not None else None
    lecture, inputs = state.get("lecture"), scenario.layers[0]
    if inputs == 2:
        figure = boundary_figure(output_grid(scenario, GRID), data, dark=dark(), lecture=lecture)
        caption = "Output over the input plane: blue high, vermillion low; circles are targets ≥ 0.5, crosses below."
    elif inputs == 1:
        figure = curve_figure(output_curve(scenario), data, dark=dark(), lecture=lecture)
        caption = "The learned curve against the targets."
    else:
        st.info(
            f"The output map needs one or two inputs; this network has {inputs}. Pick a built-in set above "
            "(and resize the network to fit) to see the decision boundary.",
            icon="🗺️",
        )
        return
    st.plotly_chart(figure, width="stretch", key="lab_map", config={"displayModeBar": False})
    st.caption(caption)


def loss_curve(history: History) -> None:
    if history.last == history.first:
        st.caption(f"Loss at step {history.first:,}: {history.loss_at(history.first):.6g}. Train to draw the curve.")
        return
    st.plotly_chart(
        loss_curve_figure(history.losses, state.get("lecture"), first=history.first),
        width="stretch",
        key="lab_loss",
        config={"displayModeBar": False},
    )
    st.caption(
        f"Loss from {history.losses[0]:.6g} to {history.losses[-1]:.6g} over {history.last - history.first:,} steps."
    )


def note() -> None:
    kept = state.get("lab_note")
    if kept:
        kind, text = kept
        (st.warning if kind == "warning" else st.info)(
            text, icon=":material/warning:" if kind == "warning" else ":material/flag:"
        )


def learning(ticking: bool) -> None:
    """The fragment's body: controls, progress, one tick of training, what it learned."""
    history, run = current_history(), state.get("lab_run")
    playing = run is not None and run.playing
    if playing:
        tick(history, run)
        history, run = state.get("history"), state.get("lab_run")
    # The link follows every tick. A tick's request may carry the URL of a run before, and the next
    # full run must not take that for Back/Forward (see state.read_link_once).
    state.write_link()
    now_playing = run is not None and run.playing
    if ticking != now_playing or (playing and not now_playing):  # started, paused or ended: the whole page follows
        st.rerun(scope="app")
    run_buttons(history, run)
    note()
    metrics(history)
    map_column, loss_column = st.columns(2, gap="medium")
    with map_column:
        output_map(state.get("scenario"))
    with loss_column:
        loss_curve(history)


def training_panel() -> None:
    history, run = current_history(), state.get("lab_run")
    data_section()
    st.subheader("Train")
    train_controls(history, run)
    ticking = run is not None and run.playing
    st.fragment(learning, run_every=TICK if ticking else None)(ticking)
    if not ticking:  # the scrubber and the diff follow the run once it pauses or ends
        history_section(state.get("history"))
