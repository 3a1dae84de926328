"""First views take turns (``simulator.ui.turns``): at most AT_ONCE at a time, never stuck for long; other
runs never wait."""

import threading
import time

import pytest

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
    taken = [turns._GATE.acquire(blocking=False) for _ in range(turns.AT_ONCE)]
    assert all(taken)  # every place is free again
    for _ in taken:
        turns._GATE.release()


def test_a_run_that_waited_long_enough_runs_anyway(monkeypatch):
    monkeypatch.setattr(turns, "PATIENCE", 0.05)
    held = [turns._GATE.acquire() for _ in range(turns.AT_ONCE)]  # runs stuck elsewhere
    try:
        started = time.monotonic()
        with turns.page_turn(first_view=True):
            waited = time.monotonic() - started
        assert 0.04 <= waited < 1.0
    finally:
        for _ in held:
            turns._GATE.release()
    assert turns._GATE.acquire(blocking=False)  # the run that did not get a place gave none back
    turns._GATE.release()


def test_a_page_already_open_never_waits():
    held = [turns._GATE.acquire() for _ in range(turns.AT_ONCE)]  # every place taken by first views
    try:
        started = time.monotonic()
        with turns.page_turn(first_view=False):
            pass
        assert time.monotonic() - started < 0.5 * turns.PATIENCE
    finally:
        for _ in held:
            turns._GATE.release()
