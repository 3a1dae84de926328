"""Python's garbage collector and thread switching set for a server holding a class: no student's edit waits
behind a long pause.

A server process holds hundreds of sessions. With the collector's defaults, each full collection walked
every object the process had (Streamlit, NumPy, pandas, Plotly and the app, imported once, plus every
session), and it ran each time the heap grew by a quarter, as it does while a class arrives: pauses of
80–480 ms, measured with a ``gc.callbacks`` probe in ``benchmarks/load.py``'s 300-student run on one core,
during which every student's edit waited (edit p95 1.1 s while the server used 42 % of its core). So, once,
when the server imports the page:

- what is already loaded is frozen (:func:`gc.freeze`): it lives as long as the process and is never
  scanned again;
- the youngest generation is collected after 10,000 new objects instead of 700, and the oldest only
  after 100 collections of the middle one instead of 10: fewer pauses, each short.

Objects are still freed by reference counting the moment they are unused; only cycles wait a little
longer. Same run with both: edit p95 279 ms, the longest pause 150 ms, 0.27 MB per session (was 0.28).

And the GIL changes hands after 0.5 ms instead of 5 ms: the event loop, which sends every session's messages,
gives the GIL up at each socket wait and then waited up to a whole interval behind the scripts to get it back.
1,000 students over 120 s on one server (``benchmarks/load.py``, quiet machine, one run each): first view p95
60.7 → 8.7 s, edit p95 51.3 → 14.6 s, timed-out edits 32 → 0.
"""

from __future__ import annotations

import gc
import sys

THRESHOLDS = (10_000, 20, 100)  # new objects before a young collection; young, then middle ones before the next
SWITCH_INTERVAL = 0.0005  # s a thread may hold the GIL while another waits for it (Python's default: 0.005)


def tune_for_a_class() -> None:
    """Call once, after the server has imported the page (``streamlit_app.py`` does)."""
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
    sys.setswitchinterval(SWITCH_INTERVAL)
