"""What a student's phone shows in a live class, as JSON the phone's page draws without a Streamlit run.

A rerun of a Streamlit page per phone per change of the class cost ~25 ms of CPU each: 300 phones were
7.5 s of a core on every Next, Ask and Reveal. Here a change costs a phone one small request: the
class's stage is built once per (scenario, stage, blanked, theme) in this process (:func:`stage_json`,
JSON text shared by every phone), and the rest (what the phone may do now, its own verdict after
Reveal) is a few fields per request. An answer is one request too (:func:`phone_answer`), checked by the
quiz's reader and engine through :func:`.classroom.answer`.

Every request carries the class's watch tag (an HMAC of the session's salt, handed to a phone when it
joined: :meth:`.store.Store.watch_tag`) and the tab's own token. A wrong tag gets the same answer as a
class that does not exist, so these routes help nobody guess join codes. While a question is open, or
while the lecturer blanks the stage, the stage is built blanked: its numbers never leave the server.
"""

from __future__ import annotations

import json
from functools import lru_cache

from simulator.views.figures import network_figure_spec
from simulator.views.graph import graph_model
from simulator.views.narration import blank_latex
from simulator.views.quiz import TOLERANCE_TEXT, value_label
from simulator.views.walk_tables import jsonable

from . import classroom
from .store import GONE, LiveError, NotFound, SessionState, Store

FOLLOW_TEXT = "Follow the lecturer's stage. When a question opens, type your prediction here."
SENT_TEXT = "Your answer is in. You can change it until Reveal."
REVEALED_TEXT = "The answer is revealed: compare your working with the numbers above."


def shown_stage(found: SessionState) -> str:
    """The open question's stage while it is open, else the lecturer's."""
    return found.question_stage if found.asking == "open" else found.stage


def hidden(found: SessionState) -> bool:
    """Are the shown stage's numbers kept from the phone: a question open, or the lecturer blanking them?"""
    return found.asking == "open" or found.hidden


def stage_index(found: SessionState) -> int:
    ids = [stage.id for stage in classroom.class_stages(found.scenario)]
    return ids.index(shown_stage(found)) if shown_stage(found) in ids else 0


@lru_cache(maxsize=128)
def stage_json(scenario_json: str, index: int, blank: bool, dark: bool) -> str:
    """The class's stage as the phone draws it (heading, explanation, formulas, graph), as JSON text; built
    once per process for every phone. ``blank``: the stage's own numbers read "?" (never sent)."""
    record, stages = classroom.class_record(scenario_json), classroom.class_stages(scenario_json)
    stage = stages[index]
    figure = network_figure_spec(graph_model(record, stages, index, blank=blank), dark=dark)
    page = {
        "heading": f"Stage {index + 1} of {len(stages)} — {stage.title}",
        "explanation": stage.explanation,
        "formula": stage.formula,
        "substituted": blank_latex(stage) if blank else stage.substituted,
        "figure": jsonable(figure),
    }
    return json.dumps(page, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def _room(store: Store, found: SessionState, token: str) -> dict:
    """What the phone may do under the stage: follow, answer the open question, or read its own verdict."""
    if not found.question or found.asking == "none":
        return {"kind": "follow", "text": FOLLOW_TEXT}
    if found.asking == "open":
        return {
            "kind": "open",
            "question": found.question,
            "label": f"Your prediction: {value_label(found.value)}",
            "tolerance": TOLERANCE_TEXT,
        }
    own = classroom.my_verdict(store, found.code, found.question, token)
    if own is None:
        return {"kind": "revealed", "question": found.question, "right": None, "text": REVEALED_TEXT}
    name, words = own
    right = name == classroom.RIGHT
    return {"kind": "revealed", "question": found.question, "right": right, "text": "Right." if right else words}


def watched_state(store: Store, code: str, tag: str) -> SessionState:
    """The class's state for a phone holding the right tag; NotFound (one message for all) otherwise."""
    found = store.state(code) if store.watched(code, tag) is not None else None
    if found is None:
        raise NotFound(GONE)
    return found


def phone_view(store: Store, code: str, tag: str, token: str, dark: bool = False) -> str:
    """What the phone shows now, as JSON text: the version, the stage, and the room under it."""
    found = watched_state(store, code, tag)
    room = _room(store, found, token)
    stage = stage_json(found.scenario, stage_index(found), hidden(found), bool(dark))
    head = json.dumps({"version": found.version, "code": found.code, "room": room}, ensure_ascii=False)
    return head[:-1] + ',"stage":' + stage + "}"


def phone_answer(store: Store, code: str, tag: str, token: str, question: object, text: object) -> dict:
    """Check and count one answer from a phone: ``{"ok": True, "message": …}`` or the reason it was refused
    (the reader's message quotes at most 40 characters of the text, escaped)."""
    try:
        watched_state(store, code, tag)
        if not isinstance(question, int) or isinstance(question, bool) or not isinstance(text, str):
            raise LiveError("answer: send a question number and text")
        classroom.answer(store, code, question, token, text)
    except ValueError as err:  # LiveError (gone, closed, too fast, too long) or the reader's own message
        return {"ok": False, "message": str(err)}
    return {"ok": True, "message": SENT_TEXT}
