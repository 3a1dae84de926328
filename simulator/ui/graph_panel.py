"""The network graph at the current stage, and the inspector of a clicked unit."""

from __future__ import annotations

import streamlit as st

from simulator.core.names import unit_label, unit_names
from simulator.views.figures import network_figure
from simulator.views.graph import graph_model, node_explanation

from . import presenter, state
from .chain_view import chain_panel
from .mistakes_view import marked_figure


def pick_unit() -> None:
    """A click on a unit keeps it inspected across Prev/Next; a double click on empty space lets go."""
    event = st.session_state.get("graph")
    points = event.selection.points if event and event.selection else []
    ids = [p.get("customdata") for p in points if isinstance(p.get("customdata"), str)]
    state.put("selected_unit", ids[0] if ids else None)


def unit_inspector(record, stages, index: int, hidden: bool) -> None:
    """How the selected unit's values were computed, up to the current stage; inline maths wraps."""
    unit = state.get("selected_unit")
    if unit not in {name for layer in unit_names(record.scenario.layers) for name in layer}:
        return  # nothing selected, or a unit an edit removed
    reached = {s.id for s in stages[: index + 1]} - ({stages[index].id} if hidden else set())
    with st.container(key="inspector"):
        head, close = st.columns([8, 1], vertical_alignment="center")
        head.markdown(f"**How {unit_label(unit)} was computed so far**")
        close.button("×", key="clear_unit", on_click=state.put, args=("selected_unit", None), help="Close")
        lines = node_explanation(record, unit, reached)
        for line in lines:
            st.markdown(f"${line}$")
        if not lines:
            st.caption("Nothing computed at this unit yet: step forward.")
        chain_panel(record, unit, reached)


def network_graph(record, stages, index: int) -> None:
    lecture = state.get("lecture")
    hidden = presenter.hiding(stages[index].id)  # presenter: blank the answer, spotlight, image download
    # A classic mistake: units and edges whose values differ from the correct step's are marked.
    model = graph_model(
        record, stages, index, blank=hidden, divergence=state.computed().divergence, notation=state.get("notation")
    )
    dark = st.context.theme.type == "dark"
    st.plotly_chart(
        marked_figure(network_figure(model, lecture, spotlight=state.get("spotlight"), dark=dark), model, lecture),
        key="graph",
        on_select=pick_unit,
        selection_mode="points",
        config=presenter.graph_config(stages[index].id),
        width="stretch",
    )
    marked = any(n.marked for n in model.nodes) or any(e.marked for e in model.edges)
    legend = (
        []
        if lecture
        else [  # on a projector the lecturer says it, and the table stays above the fold
            f"{model.caption}.",
            "Blue solid: positive, vermillion dashed: negative, width ∝ |w|.",
            "Hover for full precision; click a unit to see how it was computed.",
        ]
    )
    legend += ["Dotted vermillion: differs from the correct step."] if marked else []
    if legend:
        st.caption(" ".join(legend))
    unit_inspector(record, stages, index, hidden)
