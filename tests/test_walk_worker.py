"""The walk built by the server's second process is the walk the page builds itself, and a worker that
dies or is busy never costs an edit its walk (``simulator.ui.walk_worker``)."""

import base64
import gzip
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from simulator import SEED
from simulator.core.scenario import scenario_to_json
from simulator.ui import walk_worker
from simulator.views.forms import MATRIX
from simulator.views.notation import ZAD
from simulator.views.walk import WalkView, packed_walk_of

from .walk_hashes import FIXTURE, cases, digest

RECORDED = json.loads(FIXTURE.read_text())["hashes"]
# One of each kind (the whole set is tests/test_walk_same.py's): notations and forms, views, paper mode, blank,
# mistakes alone and with paper mode and blank, biases and softmax, a large network's windows.
KINDS = (
    "seed/zad/matrix", "seed/mazur/scalar", "seed/lecture_dark_spotlight", "seed/bare", "seed/paper3",
    "seed/blank5/mazur_lecture", "seed/limit6", "seed/mistake/slope_from_z/paper3_scalar",
    "seed/mistake/target_minus_output/blank9", "xor/mistake/biases_not_updated", "softmax/mistake/plus_update",
    "two_outputs/no_tables", "tanh_linear/zad/scalar", "net_4x8/window17/lecture_dark", "net_8x16/window24",
)  # fmt: skip
CASES = {name: case for name, *case in cases() if name in KINDS}


def test_each_kind_is_a_case():
    assert sorted(CASES) == sorted(KINDS)


def _text(packed: str) -> str:
    return gzip.decompress(base64.b64decode(packed)).decode()


@pytest.mark.parametrize("name", list(CASES))
def test_built_from_the_json_alone_is_the_pages_walk(name):
    """Every case of tests/walk_hashes.py: presets, notations, forms, blank, mistakes, paper mode, windows."""
    assert digest(_text(packed_walk_of(*CASES[name]))) == RECORDED[name]


SEED_KEY = (scenario_to_json(SEED, indent=None), None, None, ZAD.id, MATRIX, WalkView())


@pytest.fixture(scope="module")
def worker():
    """A real worker process, as a server starts it (one for the module: starting one costs seconds)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(walk_worker.SWITCH, "1")
        patch.setattr(walk_worker, "_WORKER", [])
        walk_worker.start()
        yield walk_worker._WORKER[0]
        walk_worker._WORKER[0].stop()


def _never() -> str:
    raise AssertionError("built in the page's process although the worker was free")


def test_the_worker_builds_and_a_dead_one_is_replaced(worker):
    assert walk_worker.packed_walk(SEED_KEY, here=_never) == packed_walk_of(*SEED_KEY)
    os.kill(worker.process.pid, signal.SIGKILL)  # as an OOM killer would
    built_here = []
    text = walk_worker.packed_walk(SEED_KEY, here=lambda: built_here.append(1) or packed_walk_of(*SEED_KEY))
    assert text == packed_walk_of(*SEED_KEY) and built_here == [1]  # this edit: the page's own build
    assert walk_worker.packed_walk(SEED_KEY, here=_never) == text  # the next one: a new worker
    assert worker.waiting == 0


def test_a_stuck_worker_is_replaced_and_one_that_raises_leaves_the_build_to_the_page(worker, monkeypatch):
    patience = walk_worker.PATIENCE
    monkeypatch.setattr(walk_worker, "PATIENCE", 1.0)
    stuck = worker.process.pid
    os.kill(stuck, signal.SIGSTOP)  # alive, never answering
    assert walk_worker.packed_walk(SEED_KEY, here=lambda: "here") == "here"
    assert worker.process.pid != stuck and not _running(stuck)
    monkeypatch.setattr(walk_worker, "PATIENCE", patience)  # the new one warms up first: under load, over 1 s
    assert walk_worker.packed_walk(SEED_KEY, here=_never) == packed_walk_of(*SEED_KEY)
    bad = ("not a scenario", *SEED_KEY[1:])
    assert walk_worker.packed_walk(bad, here=lambda: "here") == "here"  # the page's build says what is wrong
    assert walk_worker.packed_walk(SEED_KEY, here=_never) == packed_walk_of(*SEED_KEY)  # the same worker goes on


def test_a_build_the_pipe_cannot_carry_is_left_to_the_page(worker):
    unpicklable = (lambda: None, *SEED_KEY[1:])
    assert walk_worker.packed_walk(unpicklable, here=lambda: "here") == "here"
    assert walk_worker.packed_walk(SEED_KEY, here=_never) == packed_walk_of(*SEED_KEY)
    assert worker.waiting == 0


def test_a_busy_worker_leaves_the_build_to_the_page(worker):
    worker.waiting = walk_worker.QUEUED
    assert walk_worker.packed_walk(SEED_KEY, here=lambda: "here") == "here"
    worker.waiting = 0


def test_no_worker_when_switched_off(monkeypatch):
    monkeypatch.setenv(walk_worker.SWITCH, "0")
    monkeypatch.setattr(walk_worker, "_WORKER", [])
    walk_worker.start()
    assert walk_worker._WORKER == []
    assert walk_worker.packed_walk(SEED_KEY, here=lambda: "here") == "here"


def _running(pid: int) -> bool:
    """Alive and not a zombie (a process whose parent died may wait to be reaped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_worker_leaves_when_its_server_is_killed():
    """No worker outlives its server, even one killed without a word (SIGKILL: no atexit, no shutdown)."""
    server = (
        "import os, time\n"
        "from simulator.ui import walk_worker\n"
        "walk_worker.start()\n"
        "worker = walk_worker._WORKER[0].process.pid\n"
        "parent = open(f'/proc/{worker}/stat').read().rsplit(')', 1)[1].split()[1]\n"
        "print(worker, parent, flush=True)\n"
        "time.sleep(60)\n"
    )
    env = {**os.environ, walk_worker.SWITCH: "1"}
    with subprocess.Popen([sys.executable, "-c", server], stdout=subprocess.PIPE, text=True, env=env) as process:
        worker, parent = map(int, process.stdout.readline().split())  # the parent: a fork server, or the server
        assert _running(worker)
        process.kill()
    deadline = time.monotonic() + 10
    while (_running(worker) or _running(parent)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _running(worker), "the worker outlived its server"
    assert not _running(parent), "the fork server outlived the server"
