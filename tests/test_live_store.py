"""The class-session store, each test on SQLite and on Redis (fixtures in live_fixtures.py)."""

from __future__ import annotations

import dataclasses
import secrets
import sqlite3
import stat
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from simulator.live import (
    Closed,
    Forbidden,
    LiveError,
    NotFound,
    RateLimited,
    RedisStore,
    SQLiteStore,
    hash_key,
    open_store,
)
from simulator.live.store import DEFAULT_URL, GUESS_LIMIT, MIN_ANSWER_GAP_S

pytest_plugins = ["tests.live_fixtures"]  # store (SQLite and Redis), own_redis, leftovers, raw_dump

SCENARIO = '{"scenario": "opaque to the store"}'
GAP = MIN_ANSWER_GAP_S + 0.05


def token() -> str:
    return secrets.token_urlsafe(16)


def new_class(store, ttl_s: float = 3600) -> tuple[str, str]:
    key = secrets.token_urlsafe(24)
    return store.create_session(hash_key(key), SCENARIO, ttl_s, stage="forward.z1"), key


def test_a_new_session_is_found_by_its_code_typed_loosely(store):
    code, _ = new_class(store)
    assert len(code) == 6 and code.isupper() and not set(code) & set("01OIL")
    state = store.join(f" {code[:3].lower()} {code[3:]} ", client="phone")
    assert (state.code, state.stage, state.question, state.asking, state.scenario) == (
        code,
        "forward.z1",
        0,
        "none",
        SCENARIO,
    )
    assert state.version == store.version(code) == 1
    assert not {"presenter", "salt", "key"} & {f.name for f in dataclasses.fields(state)}


@pytest.mark.parametrize("bad", ["", "ABC12", "ABCDEF1", "0OIL11", "ABC DEF!", "A" * 10_000, None, 123456])
def test_a_malformed_code_is_refused_before_the_store_is_asked(store, bad):
    with pytest.raises(NotFound, match="6 letters and digits"):
        store.state(bad)


def test_every_presenter_change_bumps_the_version_once(store):
    code, key = new_class(store)
    assert store.set_stage(code, key, "delta.2") == 2
    assert store.ask(code, key, "delta2") == 1
    assert store.reveal(code, key) == 4
    assert store.ask(code, key, "delta2") == 2
    state = store.state(code)
    assert (state.version, state.stage, state.question, state.asking, state.question_stage, state.value) == (
        5,
        "delta.2",
        2,
        "open",
        "delta.2",
        "delta2",
    )
    assert store.reveal(code, key) == 6
    with pytest.raises(Closed, match="no question is open"):
        store.reveal(code, key)


PRESENTER_ACTIONS = {
    "set_stage": lambda s, code, key: s.set_stage(code, key, "loss"),
    "ask": lambda s, code, key: s.ask(code, key, "loss"),
    "reveal": lambda s, code, key: s.reveal(code, key),
    "end_session": lambda s, code, key: s.end_session(code, key),
    "tallies": lambda s, code, key: s.tallies(code, key, 1),
    "export": lambda s, code, key: s.export(code, key),
}


@pytest.mark.parametrize("action", PRESENTER_ACTIONS)
@pytest.mark.parametrize("wrong", ["another-valid-looking-key-123456", "", "short", None, "x" * 500])
def test_every_presenter_action_refuses_a_wrong_key(store, action, wrong):
    code, key = new_class(store)
    store.ask(code, key, "z1")
    before = store.state(code)
    with pytest.raises(Forbidden, match="only the presenter"):
        PRESENTER_ACTIONS[action](store, code, wrong)
    assert store.state(code) == before


def test_a_student_counts_once_and_may_change_until_reveal(store):
    code, key = new_class(store)
    question, me = store.ask(code, key, "z1"), token()
    store.submit_answer(code, question, me, "right", "Right.")
    time.sleep(GAP)
    store.submit_answer(code, question, me, "sign", "Your z matches the sign flipped.")
    store.submit_answer(code, question, token(), "right", "Right.")
    tally = store.tallies(code, key, question)
    assert (dict(tally.counts), tally.answered) == ({"sign": 1, "right": 1}, 2)
    with pytest.raises(Closed, match="after|reveals"):
        store.my_answer(code, question, me)
    store.reveal(code, key)
    time.sleep(GAP)
    with pytest.raises(Closed, match="over"):
        store.submit_answer(code, question, me, "right", "Right.")
    assert store.tallies(code, key, question) == tally
    assert store.my_answer(code, question, me) == ("sign", "Your z matches the sign flipped.")
    assert store.my_answer(code, question, token()) is None


def test_an_answer_to_an_old_or_unasked_question_is_refused(store):
    code, key = new_class(store)
    with pytest.raises(Closed):
        store.submit_answer(code, 1, token(), "right", "Right.")
    store.ask(code, key, "z1")
    store.ask(code, key, "a1")
    with pytest.raises(Closed, match="over"):
        store.submit_answer(code, 1, token(), "right", "Right.")
    store.submit_answer(code, 2, token(), "right", "Right.")
    assert store.tallies(code, key, 1).answered == 0


def test_fifty_students_at_once_are_each_counted_once(store):
    code, key = new_class(store)
    question = store.ask(code, key, "z1")
    labels = ["right", "no_activation_slope", "sign", "other"]
    final, start = {}, threading.Barrier(50)

    def student(k: int) -> None:
        me = token()
        start.wait()
        store.submit_answer(code, question, me, labels[k % 4], "v")
        if k % 3 == 0:  # a third change their mind
            time.sleep(GAP)
            store.submit_answer(code, question, me, labels[(k + 1) % 4], "v")
        final[me] = labels[(k + 1) % 4] if k % 3 == 0 else labels[k % 4]

    with ThreadPoolExecutor(50) as pool:
        list(pool.map(student, range(50)))
    expected = {label: list(final.values()).count(label) for label in labels}
    tally = store.tallies(code, key, question)
    assert (dict(tally.counts), tally.answered) == ({k: n for k, n in expected.items() if n}, 50)


def test_an_answer_flood_from_one_browser_is_refused_not_stored(store):
    code, key = new_class(store)
    question, me = store.ask(code, key, "z1"), token()
    refused = 0
    for k in range(20):
        try:
            store.submit_answer(code, question, me, "sign" if k % 2 else "other", f"flood {k}")
        except RateLimited as err:
            assert "wait" in str(err)
            refused += 1
    assert refused == 19
    assert dict(store.tallies(code, key, question).counts) == {"other": 1}
    time.sleep(GAP)
    store.submit_answer(code, question, me, "right", "Right.")
    assert dict(store.tallies(code, key, question).counts) == {"right": 1}


def test_wrong_join_codes_are_limited_per_client(store):
    code, _ = new_class(store)
    wrong = "ABCDEF" if code != "ABCDEF" else "ABCDEG"
    for _ in range(GUESS_LIMIT):
        with pytest.raises(NotFound):
            store.join(wrong, client="10.0.0.7")
    with pytest.raises(RateLimited, match="too many"):
        store.join(code, client="10.0.0.7")  # even the right code, until the minute is over
    assert store.join(code, client="10.0.0.8").code == code


def test_a_session_expires_with_its_answers(store, leftovers):
    code, key = new_class(store, ttl_s=0.4)
    question = store.ask(code, key, "z1")
    store.submit_answer(code, question, token(), "right", "Right.")
    assert leftovers(store, code)
    time.sleep(0.6)
    assert store.state(code) is None and store.version(code) is None
    with pytest.raises(NotFound):
        store.join(code, client="late")
    with pytest.raises(NotFound):
        store.submit_answer(code, question, token(), "right", "Right.")
    new_class(store)  # SQLite deletes expired rows when a session is made (and on purge())
    assert leftovers(store, code) == []


def test_ending_a_session_deletes_everything_at_once(store, leftovers):
    code, key = new_class(store)
    for _ in range(2):
        store.submit_answer(code, store.ask(code, key, "z1"), token(), "right", "Right.")
    store.end_session(code, key)
    assert store.state(code) is None and leftovers(store, code) == []
    with pytest.raises(NotFound):
        store.reveal(code, key)


def test_no_token_key_or_answer_identity_is_stored_or_exported(store, raw_dump):
    code, key = new_class(store)
    question, tokens = store.ask(code, key, "z1"), [token() for _ in range(5)]
    for me in tokens:
        store.submit_answer(code, question, me, "right", "Right.")
    rows = store.export(code, key)
    assert [(r.question, r.stage, r.value, r.label, r.count) for r in rows] == [(1, "forward.z1", "z1", "right", 5)]
    assert set(dataclasses.asdict(rows[0])) == {"question", "stage", "value", "label", "count"}
    dump = raw_dump(store)
    assert code in dump  # the dump does see the store's contents
    for secret in [*tokens, key]:
        assert secret not in dump


def test_the_version_is_polled_with_the_sessions_watch_tag_only(store):
    code, key = new_class(store)
    other, _ = new_class(store)
    tag = store.watch_tag(code)
    assert len(tag) == 24 and tag != store.watch_tag(other)  # per session: made from its secret salt
    assert store.watched(code, tag) == 1
    store.set_stage(code, key, "loss")
    assert store.watched(code, tag) == 2
    wrong = [store.watch_tag(other), "0" * 24, tag.upper(), tag[:-1], "", None, tag + "0"]
    assert [store.watched(code, w) for w in wrong] == [None] * len(wrong)  # as for a code nobody holds
    store.end_session(code, key)
    assert store.watched(code, tag) is None
    with pytest.raises(NotFound):
        store.watch_tag(code)


def test_blanking_a_stage_is_a_change_the_phones_see(store):
    code, key = new_class(store)
    assert store.state(code).hidden is False
    assert store.set_stage(code, key, "delta.2", hidden=True) == 2
    assert (store.state(code).stage, store.state(code).hidden) == ("delta.2", True)
    assert store.set_stage(code, key, "delta.2") == 3  # revealed: the same stage, shown
    assert store.state(code).hidden is False


def test_a_sqlite_file_from_before_blanking_gains_the_column(tmp_path):
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE sessions (code TEXT PRIMARY KEY, presenter TEXT NOT NULL, salt TEXT NOT NULL, "
            "scenario TEXT NOT NULL, stage TEXT NOT NULL, question INTEGER NOT NULL, asking TEXT NOT NULL, "
            "qstage TEXT NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL, expires REAL NOT NULL)"
        )
    store = SQLiteStore(path)
    code, key = new_class(store)
    store.set_stage(code, key, "loss", hidden=True)
    assert store.state(code).hidden is True


@pytest.mark.parametrize(
    "call",
    [
        lambda s, c, k: s.submit_answer(c, 1, token(), "x" * 41, "v"),
        lambda s, c, k: s.submit_answer(c, 1, token(), "right; DROP", "v"),
        lambda s, c, k: s.submit_answer(c, 1, token(), "right", "v" * 1001),
        lambda s, c, k: s.submit_answer(c, 1, "short", "right", "v"),
        lambda s, c, k: s.submit_answer(c, True, token(), "right", "v"),
        lambda s, c, k: s.submit_answer(c, 0, token(), "right", "v"),
        lambda s, c, k: s.set_stage(c, k, "forward z1"),
        lambda s, c, k: s.ask(c, k, "z1\n"),
        lambda s, c, k: s.create_session(hash_key(k), "{}" * 600_000),
        lambda s, c, k: s.create_session(hash_key(k), "{}", ttl_s=0),
        lambda s, c, k: s.create_session("not a hash", "{}"),
    ],
)
def test_bad_values_are_refused_with_a_message(store, call):
    code, key = new_class(store)
    store.ask(code, key, "z1")
    with pytest.raises(LiveError):
        call(store, code, key)


def test_a_restart_keeps_the_session_and_its_tallies(store, request):
    """Redis: redis-server stopped and started on the same append-only dir. SQLite: a new store on the file."""
    server = None
    if isinstance(store, RedisStore):
        server = request.getfixturevalue("own_redis")
        store = RedisStore(server.url)
    code, key = new_class(store)
    question = store.ask(code, key, "z1")
    for label in ("right", "right", "sign"):
        store.submit_answer(code, question, token(), label, "v")
    before = (store.state(code), store.tallies(code, key, question))
    if server:
        server.stop()
        server.start()
        again = store  # the same client reconnects by itself
    else:
        again = SQLiteStore(store.path)
    assert (again.state(code), again.tallies(code, key, question)) == before
    again.submit_answer(code, question, token(), "other", "v")
    assert again.tallies(code, key, question).answered == 4


def test_the_store_is_chosen_by_configuration(monkeypatch, tmp_path):
    monkeypatch.setenv("BACKPROP_STORE", f"sqlite://{tmp_path}/env.db")
    chosen = open_store()
    assert isinstance(chosen, SQLiteStore) and chosen.path == tmp_path / "env.db"
    assert stat.S_IMODE(chosen.path.stat().st_mode) == 0o600
    assert isinstance(open_store("redis://127.0.0.1:1/0"), RedisStore)  # connects on first use only
    assert f"sqlite://{tempfile.gettempdir()}/backprop-classes.db" == DEFAULT_URL
    with pytest.raises(LiveError, match="BACKPROP_STORE"):
        open_store("postgres://db/x")
