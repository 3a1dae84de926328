"""First views take turns (``simulator.ui.turns``): at most AT_ONCE at a time, never stuck for long; other
runs never wait, and a first view steps aside for them."""

import threading
import time
from types import SimpleNamespace

import pytest
from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

from simulator.ui import turns


def test_at_most_at_once_page_runs_run_together():
    inside, most, lock = 0, 0, threading.Lock()

    def page_run():
        nonlocal inside, most
        with turns.page_turn(first_view=True):
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    runs = [threading.Thread(target=page_run) for _ in range(4 * turns.AT_ONCE)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    assert most == turns.AT_ONCE


def test_a_failed_run_gives_its_place_back():
    for _ in range(turns.AT_ONCE + 1):
        with pytest.raises(RuntimeError), turns.page_turn(first_view=True):
            raise RuntimeError("a script that raised")
    taken = [turns._TURNS.gate.acquire(blocking=False) for _ in range(turns.AT_ONCE)]
    assert all(taken)  # every place is free again
    for _ in taken:
        turns._TURNS.gate.release()


def test_a_run_that_waited_long_enough_runs_anyway(monkeypatch):
    monkeypatch.setattr(turns, "PATIENCE", 0.05)
    held = [turns._TURNS.gate.acquire() for _ in range(turns.AT_ONCE)]  # runs stuck elsewhere
    try:
        started = time.monotonic()
        with turns.page_turn(first_view=True):
            waited = time.monotonic() - started
        assert 0.04 <= waited < 1.0
    finally:
        for _ in held:
            turns._TURNS.gate.release()
    assert turns._TURNS.gate.acquire(blocking=False)  # the run that did not get a place gave none back
    turns._TURNS.gate.release()


def test_a_page_already_open_never_waits():
    held = [turns._TURNS.gate.acquire() for _ in range(turns.AT_ONCE)]  # every place taken by first views
    try:
        started = time.monotonic()
        with turns.page_turn(first_view=False):
            pass
        assert time.monotonic() - started < 0.5 * turns.PATIENCE
    finally:
        for _ in held:
            turns._TURNS.gate.release()


def first_view_stepping_aside(log: list, started: threading.Event) -> None:
    """A first view that reaches a step aside once ``started`` is set, and logs when it goes on."""
    with turns.page_turn(first_view=True):
        started.wait(5)
        turns.let_others_go()
        log.append(("first view goes on", time.monotonic()))


def test_a_first_view_steps_aside_while_an_open_page_runs():
    log, started = [], threading.Event()
    view = threading.Thread(target=first_view_stepping_aside, args=(log, started))
    with turns.busy():  # an edit is running
        view.start()
        started.set()
        time.sleep(0.1)
        log.append(("edit done", time.monotonic()))
    view.join(5)
    assert [what for what, _ in log] == ["edit done", "first view goes on"]
    assert turns.others() == 0


def test_a_step_aside_is_short(monkeypatch):
    monkeypatch.setattr(turns, "STEP_ASIDE", 0.05)
    log, started = [], threading.Event()
    with turns.busy():  # a run that does not end soon
        begun = time.monotonic()
        view = threading.Thread(target=first_view_stepping_aside, args=(log, started))
        view.start()
        started.set()
        view.join(5)
        assert 0.04 <= log[0][1] - begun < 1.0


def test_only_a_first_view_steps_aside():
    with turns.busy():
        begun = time.monotonic()
        turns.let_others_go()  # this thread runs no first view
        with turns.page_turn(first_view=False):
            turns.let_others_go()
        assert time.monotonic() - begun < 0.5 * turns.STEP_ASIDE
        assert turns.others() == 1
    assert turns.others() == 0


def test_a_run_waiting_for_another_process_is_counted_out():
    with turns.busy():
        assert turns.others() == 1
        with turns.aside():
            assert turns.others() == 0
        assert turns.others() == 1
    with turns.aside():  # a run that is not counted (a first view) changes nothing
        assert turns.others() == 0
    assert turns.others() == 0


def test_fragment_runs_count_as_open_pages(monkeypatch):
    seen = []

    def run_script(self, rerun_data):  # Streamlit's own, as the patch finds it
        seen.append(turns.others())

    monkeypatch.setattr(ScriptRunner, "_run_script", run_script)
    turns.count_fragment_runs()
    turns.count_fragment_runs()  # once only
    fragment_run, page_run = SimpleNamespace(fragment_id_queue=["stepper"]), SimpleNamespace(fragment_id_queue=[])
    ScriptRunner._run_script(None, fragment_run)
    ScriptRunner._run_script(None, page_run)
    assert seen == [1, 0]  # the whole-page run is page_turn's to sort
    assert turns.others() == 0


def test_no_step_aside_while_first_views_queue_for_a_place():
    """When first views queue, they are the ones behind: a pause would only lengthen their queue."""
    log, started, done = [], threading.Event(), threading.Event()
    held = [turns._TURNS.gate.acquire() for _ in range(turns.AT_ONCE - 1)]  # one place left, for `view`

    def queued_first_view():
        with turns.page_turn(first_view=True):  # finds no place and queues, until `view` gives its back
            done.wait(5)

    queued = threading.Thread(target=queued_first_view)
    try:
        with turns.busy():  # an edit that does not end soon
            begun = time.monotonic()
            view = threading.Thread(target=first_view_stepping_aside, args=(log, started))
            view.start()
            time.sleep(0.05)
            queued.start()
            time.sleep(0.05)
            started.set()
            view.join(5)
            assert log[0][1] - begun < 0.1 + 0.5 * turns.STEP_ASIDE
    finally:
        done.set()
        queued.join(5)
        for _ in held:
            turns._TURNS.gate.release()
    assert turns._TURNS.queued == 0
