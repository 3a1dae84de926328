"""First views take turns, and step aside for the pages already open; an edit never waits for them.

One server process runs one core of Python at a time (the GIL), and the threads that want it share it
evenly: while a class arrives, every student's first view (a whole-page run, about 50 ms of CPU) ran at
once with every edit (a fragment run, about 25 ms), and each edit took as long as all of them together.
The targets differ: a first view may take up to 3 s, an edit 500 ms. So:

- first views (the whole-page run of a new session) go :data:`AT_ONCE` at a time, in turn; a first view
  that has waited :data:`PATIENCE` seconds runs anyway, so a run stuck elsewhere never blocks the others
  for long. Two, not one: a first view that waits for the walk worker or the class's store holds no core;
- every other run (an edit, a Reveal, a quiz answer, a tab, the lecturer's Ask and Reveal: a run of a page
  already open) never queues, and while one is going a first view pauses at its next step aside
  (:func:`let_others_go`, between the page's sections) for at most :data:`STEP_ASIDE` seconds, unless other
  first views are queueing for a place: then the first views are the ones behind, and a pause would only
  lengthen their queue (two places each held up to 0.75 s longer let fewer than 3 first views a second
  through, while a class arrives at 8: ``benchmarks/load.py``, docs/walk.md, "Round 8").

A run that waits for another process (the walk worker's build) is not using the core: it is counted out
meanwhile (:func:`aside`). One set of turns per server process, shared by its sessions like a cache: it holds
no one's data.
"""

from __future__ import annotations

import contextlib
import functools
import threading
from collections.abc import Iterator

from streamlit.runtime.scriptrunner.script_runner import ScriptRunner

AT_ONCE = 2  # first views at the same time
PATIENCE = 10.0  # seconds a first view waits for its turn at most
STEP_ASIDE = 0.25  # seconds a first view waits at one step aside at most


class _Turns:
    """The first views' places, and how many runs of open pages are using the core now."""

    def __init__(self) -> None:
        self.gate = threading.BoundedSemaphore(AT_ONCE)
        self.changed = threading.Condition()
        self.others = 0
        self.queued = 0  # first views waiting for a place
        self.thread = threading.local()  # this script thread's run: a first view, or how deep in counted runs

    def queue(self, by: int) -> None:
        with self.changed:
            self.queued += by
            self.changed.notify_all()

    def count(self, by: int) -> None:
        with self.changed:
            self.others += by
            if not self.others:
                self.changed.notify_all()


_TURNS = _Turns()


def others() -> int:
    """Runs of open pages using the core now."""
    return _TURNS.others


@contextlib.contextmanager
def page_turn(first_view: bool) -> Iterator[None]:
    """Around a whole-page run (``streamlit_app.py`` does): a first view holds one of the places while the
    page is built; any other run goes at once, counted as a run of an open page."""
    if not first_view:
        with busy():
            yield
        return
    taken = _TURNS.gate.acquire(blocking=False)
    if not taken:
        _TURNS.queue(+1)  # a first view in the queue: those stepping aside go on
        try:
            taken = _TURNS.gate.acquire(timeout=PATIENCE)
        finally:
            _TURNS.queue(-1)
    _TURNS.thread.first_view = True
    try:
        yield
    finally:
        _TURNS.thread.first_view = False
        if taken:
            _TURNS.gate.release()


@contextlib.contextmanager
def busy() -> Iterator[None]:
    """Count this thread's run as a run of an open page while inside."""
    mine = _TURNS.thread
    mine.depth = getattr(mine, "depth", 0) + 1
    _TURNS.count(+1)
    try:
        yield
    finally:
        mine.depth -= 1
        _TURNS.count(-1)


@contextlib.contextmanager
def aside() -> Iterator[None]:
    """Around a wait for another process: a counted run does not use the core meanwhile."""
    counted = getattr(_TURNS.thread, "depth", 0) > 0
    if counted:
        _TURNS.count(-1)
    try:
        yield
    finally:
        if counted:
            _TURNS.count(+1)


def let_others_go() -> None:
    """In a first view, between two sections of the page: wait while runs of open pages use the core and no
    other first view is queueing for a place, at most :data:`STEP_ASIDE` seconds. Anywhere else: nothing."""
    if getattr(_TURNS.thread, "first_view", False):
        with _TURNS.changed:
            _TURNS.changed.wait_for(lambda: not _TURNS.others or _TURNS.queued, timeout=STEP_ASIDE)


def count_fragment_runs() -> None:
    """Count every fragment run (an edit, a step of a lecturer's panel…) as a run of an open page: Streamlit runs
    a fragment without running the page's script, so :func:`page_turn` never sees it. Called once, by the
    server (``streamlit_app.py``). A run that Streamlit continues with a whole-page rerun stays counted."""
    original = ScriptRunner._run_script
    if getattr(original, "counted", False):
        return

    @functools.wraps(original)
    def run_script(self, rerun_data):
        if not rerun_data.fragment_id_queue:
            return original(self, rerun_data)
        with busy():
            return original(self, rerun_data)

    run_script.counted = True
    ScriptRunner._run_script = run_script
