"""The Handouts tab: the current walkthrough as a runnable notebook, and seeded worksheets.

Files are built only when their button is pressed (deferred download data), from the same
engine functions the CLI calls, so a download equals ``backprop-sim notebook`` / ``exercise``.
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from simulator import PRESETS
from simulator.core.mistakes import MISTAKES
from simulator.core.presets import PRESET_TITLES
from simulator.io.exercises import MAX_EXERCISES
from simulator.io.notebook_export import notebook_bytes
from simulator.io.worksheets import exercise_zip

from . import state


def app_url() -> str:
    """This app's own address, so that links in the files open the app they came from."""
    url = st.context.url or "http://localhost:8501/"
    return url.split("?")[0].rstrip("/") + "/"


def notebook_download() -> None:
    mistake, digits = state.get("mistake"), state.get("digits")
    variant = []
    if mistake:
        variant.append(f"with the mistake “{MISTAKES[mistake].title}”")
    if digits:
        variant.append(f"rounded to {digits} significant digits (paper mode)")
    st.markdown("**This walkthrough as a Jupyter notebook**")
    st.caption(
        "One cell per stage in the seed notebook's style, needing only NumPy; it prints exactly the numbers "
        "shown here" + (", " + " and ".join(variant) if variant else "") + ". Its first cell links back to this view."
    )
    st.download_button(
        "Download notebook (.ipynb)",
        partial(notebook_bytes, state.get("scenario"), mistake=mistake, digits=digits, app_url=app_url()),
        "walkthrough.ipynb",
        "application/x-ipynb+json",
        key="download_notebook",
        icon=":material/description:",
        on_click="ignore",
    )


def worksheet_download() -> None:
    st.markdown("**Worksheets with answer keys**")
    preset_column, seed_column, count_column = st.columns(3)
    preset = preset_column.selectbox("Network", list(PRESETS), format_func=PRESET_TITLES.get, key="sheet_preset")
    seed = seed_column.number_input("Seed", 0, 2**31 - 1, 7, key="sheet_seed")
    count = count_column.number_input("Exercises", 1, MAX_EXERCISES, 10, key="sheet_count")
    st.caption(
        "Seeded variants of the network (inputs to 1 decimal, weights and targets to 2): a worksheet and an answer "
        "key with every intermediate (Markdown and printable HTML), and each exercise as a scenario file with a "
        "link that opens it here in quiz mode. The same seed always gives the same files."
    )
    st.download_button(
        "Download worksheets (.zip)",
        partial(exercise_zip, preset, int(seed), int(count), app_url=app_url()),
        f"worksheets-{preset}-seed{int(seed)}.zip",
        "application/zip",
        key="download_worksheets",
        icon=":material/school:",
        on_click="ignore",
    )


def handouts_view() -> None:
    notebook_download()
    st.divider()
    worksheet_download()
