"""A live class: the presenter opens it for a scenario, asks, reveals; students' answers are tallied.

Answers are text typed as in the quiz (decimal commas accepted) and checked here, on the server, with the
quiz's engine (:func:`simulator.views.quiz.judge`) against the numbers of the session's own scenario (no
mistake switched on): a phone sends text and never holds the numbers before Reveal. Each answer counts
under one label: ``right``, the id of the classic mistake it matches (:data:`simulator.MISTAKES`), a
slip id (``sign``, ``learning_rate``, ``transposed``, ``one_entry``) or ``other``. A student sees their
own verdict only after Reveal; the tallies go to the presenter only.
"""

from __future__ import annotations

import csv
import io
import json
import secrets
from dataclasses import dataclass, field
from functools import lru_cache
from types import MappingProxyType
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno

from simulator import (
    MISTAKES,
    Scenario,
    Stage,
    StepRecord,
    build_stages,
    scenario_from_dict,
    scenario_to_dict,
    step,
)
from simulator.views.quiz import AnswerKey, answer_key, judge, questions

from .store import DEFAULT_TTL_S, GONE, OVER, Closed, LiveError, NotFound, Store, Tally, hash_key, normal_code

RIGHT, OTHER = "right", "other"
SLIP_NAMES = MappingProxyType(
    {"sign": "sign slip", "learning_rate": "forgot η", "transposed": "transposed", "one_entry": "one entry off"}
)
LABELS = (RIGHT, *MISTAKES, *SLIP_NAMES, OTHER)  # the order of the bars
MAX_ANSWER_CHARS = 8_000  # a 16 × 16 matrix typed at full precision fits
QR_SCALE = 16  # pixels per module: a version-3 code is about 600 px wide, readable from the back of a hall
JOIN_PARAM, KEY_PARAM = "class", "presenter"
EXPORT_FIELDS = ("question", "stage", "value", "label", "diagnosis", "count")


@dataclass(frozen=True)
class Presenter:
    """What the lecturer's page holds. The key goes in the presenter's own link only, never a log."""

    code: str
    key: str = field(repr=False)


def payload(scenario: Scenario, digits: int | None = None) -> str:
    """The session's scenario as the store keeps it: compact JSON, exact floats."""
    return json.dumps({"scenario": scenario_to_dict(scenario), "digits": digits}, separators=(",", ":"))


@lru_cache(maxsize=16)
def class_record(scenario_json: str) -> StepRecord:
    """The step every student is checked against (cached: a class shares one scenario)."""
    data = json.loads(scenario_json)
    return step(scenario_from_dict(data["scenario"]), digits=data["digits"])


@lru_cache(maxsize=16)
def class_stages(scenario_json: str) -> tuple[Stage, ...]:
    return tuple(build_stages(class_record(scenario_json)))


def open_class(store: Store, scenario: Scenario, digits: int | None = None, ttl_s: float = DEFAULT_TTL_S) -> Presenter:
    """A new session on ``scenario`` at its first stage, with a fresh unguessable presenter key."""
    text = payload(scenario, digits)
    key = secrets.token_urlsafe(24)
    code = store.create_session(hash_key(key), text, ttl_s, stage=class_stages(text)[0].id)
    return Presenter(code, key)


def _stage(scenario_json: str, stage_id: str) -> Stage:
    for stage in class_stages(scenario_json):
        if stage.id == stage_id:
            return stage
    raise LiveError(f"stage: this class has no stage {stage_id!r}")


def ask(store: Store, presenter: Presenter, value_key: str | None = None) -> int:
    """Ask the class for one value of the current stage (its first quiz value by default); the question id."""
    state = store.state(presenter.code)
    if state is None:
        raise NotFound(GONE)
    asked = questions(_stage(state.scenario, state.stage))
    if value_key is None and asked:
        value_key = asked[0]
    if value_key not in asked:
        raise LiveError(f"value: this stage asks for {', '.join(asked) or 'nothing'}")
    return store.ask(presenter.code, presenter.key, value_key)


@lru_cache(maxsize=64)
def class_answer_key(scenario_json: str, stage_id: str, value_key: str) -> AnswerKey:
    """What every answer to one question is checked against, built once per (scenario, stage, value)."""
    return answer_key(class_record(scenario_json), stage_id, value_key)


@lru_cache(maxsize=1024)
def diagnose(scenario_json: str, stage_id: str, value_key: str, text: str) -> tuple[str, str]:
    """(label, verdict) of one typed answer; ValueError quoting the text when it is not numbers.

    A values-only check (the quiz's :func:`~simulator.views.quiz.judge`) against the cached answer key:
    the step under every mistake is computed once per question, not once per answer.
    """
    verdict = judge(class_answer_key(scenario_json, stage_id, value_key), text)
    if verdict.correct:
        return RIGHT, "Right."
    return (verdict.matched if verdict.matched in LABELS else OTHER), verdict.diagnosis


def answer(store: Store, code: str, question_id: int, browser_token: str, text: str) -> None:
    """Check and count a student's answer (they may change it until Reveal); LiveError or ValueError to show."""
    if not isinstance(text, str) or len(text) > MAX_ANSWER_CHARS:
        raise LiveError(f"answer: at most {MAX_ANSWER_CHARS:,} characters")
    state = store.state(code)
    if state is None:
        raise NotFound(GONE)
    if state.question != question_id or state.asking != "open":
        raise Closed(OVER)  # before the check: a late answer costs nothing
    label, verdict = diagnose(state.scenario, state.question_stage, state.value, text.strip())
    store.submit_answer(code, question_id, browser_token, label, verdict)


def label_name(label: str) -> str:
    """The words on a bar: "right", a mistake's title, a slip's name, "other"."""
    if label in MISTAKES:
        return MISTAKES[label].title
    return SLIP_NAMES.get(label, label)


def my_verdict(store: Store, code: str, question_id: int, browser_token: str) -> tuple[str, str] | None:
    """(diagnosis name, verdict) of this browser's answer after Reveal; None if it did not answer."""
    own = store.my_answer(code, question_id, browser_token)
    return None if own is None else (label_name(own[0]), own[1])


_RANK = MappingProxyType({label: k for k, label in enumerate(LABELS)})


def _rank(label: str) -> tuple[int, str]:
    return _RANK.get(label, len(_RANK)), label


def bars(tally: Tally) -> tuple[tuple[str, int], ...]:
    """(name, count) per label answered, right first, then the mistakes, the slips, other."""
    return tuple((label_name(label), tally.counts[label]) for label in sorted(tally.counts, key=_rank))


def _export_rows(store: Store, presenter: Presenter) -> list:
    return sorted(store.export(presenter.code, presenter.key), key=lambda row: (row.question, _rank(row.label)))


def export_csv(store: Store, presenter: Presenter) -> str:
    """Counts per question, stage and diagnosis as CSV: no token, no time, no answer text."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(EXPORT_FIELDS)
    for row in _export_rows(store, presenter):
        writer.writerow((row.question, row.stage, row.value, row.label, label_name(row.label), row.count))
    return out.getvalue()


def export_json(store: Store, presenter: Presenter) -> str:
    """The same counts as JSON, one entry per question with its total."""
    asked: dict[int, dict] = {}
    for row in _export_rows(store, presenter):
        entry = asked.setdefault(row.question, {"question": row.question, "stage": row.stage, "value": row.value})
        entry.setdefault("counts", {})[row.label] = row.count
        entry["answered"] = entry.get("answered", 0) + row.count
    return json.dumps({"code": presenter.code, "questions": list(asked.values())}, indent=2, ensure_ascii=False)


def _link(base_url: str, params: dict[str, str]) -> str:
    parts = urlsplit(base_url.strip() if isinstance(base_url, str) else "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise LiveError("base URL: must start with http:// or https://")
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", urlencode(params), ""))


def join_link(base_url: str, code: str) -> str:
    """The students' link: ``base/?class=CODE`` (the base's own query and fragment dropped)."""
    return _link(base_url, {JOIN_PARAM: normal_code(code)})


def presenter_link(base_url: str, presenter: Presenter) -> str:
    """The lecturer's own link, with the key: for their browser only, never the projector."""
    return _link(base_url, {JOIN_PARAM: presenter.code, KEY_PARAM: presenter.key})


def qr_svg(link: str, scale: int = QR_SCALE) -> str:
    """The link as an inline SVG QR code, black on white (a projector washes out anything paler)."""
    return segno.make(link, micro=False).svg_inline(scale=scale, dark="#000", light="#fff", title=link)
