"""Streamlit's message loop: woken once per batch of messages, visiting only the sessions that have some, and
handing each one's messages to its connection in one go.

Streamlit's runtime loop (``Runtime._loop_coroutine``) wakes whenever any session queues a message, up to 200
times a second while scripts run, and then visits every open session: takes its queue (empty for almost all of
them) and tells it the flush is done. With a class connected that is a thousand visits per wake: 8 % of the
server's Python at the peak of ``benchmarks/load.py --users 1000`` (py-spy, ``--gil``), on the thread that sends
every student's messages. One wake with 1,000 idle sessions: 0.74 ms visiting all, 0.27 ms with this.

The loop gets the sessions from its session manager's ``list_active_sessions``. This gives that one caller only
the sessions with a message queued or a settle pending (the only two things a visit acts on), in the same
order; every other caller (shutdown, statistics) gets every session. Nothing is lost: a message queued after
the list was made sets the loop's wake-up event again, which the loop cleared before listing.

And the loop let the event loop turn once after every message it handed on (``await asyncio.sleep(0)``), so a
pass over the sessions took as many turns of the event loop as there were messages queued. At the peak of
``benchmarks/load.py --users 1000`` 300–560 messages waited at the start of a pass (8 first views a second at 72
messages each, 15 edits at 23), each turn took about a millisecond with the scripts holding the GIL, and a pass
took 300–700 ms: every message queued meanwhile waited for the next pass, and a script that had finished in
100 ms reached its student a second later. In the short list's making, each waiting session's messages are now
handed to its connection at once and in order, as the loop does it (``Runtime._send_message``, a disconnected
client disconnected), which only puts them on the connection's own send queue; the loop then finds the queue
empty and tells the session its messages went out. The connections' own tasks still write them, side by side.

And each message a script queues used to wake the event loop on its own, twice: Streamlit hands every element
to the loop with ``call_soon_threadsafe``, and the loop then wakes the message loop the same way. Each is a byte
written to the event loop's self-pipe, a system call during which the thread lets go of the GIL and then queues
for it again behind every other thread. A first view queues 72 messages and an edit 23 (one session counted), so
under load a script waited for the GIL that many times (py-spy: script threads idle in ``_write_to_self`` more
than in any of their own work). Now a byte is written only when none is waiting to be read, and the message
loop is woken only when no wake-up is on its way (:func:`wake_the_loop_once`): the pending one runs after this
message was queued, so nothing is missed.
"""

from __future__ import annotations

import sys
from asyncio import selector_events

from streamlit.runtime.runtime import Runtime
from streamlit.runtime.session_manager import SessionClientDisconnectedError
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

LOOP = Runtime._loop_coroutine.__code__  # the one caller that gets the short list
# Messages of one session handed on in one go at most. A connection's send queue holds 500, then Streamlit drops
# the client as overwhelmed; a page far larger than ours (a first view is 72) goes as Streamlit sends it, one turn
# of the event loop per message, so the connection's writer drains it meanwhile.
AT_ONCE_MOST = 100
WAKE_QUEUED = "_backprop_wake_queued"  # on the Runtime: a wake-up of its loop is scheduled and has not run yet
BYTE_WAITING = "_backprop_byte_waiting"  # on an event loop: a byte is in its self-pipe, not read yet
SELECTOR_LOOP = selector_events.BaseSelectorEventLoop


def waiting(infos: list) -> list:
    """The active sessions a flush would act on: a message queued, or a settle pending. A session whose
    Streamlit lacks either attribute counts as waiting, so a changed Streamlit falls back to visiting all."""
    return [info for info in infos if _waiting(info.session)]


def _waiting(session) -> bool:
    queue = getattr(session, "_browser_queue", None)
    return queue is None or not queue.is_empty() or getattr(session, "_settle_pending", True)


def hand_on(runtime, infos: list) -> None:
    """Each session's queued messages to its connection, in order, as the runtime loop sends them (a runtime
    Streamlit shaped differently, or more than :data:`AT_ONCE_MOST` messages: nothing here, the loop sends them
    itself)."""
    send, disconnect = getattr(runtime, "_send_message", None), getattr(runtime, "disconnect_session", None)
    if send is None or disconnect is None:
        return
    for info in infos:
        queue = getattr(info.session, "_browser_queue", None)
        if queue is None or len(queue) > AT_ONCE_MOST:
            continue
        for msg in info.session.flush_browser_queue():
            try:
                send(info, msg)
            except SessionClientDisconnectedError:  # as the loop does: only if still bound to that client
                disconnect(info.session.id, client=info.client)


def visit_waiting_sessions_only() -> None:
    """Install the short list for the runtime loop, its messages handed on as it is made (once per process;
    calling again changes nothing)."""
    every = WebsocketSessionManager.list_active_sessions
    if getattr(every, "short_for_the_loop", False):
        return

    def list_active_sessions(self):
        sessions = every(self)
        caller = sys._getframe(1)
        if caller.f_code is not LOOP:
            return sessions
        mail = waiting(sessions)
        hand_on(caller.f_locals.get("self"), mail)
        return mail

    list_active_sessions.short_for_the_loop = True
    list_active_sessions.__doc__ = every.__doc__
    WebsocketSessionManager.list_active_sessions = list_active_sessions


def wake_the_loop_once() -> None:
    """Coalesce the loops' wake-ups (once per process): the event loop's self-pipe, then the message loop's
    event. Streamlit hands the session manager the Runtime's bound ``_enqueued_some_message`` when the Runtime
    is made, so this must run before: when the server imports the page, as ``streamlit run`` does before it
    starts the Runtime. The event loop already runs then: its methods are looked up at each call, so a class
    patch applies to it."""
    if getattr(Runtime._enqueued_some_message, "coalesced", False):
        return
    _one_byte_at_a_time()

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


def _one_byte_at_a_time() -> None:
    """An event loop's self-pipe gets a byte only when none is waiting: ``call_soon_threadsafe`` puts its
    callback in the loop's ready queue before it writes, and the loop reads the pipe, then runs every ready
    callback before it next waits. The mark is cleared as the loop reads, so a byte written after that is read
    too; a callback that found the mark set is in the ready queue before the loop's next wait."""
    read = SELECTOR_LOOP._read_from_self

    def _write_to_self(self) -> None:
        csock = self._csock
        if csock is None or self.__dict__.get(BYTE_WAITING):
            return
        self.__dict__[BYTE_WAITING] = True  # before the byte: a read clearing it then sees the byte
        try:
            csock.send(b"\0")
        except BlockingIOError:
            pass  # the pipe is full: bytes are waiting to be read
        except OSError:  # closed under us (the loop is closing): no byte, so none is waiting
            self.__dict__[BYTE_WAITING] = False

    def _read_from_self(self) -> None:
        self.__dict__[BYTE_WAITING] = False
        read(self)

    SELECTOR_LOOP._write_to_self = _write_to_self
    SELECTOR_LOOP._read_from_self = _read_from_self  # for loops made from now on
    for loop_class in {SELECTOR_LOOP, *_subclasses(SELECTOR_LOOP)}:  # the running loop's reader is bound already,
        if "_process_self_data" in vars(loop_class):  # but it calls this, looked up on the loop's class, as it reads
            loop_class._process_self_data = _clearing(vars(loop_class)["_process_self_data"])


def _clearing(process):
    def _process_self_data(self, data) -> None:
        self.__dict__[BYTE_WAITING] = False
        process(self, data)

    return _process_self_data


def _subclasses(cls) -> set:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found
