"""Session state: every key the page keeps, declared once with its default.

Session state holds inputs (the scenario, the stage, view switches, messages), never
derived values; :func:`computed` memoises the step and its stages per scenario object so
one rerun computes them once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import streamlit as st

from simulator import SEED, Scenario, ScenarioError, Stage, StepRecord
from simulator.core.messages import quote
from simulator.core.mistakes import MISTAKES, Divergence
from simulator.core.record import step_problems
from simulator.core.scenario import scenario_from_dict, scenario_to_json
from simulator.io.share import ViewOptions, decode, encode
from simulator.views.stages import FIRST_STAGE
from simulator.views.walk import page_step

# View options that live in session state and travel in links: state name -> share.ViewOptions field.
LINKED_OPTIONS = {
    **{
        name: name
        for name in ("blank", "spotlight", "hide", "speed", "batch", "quiz", "mistake", "notation", "form", "intro")
    },
    "digits": "round",  # paper mode's significant digits travel as round=K
}


_VIEW = ViewOptions()  # the defaults of every option a link carries, declared once there

# name: default. Every module reads and writes state through these names only.
DEFAULTS: dict[str, Any] = {
    "scenario": SEED,  # the scenario in force: the last good one
    "stage": FIRST_STAGE,  # id of the stage on screen, as the server last knew it (the browser steps on its own)
    "stage_moved": False,  # a callback of this run chose the stage: the browser's URL does not override it
    "lecture": _VIEW.lecture,  # larger type, editor tucked away
    "link_problems": [],  # what the opening link could not use, shown once at the top
    "link": {},  # the query parameters last written: a URL that differs came from Back/Forward
    "problems": {},  # field name -> messages shown beside that field
    "revision": 0,  # bumped on every scenario change so every editor re-reads it
    "walk_drawn": False,  # the stepper ran in this page's last full run (an edit then reruns only it and the editor)
    "losses": None,  # loss history of the Train tab, None until trained
    "selected_unit": None,  # node id picked in the graph; its explanation follows Prev/Next
    # Presenter (carried in links: blank=1, spotlight=1, hide=editor,tabs,…, speed=3)
    "blank": _VIEW.blank,  # the current stage's numbers hidden until Reveal or the next step
    "revealed": None,  # id of the stage whose numbers Reveal (or the clicker) showed in blank mode
    "spotlight": _VIEW.spotlight,  # everything outside the current stage's units and edges dimmed
    "autoplay": False,  # stepping by itself every `speed` seconds
    "speed": _VIEW.speed,  # seconds per stage in auto-play
    "hide": _VIEW.hide,  # page parts hidden by the link: editor, tabs, code, tables, narration, title
    # Learning (carried in links: quiz=1, mistake=ID, round=K, notation=mazur, form=scalar)
    "quiz": _VIEW.quiz,
    "mistake": _VIEW.mistake,  # id from simulator.core.mistakes.MISTAKES
    "digits": _VIEW.round,  # paper mode: significant digits, or None for full precision
    "notation": _VIEW.notation,  # zad (z, a, δ) or mazur (net, out)
    "form": _VIEW.form,  # matrix or scalar
    "intro": _VIEW.intro,  # the first-time "Start here" (a link's intro=0 switches it off)
    "intro_dismissed": False,  # dismissed here, or in this browser before (ui.intro remembers it)
    "quiz_progress": None,  # ui.quiz.Progress: attempts and answers of this session's quiz, never stored elsewhere
    # Training lab
    "batch": _VIEW.batch,  # one update per example, or "full" batch
    "history": None,  # every trained step (simulator.core.history.History) of lab_scenario in this batch mode
    "history_step": 0,  # the history's step whose weights are in force (the scrubber's position)
    "lab_scenario": None,  # the scenario the lab put in force; any other one starts a new history
    "lab_run": None,  # training in progress (ui.training.Run: steps done of total, target, playing)
    "lab_pending": None,  # (dataset, source) that does not fit the network, waiting for "Resize to fit"
    "lab_note": None,  # (kind, text): how the last run ended (diverged, target reached)
    "computed": None,  # memo of computed(): (scenario, view inputs, Computed), rebuilt when an input changes
    # Live class (ui.live_class, ui.live_student; carried in links as class=CODE, presenter=KEY)
    "class_code": None,  # the join code this page presents (with class_key) or follows
    "class_key": None,  # the presenter's secret key: only in the lecturer's own session and link, never shown
    "class_note": None,  # (kind, text): the last class action's outcome, shown once
    "class_token": None,  # a student's page: who joins (the rate limit on wrong codes); answers use the tab's own
}
CLASS_PARAMS = ("class", "presenter")  # the live class's own link parameters, kept apart from the view's


def first_view() -> bool:
    """Is this the session's first run (nothing declared yet)?"""
    return "scenario" not in st.session_state


def init() -> None:
    """Give every declared key its default (once per session)."""
    present = set(st.session_state)  # one pass: each `name in st.session_state` is a lookup that raises
    for name, default in DEFAULTS.items():
        if name not in present:
            st.session_state[name] = default.copy() if isinstance(default, dict | list) else default


def get(name: str) -> Any:
    assert name in DEFAULTS, name
    return st.session_state[name]


def put(name: str, value: Any) -> None:
    assert name in DEFAULTS, name
    st.session_state[name] = value


def read_link_once() -> None:
    """Take the scenario, stage and view options from the URL at the start of a session, and again
    when the URL changed under the page (browser Back/Forward): the screen always follows the URL."""
    if "scenario" in st.session_state:
        if view_params() == get("link"):
            return
        if _without_stage(view_params()) == _without_stage(get("link")):
            follow_browser_stage()  # the browser stepped (or went Back/Forward between stages): nothing else changed
            return
        view = decode(view_params(), SEED)
        if encode(view.scenario) != encode(get("scenario")):
            _replace(view.scenario)  # the link's options are checked with it below
    else:
        view = decode(view_params(), SEED)
        init()
        put("scenario", view.scenario)
    put("lecture", view.lecture)
    for name, option in LINKED_OPTIONS.items():
        put(name, getattr(view.options, option))
    problems = [*view.problems, *usable_options(get("scenario"))]
    stage_ids = [s.id for s in computed().stages]
    if view.stage and view.stage not in stage_ids:
        problems.append(f"stage: ignored, there is no stage {quote(view.stage)}")
    put("stage", view.stage if view.stage in stage_ids else stage_ids[0])
    put("link_problems", problems)


def option_problems(scenario: Scenario, mistake: str | None, digits: int | None) -> list[str]:
    """Why the page could not show ``scenario``'s step with this classic mistake and paper mode (it
    would overflow), naming the option that does it; empty when it can."""
    problems = step_problems(scenario, mistake, digits)
    if not problems or (mistake is None and digits is None) or step_problems(scenario):
        return problems
    options = [f"the classic mistake “{MISTAKES[mistake].title}”" if mistake else "", f"paper mode ({digits} digits)"]
    on = " with ".join(o for o in options[: 1 if digits is None else 2] if o)
    return [f"with {on}, this step cannot be shown: {p}" for p in problems]


def usable_options(scenario: Scenario) -> list[str]:
    """Turn off a linked mistake or paper mode under which ``scenario``'s step overflows; say so."""
    problems = []
    if get("mistake") is not None and (found := option_problems(scenario, get("mistake"), None)):
        problems += [f"mistake: ignored, {p}" for p in found]
        put("mistake", None)
    if get("digits") is not None and (found := option_problems(scenario, get("mistake"), get("digits"))):
        problems += [f"round: ignored, {p}" for p in found]
        put("digits", None)
    return problems


def set_scenario(scenario: Scenario, field: str = "scenario") -> bool:
    """Make ``scenario`` current (every editor re-reads it; an old loss curve no longer applies) when its
    step can be shown with the mistake and paper mode in force; otherwise keep the last good one, note
    why beside ``field`` and return False."""
    problems = option_problems(scenario, get("mistake"), get("digits"))
    if problems:
        note_problem(field, problems)
        return False
    _replace(scenario)
    return True


def _without_stage(params: dict) -> dict:
    return {name: value for name, value in params.items() if name != "stage"}


def follow_browser_stage() -> None:
    """The stage the browser shows (it steps without telling the server, and keeps the stage in the URL),
    unless a callback of this run moved it (a Reveal, a step past what the browser holds, Take this step)."""
    stage = st.query_params.get("stage")
    if not get("stage_moved") and stage in computed().ids:
        put("stage", stage)


def move_to(stage_id: str) -> None:
    """A callback's move: this run's stage, whatever the URL the browser sent says."""
    put("stage", stage_id)
    put("stage_moved", True)


def _replace(scenario: Scenario) -> None:
    put("scenario", scenario)
    put("revision", get("revision") + 1)
    put("problems", {})
    put("losses", None)


def try_change(field: str, change, reset: bool = False) -> None:
    """Apply ``change`` to the scenario; on bad input keep the last good one and note why beside ``field``.

    A refused text field keeps showing what was typed (retyping the good value clears the message);
    with ``reset`` (table cells) the widget re-reads the scenario instead.
    """
    try:
        scenario = change(get("scenario"))
    except ValueError as err:  # ScenarioError, or a parser's ValueError quoting what was typed
        put("problems", {field: err.problems if isinstance(err, ScenarioError) else [str(err)]})
        if reset:
            put("revision", get("revision") + 1)
        return
    if scenario == get("scenario"):  # a widget re-sending the value it shows changes nothing
        put("problems", {})
        return
    if not set_scenario(scenario, field) and reset:
        put("revision", get("revision") + 1)


def view_params() -> dict[str, str]:
    """The URL's parameters without the live class's (``class``, ``presenter``)."""
    return {k: v for k, v in st.query_params.to_dict().items() if k not in CLASS_PARAMS}


def class_params() -> dict[str, str]:
    """The lecturer's class in their own link (both or nothing); a student's page never writes its URL."""
    code, key = get("class_code"), get("class_key")
    return {CLASS_PARAMS[0]: code, CLASS_PARAMS[1]: key} if code and key else {}


def note_problem(field: str, messages: list[str]) -> None:
    put("problems", {field: list(messages)})


def link_params() -> dict[str, str]:
    """The query parameters of the view on screen: the whole scenario, the stage and the view options."""
    options = ViewOptions(**{option: get(name) for name, option in LINKED_OPTIONS.items()})
    return encode(get("scenario"), get("stage"), get("lecture"), options=options)


def write_link() -> None:
    """The URL always holds the whole scenario, the stage and the view options."""
    params = link_params()
    if params | class_params() != st.query_params.to_dict():
        st.query_params.from_dict(params | class_params())
    put("link", params)
    put("stage_moved", False)


@dataclass(frozen=True)
class Computed:
    """The step on screen (with the classic mistake and paper mode in force) and, beside it, the correct one.

    Shared by every session showing the same scenario and view (:func:`_shared`): never mutated.
    """

    record: StepRecord
    stages: tuple[Stage, ...]
    correct_record: StepRecord  # the same step without the mistake (``record`` itself when there is none)
    correct_stages: tuple[Stage, ...]
    divergence: Divergence | None = None  # where the mistaken stages part from the correct ones

    @property
    def ids(self) -> list[str]:
        return [s.id for s in self.stages]

    @property
    def index(self) -> int:
        """Index of the current stage (the first when an edit removed it)."""
        stage = get("stage")
        return self.ids.index(stage) if stage in self.ids else 0


STEPS = 1_000  # computed steps kept for every session: one per scenario and view asked for lately


@st.cache_resource(max_entries=STEPS, show_spinner=False)
def _shared(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str, _scenario: Scenario):
    """The step and stages of ``_scenario`` (whose JSON is ``scenario_json``: the key), built once for every
    session that opens it: a class on one link computes the seed's step once, not once per student.

    A pure function of its key, returning immutable records (frozen, read-only arrays, tuples), so one bounded
    cache is safe; a step that overflows raises and is not kept.
    """
    return Computed(*page_step(_scenario, mistake, digits, notation, form))


def shared(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str) -> Computed:
    """:func:`_shared` by the scenario's JSON alone (the walk's cache key): an edit's walk reuses the step the
    stepper has just computed instead of computing it again."""
    scenario = scenario_from_dict(json.loads(scenario_json))
    return _shared(**cache_key(scenario_json, mistake, digits, notation, form), _scenario=scenario)


def _compute(scenario: Scenario, mistake: str | None, digits: int | None, view: dict) -> Computed:
    key = cache_key(scenario_to_json(scenario, indent=None), mistake, digits, view["notation"], view["form"])
    return _shared(**key, _scenario=scenario)


def cache_key(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str) -> dict:
    """A cached function's arguments by name: given by position, Streamlit reads the function's signature
    again for each of them on every call."""
    return {"scenario_json": scenario_json, "mistake": mistake, "digits": digits, "notation": notation, "form": form}


def _safe(scenario: Scenario, view: dict) -> Computed:
    """The last line of defence (every path that sets the scenario or an option checks it first): a step
    that overflows turns the options off, or falls back to the seed, with a message instead of an error."""
    try:
        return _compute(scenario, get("mistake"), get("digits"), view)
    except ScenarioError as err:
        problems = option_problems(scenario, get("mistake"), get("digits")) or err.problems
    put("mistake", None)
    put("digits", None)
    try:
        now = _compute(scenario, None, None, view)
    except ScenarioError:
        put("scenario", SEED)
        now = _compute(SEED, None, None, view)
    note_problem("mistake", problems)
    return now


def computed() -> Computed:
    """The step and its stages for the current scenario and view options, computed once per combination."""
    scenario, mistake, digits = get("scenario"), get("mistake"), get("digits")
    view = {"notation": get("notation"), "form": get("form")}
    inputs = (mistake, digits, tuple(view.values()))
    memo = get("computed")
    if memo is None or memo[0] is not scenario or memo[1] != inputs:
        now = _safe(scenario, view)
        memo = (get("scenario"), (get("mistake"), get("digits"), tuple(view.values())), now)
        put("computed", memo)
    return memo[2]
