"""How a phone followed a live class before simulator/ui/live_poll.py: a ``run_every`` fragment that reads the
class's version and reruns the page when it moved. benchmarks/class_http.py --poll-cost measures its cost.

    BACKPROP_STORE=... streamlit run benchmarks/class_fragment_app.py   # then ?class=CODE
"""

import streamlit as st

from simulator.live import open_store


@st.cache_resource
def class_store():
    return open_store()


@st.fragment(run_every=1)
def follow(code: str) -> None:
    if class_store().version(code) != st.session_state.get("class_version"):
        st.rerun(scope="app")


code = st.query_params.get("class", "")
st.session_state.class_version = class_store().version(code)
st.write(f"Class {code}, version {st.session_state.class_version}")
follow(code)
