"""A live class end to end on each store: answers checked by the quiz engine, tallied by diagnosis."""

from __future__ import annotations

import ast
import csv
import io
import json
import re
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from simulator import SEED, build_stages, step
from simulator.live import Closed, Forbidden, LiveError, hash_key
from simulator.live import store as store_module
from simulator.live.classroom import (
    LABELS,
    Presenter,
    answer,
    ask,
    bars,
    class_stages,
    export_csv,
    export_json,
    join_link,
    my_verdict,
    open_class,
    presenter_link,
    qr_svg,
)
from simulator.live.store import DEFAULT_TTL_S, MIN_ANSWER_GAP_S

pytest_plugins = ["tests.live_fixtures"]  # store (SQLite and Redis), leftovers, raw_dump

LIVE = Path(__file__).parents[1] / "simulator" / "live"


def value(stage_id: str, key: str, mistake: str | None = None) -> np.ndarray:
    stage = next(s for s in build_stages(step(SEED, mistake=mistake)) if s.id == stage_id)
    return np.atleast_1d(stage.values[key])


def typed(numbers, comma: bool = False) -> str:
    text = " ".join(repr(float(x)) for x in np.ravel(numbers))
    return text.replace(".", ",") if comma else text


def token() -> str:
    return secrets.token_urlsafe(16)


@pytest.fixture
def lecture(store):
    presenter = open_class(store, SEED)
    return store, presenter


def test_a_class_opens_at_the_first_stage_with_an_unguessable_key(lecture):
    store, presenter = lecture
    state = store.state(presenter.code)
    assert state.stage == class_stages(state.scenario)[0].id == "forward.z1"
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", presenter.key)
    assert presenter.key not in repr(presenter) and presenter.key not in state.scenario
    assert hash_key(presenter.key) not in repr(state)


def test_a_class_lives_four_hours_by_default_then_its_data_is_deleted(store, leftovers):
    presenter = open_class(store, SEED)
    assert DEFAULT_TTL_S == 4 * 3600
    assert abs(store.state(presenter.code).expires - (time.time() + DEFAULT_TTL_S)) < 5
    short = open_class(store, SEED, ttl_s=0.3)
    question = ask(store, short)
    answer(store, short.code, question, token(), typed(value("forward.z1", "z1")))
    time.sleep(0.5)
    open_class(store, SEED)  # SQLite deletes expired rows when a class opens (Redis on its own)
    assert store.state(short.code) is None and leftovers(store, short.code) == []


def test_the_presenter_key_is_compared_in_constant_time(lecture, monkeypatch):
    store, presenter = lecture
    compared = []
    real = store_module.hmac.compare_digest
    monkeypatch.setattr(store_module.hmac, "compare_digest", lambda a, b: compared.append((a, b)) or real(a, b))
    with pytest.raises(Forbidden):
        ask(store, Presenter(presenter.code, "a-wrong-key-of-the-right-shape-0"))
    assert (hash_key(presenter.key), hash_key("a-wrong-key-of-the-right-shape-0")) in compared
    ask(store, presenter)
    assert compared[-1] == (hash_key(presenter.key),) * 2


def test_the_room_is_tallied_by_diagnosis(lecture):
    store, presenter = lecture
    store.set_stage(presenter.code, presenter.key, "delta.2")
    question = ask(store, presenter)
    right = value("delta.2", "delta2")
    sent = [
        typed(right),
        typed(right, comma=True),
        f"{right[0]:.4g}".replace(".", ","),
        typed(value("delta.2", "delta2", "no_activation_slope")),
        typed(-right),  # at δ the sign slip is the t − o mistake, named as such
        "0.5",
    ]
    for text in sent:
        answer(store, presenter.code, question, token(), text)
    tally = store.tallies(presenter.code, presenter.key, question)
    assert tally.answered == 6
    assert bars(tally) == (("right", 3), ("Error as t − o", 1), ("No activation slope", 1), ("other", 1))


def test_slips_in_the_forward_pass_are_named(lecture):
    store, presenter = lecture
    question, z1 = ask(store, presenter, "z1"), value("forward.z1", "z1")
    answer(store, presenter.code, question, token(), typed(-z1))
    answer(store, presenter.code, question, token(), typed([-z1[0], *z1[1:]]))
    tally = store.tallies(presenter.code, presenter.key, question)
    assert bars(tally) == (("sign slip", 1), ("one entry off", 1))


def test_unreadable_or_oversized_answers_are_refused_not_counted(lecture):
    store, presenter = lecture
    question = ask(store, presenter)
    with pytest.raises(ValueError, match="not a number"):
        answer(store, presenter.code, question, token(), "0.5 banana")
    with pytest.raises(LiveError, match="at most"):
        answer(store, presenter.code, question, token(), "1 " * 5_000)
    assert store.tallies(presenter.code, presenter.key, question).answered == 0


def test_a_student_sees_their_own_verdict_only_after_reveal(lecture):
    store, presenter = lecture
    question, me = ask(store, presenter), token()
    answer(store, presenter.code, question, me, "0.5")
    time.sleep(MIN_ANSWER_GAP_S + 0.05)
    answer(store, presenter.code, question, me, typed(value("forward.z1", "z1")))
    with pytest.raises(Closed, match="reveals"):
        my_verdict(store, presenter.code, question, me)
    store.reveal(presenter.code, presenter.key)
    assert my_verdict(store, presenter.code, question, me) == ("right", "Right.")
    with pytest.raises(Closed):
        answer(store, presenter.code, question, me, "0.5")


def test_only_the_stage_values_can_be_asked_and_only_by_the_presenter(lecture):
    store, presenter = lecture
    with pytest.raises(LiveError, match="asks for z1"):
        ask(store, presenter, "delta2")
    with pytest.raises(Forbidden):
        ask(store, Presenter(presenter.code, secrets.token_urlsafe(24)))
    store.set_stage(presenter.code, presenter.key, "loss")
    assert ask(store, presenter, "loss") == 1
    assert store.state(presenter.code).value == "loss"


def test_the_export_holds_counts_only(lecture):
    store, presenter = lecture
    question, tokens = ask(store, presenter), [token() for _ in range(3)]
    for me, text in zip(tokens, [typed(value("forward.z1", "z1")), "0.5 0.5", "0.5 0.5"]):
        answer(store, presenter.code, question, me, text)
    rows = list(csv.DictReader(io.StringIO(export_csv(store, presenter))))
    assert rows == [
        {"question": "1", "stage": "forward.z1", "value": "z1", "label": "right", "diagnosis": "right", "count": "1"},
        {"question": "1", "stage": "forward.z1", "value": "z1", "label": "other", "diagnosis": "other", "count": "2"},
    ]
    data = json.loads(export_json(store, presenter))
    assert data["questions"] == [
        {"question": 1, "stage": "forward.z1", "value": "z1", "counts": {"right": 1, "other": 2}, "answered": 3}
    ]
    for text in (export_csv(store, presenter), export_json(store, presenter)):
        assert not any(secret in text for secret in [*tokens, presenter.key, "0.5"])


def test_fifty_phones_answering_at_once_are_tallied_exactly(lecture):
    store, presenter = lecture
    question = ask(store, presenter)
    right, texts = value("forward.z1", "z1"), {}
    choices = {"right": typed(right), "sign": typed(-right), "other": "1 2"}
    start = threading.Barrier(50)

    def phone(k: int) -> None:
        label = list(choices)[k % 3]
        start.wait()
        answer(store, presenter.code, question, token(), choices[label])
        texts[k] = label

    with ThreadPoolExecutor(50) as pool:
        list(pool.map(phone, range(50)))
    tally = store.tallies(presenter.code, presenter.key, question)
    assert dict(tally.counts) == {label: list(texts.values()).count(label) for label in choices}


def test_links_carry_the_code_and_only_the_presenter_link_carries_the_key():
    presenter = Presenter("AB3K7P", secrets.token_urlsafe(24))
    assert join_link("https://bp.example/app?x=1#top", "ab3k7p") == "https://bp.example/app?class=AB3K7P"
    assert join_link("http://localhost:8501", "AB3K7P") == "http://localhost:8501/?class=AB3K7P"
    assert presenter.key not in join_link("https://bp.example", presenter.code)
    assert presenter_link("https://bp.example", presenter).endswith(f"?class=AB3K7P&presenter={presenter.key}")
    for base in ("javascript:alert(1)", "bp.example", "", None):
        with pytest.raises(LiveError, match="base URL"):
            join_link(base, "AB3K7P")
    with pytest.raises(LiveError):
        join_link("https://bp.example", "AB3K7P&presenter=x")


def test_the_qr_code_is_a_large_black_on_white_svg():
    link = join_link("https://bp.example", "AB3K7P")
    svg = qr_svg(link)
    width = int(re.search(r'width="(\d+)"', svg).group(1))
    assert svg.startswith("<svg") and width >= 500 and 'stroke="#000"' in svg and link in svg


def test_every_label_has_a_name():
    assert len(set(LABELS)) == len(LABELS) and LABELS[0] == "right" and LABELS[-1] == "other"


def test_the_live_package_never_imports_streamlit_or_the_page():
    for path in LIVE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            assert not [n for n in names if n.split(".")[0] == "streamlit" or n.startswith("simulator.ui")], path
    code = "import sys, simulator.live.classroom; print('streamlit' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"
