"""How a phone follows the lecturer cheaply: a tiny route answers the class's version, a component polls it.

A Streamlit rerun costs the server about 4 ms of CPU even when it draws nothing, so 300 phones polling
one each second kept a core busy. Here the phone's page mounts a small component that fetches
``/api/class/CODE/TAG`` every second (jittered, so a room does not poll in step) and asks for a rerun
only when the number it gets changed: nothing runs in Streamlit while the lecturer stands still.

The route is a Starlette endpoint served beside Streamlit's own: ``streamlit_app.py`` declares
``st.App(__file__, routes=ROUTES)``, which ``streamlit run`` picks up (``deploy/run-local``, Docker
and Community Cloud run the same command). It answers from this process's memory when it read the
store less than :data:`FRESH_S` ago, else one read (off the event loop; polls arriving meanwhile
share it). The tag (an HMAC of the session's secret salt, :meth:`simulator.live.Store.watch_tag`) is
handed to a phone when it joins: without it the answer is the same 404 for a live class and for none,
so the route does not help anyone guess join codes past the rate-limited join.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator.live import LiveError, Store, open_store
from simulator.live.phone import phone_answer, phone_view

from .live_class import configured_store

PATH = "/api/class/{code}/{tag}"
VIEW_PATH, ANSWER_PATH = PATH + "/view", PATH + "/answer"  # POST, JSON in and out: what a phone shows, an answer
MAX_BODY = 32_768  # bytes of a phone's request: an answer of MAX_ANSWER_CHARS characters, escaped, fits
FRESH_S = 0.2  # a version read this recently is answered from memory: at most 5 store reads a second per class
MAX_REMEMBERED = 4_096  # (code, tag) pairs; past that the memory starts afresh (made-up tags cannot grow it)
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class Versions:
    """Recent answers of the store per (code, tag), and the one read in flight for each."""

    def __init__(self, opener: Callable[[], Store]):
        self._opener, self._store = opener, None
        self._seen: dict[tuple[str, str], tuple[float, int | None]] = {}
        self._reading: dict[tuple[str, str], asyncio.Future] = {}

    def store(self) -> Store:
        if self._store is None:
            self._store = self._opener()
        return self._store

    def _read(self, code: str, tag: str) -> int | None:
        try:
            return self.store().watched(code, tag)
        except LiveError:  # a malformed code
            return None

    async def version(self, code: str, tag: str) -> int | None:
        key, now = (code, tag), time.monotonic()
        seen = self._seen.get(key)
        if seen is not None and now - seen[0] < FRESH_S:
            return seen[1]
        reading = self._reading.get(key)
        if reading is None:
            reading = asyncio.ensure_future(run_in_threadpool(self._read, code, tag))
            self._reading[key] = reading
            try:
                found = await reading
            finally:
                del self._reading[key]
            if len(self._seen) >= MAX_REMEMBERED:
                self._seen.clear()
            self._seen[key] = (time.monotonic(), found)
            return found
        return await asyncio.shield(reading)


def _open() -> Store:
    return open_store(configured_store())


async def _body(request: Request) -> dict | None:
    """A phone's JSON request, read no further than :data:`MAX_BODY` bytes; None when too long or not JSON.
    Only ``application/json``: another site's page cannot send that without a preflight we never answer."""
    if not request.headers.get("content-type", "").startswith("application/json"):
        return None
    read = bytearray()
    async for chunk in request.stream():
        read += chunk
        if len(read) > MAX_BODY:
            return None
    try:
        found = json.loads(read)
    except ValueError:
        return None
    return found if isinstance(found, dict) else None


def _json(body: str | dict, status: int = 200) -> Response:
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    return Response(text, status_code=status, media_type="application/json", headers=HEADERS)


REFUSED = {"ok": False, "message": "send JSON: {token, question, text}"}


def routes(opener: Callable[[], Store] = _open) -> list[Route]:
    """The phone's routes, reading the store ``opener()`` returns (the configured one), opened on first use:
    the version a phone polls (GET), what it shows (POST ``/view``) and its answer (POST ``/answer``)."""
    versions = Versions(opener)

    def store() -> Store:
        return versions.store()

    async def class_version(request: Request) -> Response:
        params = request.path_params
        found = await versions.version(str(params["code"])[:20], str(params["tag"])[:40])
        return _json({"version": found}, 404 if found is None else 200)

    async def class_view(request: Request) -> Response:
        code, tag = str(request.path_params["code"])[:20], str(request.path_params["tag"])[:40]
        asked = await _body(request)
        if asked is None:
            return _json(REFUSED, 400)
        token, dark = str(asked.get("token", ""))[:80], asked.get("dark") is True
        try:
            return _json(await run_in_threadpool(phone_view, store(), code, tag, token, dark))
        except LiveError as err:  # gone, or a wrong tag (the same words), or a malformed token
            return _json({"ok": False, "message": str(err)}, 404)

    async def class_answer(request: Request) -> Response:
        code, tag = str(request.path_params["code"])[:20], str(request.path_params["tag"])[:40]
        asked = await _body(request)
        if asked is None:
            return _json(REFUSED, 400)
        token, question, text = str(asked.get("token", ""))[:80], asked.get("question"), asked.get("text")
        said = await run_in_threadpool(phone_answer, store(), code, tag, token, question, text)
        return _json(said, 200 if said["ok"] else 422)

    return [
        Route(PATH, class_version, methods=["GET"]),
        Route(VIEW_PATH, class_view, methods=["POST"]),
        Route(ANSWER_PATH, class_answer, methods=["POST"]),
    ]


def path(code: str, tag: str) -> str:
    return PATH.format(code=code, tag=tag)


# In the phone's page (phone.js): a Web Worker polls the route (a page's own timers can be throttled to one
# every few seconds while the browser is busy; a worker's are not) and posts each version to the page, which
# asks for the view when it moved. One worker per page; it stops once the class is gone (null).
POLL_WORKER = """
let state = null, timer = null;
onmessage = (event) => { state = event.data; if (timer === null) tick(); };
async function tick() {
  const late = new AbortController();  // a poll stuck on a stalled connection is dropped, not waited for
  const stop = setTimeout(() => late.abort(), 2 * state.period);
  let version;
  try {
    const answer = await fetch(state.url, { cache: "no-store", credentials: "same-origin", signal: late.signal });
    if ((answer.headers.get("content-type") || "").startsWith("application/json")) {
      version = (await answer.json()).version;
      postMessage(version);
    }
  } catch (error) { /* offline or too slow for a moment: try again */ }
  clearTimeout(stop);
  timer = version === null ? null : setTimeout(tick, state.period * (0.75 + 0.5 * Math.random()));
}
"""
WORKER_JS = "const POLL_WORKER = " + json.dumps(POLL_WORKER) + ";\n"
