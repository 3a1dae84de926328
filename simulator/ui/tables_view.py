"""The stage's tables under the graph, and every weight-update table on request."""

from __future__ import annotations

import streamlit as st

from simulator.views.tables import stage_tables, styled, weight_tables

from . import state


@st.cache_data(max_entries=2_000, show_spinner=False)
def _coloured_table(frame, before) -> None:
    st.table(styled(frame), width="content")


def coloured_table(frame) -> None:
    """A styled table; on a cache hit Streamlit replays the finished element, skipping the
    costly Styler marshalling (most of a Next click). The key is the frame's content and the
    values it replaces (which set its digits), so every visitor stepping through the same
    scenario shares it."""
    _coloured_table(frame, frame.attrs.get("before"))


def table_row(tables, key: str) -> None:
    """Captioned tables side by side where they fit, on further rows where they do not: never clipped."""
    with st.container(horizontal=True, gap="medium", key=key):
        for caption, frame in tables:
            with st.container(width="content"):
                st.markdown(f"**{caption}**")
                coloured_table(frame)


def stage_table_row(record, stage) -> None:
    table_row(stage_tables(record, stage, state.get("notation")).items(), key="stage_tables")


def all_update_tables(record) -> None:
    expander = st.expander(
        "All weight-update tables (the seed notebook's printouts, with the sign that is applied)",
        key="all_tables",
        on_change="rerun",
    )
    if not expander.open:  # built only when opened: a Next click stays cheap
        return
    with expander:
        for l in range(len(record.scenario.layers) - 1, 0, -1):
            table_row(weight_tables(record, l).items(), key=f"update_tables_{l}")
