"""A class of simulated students against the app over websockets, on loopback. Prints its figures.

    python benchmarks/load.py --users 300 --arrival 30 --interval 10 --duration 90 --targets one,two,bare

Each student does what Chromium does: GET the page, /_stcore/health and /_stcore/host-config (keeping
the cookies: HAProxy's SERVERID and Streamlit's _streamlit_xsrf), opens /_stcore/stream and sends the
rerun BackMsg carrying the query string, waits until the script has finished (the first full view),
then steps every --interval seconds. A step is local, as in the browser (the walk turns the page: no
message); every --edit-every-th step is an edit, a rerun_script carrying a new value of W⁽¹⁾'s first cell (the
sidebar's data editor, its JSON as the browser sends it) or with ``--edit x`` a new "Input x" (a text field): a
scenario change either way, so the server rebuilds every stage of the step. The floor app (bare) has no
field: there an "edit" is its button's click.

With --hostile, one more client opens the page again and again with a link of about 100 KB (long
runs of digits and separators, the overflow link of issue 15), each time in a new session, for the whole run;
its requests are reported apart. Each target then runs twice on the same server, first without the
hostile client and then with it, and the students' edit p95 is printed as a ratio (with / without).
With --hostile-network the hostile client opens links to an 8 × 16 network instead (about 40 KB, a new
input each time): the page's own work, not the reading of the link, is what such a link costs.

Targets, started one after the other in the same run (each on a free 127.0.0.1 port, stopped at the end):
  one   one process of `streamlit run streamlit_app.py`
  two   `deploy/run-local --replicas 2` (two processes behind HAProxy)
  bare  one process of benchmarks/bare_app.py (one button and a counter: the floor)

Reports per target: first view and edit p50/p95/max, errors by kind, KiB received per click, server
CPU (from /proc of the server pids, in % of one core), client CPU, all CPU used on the machine (other
programs included: on a shared machine that is what the server competed with), and memory per session (growth of
the servers' summed RSS from after a warm-up session to its peak, divided by the students).
TCP_NODELAY and TCP_QUICKACK are set on every client socket: without QUICKACK each websocket round
trip stalls about 40 ms (delayed ACK meeting Nagle). Bounded: at most 2,000 students, 900 s per
target and 20,000 messages per student; it stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import multiprocessing
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator import SEED  # noqa: E402
from simulator.core.names import unit_label, unit_names  # noqa: E402
from tests.appserver import running_deploy, running_script  # noqa: E402

MAX_USERS, MAX_SECONDS, MAX_MESSAGES = 2000, 900.0, 20_000
FIRST_VIEW_TIMEOUT, CLICK_TIMEOUT = 90.0, 60.0
SUCCESS = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_FRAGMENT_RUN_SUCCESSFULLY}
STAGE = re.compile(r"^Stage (\d+) of (\d+)")
WEIGHT_TABLE = "W⁽¹⁾"  # Page.fields' name for the first weight table
FIRST_COLUMN = unit_label(unit_names(SEED.layers)[1][0])  # its first column, as the data editor names it
CONTEXT = {"timezone": "UTC", "timezone_offset": 0, "locale": "en-US", "is_embedded": False, "color_scheme": "light"}


def quick(sock: socket.socket) -> None:
    """No Nagle, no delayed ACK (Linux resets QUICKACK after a while, so this is called after each read)."""
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)


class StudentError(Exception):
    """One student's failure, by kind (the message is the kind)."""


@dataclass
class Result:
    """What the students of one client process saw."""

    first_views: list[float] = field(default_factory=list)
    clicks: list[float] = field(default_factory=list)
    click_bytes: list[int] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    servers: Counter = field(default_factory=Counter)
    steps: int = 0  # local steps: no message
    client_cpu: float = 0.0
    wall: float = 0.0
    hostile: list[float] = field(default_factory=list)  # seconds per hostile page view (--hostile)
    view_at: list[float] = field(default_factory=list)  # time.monotonic() when each first view finished
    click_at: list[float] = field(default_factory=list)  # … and each edit (for --timeline)


async def http_get(host: str, port: int, path: str, cookies: dict[str, str]) -> bytes:
    """One HTTP/1.1 GET; stores the response's cookies in ``cookies``; returns the body."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        quick(writer.get_extra_info("socket"))
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept-Encoding: identity\r\nConnection: close\r\n"
        writer.write((request + (f"Cookie: {cookie}\r\n" if cookie else "") + "\r\n").encode())
        head, _, body = (await reader.read(-1)).partition(b"\r\n\r\n")
    finally:
        writer.close()
    lines = head.decode("latin-1").split("\r\n")
    if not lines[0].startswith("HTTP/1.1 200"):
        raise StudentError(f"http {lines[0][9:12] or 'no answer'} on {path.split('?')[0]}")
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.lower() == "set-cookie":
            key, _, rest = value.strip().partition("=")
            cookies[key] = rest.split(";")[0]
    return body


class Page:
    """One student's websocket session: sends reruns, reads ForwardMsgs, tracks buttons and the stage."""

    def __init__(self, ws, query: str, url: str):
        self.ws, self.query, self.url = ws, query, url
        self.buttons: dict[str, tuple[str, str, bool]] = {}  # label → (widget id, fragment id, disabled)
        self.fields: dict[str, str] = {}  # text input label → widget id (the editor's keys carry a revision)
        self.fragments: dict[str, str] = {}  # widget id → the fragment it lives in (the browser sends it along)
        self.page_hash = ""
        self.stage: tuple[int, int] | None = None
        self.messages = 0

    async def rerun(self, trigger: str = "", fragment: str = "", text: tuple[str, str] | None = None):
        """Send a rerun (with a button's trigger, or a text field's new value), read until the script finished;
        returns (seconds, bytes)."""
        message = BackMsg()
        state = message.rerun_script
        state.query_string = self.query
        state.widget_states.SetInParent()
        for key, value in CONTEXT.items():
            setattr(state.context_info, key, value)
        state.context_info.url = self.url
        if text:
            widget = state.widget_states.widgets.add()
            widget.id, widget.string_value = text
            state.page_script_hash = self.page_hash
            if self.fragments.get(text[0]):  # a field inside a fragment: the browser asks for that fragment's run
                state.fragment_id = self.fragments[text[0]]
        if trigger:
            widget = state.widget_states.widgets.add()
            widget.id, widget.trigger_value = trigger, True
            state.page_script_hash = self.page_hash
            if fragment:
                state.fragment_id = fragment
        start = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        received = 0
        while True:
            data = await self.ws.recv()
            quick(self.ws.transport.get_extra_info("socket"))
            received += len(data)
            self.messages += 1
            if self.messages > MAX_MESSAGES:
                raise StudentError("message limit")
            if self.read(data):
                return time.perf_counter() - start, received

    def read(self, data: bytes) -> bool:
        """Take in one ForwardMsg; True when it says the script finished successfully."""
        msg = ForwardMsg()
        msg.ParseFromString(data)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.page_hash = msg.new_session.page_script_hash
        elif kind == "page_info_changed":
            self.query = msg.page_info_changed.query_string
        elif kind == "script_finished":
            if msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
                raise StudentError("script error")
            return msg.script_finished in SUCCESS
        elif kind == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "button":
                button = element.button
                self.buttons[button.label] = (button.id, msg.delta.fragment_id, button.disabled)
            elif which == "dataframe" and "-weights0." in element.dataframe.id:  # W⁽¹⁾'s table (its key has a revision)
                self.fields[WEIGHT_TABLE] = element.dataframe.id
                self.fragments[element.dataframe.id] = msg.delta.fragment_id
            elif which == "text_input":
                self.fields[element.text_input.label] = element.text_input.id
                self.fragments[element.text_input.id] = msg.delta.fragment_id
            elif which == "heading" and (match := STAGE.match(element.heading.body)):
                self.stage = (int(match[1]), int(match[2]))
            elif which == "exception":
                raise StudentError("exception on the page")
        return False


def edit_of(page: Page, kind: str, rng: random.Random) -> tuple[tuple[str, str] | None, str, str]:
    """What one edit sends: (widget id, new value) or a button's (trigger, fragment). ``kind`` "weight": a new
    value in W⁽¹⁾'s first cell (the data editor's JSON, as the browser sends it); "x": a new "Input x". Each is a
    new scenario, so every stage of the step is rebuilt. The floor app has neither: its one button."""
    if kind == "weight" and WEIGHT_TABLE in page.fields:
        cell = {"edited_rows": {"0": {FIRST_COLUMN: f"{rng.uniform(-1, 1):.3f}"}}, "added_rows": [], "deleted_rows": []}
        return (page.fields[WEIGHT_TABLE], json.dumps(cell)), "", ""
    if "Input x" in page.fields:
        return (page.fields["Input x"], f"0.5, 0.1, {rng.uniform(-1, 1):.3f}"), "", ""
    if page.buttons:
        trigger, fragment, _ = next(iter(page.buttons.values()))
        return None, trigger, fragment
    raise StudentError("nothing to edit")


async def steps(page: Page, plan: tuple[float, int, str], end_at: float, rng: random.Random, out: Result) -> None:
    """Step every ``interval`` seconds until ``end_at`` (locally: no message); every ``edit_every``-th step edits."""
    interval, edit_every, kind = plan
    next_at, count = time.monotonic() + rng.uniform(0, interval), 0
    while next_at < end_at:
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        count += 1
        out.steps += 1
        if count % edit_every == 0:
            text, trigger, fragment = edit_of(page, kind, rng)
            try:
                seconds, size = await asyncio.wait_for(page.rerun(trigger, fragment, text), CLICK_TIMEOUT)
            except TimeoutError:
                raise StudentError("edit timeout") from None
            out.clicks.append(seconds)
            out.click_at.append(time.monotonic())
            out.click_bytes.append(size)
        next_at = max(next_at + interval, time.monotonic())


def stream(host: str, port: int, cookies: dict[str, str]):
    """Streamlit's websocket as Chromium opens it: the page's origin, its cookies and the XSRF subprotocol."""
    headers = {"Origin": f"http://{host}:{port}"}
    if cookies:
        headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in cookies.items())
    protocols = ["streamlit", cookies["_streamlit_xsrf"]] if "_streamlit_xsrf" in cookies else ["streamlit"]
    return connect(
        f"ws://{host}:{port}/_stcore/stream",
        additional_headers=headers,
        subprotocols=protocols,
        compression=None,
        ping_interval=None,
        max_size=None,
        open_timeout=FIRST_VIEW_TIMEOUT,
    )


async def student(target: str, start_at: float, end_at: float, plan: tuple, rng: random.Random, out: Result):
    """Open the page, wait for the first view, then step and edit (:func:`steps`) until ``end_at``."""
    parts = urlsplit(target)
    host, port = parts.hostname, parts.port
    await asyncio.sleep(max(0.0, start_at - time.monotonic()))
    cookies: dict[str, str] = {}
    try:
        begin = time.perf_counter()
        await http_get(host, port, "/", cookies)
        await http_get(host, port, "/_stcore/health", cookies)
        await http_get(host, port, "/_stcore/host-config", cookies)
        async with stream(host, port, cookies) as ws:
            quick(ws.transport.get_extra_info("socket"))
            page = Page(ws, "", f"http://{host}:{port}/")
            try:
                await asyncio.wait_for(page.rerun(), FIRST_VIEW_TIMEOUT - (time.perf_counter() - begin))
            except TimeoutError:
                raise StudentError("first view timeout") from None
            out.first_views.append(time.perf_counter() - begin)
            out.view_at.append(time.monotonic())
            out.servers[cookies.get("SERVERID", "-")] += 1
            await steps(page, plan, end_at, rng, out)
    except StudentError as error:
        out.errors[str(error)] += 1
    except (OSError, EOFError) as error:
        out.errors[f"connection: {type(error).__name__}"] += 1
    except Exception as error:  # websockets' ConnectionClosed and handshake failures, by name
        out.errors[f"websocket: {type(error).__name__}"] += 1


HOSTILE_LINKS = (  # each about 100 KB: the longest link parameter the app reads is 100,000 characters
    "x=" + "9" * 99_990 + "x",
    "w1=" + "1." * 49_995 + "x",
    "data=" + "0,0:0|" * 16_660,
    "t=" + "1e" * 49_995,
    "layers=1-1-1-1-1&act=linear,linear,linear,sigmoid&loss=half_squared_error&w1=1e6&w2=1e6&w3=1e6&w4=1e6"
    "&x=1e6&t=0&lr=100&mistake=slope_from_z&zz=" + "9" * 99_800,
)


def network_links(count: int = 50) -> tuple[str, ...]:
    """Links to the largest network a link can carry (8 layers × 16 units, about 40 KB), each with its own
    input x so that no cache helps: the page builds the whole walk of the network for each."""
    from urllib.parse import urlencode

    import numpy as np
    from hostile import largest_network

    from simulator.core.scenario import scenario_from_dict
    from simulator.io.share import encode

    rng = np.random.default_rng(15)
    base = largest_network(rng)
    base["target"] = rng.uniform(0, 1, 16).tolist()
    return tuple(
        urlencode(encode(scenario_from_dict({**base, "x": rng.uniform(-1, 1, 16).tolist()}))) for _ in range(count)
    )


async def hostile(target: str, end_at: float, out: Result, links: tuple[str, ...] = HOSTILE_LINKS) -> None:
    """Open the page with each hostile link in turn, a new session each time, until ``end_at``."""
    parts = urlsplit(target)
    host, port = parts.hostname, parts.port
    k = 0
    while time.monotonic() < end_at:
        query = links[k % len(links)]
        k += 1
        cookies: dict[str, str] = {}
        try:
            begin = time.perf_counter()
            await http_get(host, port, "/?" + query, cookies)
            async with stream(host, port, cookies) as ws:
                page = Page(ws, query, f"http://{host}:{port}/")
                await asyncio.wait_for(page.rerun(), FIRST_VIEW_TIMEOUT)
            out.hostile.append(time.perf_counter() - begin)
        except StudentError as error:  # by its kind: a timeout, an exception on the page, …
            out.errors[f"hostile: {error}"] += 1
            await asyncio.sleep(0.5)
        except Exception as error:  # noqa: BLE001 (the hostile client counts what went wrong, by name)
            out.errors[f"hostile: {type(error).__name__}"] += 1
            await asyncio.sleep(0.5)


async def class_of(
    target: str,
    users: list[int],
    n: int,
    arrival: float,
    interval: float,
    duration: float,
    edit_every: int,
    bad: tuple[str, ...] = (),
    kind: str = "weight",
) -> Result:
    out = Result()
    now = time.monotonic()
    cpu = time.process_time()
    plan = (interval, edit_every, kind)
    tasks = [student(target, now + arrival * k / max(1, n), now + duration, plan, random.Random(k), out) for k in users]
    if bad:
        tasks.append(hostile(target, now + duration, out, bad))
    await asyncio.gather(*tasks)
    out.client_cpu, out.wall = time.process_time() - cpu, time.monotonic() - now
    return out


@dataclass
class Costs:
    """What one student costs the server, measured with nothing else running against it."""

    view_cpu: float  # ms of server CPU per first view (each a new session)
    edit_cpu: float  # ms of server CPU per edit
    edit_worker_cpu: float  # of which ms in the server's walk worker (simulator.ui.walk_worker), if any
    view_wall: float  # median ms per first view
    edit_wall: float  # median ms per edit
    held_mb: float  # MB of server RSS per open session that has edited once (its own walk cached)


async def edit(page: Page, rng: random.Random, kind: str) -> float:
    """One edit (:func:`edit_of`); seconds until the rerun finished."""
    text, trigger, fragment = edit_of(page, kind, rng)
    return (await page.rerun(trigger, fragment, text))[0]


async def opened(target: str, stack: contextlib.AsyncExitStack) -> Page:
    """A new session with its first view done, left open until ``stack`` closes."""
    parts = urlsplit(target)
    cookies: dict[str, str] = {}
    await http_get(parts.hostname, parts.port, "/", cookies)
    ws = await stack.enter_async_context(stream(parts.hostname, parts.port, cookies))
    page = Page(ws, "", f"{target}/")
    await page.rerun()
    return page


async def serial_costs(target: str, pids: list[int], count: int, hold: int, kind: str) -> Costs:
    """``count`` first views one after the other (each a new session, then closed), then ``count`` edits in
    one session, then ``hold`` sessions opened, each edited once, and held open while the server's RSS is read."""
    rng, views, edits = random.Random(1), [], []
    helpers = children(pids)
    ms = lambda group: sum(proc_ticks(pid) for pid in group) * 1000 / os.sysconf("SC_CLK_TCK")  # noqa: E731
    cpu = lambda: ms(pids) + ms(helpers)  # noqa: E731
    start = cpu()
    for _ in range(count):
        out = Result()
        await student(target, time.monotonic(), time.monotonic(), (1.0, 1), rng, out)
        views += out.first_views
    view_cpu = (cpu() - start) / count
    async with contextlib.AsyncExitStack() as stack:
        page = await opened(target, stack)
        start, start_helpers = cpu(), ms(helpers)
        edits = [await edit(page, rng, kind) for _ in range(count)]
        edit_cpu, edit_helpers = (cpu() - start) / count, (ms(helpers) - start_helpers) / count
    await asyncio.sleep(1.0)
    before = sum(proc_rss(pid) for pid in pids)
    async with contextlib.AsyncExitStack() as stack:
        for _ in range(hold):
            await edit(await opened(target, stack), rng, kind)
        await asyncio.sleep(2.0)
        held = (sum(proc_rss(pid) for pid in pids) - before) / 2**20 / max(1, hold)
    return Costs(
        view_cpu, edit_cpu, edit_helpers, statistics.median(views) * 1000, statistics.median(edits) * 1000, held
    )


def client_process(args: tuple) -> Result:
    return asyncio.run(class_of(*args))


def proc_ticks(pid: int) -> int:
    """utime + stime of a process, in clock ticks (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0
    return int(fields[11]) + int(fields[12])


def children(pids: list[int]) -> list[int]:
    """Every process the servers started, and theirs (the walk worker's fork server and the worker), from
    /proc: their CPU is the server's too."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parents[int(stat.parent.name)] = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    found, ours = [], set(pids)
    while True:
        more = [pid for pid, parent in parents.items() if parent in ours and pid not in ours]
        if not more:
            return found
        found += more
        ours.update(more)


def proc_rss(pid: int) -> int:
    """Resident memory in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


@dataclass
class Figures:
    name: str
    result: Result
    server_cpu: float  # % of one core, over the run: the server processes and their walk workers
    worker_cpu: float  # of which the walk workers
    machine_cpu: float  # every process on the machine, % of one core (2 cores: at most 200)
    mb_per_session: float
    clients: int
    start: float = 0.0  # time.monotonic() when the class began (for --timeline)


def machine_busy() -> tuple[int, int]:
    """(busy, total) clock ticks of all cores since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def measure(name: str, url: str, pids: list[int], apps: dict[int, str], args: argparse.Namespace) -> Figures:
    """Warm up each app process with one student, then run the class from ``args.clients`` client processes."""
    for app_url in apps.values():
        asyncio.run(class_of(app_url, [0], 1, 0.0, 1.0, 3.0, 1))  # imports, caches, first compile
    time.sleep(1.0)
    if args.cost and name != "two":
        c = asyncio.run(serial_costs(url, pids, args.cost, args.hold, args.edit))
        print(
            f"{name:5} one at a time ({args.cost} each): server CPU per first view {c.view_cpu:5.1f} ms, "
            f"per edit {c.edit_cpu:5.1f} ms ({c.edit_worker_cpu:4.1f} of it in the walk worker); "
            f"wall per first view {c.view_wall:5.1f} ms, "
            f"per edit {c.edit_wall:5.1f} ms; "
            f"{c.held_mb:.3f} MB per open session ({args.hold} held, each edited once)",
            flush=True,
        )
        if args.cost_only:
            return None
    app_pids, helpers = list(apps), children(pids)
    base_rss = sum(proc_rss(pid) for pid in app_pids)
    ticks = sum(proc_ticks(pid) for pid in pids)
    helper_ticks = sum(proc_ticks(pid) for pid in helpers)
    busy = machine_busy()
    start = time.monotonic()
    jobs = [
        (
            url,
            list(range(w, args.users, args.clients)),
            args.users,
            args.arrival,
            args.interval,
            args.duration,
            args.edit_every,
            hostile_links(args) if args.hostile and w == 0 else (),
            args.edit,
        )
        for w in range(args.clients)
    ]
    peak = base_rss
    with multiprocessing.get_context("fork").Pool(args.clients) as pool:
        pending = pool.map_async(client_process, jobs)
        while not pending.ready():
            pending.wait(1.0)
            peak = max(peak, sum(proc_rss(pid) for pid in app_pids))
        parts = pending.get()
    wall = time.monotonic() - start
    per_second = os.sysconf("SC_CLK_TCK") * wall / 100
    worker_cpu = (sum(proc_ticks(pid) for pid in helpers) - helper_ticks) / per_second
    cpu = (sum(proc_ticks(pid) for pid in pids) - ticks) / per_second + worker_cpu
    end_busy = machine_busy()
    machine = (end_busy[0] - busy[0]) / max(1, end_busy[1] - busy[1]) * 100 * (os.cpu_count() or 1)
    merged = Result()
    for part in parts:
        merged.first_views += part.first_views
        merged.clicks += part.clicks
        merged.view_at += part.view_at
        merged.click_at += part.click_at
        merged.steps += part.steps
        merged.click_bytes += part.click_bytes
        merged.errors += part.errors
        merged.servers += part.servers
        merged.client_cpu += part.client_cpu
        merged.hostile += part.hostile
        merged.wall = max(merged.wall, part.wall)
    mb = (peak - base_rss) / 2**20 / max(1, args.users)
    return Figures(name, merged, cpu, worker_cpu, machine, mb, args.clients, start)


def spread(values: list[float]) -> str:
    if not values:
        return "—"
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{statistics.median(ordered) * 1e3:6.0f} / {p95 * 1e3:6.0f} / {ordered[-1] * 1e3:6.0f}"


def report(figures: Figures, args: argparse.Namespace) -> None:
    r = figures.result
    errors = sum(r.errors.values())
    kib = statistics.median(r.click_bytes) / 1024 if r.click_bytes else 0.0
    print(
        f"{figures.name:5} first view p50/p95/max ms {spread(r.first_views)} | edit {spread(r.clicks)} | "
        f"{len(r.first_views)}/{args.users} views, {r.steps} steps, {len(r.clicks)} edits, {errors} errors | "
        f"{kib:5.1f} KiB/edit | server CPU {figures.server_cpu:4.0f} % ({figures.worker_cpu:3.0f} % walk worker) | "
        f"client CPU {r.client_cpu / max(r.wall, 1e-9) * 100:3.0f} % ({figures.clients} proc) | "
        f"machine {figures.machine_cpu:4.0f} % | "
        f"{figures.mb_per_session:5.2f} MB/session",
        flush=True,
    )
    if args.hostile:
        kind = "8 × 16 network links" if args.hostile_network else "100 KB links"
        print(f"      hostile {kind}: {len(r.hostile)} page views, p50/p95/max ms {spread(r.hostile)}")
    for kind, count in r.errors.most_common():
        print(f"      error: {kind} × {count}")
    if len(r.servers) > 1:
        print("      sessions per replica: " + ", ".join(f"{k} {v}" for k, v in sorted(r.servers.items())))
    if args.timeline:
        timeline(figures, args.timeline)


def timeline(figures: Figures, width: float) -> None:
    """First views and edits by when they finished, in windows of ``width`` seconds: where the queue built."""
    r, start = figures.result, figures.start
    end = max([*r.view_at, *r.click_at, start])
    for k in range(int((end - start) // width) + 1):
        low, high = start + k * width, start + (k + 1) * width
        views = [s for s, at in zip(r.first_views, r.view_at) if low <= at < high]
        edits = [s for s, at in zip(r.clicks, r.click_at) if low <= at < high]
        print(
            f"      {k * width:4.0f}–{(k + 1) * width:4.0f} s: {len(views):4} first views p50/p95/max ms"
            f" {spread(views)}"
            f" | {len(edits):4} edits {spread(edits)}"
        )


def hostile_links(args: argparse.Namespace) -> tuple[str, ...]:
    return network_links() if args.hostile_network else HOSTILE_LINKS


def p95(values: list[float]) -> float:
    ordered = sorted(values) or [float("nan")]
    return ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]


def measure_hostile(name: str, url: str, pids: list[int], apps: dict[int, str], args: argparse.Namespace) -> Figures:
    """With --hostile: the class without the hostile client, then with it, on the same server; prints the
    first and the ratio of the students' edit p95 (with / without), and returns the second."""
    calm = measure(name, url, pids, apps, argparse.Namespace(**{**vars(args), "hostile": False}))
    report(calm, argparse.Namespace(**{**vars(args), "hostile": False}))
    time.sleep(2.0)
    stormy = measure(name, url, pids, apps, args)
    ratio = p95(stormy.result.clicks) / p95(calm.result.clicks)
    first = p95(stormy.result.first_views) / p95(calm.result.first_views)
    print(f"      hostile client: students' edit p95 × {ratio:.2f}, first view p95 × {first:.2f} (with / without)")
    return stormy


@contextlib.contextmanager
def checkout(revision: str):
    """A temporary git worktree of ``revision`` (removed at the end): the app as it was, to compare in one run."""
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(tree), revision], check=True)
        try:
            yield tree
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=False)


@contextlib.contextmanager
def pinned(cores: str):
    """This process on ``cores`` ("0", "0,1", "0-1"; "" for no change) while the block runs: what it starts
    inherits them, as a server started on a host with that many cores."""
    if not cores:
        yield
        return
    chosen = set()
    for part in cores.split(","):
        first, _, last = part.partition("-")
        chosen.update(range(int(first), int(last or first) + 1))
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, chosen)
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def run_target(name: str, args: argparse.Namespace) -> Figures:
    run = measure_hostile if args.hostile else measure
    if name == "two":
        with running_deploy(2) as deployment:
            apps = dict(deployment.replicas.values())
            return run(name, deployment.url, deployment.pids, apps, args)
    with contextlib.ExitStack() as stack:
        tree = stack.enter_context(checkout(name[1:])) if name.startswith("@") else ROOT  # --before REV
        script = tree / ("benchmarks/bare_app.py" if name == "bare" else "streamlit_app.py")
        # as run-local; each revision with its own .streamlit/config.toml (read from the working directory)
        with pinned(args.cores):  # started on those cores: a server that sees one core starts no walk worker
            url, pid = stack.enter_context(running_script(script, "--server.fileWatcherType", "none", cwd=tree))
        if args.cores:  # every thread of the server and of its walk worker, as on a one-core host
            for process in (pid, *children([pid])):
                subprocess.run(["taskset", "-a", "-p", "-c", args.cores, str(process)], check=True, capture_output=True)
        return run(name, url, [pid], {pid: url}, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=50, help=f"students, at most {MAX_USERS} (default 50)")
    parser.add_argument("--arrival", type=float, default=30.0, help="seconds over which they arrive (default 30)")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between steps (default 5)")
    parser.add_argument("--edit-every", type=int, default=10, help="every Nth step is an edit (default 10)")
    parser.add_argument(
        "--edit",
        choices=("weight", "x"),
        default="weight",
        help="what an edit changes: W⁽¹⁾'s first cell (default) or Input x",
    )
    parser.add_argument("--cores", default="", help="pin the one-process server to these cores (taskset -c)")
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of clicking per target (default 60)")
    parser.add_argument("--targets", default="one,two,bare", help="comma-separated: one, two, bare")
    parser.add_argument("--clients", type=int, default=1, help="client processes (default 1)")
    parser.add_argument(
        "--cost",
        type=int,
        default=20,
        help="first views and edits one at a time before the class "
        "(server CPU per first view and per edit; 0: skip; default 20)",
    )
    parser.add_argument(
        "--timeline", type=float, default=0.0, help="also print p50/p95 per window of this many seconds (0: no)"
    )
    parser.add_argument("--hold", type=int, default=100, help="sessions held open for the memory figure (default 100)")
    parser.add_argument("--cost-only", action="store_true", help="only the one-at-a-time costs, no class")
    parser.add_argument("--hostile", action="store_true", help="one more client sending 100 KB links all along")
    parser.add_argument(
        "--hostile-network", action="store_true", help="with --hostile: links to an 8 × 16 network instead"
    )
    parser.add_argument(
        "--before",
        action="append",
        default=[],
        metavar="REV",
        help="also measure the app at git revision REV, served from a temporary worktree (repeatable): "
        "before/after in one run",
    )
    args = parser.parse_args()
    targets = args.targets.split(",")
    problems = [f"unknown target {t!r}" for t in targets if t not in ("one", "two", "bare")]
    if not 1 <= args.users <= MAX_USERS:
        problems.append(f"--users must be between 1 and {MAX_USERS}")
    if not 0 < args.duration <= MAX_SECONDS or not 0 <= args.arrival < args.duration:
        problems.append(f"need 0 ≤ --arrival < --duration ≤ {MAX_SECONDS:.0f}")
    if args.interval <= 0 or not 1 <= args.clients <= 8:
        problems.append("--interval must be positive and --clients between 1 and 8")
    if problems:
        parser.exit(2, "load.py: " + "; ".join(problems) + "\n")
    print(
        f"load: {args.users} students arriving over {args.arrival:.0f} s, one local step per {args.interval:.0f} s, "
        f"an edit ({args.edit}) every {args.edit_every} steps"
        f"{f', server on cores {args.cores}' if args.cores else ''}, "
        f"{args.duration:.0f} s per target, {os.cpu_count()} cores" + (", one hostile client" if args.hostile else ""),
        flush=True,
    )
    for name in [*targets, *(f"@{revision}" for revision in args.before)]:
        figures = run_target(name, args)
        if figures is not None:
            report(figures, args)
        time.sleep(2.0)


if __name__ == "__main__":
    main()
