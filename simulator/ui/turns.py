"""Whole-page runs take turns; an edit never waits for them.

One server process runs one core of Python at a time (the GIL), and the threads that want it share it
evenly: while a class arrives, every student's first view (a whole-page run, about 80 ms of CPU) ran at
once with every edit (a fragment run, about 25 ms), and each edit took as long as all of them together.
The targets differ: a first view may take up to 3 s, an edit 500 ms. So whole-page runs go
:data:`AT_ONCE` at a time, in turn, and fragment runs (an edit, a Reveal, a quiz answer: the
stepper's and the editor's own reruns) never queue: they share the core with at most that many page runs.
Two, not one: a page run that waits for the walk worker or the class's store holds no core meanwhile.

A page run that has waited :data:`PATIENCE` seconds runs anyway, so a run stuck elsewhere never blocks the
others for long. One gate per server process, shared by its sessions like a cache: it holds no one's data.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

AT_ONCE = 2  # whole-page runs at the same time
PATIENCE = 10.0  # seconds a page run waits for its turn at most

_GATE = threading.BoundedSemaphore(AT_ONCE)


@contextlib.contextmanager
def page_turn() -> Iterator[None]:
    """Hold one of the page runs' places while the page is built (``streamlit_app.main`` does)."""
    taken = _GATE.acquire(timeout=PATIENCE)
    try:
        yield
    finally:
        if taken:
            _GATE.release()
