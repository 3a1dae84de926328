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

import streamlit as st
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulator.live import LiveError, Store, open_store

from .live_class import configured_store

PATH = "/api/class/{code}/{tag}"
FRESH_S = 0.2  # a version read this recently is answered from memory: at most 5 store reads a second per class
MAX_REMEMBERED = 4_096  # (code, tag) pairs; past that the memory starts afresh (made-up tags cannot grow it)
RETRY_S = 3.0  # a phone whose rerun did not come (lost in a reconnect) asks again after this long
HEADERS = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff"}


class Versions:
    """Recent answers of the store per (code, tag), and the one read in flight for each."""

    def __init__(self, opener: Callable[[], Store]):
        self._opener, self._store = opener, None
        self._seen: dict[tuple[str, str], tuple[float, int | None]] = {}
        self._reading: dict[tuple[str, str], asyncio.Future] = {}

    def _read(self, code: str, tag: str) -> int | None:
        if self._store is None:
            self._store = self._opener()
        try:
            return self._store.watched(code, tag)
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


def routes(opener: Callable[[], Store] = _open) -> list[Route]:
    """The version route, reading the store ``opener()`` returns (the configured one), opened on the first poll."""
    versions = Versions(opener)

    async def class_version(request: Request) -> Response:
        params = request.path_params
        found = await versions.version(str(params["code"])[:20], str(params["tag"])[:40])
        body = json.dumps({"version": found})
        return Response(body, status_code=404 if found is None else 200, media_type="application/json", headers=HEADERS)

    return [Route(PATH, class_version, methods=["GET"])]


def path(code: str, tag: str) -> str:
    return PATH.format(code=code, tag=tag)


# In the phone's page: a Web Worker polls the route (a page's own timers can be throttled to one every few
# seconds while the browser is busy; a worker's are not) and posts each version; the page asks for a rerun
# ("moved") when it differs from the version the page drew (``data.version``, renewed by every rerun), and
# again after RETRY_S if no rerun came (a message lost in a reconnect must not leave the phone behind).
# One worker per page; it stops once the class is gone (null).
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
FOLLOW_JS = (
    "const POLL_WORKER = "
    + json.dumps(POLL_WORKER)
    + """;
export default function ({ data, setTriggerValue }) {
  const follow = window.__bpFollow || (window.__bpFollow = { asked: 0 });
  if (follow.drawn !== data.version) follow.asked = 0;
  Object.assign(follow, { drawn: data.version, retry: data.retry * 1000, moved: setTriggerValue });
  if (!follow.worker) {
    follow.worker = new Worker(URL.createObjectURL(new Blob([POLL_WORKER], { type: "text/javascript" })));
    follow.worker.onmessage = (event) => {
      if (event.data !== follow.drawn && Date.now() - follow.asked > follow.retry) {
        follow.asked = Date.now();
        follow.moved("moved", event.data);
      }
    };
  }
  follow.worker.postMessage({ url: new URL(data.url, window.location.href).href, period: data.period * 1000 });
}
"""
)
_FOLLOW = st.components.v2.component("backprop_class_follow", js=FOLLOW_JS)


def follow(code: str, tag: str, version: int, period_s: float) -> None:
    """Mount the poller: the page reruns (``moved``) when the class's version is no longer ``version``."""
    _FOLLOW(
        key="class_follow",
        data={"url": path(code, tag), "version": version, "period": period_s, "retry": RETRY_S},
        on_moved_change=lambda: None,
    )
