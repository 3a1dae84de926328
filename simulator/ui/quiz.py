"""Quiz mode: predict, then reveal. The student types each value a stage computes before its numbers appear.

While a stage is asked, :func:`asking` is True and the presenter's blanking hides its numbers everywhere
(the substituted formula, the code output, the tables and the graph labels). "Check" compares every field
with :func:`simulator.views.quiz.check_answer` (tolerance on screen), "Show me" gives up; either way the attempt
counts towards the score (first try right per stage). The progress lives in this session only.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import streamlit as st

from simulator.core.messages import quote
from simulator.views.learning_tables import quiz_summary_table
from simulator.views.quiz import TOLERANCE_TEXT, check_answer, diagnosed, hint, questions, quiz_score, value_label

from . import state
from .text import escaped


@dataclass(frozen=True)
class Progress:
    """The quiz so far, for one scenario at one paper-mode setting."""

    scenario: object
    digits: int | None
    attempts: tuple[tuple[str, bool], ...] = ()  # (stage id, all right?) per Check or Show me, in order
    shown: frozenset[str] = frozenset()  # stages answered right or given up: their numbers are revealed
    typed: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # stage id → value key → last checked text
    note: str | None = None  # what the last Check could not do ("type an answer first")
    hints: frozenset[str] = frozenset()  # stages whose hint was asked for
    diagnoses: tuple[tuple[str, str], ...] = ()  # (stage id, mistake or slip id) of each diagnosed wrong answer


def progress() -> Progress:
    """This session's progress; an edit of the scenario or of paper mode starts afresh."""
    scenario, digits = state.get("scenario"), state.get("digits")
    current = state.get("quiz_progress")
    if current is None or current.scenario is not scenario or current.digits != digits:
        current = Progress(scenario, digits)
    return current


def asking(stage_id: str) -> bool:
    """Is the quiz waiting for the student's answer at ``stage_id`` (so its numbers stay hidden)?"""
    return bool(state.get("quiz")) and stage_id not in progress().shown


def _field(stage_id: str, key: str) -> str:
    return f"quiz_{stage_id}_{key}"


def _shape_hint(value) -> str:
    value = np.asarray(value)
    if value.size == 1:
        return "one number"
    if value.ndim == 1 or 1 in value.shape:
        return f"{value.size} numbers, separated by spaces"
    return f"{value.shape[0]} rows of {value.shape[1]}: rows separated by ;"


def verdicts(record, stage_id: str, typed: Mapping[str, str]) -> dict[str, tuple[bool, str, str | None]]:
    """Value key → (right?, what to say, the mistake or slip it matched) for the typed answers; unreadable
    text is quoted, never run."""
    result = {}
    for key, text in typed.items():
        try:
            verdict = check_answer(record, stage_id, key, text)
        except ValueError as err:  # parse_answer quotes what was typed
            message = str(err)
            result[key] = (False, message[:1].upper() + message[1:] + ".", None)
            continue
        result[key] = (verdict.correct, "Right." if verdict.correct else verdict.diagnosis, verdict.matched)
    return result


def check(record, stage) -> None:
    """Check: record one attempt for the stage (right when every value is); reveal it when right."""
    now = progress()
    typed = {key: str(st.session_state.get(_field(stage.id, key)) or "") for key in questions(stage)}
    if not any(text.strip() for text in typed.values()):
        state.put("quiz_progress", dataclasses.replace(now, note="Type an answer first, or press Show me."))
        return
    checked = verdicts(record, stage.id, typed).values()
    right = all(ok for ok, _, _ in checked)
    found = tuple((stage.id, matched) for ok, _, matched in checked if not ok and matched and matched != "one_entry")
    state.put(
        "quiz_progress",
        dataclasses.replace(
            now,
            attempts=now.attempts + ((stage.id, right),),
            shown=now.shown | {stage.id} if right else now.shown,
            typed=MappingProxyType({**now.typed, stage.id: MappingProxyType(typed)}),
            note=None,
            diagnoses=now.diagnoses + found,
        ),
    )


def ask_hint(stage_id: str) -> None:
    """Show the stage's hint: the first factor to check. It costs nothing; the summary says it was used."""
    now = progress()
    state.put("quiz_progress", dataclasses.replace(now, hints=now.hints | {stage_id}, note=None))


def show_me(stage_id: str) -> None:
    """Give up on a stage: it counts as not right at the first try, and its numbers appear."""
    now = progress()
    state.put(
        "quiz_progress",
        dataclasses.replace(now, attempts=now.attempts + ((stage_id, False),), shown=now.shown | {stage_id}, note=None),
    )


def start_over() -> None:
    state.put("quiz_progress", Progress(state.get("scenario"), state.get("digits")))


def _feedback(record, stage, now: Progress) -> None:
    typed = now.typed.get(stage.id)
    if not typed:
        return
    for key, (ok, message, _) in verdicts(record, stage.id, typed).items():
        label = value_label(key)
        if ok:
            st.success(escaped(f"{label}: {message}"), icon="✅")
        elif typed[key].strip():
            st.error(escaped(f"{label}: you typed {quote(typed[key])}. {message}"), icon="✖️")


def stages_in(stages, ids) -> list[str]:
    """``ids`` in the order of the stages."""
    return [s.id for s in stages if s.id in ids]


def summary(stages, now: Progress) -> None:
    """The score per stage so far, and what to revisit."""
    score = quiz_score(now.attempts)
    if not score.total:
        return
    titles = {s.id: f"{k + 1}. {s.title}" for k, s in enumerate(stages)}
    with st.container(key="quiz_summary", border=True):
        st.markdown(f"**Quiz summary — {score.right} of {score.total} stages right at the first try**")
        missed = [titles.get(stage_id, stage_id) for stage_id, right in score.first_try.items() if not right]
        if missed:
            st.caption(escaped("To revisit: " + "; ".join(missed) + "."))
        found = diagnosed((titles.get(stage_id, stage_id), matched) for stage_id, matched in now.diagnoses)
        if found:
            st.markdown("**What your wrong answers matched**")
            st.markdown("\n".join(f"- {escaped(line)}" for line in found))
        if now.hints:
            st.caption(
                escaped("Hints used: " + "; ".join(titles.get(i, i) for i in stages_in(stages, now.hints)) + ".")
            )
        table = quiz_summary_table(score)
        table.index = [titles.get(stage_id, stage_id) for stage_id in table.index]
        table["right first try"] = ["yes" if right else "no" for right in table["right first try"]]
        st.table(table)
        st.button("Start the quiz again", key="quiz_restart", on_click=start_over, icon=":material/replay:")


def quiz_room(record, stages, index: int) -> None:
    """The answer fields of the current stage (or how it went), the tolerance, the score and the summary."""
    if not state.get("quiz"):
        return
    stage, now = stages[index], progress()
    score = quiz_score(now.attempts)
    with st.container(key="quiz_room", border=True):
        head = f"**Quiz** · score {score.right} of {len(stages)} stages right at the first try"
        st.markdown(head + (f" ({score.total} tried)" if score.total else ""))
        tries = [right for stage_id, right in now.attempts if stage_id == stage.id]
        if stage.id in now.shown:
            if tries == [True]:
                st.success("Right at the first try. The numbers are below.", icon="🎉")
            elif tries and tries[-1]:
                st.info(f"Right after {len(tries)} tries. The numbers are below.", icon="✅")
            else:
                st.info("Shown: compare your working with the numbers below.", icon="👀")
        else:
            st.markdown("Type what this stage computes, then **Check**. **Show me** gives up on this stage.")
            with st.form(key=f"quiz_form_{stage.id}", border=False, enter_to_submit=True):
                for key in questions(stage):
                    st.text_input(
                        value_label(key),
                        key=_field(stage.id, key),
                        placeholder=_shape_hint(stage.values[key]),
                        help="Decimal point or decimal comma (0,24); rows separated by ; or a new line.",
                    )
                left, middle, right = st.columns(3)
                left.form_submit_button(
                    "Check", type="primary", on_click=check, args=(record, stage), icon=":material/check:"
                )
                middle.form_submit_button("Hint", on_click=ask_hint, args=(stage.id,), icon=":material/lightbulb:")
                right.form_submit_button("Show me", on_click=show_me, args=(stage.id,), icon=":material/visibility:")
            if stage.id in now.hints:
                st.info(escaped(hint(record, stage)), icon="💡")
            if now.note:
                st.warning(now.note)
        if not tries or not tries[-1]:
            _feedback(record, stage, now)
        st.caption(TOLERANCE_TEXT)
    if index == len(stages) - 1 or {s.id for s in stages} <= now.shown:
        summary(stages, now)
