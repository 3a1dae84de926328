"""The baseline of benchmarks/load.py: a bare Streamlit page with one Next button and a counter.

streamlit run benchmarks/bare_app.py
"""

import streamlit as st

if "count" not in st.session_state:
    st.session_state.count = 0


def bump() -> None:
    st.session_state.count += 1


st.button("Next", key="next", on_click=bump)
st.write(st.session_state.count)
