"""Streamlit's message loop visits only the sessions with something to send, and hands each one's messages on in
one go (``simulator.ui.flush``).

The loop itself is Streamlit's own code, run here against a real session manager holding stand-in sessions: what
it visits, what it sends and what it shuts down are observed, not assumed."""

import asyncio
import subprocess
import sys
import threading
from pathlib import Path
from types import SimpleNamespace

from streamlit.runtime.forward_msg_queue import ForwardMsgQueue
from streamlit.runtime.memory_session_storage import MemorySessionStorage
from streamlit.runtime.runtime import AsyncObjects, Runtime, RuntimeState
from streamlit.runtime.scriptrunner.script_cache import ScriptCache
from streamlit.runtime.session_manager import ActiveSessionInfo, SessionClientDisconnectedError
from streamlit.runtime.websocket_session_manager import WebsocketSessionManager

from simulator.ui import flush

ROOT = Path(__file__).resolve().parents[1]


def run_apart(coroutine_function) -> None:
    """``asyncio.run`` in a thread of its own: in a worker whose browser tests ran first, Playwright's loop is
    running in the main thread."""
    failures = []

    def run():
        try:
            asyncio.run(coroutine_function())
        except BaseException as error:  # noqa: BLE001 - re-raised in the test's thread
            failures.append(error)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(60)
    assert not thread.is_alive(), "the event loop did not finish"
    if failures:
        raise failures[0]


class Session:
    """What the loop touches on an AppSession: its queue, the flushed-messages hook, shutdown."""

    def __init__(self, name: str, queued: int = 0, settling: bool = False):
        self.id, self._settle_pending = name, settling
        self._browser_queue = ForwardMsgQueue()
        for k in range(queued):
            self._browser_queue._queue.append(f"{name}:{k}")  # the loop only hands them on
        self.flushed = self.told = 0
        self.closed = False

    def flush_browser_queue(self):
        self.flushed += 1
        return self._browser_queue.flush()

    def on_flushed_messages_sent(self):
        self.told += 1
        self._settle_pending = False

    def shutdown(self):
        self.closed = True


class Loop:
    """Just enough of a Runtime for Streamlit's ``_loop_coroutine``, which is borrowed as is."""

    _loop_coroutine = Runtime._loop_coroutine

    def __init__(self, sessions, gone=()):
        self._state = RuntimeState.ONE_OR_MORE_SESSIONS_CONNECTED
        self._session_mgr = WebsocketSessionManager(MemorySessionStorage(), SimpleNamespace(), ScriptCache(), None)
        for session in sessions:
            client = SimpleNamespace(name=f"client of {session.id}")
            self._session_mgr._active_session_info_by_id[session.id] = ActiveSessionInfo(client, session)
        self.sent: list[str] = []
        self.turns: list[int] = []  # the event loop's turn at each message handed on
        self.turn = 0
        self.gone, self.disconnected = set(gone), []

    def _set_state(self, state):
        self._state = state

    def _send_message(self, info, msg):
        if info.session.id in self.gone:
            raise SessionClientDisconnectedError
        self.sent.append(msg)
        self.turns.append(self.turn)

    def disconnect_session(self, session_id, client=None):
        self.disconnected.append((session_id, client.name))

    def tick(self):  # once per turn of the event loop
        self.turn += 1
        asyncio.get_running_loop().call_soon(self.tick)

    def _get_async_objs(self):
        return self.objects

    async def once(self):
        """One flush cycle of the real loop, then its shutdown."""
        loop = asyncio.get_running_loop()
        self.objects = AsyncObjects(
            loop, asyncio.Event(), asyncio.Event(), asyncio.Event(), loop.create_future(), loop.create_future()
        )
        loop.call_soon(self.tick)
        running = asyncio.create_task(self._loop_coroutine())
        await asyncio.sleep(0.05)
        self.objects.must_stop.set()
        await asyncio.wait_for(running, 5)


def test_the_loop_visits_only_sessions_with_mail_and_still_sends_and_shuts_down_all():
    flush.visit_waiting_sessions_only()
    flush.visit_waiting_sessions_only()  # twice changes nothing
    quiet = [Session(f"quiet{k}") for k in range(200)]
    mail, settling = Session("mail", queued=3), Session("settling", settling=True)
    loop = Loop([*quiet[:100], mail, *quiet[100:], settling])
    run_apart(loop.once)
    assert loop.sent == ["mail:0", "mail:1", "mail:2"]
    # flushed twice: as the list is made (its messages handed on), then by the loop (nothing left)
    assert (mail.flushed, mail.told, settling.flushed, settling.told) == (2, 1, 2, 1)
    assert not settling._settle_pending  # its settle went through as before
    assert sum(s.flushed + s.told for s in quiet) == 0  # 200 sessions with nothing queued: not visited
    assert all(s.closed for s in [*quiet, mail, settling])  # the shutdown still closes every session
    assert len(loop._session_mgr.list_active_sessions()) == 0


def test_the_loop_hands_every_waiting_message_on_in_one_turn():
    """Streamlit's loop lets the event loop turn after each message: 500 queued messages took 500 turns, each
    about a millisecond while scripts ran (docs/walk.md, "Round 8"). Now one turn, each session in order."""
    flush.visit_waiting_sessions_only()
    sessions = [Session(f"s{k}", queued=40) for k in range(10)]
    loop = Loop(sessions)
    run_apart(loop.once)
    assert loop.sent == [f"s{k}:{m}" for k in range(10) for m in range(40)]
    assert len(set(loop.turns)) == 1
    assert all(s.told == 1 for s in sessions)


def test_a_session_with_very_many_messages_is_left_to_the_loop():
    """Over AT_ONCE_MOST, one turn per message as Streamlit does: the connection's send queue (500 at most,
    then the client is dropped) drains between them."""
    flush.visit_waiting_sessions_only()
    many, few = Session("many", queued=flush.AT_ONCE_MOST + 1), Session("few", queued=3)
    loop = Loop([many, few])
    run_apart(loop.once)
    assert loop.sent == [f"few:{m}" for m in range(3)] + [f"many:{m}" for m in range(flush.AT_ONCE_MOST + 1)]
    turns = loop.turns[3:]
    assert len(set(turns)) == len(turns)  # each of the many in a turn of its own


def test_a_disconnected_client_is_disconnected_as_the_loop_does():
    flush.visit_waiting_sessions_only()
    left, stays = Session("left", queued=2), Session("stays", queued=2)
    loop = Loop([left, stays], gone={"left"})
    run_apart(loop.once)
    assert loop.sent == ["stays:0", "stays:1"]
    assert loop.disconnected == [("left", "client of left")] * 2  # each message, as Streamlit's loop does


def test_a_runtime_shaped_differently_sends_its_own():
    sessions = [SimpleNamespace(session=Session("a", queued=2))]
    flush.hand_on(SimpleNamespace(), sessions)  # no _send_message: nothing taken from the queue
    assert not sessions[0].session._browser_queue.is_empty()


def test_other_callers_get_every_session():
    flush.visit_waiting_sessions_only()
    sessions = [Session("a"), Session("b", queued=1)]
    manager = Loop(sessions)._session_mgr
    assert [info.session.id for info in manager.list_active_sessions()] == ["a", "b"]
    assert manager.num_active_sessions() == 2


def test_a_session_streamlit_shaped_differently_counts_as_waiting():
    odd = SimpleNamespace(session=SimpleNamespace())
    idle = SimpleNamespace(session=Session("idle"))
    assert flush.waiting([odd, idle]) == [odd]


def test_the_server_installs_it():
    probe = "import streamlit_app; from streamlit.runtime.websocket_session_manager import WebsocketSessionManager"
    probe += " as M;"
    probe += " from streamlit.runtime.runtime import Runtime;"
    probe += " print(M.list_active_sessions.short_for_the_loop, Runtime._enqueued_some_message.coalesced)"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == "True True"


class Woken:
    """Just enough of a Runtime for its ``_enqueued_some_message``: a real event loop and its wake-up event."""

    _enqueued_some_message = Runtime._enqueued_some_message

    def __init__(self, loop: asyncio.AbstractEventLoop):
        self.objects = SimpleNamespace(eventloop=loop, need_send_data=asyncio.Event())
        self.scheduled = 0
        schedule = loop.call_soon_threadsafe

        def counted(callback, *args):
            self.scheduled += callback is flush._woken  # asyncio's own thread hand-offs are not counted
            return schedule(callback, *args)

        loop.call_soon_threadsafe = counted

    def _get_async_objs(self):
        return self.objects


def test_a_batch_of_messages_wakes_the_loop_once_and_the_next_batch_again():
    flush.wake_the_loop_once()
    flush.wake_the_loop_once()  # twice changes nothing

    async def scenario():
        runtime = Woken(asyncio.get_running_loop())
        runtime._enqueued_some_message = Runtime._enqueued_some_message.__get__(runtime)  # the patched one
        for _ in range(100):  # a first view's messages, all queued before the loop next runs
            runtime._enqueued_some_message()
        assert runtime.scheduled == 1
        await asyncio.wait_for(runtime.objects.need_send_data.wait(), 2)  # the one wake-up still came
        runtime.objects.need_send_data.clear()  # the loop flushes
        await asyncio.to_thread(runtime._enqueued_some_message)  # a message after that wakes it again
        assert runtime.scheduled == 2
        await asyncio.wait_for(runtime.objects.need_send_data.wait(), 2)

    run_apart(scenario)


def test_a_closed_loop_leaves_no_wake_up_marked_as_on_its_way():
    flush.wake_the_loop_once()
    loop = asyncio.new_event_loop()
    runtime = Woken(loop)
    loop.close()
    for _ in range(2):  # each call tries, and says the loop is gone, as Streamlit's own did
        try:
            Runtime._enqueued_some_message(runtime)
        except RuntimeError:
            pass
        else:
            raise AssertionError("a closed loop was woken")
    assert runtime.scheduled == 2


STRESS = """
import asyncio, sys, threading
from simulator.ui import flush

loop = asyncio.new_event_loop()
threading.Thread(target=loop.run_forever, daemon=True).start()  # already waiting when the patch comes
if sys.argv[1] == "patched":
    flush.wake_the_loop_once()
written = []
real = loop._csock


class Counted:  # the loop's end of its self-pipe, counting the bytes written to it
    def send(self, data):
        written.append(data)
        return real.send(data)

    def __getattr__(self, name):
        return getattr(real, name)


loop._csock = Counted()
gate, done, total = threading.Event(), threading.Event(), [0]


def one():
    total[0] += 1
    if total[0] == 8 * 2000 + 1:
        done.set()


loop.call_soon_threadsafe(gate.wait)  # the loop is busy while a first batch is queued from 8 threads
threads = [threading.Thread(target=lambda: [loop.call_soon_threadsafe(one) for _ in range(1000)]) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
during = len(written)
gate.set()
threads = [threading.Thread(target=lambda: [loop.call_soon_threadsafe(one) for _ in range(1000)]) for _ in range(8)]
[t.start() for t in threads]
[t.join() for t in threads]
loop.call_soon_threadsafe(one)  # the loop is idle now, waiting: a lone callback must still wake it
print(done.wait(20), total[0], during, len(written))
"""


def stress(mode: str) -> tuple[str, int, int, int]:
    out = subprocess.run([sys.executable, "-c", STRESS, mode], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    ran, total, during, written = out.stdout.split()
    return ran, int(total), int(during), int(written)


def test_a_running_event_loop_gets_one_byte_per_wait_and_misses_no_callback():
    ran, total, during, written = stress("patched")
    assert (ran, total) == ("True", 16_001)  # every callback ran, the last one on an idle loop
    assert during <= 2  # the gate's byte, and at most one for 8,000 callbacks queued while the loop was busy
    assert written < 16_001 // 4
    ran, total, during, written = stress("as asyncio ships it")
    assert (ran, total, during, written) == ("True", 16_001, 8_001, 16_002)  # a byte for each
