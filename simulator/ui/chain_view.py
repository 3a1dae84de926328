"""The chain rule at a clicked unit: its δ and the gradients into it, factor by factor, with what each means."""

from __future__ import annotations

import re

import streamlit as st

from simulator.core.names import unit_label
from simulator.views.chain import unit_chains
from simulator.views.formatting import written

from . import state


def _prose(text: str) -> str:
    """Our own sentences as Markdown that stays plain text (E_total, e^−z and * never format)."""
    return re.sub(r"([\\`*_\[\]^$~<>|])", r"\\\1", text)


def chain_panel(record, unit: str, reached: set[str]) -> None:
    """Each revealed chain as its lines of maths (inline, so they wrap), then the meaning of each factor."""
    chains = unit_chains(record, unit, reached, state.get("notation"))
    if not chains:
        return
    with st.container(key="chain"):
        st.markdown(f"**The chain rule at {unit_label(unit)}**")
        for k, chain in enumerate(chains):
            if k == 1:
                st.caption("The weights coming in: the same factors, times what flowed along the edge.")
            st.markdown("  \n".join(f"${line}$" for line in chain.latex()))
            if k == 0 and chain.shares:
                paths = "; ".join(
                    f"{unit_label(a)} → {unit_label(b)}: δ {written(s.delta)} × w {written(s.weight)} "
                    f"= {written(s.value)}"
                    for s, (a, b) in zip(chain.shares, chain.edges)
                )
                st.caption(_prose(f"Paths its gradient comes back along: {paths}."))
            if k == 0:
                st.markdown("\n".join(f"- {_prose(meaning)}" for meaning in chain.meanings()))
