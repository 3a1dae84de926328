"""The lab's data: a built-in set or an uploaded CSV, fitted onto the network; download as CSV.

Bad files keep the last good dataset and list every problem (row and column) beside the
uploader as plain text. Data whose sizes do not match the network waits in ``lab_pending``
until "Resize the network to fit".
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from simulator import DATASETS, ScenarioError, dataset_from_csv, dataset_to_csv, with_dataset
from simulator.core.datasets import MAX_NOISE, Dataset, dataset_of, fit_problems
from simulator.core.messages import listed, quote
from simulator.core.record import check_computable
from simulator.core.scenario import MAX_DATASET
from simulator.io.share import DATASET_LINK_CHARS, dataset_fits_link

from . import state
from .text import escaped, problems_box

MAX_SHOWN = 12  # problems listed at once (a CSV's own are at most ten, then "…and K more")
COLUMN_RULE = (
    "A header row, then one row per example (at most 256 rows, 1 MB). Name the input columns "
    "x1, x2, … and the target columns t1, t2, … (or y1, y2, …), e.g. x1,x2,t1. Commas separate cells; "
    "with semicolons a decimal comma (0,5) is fine."
)


def offer(dataset: Dataset, source: str) -> None:
    """Train on ``dataset`` when it fits the network; otherwise keep it waiting for a resize."""
    scenario = state.get("scenario")
    try:
        fitted = with_dataset(scenario, dataset)
    except ScenarioError:  # pending_fit says why, and offers to resize
        state.put("lab_pending", (dataset, source))
        state.put("problems", {})
        return
    if put_data(fitted, source):
        state.put("lab_pending", None)


def put_data(fitted, source: str) -> bool:
    """Put the network with its new data in force, unless a step on one of its examples overflows."""
    problems = check_computable(fitted)
    if problems:
        state.note_problem("lab_data", [f"{source}: {problem}" for problem in problems])
        return False
    return state.set_scenario(fitted, "lab_data")


def resize_to_fit() -> None:
    dataset, source = state.get("lab_pending")
    try:
        fitted = with_dataset(state.get("scenario"), dataset, resize=True)
    except ScenarioError as err:  # e.g. cross-entropy targets outside [0, 1]: resizing cannot help
        state.note_problem("lab_fit", [f"{source}: {problem}" for problem in err.problems])
        return
    if put_data(fitted, source):
        state.put("lab_pending", None)


def upload(key: str) -> None:
    file = st.session_state[key]
    if file is None:
        return
    try:
        dataset = dataset_from_csv(file.getvalue())
    except ScenarioError as err:  # DataError: every bad row and cell, named
        state.note_problem("lab_upload", [file.name, *err.problems])  # the name first, then each problem
        return
    offer(dataset, file.name)


def use_built_in() -> None:
    name = st.session_state["lab_set"]
    size, noise, seed = (st.session_state[key] for key in (f"lab_size.{name}", "lab_noise", "lab_seed"))
    try:
        dataset = DATASETS[name](int(size), float(noise), int(seed))
    except ScenarioError as err:
        state.note_problem("lab_set", err.problems)
        return
    offer(dataset, f"{name} ({len(dataset)} points)")


def problems_here(field: str, intro: str = "") -> None:
    """The messages noted for ``field`` in one alert, each in a code span (they quote the file)."""
    problems_box(listed(state.get("problems").get(field, []), MAX_SHOWN), intro)


def upload_problems() -> None:
    """Why the uploaded file was refused, under its name; the data in force stays."""
    name, *problems = state.get("problems").get("lab_upload", [None])
    if problems:
        problems_box(
            listed(problems, MAX_SHOWN), f"{escaped(quote(name, 60))} was not used; the last good data is kept:"
        )


def built_in_sets() -> None:
    st.markdown("**Built-in sets** (seeded: the same settings always give the same points)")
    names = list(DATASETS)
    name = st.selectbox("Set", names, format_func=lambda n: DATASETS[n].label, key="lab_set")
    size, noise, seed = st.columns(3)
    size.number_input("Size", 1, MAX_DATASET, DATASETS[name].size, key=f"lab_size.{name}")  # each set's own default
    noise.number_input("Noise", 0.0, MAX_NOISE, 0.0, 0.05, key="lab_noise", format="%.2f")
    seed.number_input("Seed", 0, 2**31 - 1, 0, key="lab_seed")
    st.button("Use this set", key="use_set", icon=":material/scatter_plot:", on_click=use_built_in)
    problems_here("lab_set")


def csv_upload(revision: int) -> None:
    st.markdown("**Your own data** (CSV)")
    st.caption(COLUMN_RULE)
    key = f"lab_csv.{revision}"  # a new uploader after each change, so the same file can be sent again
    st.file_uploader("Upload a CSV file", type=["csv", "txt"], key=key, on_change=upload, args=(key,))
    upload_problems()


def pending_fit() -> None:
    pending = state.get("lab_pending")
    if pending is None:
        return
    dataset, source = pending
    scenario = state.get("scenario")
    layers = scenario.layers
    reasons = fit_problems(dataset, scenario)
    problems_box(
        [f"{source}: {reason}" for reason in reasons],
        "This data does not fit the network as it is:",
        icon=":material/straighten:",
        kind="warning",
    )
    st.button(
        f"Resize the network to fit ({dataset.inputs} inputs, {dataset.outputs} outputs; "
        f"hidden layers {'-'.join(map(str, layers[1:-1])) or 'none'} kept)",
        key="resize_to_fit",
        icon=":material/fit_screen:",
        on_click=resize_to_fit,
    )
    problems_here("lab_fit")


def current_data(scenario) -> None:
    dataset = dataset_of(scenario)
    if scenario.dataset is None:
        st.caption(f"No dataset: training uses the single example x = {scenario.x.tolist()}.")
    else:
        st.caption(
            f"Training on {len(dataset)} examples, {dataset.inputs} inputs and {dataset.outputs} "
            f"target{'s' if dataset.outputs > 1 else ''} each."
        )
    st.download_button(
        "Download the data (CSV)",
        partial(dataset_to_csv, dataset),  # built when clicked, not on every rerun
        "data.csv",
        "text/csv",
        key="lab_download",
        icon=":material/download:",
        on_click="ignore",
    )
    if not dataset_fits_link(scenario):
        st.caption(
            f"This dataset is too large for a link (over {DATASET_LINK_CHARS:,} characters): the link carries "
            "the network without it; download the scenario file instead (sidebar, Save and load)."
        )


def data_section() -> None:
    scenario = state.get("scenario")
    st.subheader("Data")
    sets, upload_column = st.columns(2, gap="medium")
    with sets:
        built_in_sets()
    with upload_column:
        csv_upload(state.get("revision"))
    pending_fit()
    problems_here("lab_data", "This data was not used; the last good data is kept:")
    current_data(scenario)
