"""Streamlit's message loop visits only the sessions that have messages to send.

Streamlit's runtime loop (``Runtime._loop_coroutine``) wakes whenever any session queues a message, up to 200
times a second while scripts run, and then visits every open session: takes its queue (empty for almost all of
them) and tells it the flush is done. With a class connected that is a thousand visits per wake: 8 % of the
server's Python at the peak of ``benchmarks/load.py --users 1000`` (py-spy, ``--gil``), on the thread that sends
every student's messages.

The loop gets the sessions from its session manager's ``list_active_sessions``. This gives that one caller only
the sessions with a message queued or a settle pending (the only two things a visit acts on), in the same
order; every other caller (shutdown, statistics) gets every session. Nothing is lost: a message queued after
the list was made sets the loop's wake-up event again, which the loop cleared before listing.
"""

from __future__ import annotations

import sys

from streamlit.runtime.runtime import Runtime
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

LOOP = Runtime._loop_coroutine.__code__  # the one caller that gets the short list


def waiting(infos: list) -> list:
    """The active sessions a flush would act on: a message queued, or a settle pending. A session whose
    Streamlit lacks either attribute counts as waiting, so a changed Streamlit falls back to visiting all."""
    return [info for info in infos if _waiting(info.session)]


def _waiting(session) -> bool:
    queue = getattr(session, "_browser_queue", None)
    return queue is None or not queue.is_empty() or getattr(session, "_settle_pending", True)


def visit_waiting_sessions_only() -> None:
    """Install the short list for the runtime loop (once per process; calling again changes nothing)."""
    every = WebsocketSessionManager.list_active_sessions
    if getattr(every, "short_for_the_loop", False):
        return

    def list_active_sessions(self):
        sessions = every(self)
        return waiting(sessions) if sys._getframe(1).f_code is LOOP else sessions

    list_active_sessions.short_for_the_loop = True
    list_active_sessions.__doc__ = every.__doc__
    WebsocketSessionManager.list_active_sessions = list_active_sessions
