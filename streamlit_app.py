"""Backprop Simulator: step through one training step of a small network, stage by stage.

Read state (URL once per session, then session state), compute (the engine),
render (pure figure and table builders), write the URL. Session state holds
inputs only: the scenario, the stage id, the lecture flag and messages.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from simulator import ACTIVATIONS, LOSSES, PRESETS, SEED, ScenarioError, build_stages, step, train
from simulator.editing import (
    BIAS_MODES,
    bias_mode,
    parse_layers,
    parse_numbers,
    with_bias_mode,
    with_cell_edits,
    with_layers,
)
from simulator.figures import activation_figure, loss_curve_figure, network_figure
from simulator.formatting import notebook_values, number
from simulator.graph import graph_model, node_explanation
from simulator.notebook import SEED_VECTOR, perceptron, perceptron_weights
from simulator.presets import PRESET_TITLES
from simulator.scenario import scenario_from_json, scenario_to_json
from simulator.share import decode, encode
from simulator.stages import layer_mark, unit_label, unit_names
from simulator.tables import matrix_frame, stage_tables, styled, weight_tables
from simulator.training import DIVERGED

MAX_TRAIN_STEPS = 20_000
state = st.session_state


# --- state -----------------------------------------------------------------


def read_link_once() -> None:
    """Take the scenario, stage and mode from the URL at the start of a session."""
    if "scenario" in state:
        return
    view = decode(st.query_params.to_dict(), SEED)
    state.scenario = view.scenario
    state.stage = view.stage or "forward.z1"
    state.lecture = view.lecture
    state.link_problems = list(view.problems)
    stage_ids = [s.id for s in build_stages(step(view.scenario))]
    if view.stage and view.stage not in stage_ids:
        state.link_problems.append(f"stage: ignored, there is no stage {view.stage!r}")
        state.stage = stage_ids[0]
    state.problems = {}
    state.revision = 0
    state.losses = None


def set_scenario(scenario) -> None:
    """Make ``scenario`` current; every editor re-reads it, and an old loss curve no longer applies."""
    state.scenario = scenario
    state.revision += 1
    state.problems = {}
    state.losses = None


def try_change(field: str, change) -> None:
    """Apply ``change`` to the scenario; on bad input keep the last good one and note why beside ``field``."""
    try:
        scenario = change(state.scenario)
    except ScenarioError as err:
        state.problems = {field: err.problems}
        state.revision += 1
        return
    set_scenario(scenario)


def write_link(stage_id: str) -> None:
    params = encode(state.scenario, stage_id, state.lecture)
    if params != st.query_params.to_dict():
        st.query_params.from_dict(params)


# --- callbacks (they only set state) ----------------------------------------


def go_to(index: int) -> None:
    stages = build_stages(step(state.scenario))
    state.stage = stages[max(0, min(index, len(stages) - 1))].id


def move(offset: int) -> None:
    ids = [s.id for s in build_stages(step(state.scenario))]
    go_to(ids.index(state.stage) + offset if state.stage in ids else 0)


def pick_stage() -> None:
    state.stage = state.stage_picker


def load_preset() -> None:
    set_scenario(PRESETS[state[f"preset.{state.revision}"]])


def edit_cells(field: str, index: int, key: str, columns: list[str]) -> None:
    edited = state[key].get("edited_rows", {})
    positions = {
        row: {columns.index(column): value for column, value in changes.items()} for row, changes in edited.items()
    }
    try_change(f"{field}{index}", lambda s: with_cell_edits(s, field, index, positions))


def edit_text(field: str, key: str) -> None:
    text = state[key]
    if field == "layers":
        try_change(field, lambda s: with_layers(s, parse_layers(text)))
    elif field == "learning_rate":
        value = parse_numbers(text)
        try_change(field, lambda s: s.replace(learning_rate=value[0] if len(value) == 1 else text))
    else:
        try_change(field, lambda s: s.replace(**{field: parse_numbers(text)}))


def edit_choice(field: str, key: str, index: int | None = None) -> None:
    value = state[key]
    if field == "activations":
        names = list(state.scenario.activations)
        names[index] = value
        try_change(field, lambda s: s.replace(activations=names))
    elif field == "loss":
        try_change(field, lambda s: s.replace(loss=value))
    else:
        try_change(field, lambda s: with_bias_mode(s, value))


def upload() -> None:
    file = state[f"upload.{state.revision}"]
    if file is None:
        return
    try:
        set_scenario(scenario_from_json(file.getvalue()))
    except ScenarioError as err:
        state.problems = {"upload": [f"{file.name}: {p}" for p in err.problems]}
        return
    state.stage = "forward.z1"


def run_training(steps: int) -> None:
    state.pending_training = steps


# --- page parts --------------------------------------------------------------


def problems_beside(field: str) -> None:
    for problem in state.problems.get(field, []):
        st.error(f"{problem}. The last good value is kept.", icon="⚠️")


def lecture_style() -> None:
    # The Page Up/Down buttons exist only for presentation clickers; the arrows have visible buttons.
    css = ".st-key-next_pagedown, .st-key-prev_pageup {display: none;}"
    css += ".katex-display {overflow-x: auto; overflow-y: hidden; padding: 0.2em 0;}"
    css += "[data-testid=stMainBlockContainer] {padding-top: 2.5rem;}"
    if state.lecture:
        css += (
            "html {font-size: 22px;} .katex {font-size: 1.2em;}"
            "h1 {font-size: 1.8rem !important; padding: 0 !important;}"
            "[data-testid=stMainBlockContainer] {padding-top: 1.2rem; padding-bottom: 1rem;}"
        )
    st.html(f"<style>{css}</style>")


def stage_controls(stages, index: int) -> None:
    reset, previous, following, end, picker = st.columns([1, 1, 1, 1, 3], vertical_alignment="bottom")
    reset.button(
        "Reset",
        key="reset",
        icon=":material/restart_alt:",
        on_click=go_to,
        args=(0,),
        width="stretch",
        help="Back to the first stage",
    )
    previous.button(
        "Prev",
        key="prev",
        icon=":material/chevron_left:",
        on_click=move,
        args=(-1,),
        shortcut="Left",
        disabled=index == 0,
        width="stretch",
    )
    following.button(
        "Next",
        key="next",
        icon=":material/chevron_right:",
        icon_position="right",
        on_click=move,
        args=(1,),
        shortcut="Right",
        type="primary",
        disabled=index == len(stages) - 1,
        width="stretch",
    )
    end.button(
        "End",
        key="end",
        icon=":material/skip_next:",
        icon_position="right",
        help="Jump to the last stage",
        on_click=go_to,
        args=(len(stages) - 1,),
        width="stretch",
    )
    st.button("Previous (Page Up)", key="prev_pageup", on_click=move, args=(-1,), shortcut="PageUp")
    st.button("Next (Page Down)", key="next_pagedown", on_click=move, args=(1,), shortcut="PageDown")
    titles = [f"{k + 1}. {s.title}" for k, s in enumerate(stages)]
    state.stage_picker = stages[index].id
    picker.selectbox(
        "Stage",
        [s.id for s in stages],
        key="stage_picker",
        on_change=pick_stage,
        label_visibility="collapsed",
        format_func=lambda stage_id: titles[[s.id for s in stages].index(stage_id)],
    )


def network_graph(record, stages, index: int) -> None:
    model = graph_model(record, stages, index)
    event = st.plotly_chart(
        network_figure(model, state.lecture),
        key="graph",
        on_select="rerun",
        selection_mode="points",
        config={"displayModeBar": False},
        width="stretch",
    )
    legend = "Blue solid: positive, vermillion dashed: negative, width ∝ |w|."
    if not state.lecture:
        legend += " Hover for full precision; click a unit to see how it was computed."
    st.caption(f"{model.caption}. {legend}")
    points = event.selection.points if event and event.selection else []
    node_ids = [p.get("customdata") for p in points if isinstance(p.get("customdata"), str)]
    if node_ids:
        reached = {s.id for s in stages[: index + 1]}
        st.markdown(f"**How {unit_label(node_ids[0])} was computed so far**")
        for line in node_explanation(record, node_ids[0], reached):
            st.latex(line)


def stage_panel(record, stages, index: int) -> None:
    stage = stages[index]
    st.subheader(f"Stage {index + 1} of {len(stages)} — {stage.title}")
    st.write(stage.explanation)
    st.latex(stage.formula)
    st.latex(r"\small " + stage.substituted)
    st.code(f">>> {stage.code}\n{notebook_values(stage.values)}", language="python")
    if stage.kind == "apply":
        before, after = st.columns(2)
        before.metric("Output o₁", number(record.new_output[0], 6), f"{record.new_output[0] - record.output[0]:+.3g}")
        after.metric(
            "Loss E", number(record.new_loss, 6), f"{record.new_loss - record.loss:+.3g}", delta_color="inverse"
        )
        st.button("Take this step and start the next one", key="take_step", on_click=take_step)
        for problem in state.problems.get("take_step", []):
            st.warning(problem, icon="⚠️")


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


def take_step() -> None:
    run = train(state.scenario, 1)
    if run.diverged_at is not None:
        state.problems = {"take_step": [DIVERGED.format(step=1).capitalize()]}
        return
    losses = run.losses if state.losses is None else np.concatenate([state.losses, run.losses[1:]])
    set_scenario(run.scenario)
    state.losses = losses
    state.stage = "forward.z1"


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


@st.fragment
def stepper() -> None:
    """Controls, graph, stage panel and tables: a Next click reruns only this."""
    record = step(state.scenario)
    stages = build_stages(record)
    ids = [s.id for s in stages]
    index = ids.index(state.stage) if state.stage in ids else 0
    state.stage = ids[index]  # an edit may have removed the stage that was current
    stage_controls(stages, index)
    graph_column, panel_column = st.columns([1, 1], gap="medium")
    with graph_column:
        network_graph(record, stages, index)
        stage_table_row(record, stages[index])
    with panel_column:
        stage_panel(record, stages, index)
    all_update_tables(record)
    write_link(ids[index])


def training_panel() -> None:
    scenario = state.scenario
    record = step(scenario)
    now, target, loss = st.columns(3)
    now.metric("Output now", ", ".join(number(v, 6) for v in record.output))
    target.metric("Target", ", ".join(number(v, 6) for v in scenario.target))
    loss.metric("Loss now", number(record.loss, 6))
    steps_column, button_column = st.columns([2, 1], vertical_alignment="bottom")
    steps = steps_column.number_input("Steps", 1, MAX_TRAIN_STEPS, 100, key="train_steps")
    button_column.button(f"Train {steps} more steps", key="train", on_click=run_training, args=(steps,))
    if scenario.dataset is not None:
        st.caption(
            f"Each step is one pass over the {len(scenario.dataset)} examples of the dataset, "
            "one update per example; the loss is their mean."
        )
    pending = state.pop("pending_training", None)
    if pending:
        progress = st.progress(0.0, text="Training…")
        current, losses = scenario, [np.array([record.loss if scenario.dataset is None else np.nan])]
        chunk = max(1, pending // 20)
        done = 0
        while done < pending:
            run = train(current, min(chunk, pending - done))
            losses[0] = run.losses[:1] if done == 0 else losses[0]
            losses.append(run.losses[1:])
            current = run.scenario
            if run.diverged_at is not None:
                state.training_note = DIVERGED.format(step=done + run.diverged_at).capitalize() + "."
                break
            done += min(chunk, pending - done)
            progress.progress(done / pending, text=f"Trained {done} of {pending} steps")
        history = np.concatenate(losses)
        if state.losses is not None:
            history = np.concatenate([state.losses, history[1:]])
        set_scenario(current)
        state.losses = history
        state.stage = "forward.z1"
        st.rerun()
    note = state.pop("training_note", None) if pending is None else None
    if note:
        st.warning(note, icon="⚠️")
    if state.losses is not None:
        st.plotly_chart(loss_curve_figure(state.losses, state.lecture), width="stretch")
        st.caption(f"Loss from {state.losses[0]:.6g} to {state.losses[-1]:.6g} over {len(state.losses) - 1} steps.")


def activation_view() -> None:
    text = st.text_input("Vector", "2, 4, 5", key="activation_vector", help="The seed notebook uses [2, 4, 5].")
    values = parse_numbers(text)
    if not all(isinstance(v, float) and np.isfinite(v) and abs(v) <= 1e6 for v in values) or len(values) > 16:
        st.error("Type 1 to 16 finite numbers between -1e6 and 1e6, separated by commas.", icon="⚠️")
        values = list(SEED_VECTOR)
    vector = np.array(values)
    rows = {name: ACTIVATIONS[name](vector) for name in ("softmax", "sigmoid", "relu", "tanh")}
    frame = matrix_frame(np.array(list(rows.values())), list(rows), [f"v{k + 1}" for k in range(vector.size)])
    st.dataframe(frame.style.format(lambda v: f"{v:.8f}"), width="content")
    with np.printoptions(precision=8):
        st.code("\n".join(f"{name}({vector}) = {values}" for name, values in rows.items()), language="python")
    names = list(ACTIVATIONS)
    columns = [column for _ in range(0, len(names), 3) for column in st.columns(3)]
    for column, name in zip(columns, names):
        column.plotly_chart(activation_figure(name, state.lecture), width="stretch", config={"displayModeBar": False})
    st.markdown("**The perceptron**: output = sigmoid(w·x + b), b = 10, w drawn uniformly from [0, 1).")
    seed = st.number_input("Random seed for w", 0, 2**31 - 1, 0, key="perceptron_seed")
    weights = perceptron_weights(vector.size, np.random.default_rng(seed))
    output = perceptron(vector, np.random.default_rng(seed))
    st.code(f"w = {np.array2string(weights, precision=8)}\noutput = {float(output[0])!r}", language="python")


def matrix_editor(field: str, index: int, values, rows: list[str], columns: list[str]) -> None:
    key = f"{field}{index}.{state.revision}"
    st.data_editor(
        matrix_frame(values, rows, columns),
        key=key,
        num_rows="fixed",
        width="content",
        column_config={c: st.column_config.NumberColumn(c, format="%.6g", step=1e-6) for c in columns},
        on_change=edit_cells,
        args=(field, index, key, columns),
    )
    problems_beside(f"{field}{index}")


def editing_panel() -> None:
    scenario, revision = state.scenario, state.revision
    names = unit_names(scenario.layers)
    labels = [[unit_label(n) for n in layer] for layer in names]
    preset_names = list(PRESETS)
    matching = [name for name in preset_names if PRESETS[name] == scenario]
    st.selectbox(
        "Preset",
        preset_names,
        index=preset_names.index(matching[0]) if matching else None,
        format_func=PRESET_TITLES.get,
        key=f"preset.{revision}",
        on_change=load_preset,
        placeholder="Edited scenario",
    )

    st.markdown("**Example**")
    for field, label, values in (("x", "Input x", scenario.x), ("target", "Target t", scenario.target)):
        key = f"{field}.{revision}"
        st.text_input(label, ", ".join(repr(float(v)) for v in values), key=key, on_change=edit_text, args=(field, key))
        problems_beside(field)
    key = f"learning_rate.{revision}"
    st.text_input(
        "Learning rate η", repr(scenario.learning_rate), key=key, on_change=edit_text, args=("learning_rate", key)
    )
    problems_beside("learning_rate")

    st.markdown("**Weights** (row: from, column: to)")
    for l in range(1, len(scenario.layers)):
        st.caption(f"W{layer_mark(l)}")
        matrix_editor("weights", l - 1, scenario.weights[l - 1], labels[l - 1], labels[l])
    if scenario.biases is not None:
        st.markdown("**Biases**")
        for l in range(1, len(scenario.layers)):
            st.caption(f"b{layer_mark(l)}")
            matrix_editor("biases", l - 1, scenario.biases[l - 1][None, :], ["b"], labels[l])

    st.markdown("**Architecture**")
    key = f"layers.{revision}"
    st.text_input(
        "Layer sizes",
        "-".join(map(str, scenario.layers)),
        key=key,
        on_change=edit_text,
        args=("layers", key),
        help="2 to 8 layers of 1 to 16 units, e.g. 3-2-1",
    )
    problems_beside("layers")
    for l, name in enumerate(scenario.activations):
        key = f"activation{l}.{revision}"
        st.selectbox(
            f"Activation of layer {l + 1}",
            list(ACTIVATIONS),
            index=list(ACTIVATIONS).index(name),
            key=key,
            on_change=edit_choice,
            args=("activations", key, l),
        )
    problems_beside("activations")
    key = f"loss.{revision}"
    st.selectbox(
        "Loss",
        list(LOSSES),
        index=list(LOSSES).index(scenario.loss),
        key=key,
        format_func=lambda n: LOSSES[n].label,
        on_change=edit_choice,
        args=("loss", key),
    )
    problems_beside("loss")
    key = f"bias_mode.{revision}"
    st.radio(
        "Biases",
        BIAS_MODES,
        index=BIAS_MODES.index(bias_mode(scenario)),
        key=key,
        horizontal=True,
        on_change=edit_choice,
        args=("bias_mode", key),
    )
    problems_beside("bias_mode")

    st.markdown("**Save and load**")
    st.download_button(
        "Download scenario (JSON)", scenario_to_json(scenario), "scenario.json", "application/json", key="download"
    )
    st.file_uploader("Upload a scenario (JSON, up to 1 MB)", type=["json"], key=f"upload.{revision}", on_change=upload)
    problems_beside("upload")


def main() -> None:
    st.set_page_config(page_title="Backprop Simulator", page_icon="🧮", layout="wide")
    read_link_once()
    lecture_style()
    title, toggle = st.columns([5, 1], vertical_alignment="center")
    title.title("Backprop Simulator")
    toggle.toggle("Lecture mode", key="lecture")
    if state.link_problems:
        st.warning(
            "This link could not be used in full; these fields were ignored and defaults used instead:\n\n"
            + "\n".join(f"- {p}" for p in state.link_problems),
            icon="🔗",
        )
    # Only the open tab is built, so a click in one never pays for the others.
    tabs = st.tabs(["Step through", "Train", "Activation functions"], key="view", on_change="rerun")
    for tab, build in zip(tabs, (stepper, training_panel, activation_view)):
        if tab.open:
            with tab:
                build()
    if state.lecture:
        editor = st.expander("Edit the network", key="lecture_editor", on_change="rerun")
        if editor.open:
            with editor:
                editing_panel()
    else:
        with st.sidebar:
            st.header("Edit the network")
            editing_panel()
    write_link(state.stage)


if __name__ == "__main__":
    main()
