"""The walk on the page: one Components v2 component that shows every stage Python built, stepping in the browser.

Python builds the walk (:func:`simulator.views.walk.walk`) once per scenario and view and packs it
(JSON, gzip, base64: :func:`simulator.views.walk.packed`); the packed text is cached across sessions
(:func:`packed_walk`) and shipped in the component's ``data``, so a first view on a link many students
share costs neither a build nor a serialisation; Prev/Next, the picker, the clicker keys, auto-play,
Back/Forward and the inspector then run in the browser (``walk.js``) with no message to the server. The
URL keeps the stage (``history.pushState``), and :func:`simulator.ui.state.follow_browser_stage` reads it
on the next rerun. Blank the answer and the quiz send only the stages up to the current one, the hidden
ones blanked: a step past them, a Reveal or a pause is one message (``action``), handled by :func:`on_action`.
A large network's walk comes a window of stages at a time (:func:`simulator.views.walk.window`): a step out
of it is one such message too, and the server sends the window around the new stage.
Formulas are rendered in the browser by the KaTeX that Streamlit itself ships (see ``docs/walk.md``).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlencode

import streamlit as st

from simulator.core.scenario import scenario_to_json
from simulator.views.walk import WalkView, inspector, packed, per_message, reveals_chains, walk, window

from . import presenter, state, turns, walk_worker
from .walk_assets import HIDDEN_UNTIL_STYLED, LOADER

_HERE = Path(__file__).parent
_STREAMLIT_JS = Path(st.__file__).parent / "static" / "static" / "js"


def _asset(pattern: str) -> str:
    """The file name of a module Streamlit's own page loads (KaTeX, Plotly.js), so the browser reuses it."""
    found = sorted(_STREAMLIT_JS.glob(pattern))
    return found[0].name if found else ""


KATEX, PLOTLY = _asset("katex.*.js"), _asset("PlotlyChart.*.js")
HTML = (_HERE / "walk.html").read_text()
_WALK = st.components.v2.component(
    "backprop_walk",
    html=HTML,
    css=HIDDEN_UNTIL_STYLED,
    js=LOADER,  # walk.js and its styles come once per browser from their own route (walk_assets)
    isolate_styles=False,
)
_SYNC = st.components.v2.component(
    "backprop_stage_sync",
    html="",
    js="export default function ({ setStateValue }) { window.__bpRemember = setStateValue; }",
)
LECTURE_WIDTH = 660  # px: the graph's column at 1280 in lecture mode (walk.css), wider at 1920: labels placed for it
LEGEND = (
    "Blue solid: positive, vermillion dashed: negative, width ∝ |w|. "
    "Hover for full precision; click a unit to see how it was computed."
)


WALKS = 1_000  # packed walks kept (13 KiB for the seed): one per scenario and view asked for lately
INSPECTORS = 32  # whole inspectors kept, cut to each window or blanked prefix (8 × 16: about 1 MB each)


def _steps(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str):
    """The record, its stages, the correct step's stages beside a mistake's (else None) and where they part:
    shared with the stepper (:func:`simulator.ui.state.shared`), so an edit computes its step once."""
    computed = state.shared(scenario_json, mistake, digits, notation, form)
    correct = None if mistake is None else computed.correct_stages
    return computed.record, computed.stages, correct, computed.divergence


@st.cache_data(max_entries=INSPECTORS, show_spinner=False)
def whole_inspector(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str) -> dict:
    """The inspector of the whole walk, nothing hidden: built once per scenario, cut to each window's stages.
    Pure, like :func:`packed_walk`."""
    record, stages, _, _ = _steps(scenario_json, mistake, digits, notation, form)
    return inspector(record, stages, len(stages), WalkView(notation=notation))


def _built(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str, view: WalkView):
    """The walk for one scenario and view (a window of it for a large network)."""
    record, stages, correct, parting = _steps(scenario_json, mistake, digits, notation, form)
    cut = view.limit is not None and not view.hidden and reveals_chains(stages, view.limit)  # else cheap to build
    units = whole_inspector(**state.cache_key(scenario_json, mistake, digits, notation, form)) if cut else None
    if mistake is None:
        return walk(record, stages, view, units=units)
    return walk(record, stages, view, correct_stages=correct, divergence=parting, units=units)


@st.cache_data(max_entries=WALKS, show_spinner=False)
def packed_walk(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str, view: WalkView):
    """The walk for one scenario and view, packed, shared by every visitor who asks for the same one.

    A pure function of its arguments (no session's state goes in or comes out: the arguments are the whole
    scenario and view), so one bounded cache for every session is safe; it is not shared mutable state.
    """
    key = (scenario_json, mistake, digits, notation, form, view)
    return walk_worker.packed_walk(key, here=lambda: packed(_built(*key)), waiting=turns.aside)


def walk_view_options(now, index: int) -> WalkView:
    """What the page shows and how much it may send: in blank and quiz mode only up to the current stage; for
    a large network only the window of stages around it (:func:`simulator.views.walk.window`)."""
    guarded = bool(state.get("blank") or state.get("quiz"))
    count = len(now.ids)
    first, end = window(count, index, per_message(now.record.scenario.layers))
    limit = index + 1 if guarded else (None if end == count and first == 0 else end)
    ids = now.ids[: limit or count]
    lecture = bool(state.get("lecture"))
    return WalkView(
        lecture=lecture,
        width=LECTURE_WIDTH if lecture else None,
        dark=st.context.theme.type == "dark",
        spotlight=bool(state.get("spotlight")),
        hidden=frozenset(i for i in ids if presenter.hiding(i)),
        limit=limit,
        first=first,
        code=presenter.shown("code"),
        tables=presenter.shown("tables"),
        digits=state.get("digits"),
        notation=state.get("notation"),
    )


def on_action() -> None:
    """One message from the browser: a step past what it holds, a Reveal, or a pause of auto-play."""
    action = st.session_state["walk"].get("action")
    if not isinstance(action, dict):
        return
    ids = state.computed().ids
    if action.get("at") in ids:
        state.move_to(action["at"])  # where the browser was: it may have stepped on its own since
    kind, to = action.get("kind"), action.get("to")
    if kind == "pause":
        state.put("autoplay", False)
    elif kind == "reveal":
        presenter.reveal()
    elif kind == "go" and isinstance(to, int) and not isinstance(to, bool):
        state.move_to(ids[max(0, min(to, len(ids) - 1))])
    if not presenter.more_ahead():
        state.put("autoplay", False)  # auto-play stops at the last stage


def on_stage() -> None:
    """The browser's stage, sent once as the user turns to another part of the page (never per step)."""
    stage = st.session_state["walk_stage"].get("stage")
    if stage in state.computed().ids:
        state.move_to(stage)


def stage_sync() -> None:
    """Mount in the main script, outside the stepper's fragment: the walk tells the server its stage through
    this as the user turns to another widget. Streamlit sends a fragment's and a main-script widget's change
    of one moment as one fragment run, so the message must not come from the fragment."""
    _SYNC(key="walk_stage", on_stage_change=on_stage)


def walk_component(now, index: int, handler: Callable[[], None] = on_action) -> None:
    """Mount the walk at stage ``index`` of ``now`` (a :class:`simulator.ui.state.Computed`)."""
    view = walk_view_options(now, index)
    network = dataclasses.replace(now.record.scenario, dataset=None)  # one step: a lab's examples only cost parsing
    key = (scenario_to_json(network, indent=None), state.get("mistake"), state.get("digits"))
    key += (state.get("notation"), state.get("form"), view)
    lecture = bool(state.get("lecture"))
    _WALK(
        key="walk",
        data={
            "walk": packed_walk(**state.cache_key(*key[:5]), view=view),  # unpacked in the browser once per version
            "index": index,
            "version": hashlib.sha1(repr(key).encode()).hexdigest()[:16],
            "katex": KATEX,
            "plotly": PLOTLY,
            "blank": bool(state.get("blank")),
            "server_steps": bool(state.get("quiz")),  # the quiz's form and check live on the server
            "autoplay": bool(state.get("autoplay")) and presenter.more_ahead(),
            "speed": float(state.get("speed")),
            "spotlight": view.spotlight,
            "lecture": lecture,
            "legend": "" if lecture else LEGEND,  # on a projector the lecturer says it
            "narration": presenter.shown("narration"),
            "tables": view.tables,
            "form": state.get("form"),
            "search": urlencode(state.link_params()),
        },
        on_action_change=handler,
    )
