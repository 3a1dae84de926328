"""Walks built in a second process, so an edit's heaviest work runs beside the server, not under its lock.

One Python process runs one core of Python at a time (the GIL): the server's event loop, every session's
script and every walk build take turns. Building a new scenario's walk (every stage's graph, formula, tables
and code, then JSON and gzip) is about half of an edit's CPU, and it is a pure function of its arguments
(:func:`simulator.views.walk.packed_walk_of`). So a server started by ``streamlit run`` keeps one worker
process for it on a second core (:func:`start`, called when the server imports the page); the session's
script waits for the answer without holding the GIL. The worker builds from the scenario's JSON alone, byte
for byte what the page would build itself (``tests/test_walk_worker.py``).

Without a worker (one core, ``BACKPROP_WALK_WORKER=0``, AppTest, the CLI), when the worker is busy with
:data:`QUEUED` builds already, if it died or did not answer within :data:`PATIENCE`, the page builds the walk in
its own process as before: a worker can make an edit cheaper for the server, never make it fail. This module
imports no Streamlit (the worker runs :func:`_serve` from it).

The session's own thread talks to the worker over a pipe, one build at a time: it sends the arguments and
waits for the answer. A process pool did the same through two threads of its own (one feeding the worker, one
reading its answers), and each of their wake-ups waited for the GIL behind every script: under a class's load
that chain, not the build, was the wait (py-spy: sessions waiting on the pool's future while the worker sat idle
waiting for work).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import threading
from collections.abc import Callable

from simulator import SEED
from simulator.core.scenario import scenario_to_json
from simulator.views.forms import MATRIX
from simulator.views.notation import ZAD
from simulator.views.walk import WalkView, packed_walk_of

SWITCH = "BACKPROP_WALK_WORKER"  # "0": no worker
QUEUED = 8  # builds waiting for the worker beyond which the page builds its own (≈ 25 ms each for the seed)
PATIENCE = 10.0  # s to wait for the worker's answer; then it is taken for stuck, replaced, and the page builds


def _seed_key() -> tuple:
    return scenario_to_json(SEED, indent=None), None, None, ZAD.id, MATRIX, WalkView()


class _Worker:
    """One worker process and the pipe to it, one build in it at a time, and how many builds wait. One per
    server process, made by :func:`start`; the sessions share it like a cache."""

    def __init__(self) -> None:
        self.lock = threading.Lock()  # the pipe: one build at a time
        self.counting = threading.Lock()
        self.waiting = 0
        self.process, self.pipe = _spawn()

    def build(self, key: tuple) -> str | None:
        """The worker's packed walk for ``key``, or None (it raised, died or hung: then a new one is started)."""
        with self.lock:
            try:
                self.pipe.send(key)
                if not self.pipe.poll(PATIENCE):
                    raise TimeoutError
                built, text = self.pipe.recv()
            except Exception:  # noqa: BLE001 - dead, hung, or a message it could not take: a new one, and the page builds
                self.replace()
                return None
        return text if built else None

    def replace(self) -> None:
        """A new worker for the next build (called holding :attr:`lock`)."""
        self.stop()
        with contextlib.suppress(OSError):  # no new process now: the closed pipe says so at the next build
            self.process, self.pipe = _spawn()

    def stop(self) -> None:
        self.pipe.close()
        self.process.kill()
        self.process.join(5)


_WORKER: list[_Worker] = []  # set once by start(), in the server only


def _context():
    """Workers forked from a fork server: a clean process started with the first worker, before any page ran
    (a server has threads running: it is never forked itself). Once a page has run, Streamlit's ``__main__`` is
    the page's script, which a spawned process would import again; a fork server's children import nothing."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["simulator.ui.walk_worker"])  # imported once, by the fork server
    return context


def _spawn():
    context = _context()
    ours, theirs = context.Pipe()
    process = context.Process(target=_serve, args=(theirs,), name="backprop walk worker", daemon=True)
    process.start()
    theirs.close()  # the worker's end lives in the worker only: when the server is gone, its reads end
    return process, ours


def _serve(pipe) -> None:
    """In the worker: answer each build, until the server's end of the pipe closes (the server is gone, even
    killed without a word: the system closes its end)."""
    packed_walk_of(*_seed_key())  # its memos warm before the first student's edit
    while True:
        try:
            key = pipe.recv()
        except (EOFError, OSError):
            os._exit(0)
        try:
            answer = (True, packed_walk_of(*key))
        except Exception:  # noqa: BLE001 - the page builds it again and says what is wrong the usual way
            answer = (False, "")
        try:
            pipe.send(answer)
        except OSError:
            os._exit(0)


def _cores() -> int:
    """The cores this process may run on (Linux), else the machine's."""
    allowed = getattr(os, "sched_getaffinity", None)
    return len(allowed(0)) if allowed else os.cpu_count() or 1


def start() -> None:
    """Start the worker, once per server process, unless switched off or the server may use one core only."""
    if _WORKER or os.environ.get(SWITCH, "1") == "0" or _cores() < 2:
        return
    try:
        _WORKER.append(_Worker())
    except OSError:  # no process can be started here (a sandbox, no /dev/shm): the page builds its walks
        return


def packed_walk(
    key: tuple,
    here: Callable[[], str],
    waiting: Callable[[], contextlib.AbstractContextManager] = contextlib.nullcontext,
) -> str:
    """The packed walk for ``key`` (:func:`~simulator.views.walk.packed_walk_of`'s arguments), from the
    worker when there is one free enough, else ``here()``, the page's own build. ``waiting()`` is entered
    while the session waits for the worker (the page's turns count it out: it uses no core meanwhile)."""
    if not _WORKER:
        return here()
    worker = _WORKER[0]
    with worker.counting:
        if worker.waiting >= QUEUED:
            return here()
        worker.waiting += 1
    try:
        with waiting():
            text = worker.build(key)
    finally:
        with worker.counting:
            worker.waiting -= 1
    return here() if text is None else text
