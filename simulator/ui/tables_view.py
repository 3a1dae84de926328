"""The stage's tables under the graph, and every weight-update table on request."""

from __future__ import annotations

import streamlit as st

from simulator.tables import stage_tables, styled, weight_tables


@st.cache_data(max_entries=2_000, show_spinner=False)
def coloured_table(frame) -> None:
    """A styled table; on a cache hit Streamlit replays the finished element, skipping the
    costly Styler marshalling (most of a Next click). The key is the frame's content, so
    every visitor stepping through the same scenario shares it."""
    st.table(styled(frame))


def stage_table_row(record, stage) -> None:
    tables = list(stage_tables(record, stage).items())
    for column, (caption, frame) in zip(st.columns(len(tables)), tables):
        column.markdown(f"**{caption}**")
        with column:
            coloured_table(frame)


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
            columns = st.columns(4)
            for column, (caption, frame) in zip(columns, weight_tables(record, l).items()):
                column.markdown(f"**{caption}**")
                with column:
                    coloured_table(frame)
