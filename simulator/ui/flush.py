"""Streamlit's message loop: woken once per batch of messages, and visiting only the sessions that have some.

Streamlit's runtime loop (``Runtime._loop_coroutine``) wakes whenever any session queues a message, up to 200
times a second while scripts run, and then visits every open session: takes its queue (empty for almost all of
them) and tells it the flush is done. With a class connected that is a thousand visits per wake: 8 % of the
server's Python at the peak of ``benchmarks/load.py --users 1000`` (py-spy, ``--gil``), on the thread that sends
every student's messages.

The loop gets the sessions from its session manager's ``list_active_sessions``. This gives that one caller only
the sessions with a message queued or a settle pending (the only two things a visit acts on), in the same
order; every other caller (shutdown, statistics) gets every session. Nothing is lost: a message queued after
the list was made sets the loop's wake-up event again, which the loop cleared before listing.

And each message a script queues used to wake the loop on its own: a byte written to the loop's self-pipe, a
system call during which the script thread lets go of the GIL and then queues again for it behind every other
thread. A first view queues about a hundred messages, so under load it waited for the GIL a hundred times
(py-spy: script threads idle in ``_write_to_self`` more than in any of their own work). Now a script wakes the
loop only when no wake-up is on its way already; the pending one sets the same event after this message was
queued, so the loop still sends it (:func:`wake_the_loop_once`).
"""

from __future__ import annotations

import sys

from streamlit.runtime.runtime import Runtime
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

LOOP = Runtime._loop_coroutine.__code__  # the one caller that gets the short list
WAKE_QUEUED = "_backprop_wake_queued"  # on the Runtime: a wake-up of its loop is scheduled and has not run yet


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


def wake_the_loop_once() -> None:
    """Coalesce the loop's wake-ups (once per process). Streamlit hands the session manager the Runtime's
    bound ``_enqueued_some_message`` when the Runtime is made, so this must run before: when the server imports
    the page, as ``streamlit run`` does before it starts the Runtime."""
    if getattr(Runtime._enqueued_some_message, "coalesced", False):
        return

    def _enqueued_some_message(self) -> None:
        if self.__dict__.get(WAKE_QUEUED):
            return  # the wake-up on its way runs after this message was queued: the loop will see it
        objects = self._get_async_objs()
        self.__dict__[WAKE_QUEUED] = True
        try:
            objects.eventloop.call_soon_threadsafe(_woken, self, objects.need_send_data)
        except BaseException:
            self.__dict__[WAKE_QUEUED] = False  # no wake-up scheduled (the loop is closed): the next one tries
            raise

    _enqueued_some_message.coalesced = True
    _enqueued_some_message.__doc__ = Runtime._enqueued_some_message.__doc__
    Runtime._enqueued_some_message = _enqueued_some_message


def _woken(runtime: Runtime, need_send_data) -> None:
    """On the loop: the next message queued schedules a new wake-up; this one lets the loop flush."""
    runtime.__dict__[WAKE_QUEUED] = False
    need_send_data.set()
