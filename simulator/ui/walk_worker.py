"""Walks built in a second process, so an edit's heaviest work runs beside the server, not under its lock.

One Python process runs one core of Python at a time (the GIL): the server's event loop, every session's
script and every walk build take turns. Building a new scenario's walk (every stage's graph, formula, tables
and code, then JSON and gzip) is about half of an edit's CPU, and it is a pure function of its arguments
(:func:`simulator.views.walk.packed_walk_of`). So a server started by ``streamlit run`` keeps one worker
process for it on a second core (:func:`start`, called when the server imports the page); the session's
script waits for the answer without holding the GIL. The worker builds from the scenario's JSON alone, byte
for byte what the page would build itself (``tests/test_walk_worker.py``).

Without a worker (one core, ``BACKPROP_WALK_WORKER=0``, AppTest, the CLI), when the worker is busy with
:data:`QUEUED` builds already, or if it died, the page builds the walk in its own process as before: a
worker can make an edit cheaper for the server, never make it fail. This module imports no Streamlit: the
worker imports it to run :func:`_watch_parent`.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from simulator import SEED
from simulator.core.scenario import scenario_to_json
from simulator.views.forms import MATRIX
from simulator.views.notation import ZAD
from simulator.views.walk import WalkView, packed_walk_of

SWITCH = "BACKPROP_WALK_WORKER"  # "0": no worker
QUEUED = 8  # builds waiting for the worker beyond which the page builds its own (≈ 25 ms each for the seed)


class _Worker:
    """The pool of one process and how many builds wait for it. One per server process, made by :func:`start`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.waiting = 0
        self.pool = _pool()


_WORKER: list[_Worker] = []  # set once by start(), in the server only; the sessions share it like a cache


def _context():
    """Workers forked from a fork server: a clean process started with the first worker, before any page ran
    (a server has threads running: it is never forked itself). Once a page has run, Streamlit's ``__main__`` is
    the page's script, which a spawned process would import again; a fork server's children import nothing."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["simulator.ui.walk_worker"])  # imported once, by the fork server
    return context


def _pool() -> ProcessPoolExecutor:
    pool = ProcessPoolExecutor(max_workers=1, mp_context=_context(), initializer=_watch_parent)
    seed = (scenario_to_json(SEED, indent=None), None, None, ZAD.id, MATRIX, WalkView())
    pool.submit(packed_walk_of, *seed)  # started now, and its memos warm, before the first student's edit
    return pool


def _watch_parent() -> None:
    """In the worker: leave as soon as the server is gone, even if it was killed without a word (the end of a
    pipe the server held closes; a fork server, the worker's own parent, outlives the server)."""
    server = multiprocessing.parent_process()

    def watch() -> None:
        server.join()
        os._exit(0)

    if server is not None:
        threading.Thread(target=watch, daemon=True).start()


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


def packed_walk(key: tuple, here: Callable[[], str]) -> str:
    """The packed walk for ``key`` (:func:`~simulator.views.walk.packed_walk_of`'s arguments), from the
    worker when there is one free enough, else ``here()``, the page's own build."""
    if not _WORKER:
        return here()
    worker = _WORKER[0]
    with worker.lock:
        if worker.waiting >= QUEUED:
            return here()
        worker.waiting += 1
        pool = worker.pool
    try:
        future: Future = pool.submit(packed_walk_of, *key)
        return future.result()
    except BrokenProcessPool:  # the worker died (killed, out of memory): a new one for the next edit
        with worker.lock:
            if worker.pool is pool:
                worker.pool = _pool()
        pool.shutdown(wait=False, cancel_futures=True)
        return here()
    except Exception:  # noqa: BLE001 - whatever the worker raised, the page's own build says it the usual way
        return here()
    finally:
        with worker.lock:
            worker.waiting -= 1
