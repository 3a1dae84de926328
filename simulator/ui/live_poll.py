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


# In the phone's page: poll the route and ask for a rerun ("moved") only when the version changed.
# One timer per page (a rerun calls this again with fresh data: it takes the new URL and version).
FOLLOW_JS = """
export default function ({ data, setTriggerValue }) {
  const follow = window.__bpFollow || (window.__bpFollow = {});
  follow.url = data.url; follow.seen = data.version; follow.period = data.period * 1000; follow.moved = setTriggerValue;
  if (follow.timer) return;
  const again = () => { follow.timer = setTimeout(tick, follow.period * (0.75 + 0.5 * Math.random())); };
  const tick = async () => {
    try {
      const answer = await fetch(follow.url, { cache: "no-store", credentials: "same-origin" });
      const type = answer.headers.get("content-type") || "";
      if (type.startsWith("application/json")) {
        const version = (await answer.json()).version;
        if (version !== follow.seen) { follow.seen = version; follow.moved("moved", version); }
      }
    } catch (error) { /* offline for a moment: Streamlit's own reconnect shows it; try again */ }
    again();
  };
  again();
}
"""
_FOLLOW = st.components.v2.component("backprop_class_follow", js=FOLLOW_JS)


def follow(code: str, tag: str, version: int, period_s: float) -> None:
    """Mount the poller: the page reruns (``moved``) when the class's version is no longer ``version``."""
    _FOLLOW(
        key="class_follow",
        data={"url": path(code, tag), "version": version, "period": period_s},
        on_moved_change=lambda: None,
    )
