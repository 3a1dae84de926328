"""Editing the network: preset, example, weights, architecture, save and load.

Callbacks only set state: each edit goes through :func:`state.try_change`, which keeps the
last good scenario and puts the message beside the field that was wrong.

The editor is five fragments, one per section (the preset; the example; the weights; the architecture; save
and load). A value refused reruns only its section (the message beside the field); an edit reruns the
sections that show what changed, the preset's, the file's and the stepper (the walk, the URL), the only parts
of the page that show the scenario, unless the page shows it elsewhere too (another tab, a live class, a
message outside the editor): then the whole page (:func:`refreshing`). A new Input x so costs neither the
weight tables nor the architecture's widgets. A large network's tables are each built when opened.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial, wraps

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from simulator import ACTIVATIONS, LOSSES, PRESETS, ScenarioError
from simulator.core.editing import BIAS_MODES, bias_mode, with_bias_mode, with_cell_edits, with_layers
from simulator.core.fields import parse_cell, parse_learning_rate, parse_sizes, parse_vector
from simulator.core.messages import listed, quote
from simulator.core.names import layer_mark, unit_label, unit_names
from simulator.core.presets import PRESET_TITLES
from simulator.core.scenario import scenario_to_json
from simulator.io.scenario_files import scenario_from_json
from simulator.views.stages import FIRST_STAGE
from simulator.views.tables import cell_texts

from . import state
from .stepper import STEPPER
from .text import escaped
from .turns import let_others_go

PRESET, EXAMPLE, WEIGHTS = "editor_preset", "editor_example", "editor_weights"
ARCHITECTURE, FILE = "editor_architecture", "editor_file"
SECTION_OF = {"preset": PRESET, "upload": FILE, "x": EXAMPLE, "target": EXAMPLE, "learning_rate": EXAMPLE}
SECTION_OF |= {"weights": WEIGHTS, "biases": WEIGHTS}
SECTION_OF |= {"layers": ARCHITECTURE, "activations": ARCHITECTURE, "loss": ARCHITECTURE, "bias_mode": ARCHITECTURE}
TABLES_SHOWN = 4  # a network with more weight and bias tables than this shows each closed, built when opened


def _section(field: str) -> str | None:
    """The editor section whose messages include ``field`` (weights0, biases1, …), None for the rest of the page."""
    return SECTION_OF.get(field.rstrip("0123456789"))


def _showing(before, after) -> set[str]:
    """The sections that show a value that differs between the two scenarios; the preset's and the file's
    always do (the picker names the scenario, the download holds it)."""
    shown = {PRESET, FILE}
    if not all(_equal(getattr(before, name), getattr(after, name)) for name in ("x", "target", "learning_rate")):
        shown.add(EXAMPLE)
    if not (_equal(before.weights, after.weights) and _equal(before.biases, after.biases)):
        shown.add(WEIGHTS)
    shape = (before.layers, before.activations, before.loss, bias_mode(before))
    if shape != (after.layers, after.activations, after.loss, bias_mode(after)):
        shown.add(ARCHITECTURE)
    return shown


def _equal(a, b) -> bool:
    """Numbers, arrays or tuples of arrays (None for no biases) equal value for value."""
    if a is None or b is None:
        return a is b
    if isinstance(a, tuple):
        return len(a) == len(b) and all(np.array_equal(x, y) for x, y in zip(a, b))
    return bool(np.array_equal(a, b))


def refreshing(callback: Callable[..., None]) -> Callable[..., None]:
    """An editor callback that reruns what the edit changed: its own section for a refused value (and a
    section whose message it replaced); for a new scenario the sections that show what changed (not the
    table a cell was typed in: it shows the new value already), the preset's and the file's, and the stepper,
    when nothing else on the page shows the scenario; else the page. A table keeps its key (and its edits)
    until its section is drawn again, which any other change of the weights does (:func:`_showing`)."""

    @wraps(callback)
    def edit(origin: str, *args) -> None:
        before, noted = state.get("scenario"), set(state.get("problems"))
        elsewhere = any(_section(f) is None for f in noted)
        callback(*args)
        run = get_script_run_ctx()
        if not (run and run.fragment_ids_this_run):
            return  # the interaction reruns the whole page anyway (a widget outside the editor changed too)
        after, now_noted = state.get("scenario"), set(state.get("problems"))
        changed = after is not before
        elsewhere = elsewhere or any(_section(f) is None for f in now_noted)  # a message outside the editor
        if elsewhere or (changed and (not state.get("walk_drawn") or state.get("class_code"))):
            st.rerun()  # a message outside the editor to clear, another tab, or a live class's panel
        messages = {section for f in noted | now_noted if (section := _section(f))}  # to show or to clear
        if not changed:
            if messages <= {origin}:
                return  # the section's own rerun: the message beside the field
            st.rerun(sorted(messages | {origin}))
        shown = _showing(before, after)
        if origin == WEIGHTS:  # the edited table already shows what was typed: it is not drawn again
            shown.discard(WEIGHTS)
        st.rerun(sorted(messages | shown) + [STEPPER])

    return edit


def versioned(name: str) -> str:
    """A widget key that changes with every scenario change, so the widget re-reads the scenario."""
    return f"{name}.{state.get('revision')}"


@refreshing
def load_preset(key: str) -> None:
    state.set_scenario(PRESETS[st.session_state[key]], "preset")


@refreshing
def edit_cells(field: str, index: int, key: str, rows: list[str], columns: list[str]) -> None:
    """Cells are text: each typed value goes through the engine's parser, so "-0,5" and "1e9" mean
    what they say and "abc" is refused with a message quoting it and naming the cell."""
    edited = st.session_state[key].get("edited_rows", {})

    def typed(row: int, column: str, value) -> float:
        try:
            return parse_cell(str(value))
        except ScenarioError as err:
            raise ScenarioError([f"row {rows[int(row)]}, column {column}: {p}" for p in err.problems]) from None

    def change(scenario):
        positions = {
            row: {columns.index(column): typed(row, column, value) for column, value in changes.items()}
            for row, changes in edited.items()
        }
        return with_cell_edits(scenario, field, index, positions)

    state.try_change(f"{field}{index}", change, reset=True)


@refreshing
def edit_text(field: str, key: str) -> None:
    """A typed field, read by the engine's parsers: every message quotes what was typed."""
    text = st.session_state[key]
    if field == "layers":
        state.try_change(field, lambda s: with_layers(s, parse_sizes(text)))
    elif field == "learning_rate":
        state.try_change(field, lambda s: s.replace(learning_rate=parse_learning_rate(text)))
    else:
        state.try_change(field, lambda s: s.replace(**{field: parse_vector(text, field)}))


@refreshing
def edit_choice(field: str, key: str, index: int | None = None) -> None:
    value = st.session_state[key]
    if field == "activations":
        names = list(state.get("scenario").activations)
        names[index] = value
        state.try_change(field, lambda s: s.replace(activations=names))
    elif field == "loss":
        state.try_change(field, lambda s: s.replace(loss=value))
    else:
        state.try_change(field, lambda s: with_bias_mode(s, value))


@refreshing
def upload(key: str) -> None:
    file = st.session_state[key]
    if file is None:
        return
    try:
        scenario = scenario_from_json(file.getvalue())
    except ScenarioError as err:
        state.note_problem("upload", [f"{quote(file.name, 60)}: {p}" for p in err.problems])
        return
    if state.set_scenario(scenario, "upload"):
        state.move_to(FIRST_STAGE)


def problems_beside(field: str) -> None:
    """The messages noted for ``field``, one alert each: at most ten, then how many more (a file can have hundreds)."""
    for message in listed(state.get("problems").get(field, [])):
        st.error(f"{escaped(message)} The last good value is kept.", icon="⚠️")


def matrix_editor(field: str, index: int, values, rows: list[str], columns: list[str]) -> None:
    key = versioned(f"{field}{index}")
    st.data_editor(
        cell_texts(values, rows, columns),
        key=key,
        num_rows="fixed",
        width="content",
        column_config={c: st.column_config.TextColumn(c, max_chars=40) for c in columns},
        on_change=edit_cells,
        args=(WEIGHTS, field, index, key, rows, columns),
    )
    problems_beside(f"{field}{index}")


def preset_picker(scenario) -> None:
    names = list(PRESETS)
    matching = [name for name in names if PRESETS[name] == scenario]
    key = versioned("preset")
    st.selectbox(
        "Preset",
        names,
        index=names.index(matching[0]) if matching else None,
        format_func=PRESET_TITLES.get,
        key=key,
        on_change=load_preset,
        args=(PRESET, key),
        placeholder="Edited scenario",
    )
    problems_beside("preset")


def example_fields(scenario) -> None:
    st.markdown("**Example**")
    for field, label, values in (("x", "Input x", scenario.x), ("target", "Target t", scenario.target)):
        key = versioned(field)
        text = ", ".join(repr(float(v)) for v in values)
        st.text_input(label, text, key=key, on_change=edit_text, args=(EXAMPLE, field, key))
        problems_beside(field)
    key = versioned("learning_rate")
    st.text_input(
        "Learning rate η",
        repr(scenario.learning_rate),
        key=key,
        on_change=edit_text,
        args=(EXAMPLE, "learning_rate", key),
    )
    problems_beside("learning_rate")


def weight_editors(scenario) -> None:
    """One table per weight matrix and bias vector; beyond :data:`TABLES_SHOWN` each is closed, built when
    opened (8 layers of 16 units: 14 tables, a third of the page's first view)."""
    labels = [[unit_label(n) for n in layer] for layer in unit_names(scenario.layers)]
    layers = range(1, len(scenario.layers))
    biases = scenario.biases is not None
    folded = len(layers) * (1 + biases) > TABLES_SHOWN
    st.markdown("**Weights** (row: from, column: to)")
    for l in layers:
        table(f"W{layer_mark(l)}", "weights", l - 1, scenario.weights[l - 1], labels[l - 1], labels[l], folded)
    if biases:
        st.markdown("**Biases**")
        for l in layers:
            table(f"b{layer_mark(l)}", "biases", l - 1, scenario.biases[l - 1][None, :], ["b"], labels[l], folded)


def table(title: str, field: str, index: int, values, rows: list[str], columns: list[str], folded: bool) -> None:
    if not folded:
        st.caption(title)
        matrix_editor(field, index, values, rows, columns)
        return
    shape = f"{len(rows)} × {len(columns)}"
    box = st.expander(f"{title} ({shape})", key=f"open_{field}{index}", on_change="rerun")
    if box.open:
        with box:
            matrix_editor(field, index, values, rows, columns)
    else:
        problems_beside(f"{field}{index}")


def architecture_fields(scenario) -> None:
    st.markdown("**Architecture**")
    key = versioned("layers")
    st.text_input(
        "Layer sizes",
        "-".join(map(str, scenario.layers)),
        key=key,
        on_change=edit_text,
        args=(ARCHITECTURE, "layers", key),
        help="2 to 8 layers of 1 to 16 units, e.g. 3-2-1",
    )
    problems_beside("layers")
    for l, name in enumerate(scenario.activations):
        key = versioned(f"activation{l}")
        st.selectbox(
            f"Activation of layer {l + 1}",
            list(ACTIVATIONS),
            index=list(ACTIVATIONS).index(name),
            key=key,
            on_change=edit_choice,
            args=(ARCHITECTURE, "activations", key, l),
        )
    problems_beside("activations")
    key = versioned("loss")
    st.selectbox(
        "Loss",
        list(LOSSES),
        index=list(LOSSES).index(scenario.loss),
        key=key,
        format_func=lambda n: LOSSES[n].label,
        on_change=edit_choice,
        args=(ARCHITECTURE, "loss", key),
    )
    problems_beside("loss")
    key = versioned("bias_mode")
    st.radio(
        "Biases",
        BIAS_MODES,
        index=BIAS_MODES.index(bias_mode(scenario)),
        key=key,
        horizontal=True,
        on_change=edit_choice,
        args=(ARCHITECTURE, "bias_mode", key),
    )
    problems_beside("bias_mode")


def save_and_load(scenario) -> None:
    st.markdown("**Save and load**")
    st.download_button(  # built when clicked, not on every rerun (40 ms for 8 layers × 16 units, 256 examples)
        "Download scenario (JSON)",
        partial(scenario_to_json, scenario),
        "scenario.json",
        "application/json",
        key="download",
        on_click="ignore",
    )
    key = versioned("upload")
    st.file_uploader("Upload a scenario (JSON, up to 1 MB)", type=["json"], key=key, on_change=upload, args=(FILE, key))
    problems_beside("upload")


@st.fragment(key=PRESET)
def preset_section() -> None:
    preset_picker(state.get("scenario"))


@st.fragment(key=EXAMPLE)
def example_section() -> None:
    example_fields(state.get("scenario"))


@st.fragment(key=WEIGHTS)
def weights_section() -> None:
    weight_editors(state.get("scenario"))


@st.fragment(key=ARCHITECTURE)
def architecture_section() -> None:
    architecture_fields(state.get("scenario"))


@st.fragment(key=FILE)
def file_section() -> None:
    save_and_load(state.get("scenario"))


def editing_panel() -> None:
    preset_section()
    example_section()
    let_others_go()  # a first view steps aside here for the edits of pages already open (turns)
    weights_section()
    architecture_section()
    file_section()
