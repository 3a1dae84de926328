"""The network graph at the current stage, and the inspector of a clicked unit."""

from __future__ import annotations

import streamlit as st

from simulator.figures import network_figure
from simulator.graph import graph_model, node_explanation
from simulator.stages import unit_label

from . import state


def network_graph(record, stages, index: int) -> None:
    lecture = state.get("lecture")
    model = graph_model(record, stages, index)
    event = st.plotly_chart(
        network_figure(model, lecture),
        key="graph",
        on_select="rerun",
        selection_mode="points",
        config={"displayModeBar": False},
        width="stretch",
    )
    legend = "Blue solid: positive, vermillion dashed: negative, width ∝ |w|."
    if not lecture:
        legend += " Hover for full precision; click a unit to see how it was computed."
    st.caption(f"{model.caption}. {legend}")
    points = event.selection.points if event and event.selection else []
    node_ids = [p.get("customdata") for p in points if isinstance(p.get("customdata"), str)]
    if node_ids:
        reached = {s.id for s in stages[: index + 1]}
        st.markdown(f"**How {unit_label(node_ids[0])} was computed so far**")
        for line in node_explanation(record, node_ids[0], reached):
            st.latex(line)
