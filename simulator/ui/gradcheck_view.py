"""Gradient check on screen: in a gradient stage, backprop's ∂E/∂w beside the central difference, and a nudge.

The check always differentiates the true loss at full precision; the gradient it checks is the one the
step on screen computed, so under a classic mistake that bends the gradient the rows turn vermillion.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import streamlit as st

from simulator.core.gradcheck import nudge_curve, stage_gradient_check
from simulator.core.names import unit_label, unit_names
from simulator.core.scenario import ScenarioError
from simulator.views.learning_figures import nudge_figure
from simulator.views.learning_tables import gradient_check_styled, gradient_check_table
from simulator.views.walk_tables import check_verdict

from . import state
from .text import escaped

NUDGE_POINTS = 41


def _kind(stage) -> str:
    return "weights" if stage.id.startswith("gradient.W") else "biases"


def _parameters(scenario, stage) -> dict[tuple, str]:
    """(kind, l, i, j) or (kind, l, j) → "W⁽²⁾ h₁→o₁" style names, for the nudge picker."""
    names, l = unit_names(scenario.layers), stage.layer
    if _kind(stage) == "weights":
        return {
            ("weights", l, i, j): f"w {unit_label(a)} → {unit_label(b)}"
            for i, a in enumerate(names[l - 1])
            for j, b in enumerate(names[l])
        }
    return {("biases", l, j): f"b of {unit_label(b)}" for j, b in enumerate(names[l])}


def _entry_name(parameter: tuple) -> str:
    kind, layer, *index = parameter
    return f"{'W' if kind == 'weights' else 'b'}{layer}[{','.join(str(i + 1) for i in index)}]"


def check_table(scenario, stage, mistake: str | None) -> None:
    """The gradient-check table of this stage, each row coloured by agreement, and a verdict in words."""
    check = stage_gradient_check(scenario, stage.layer, _kind(stage), mistake=mistake)
    with st.container(key="gradient_check", border=True):
        st.markdown("**Gradient check**: backprop against the central difference [E(w + ε) − E(w − ε)] / 2ε")
        st.table(gradient_check_styled(gradient_check_table(check)))
        st.caption(check_verdict(check, state.get("digits"), mistake))


def nudge(scenario, stage, mistake: str | None) -> None:
    """Pick one parameter of this stage and a Δw; compare the loss's real change with ∂E/∂w·Δw."""
    options = _parameters(scenario, stage)
    with st.container(key="nudge", border=True):
        st.markdown("**Nudge one weight**: the real change of E against the tangent ∂E/∂w·Δw")
        pick, size = st.columns([1, 1.4])
        parameter = pick.selectbox(
            "Parameter", list(options), format_func=options.get, key=f"nudge_parameter_{stage.id}"
        )
        delta = size.slider("Δw", min_value=-2.0, max_value=2.0, value=0.5, step=0.05, key=f"nudge_delta_{stage.id}")
        reach = max(abs(delta), 0.1)
        deltas = np.unique(np.append(np.linspace(-reach, reach, NUDGE_POINTS), delta))
        curve = nudge_curve(scenario, parameter, deltas, mistake=mistake)
        # Named as in the gradient-check table (entries counted from 1), with a title that fits a column.
        curve = dataclasses.replace(curve, parameter=_entry_name(parameter))
        figure = nudge_figure(curve, state.get("lecture"))
        figure.update_layout(title={"text": f"Nudging {curve.parameter} (now {curve.value:.4g})"})
        st.plotly_chart(
            figure,
            key=f"nudge_plot_{stage.id}",
            config={"displayModeBar": False},
            width="stretch",
        )
        at = int(np.argmin(np.abs(curve.deltas - delta)))
        st.caption(
            f"Moving {options[parameter]} ({curve.parameter}) from {curve.value:.4g} by Δw = {delta:+.2f}: the loss "
            f"changes by {curve.actual[at]:+.3e}; ∂E/∂w·Δw predicts {curve.predicted[at]:+.3e}. Close to Δw = 0 the "
            "two agree when ∂E/∂w is right."
        )


def gradient_room(record, stage) -> None:
    """In a gradient stage: the check table and the nudge; nothing elsewhere."""
    if stage.kind != "gradient":
        return
    scenario, mistake = record.scenario, record.mistake
    try:
        check_table(scenario, stage, mistake)
        nudge(scenario, stage, mistake)
    except ScenarioError as err:  # a difference quotient or a nudge past the float range
        st.caption(escaped(f"The gradient check cannot run here: {err.problems[0]}"))


def nudge_room(now) -> None:
    """The nudge, in an expander built only when opened: for the current stage's parameters when it is a
    gradient stage (the browser's stage, which the opening rerun reads from the URL), else the output layer's."""
    expander = st.expander("Nudge one weight and watch the loss", key="nudge_tools", on_change="rerun")
    if not expander.open:
        return
    gradients = [s for s in now.stages if s.kind == "gradient"]
    current = now.stages[now.index]
    with expander:
        try:
            nudge(now.record.scenario, current if current.kind == "gradient" else gradients[0], now.record.mistake)
        except ScenarioError as err:  # a nudge past the float range
            st.caption(escaped(f"The nudge cannot run here: {err.problems[0]}"))
