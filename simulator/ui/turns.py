"""First views take turns; an edit, or any other run of a page already open, never waits for them.

One server process runs one core of Python at a time (the GIL), and the threads that want it share it
evenly: while a class arrives, every student's first view (a whole-page run, about 80 ms of CPU) ran at
once with every edit (a fragment run, about 25 ms), and each edit took as long as all of them together.
The targets differ: a first view may take up to 3 s, an edit 500 ms. So first views (the whole-page run
of a new session) go :data:`AT_ONCE` at a time, in turn, and every other run (an edit, a Reveal, a quiz
answer, a tab, the lecturer's Ask and Reveal) never queues: it shares the core with at most that many first
views. Two, not one: a first view that waits for the walk worker or the class's store holds no core meanwhile.

A first view that has waited :data:`PATIENCE` seconds runs anyway, so a run stuck elsewhere never blocks the
others for long. One gate per server process, shared by its sessions like a cache: it holds no one's data.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

AT_ONCE = 2  # first views at the same time
PATIENCE = 10.0  # seconds a first view waits for its turn at most

_GATE = threading.BoundedSemaphore(AT_ONCE)


@contextlib.contextmanager
def page_turn(first_view: bool) -> Iterator[None]:
    """Around a whole-page run (``streamlit_app.py`` does): a first view holds one of the places while the
    page is built; any other run goes at once."""
    if not first_view:
        yield
        return
    taken = _GATE.acquire(timeout=PATIENCE)
    try:
        yield
    finally:
        if taken:
            _GATE.release()
