"""A live class through the real app over websockets: ``benchmarks/class.py --http`` runs this.

    python benchmarks/class.py --http --users 300                 # one `streamlit run`, a private redis-server
    python benchmarks/class.py --http --users 600 --replicas 2    # deploy/run-local --replicas 2 (its own Redis)

Each student does what a phone's Chromium does (the handshake of benchmarks/load.py): GETs the page with
``?class=CODE``, opens the websocket, waits for the first view, then polls the class's version route
(``/api/class/CODE/TAG``, from the phone component's data) every second ±25 % over one keep-alive
connection, as the component's worker does, and POSTs for the view (``…/view``) at mount and whenever
the version changed. The lecturer is driven through the store, as the projector's own fragment does
(open the class, set the stage, Ask, read the tally every 0.2 s). Once a view brings the open question,
the phone waits a random 0–5 s and POSTs its answer (``…/answer``), timing it until the route says it
is in.

Prints ``answers sent S, counted C`` and exits 1 when they differ or on any error; also p50/p95 of an
answer, of a poll and of following the Ask, the projector lag (last answer acknowledged → tally
complete), server CPU (the app processes and HAProxy, from /proc) and store commands per student
(Redis INFO). Bounded: at most 2,000 students; it stops by itself after ``--timeout`` seconds.

``--poll-cost`` measures instead, in one run, the server CPU of one poll by the route against one poll
as it was before (a ``run_every`` fragment reading the version: benchmarks/class_fragment_app.py) and
the view a phone asks for when the class changed, interleaved in rounds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import secrets
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis
from load import ROOT, BackMsg, ForwardMsg, Page, StudentError, http_get, proc_ticks, quick, stream  # noqa: I001

from simulator import SEED
from simulator.live import classroom, open_store
from tests.appserver import running_deploy, running_script

ANSWERS = ("0.108040 -0.294441", "0,132191 -0,277743", "-0.108040 0.294441", "0.5 0.5")  # right, slope, sign, other
STAGE, VALUE = "update.W2", "new_W2"
TICK = os.sysconf("SC_CLK_TCK")
PHONE = "backprop_class_phone"  # simulator/ui/live_student.py's component: its data holds the phone's routes
PERIOD = 1.0  # seconds between polls, ±25 % (as the component)


@dataclass
class Tallies:
    sent: Counter = field(default_factory=Counter)  # answers acknowledged by the page, per text
    answers: list[float] = field(default_factory=list)
    follows: list[float] = field(default_factory=list)  # Ask → the field on the phone
    polls: list[float] = field(default_factory=list)  # seconds per version poll
    views: list[float] = field(default_factory=list)  # seconds per view asked for (at mount, then on a change)
    errors: Counter = field(default_factory=Counter)
    last_answer: float = 0.0


class Http:
    """One keep-alive HTTP/1.1 connection to the phone's routes, as the browser's fetch keeps one."""

    def __init__(self, host: str, port: int, cookies: dict[str, str]):
        self.host, self.port, self.cookies, self.stream = host, port, cookies, None

    async def call(self, path: str, body: dict | None = None) -> tuple[int, dict]:
        """GET ``path``, or POST ``body`` as JSON: (status, the JSON answer)."""
        for attempt in (0, 1):  # a connection the server closed meanwhile is opened again once
            try:
                if self.stream is None:
                    self.stream = await asyncio.open_connection(self.host, self.port)
                return await self._call(path, body)
            except (OSError, asyncio.IncompleteReadError):
                self.close()
                if attempt:
                    raise
        return 0, {}

    async def _call(self, path: str, body: dict | None) -> tuple[int, dict]:
        reader, writer = self.stream
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        head = f"Host: {self.host}:{self.port}\r\nCookie: {cookie}\r\n"
        if body is None:
            writer.write(f"GET {path} HTTP/1.1\r\n{head}\r\n".encode())
        else:
            data = json.dumps(body).encode()
            writer.write(f"POST {path} HTTP/1.1\r\n{head}Content-Type: application/json\r\n"
                         f"Content-Length: {len(data)}\r\n\r\n".encode() + data)  # fmt: skip
        answer = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").lower()
        quick(writer.get_extra_info("socket"))
        length = int(answer.split("content-length:", 1)[1].split("\r\n", 1)[0])
        return int(answer[9:12]), json.loads(await reader.readexactly(length))

    async def version(self, path: str) -> int | None:
        status, found = await self.call(path)
        if status not in (200, 404):  # 404: no class with this code and tag
            raise StudentError(f"version route: http {status}")
        return found["version"]

    def close(self) -> None:
        if self.stream is not None:
            self.stream[1].close()
            self.stream = None


class Phone(Page):
    """A student's page: its one Streamlit run joins and hands over the phone component's routes."""

    def __init__(self, ws, query: str, url: str):
        super().__init__(ws, query, url)
        self.routes: dict = {}
        self.token = secrets.token_urlsafe(24)  # the tab's own (sessionStorage in a browser)

    def read(self, data: bytes) -> bool:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "bidi_component" and element.bidi_component.component_name.endswith(PHONE):
                proto = element.bidi_component
                self.routes = json.loads(proto.mixed.json if proto.WhichOneof("data") == "mixed" else proto.json)
            elif which == "exception":
                raise StudentError(f"exception on the page: {element.exception.type}: {element.exception.message[:80]}")
        return super().read(data)


async def opened(url: str, query: str, cookies: dict[str, str], kind=Phone):
    """GET the page, open the websocket (the caller closes it) and wait for the first view."""
    parts = urlsplit(url)
    host, port = parts.hostname, parts.port
    await http_get(host, port, f"/?{query}", cookies)
    ws = await stream(host, port, cookies)
    page = kind(ws, query, f"http://{host}:{port}/")
    await asyncio.wait_for(page.rerun(), 90)
    return page


async def phone(url: str, code: str, k: int, asked: dict, end_at: float, out: Tallies) -> None:
    parts, cookies = urlsplit(url), {}
    try:
        page = await opened(url, f"class={code}", cookies)
        http = Http(parts.hostname, parts.port, cookies)
        try:
            await follow_and_answer(page, http, k, asked, end_at, out)
        finally:
            http.close()
            await page.ws.close()
    except StudentError as error:
        out.errors[str(error)] += 1
    except (OSError, EOFError, TimeoutError, asyncio.IncompleteReadError) as error:
        out.errors[f"connection: {type(error).__name__}"] += 1
    except Exception as error:  # websockets' ConnectionClosed and handshake failures, by name
        out.errors[f"websocket: {type(error).__name__}"] += 1


async def viewed(page: Phone, http: Http, out: Tallies) -> dict:
    """What the component asks for when the version moved: one POST."""
    started = time.perf_counter()
    status, view = await asyncio.wait_for(http.call(page.routes["view_url"], {"token": page.token}), 60)
    out.views.append(time.perf_counter() - started)
    if status != 200:
        raise StudentError(f"view route: http {status}")
    return view


async def follow_and_answer(page: Phone, http: Http, k: int, asked: dict, end_at: float, out: Tallies) -> None:
    rng, text, answer_at = random.Random(k), ANSWERS[k % len(ANSWERS)], None
    if not page.routes:
        raise StudentError("no phone component on the phone's page")
    shown = await viewed(page, http, out)  # at mount
    next_poll = time.monotonic() + rng.uniform(0, PERIOD)
    while time.monotonic() < end_at:
        await asyncio.sleep(max(0.0, next_poll - time.monotonic()))
        next_poll += PERIOD * rng.uniform(0.75, 1.25)
        started = time.perf_counter()
        version = await asyncio.wait_for(http.version(page.routes["poll_url"]), 60)
        out.polls.append(time.perf_counter() - started)
        if version != shown["version"]:
            shown = await viewed(page, http, out)
        if shown["room"]["kind"] == "open" and answer_at is None:
            out.follows.append(time.monotonic() - asked["at"])
            answer_at = time.monotonic() + rng.uniform(0, 5)
        if answer_at is not None and time.monotonic() >= answer_at:
            started = time.perf_counter()
            body = {"token": page.token, "question": shown["room"]["question"], "text": text}
            status, said = await asyncio.wait_for(http.call(page.routes["answer_url"], body), 60)
            if not said.get("ok"):
                raise StudentError(f"answer not taken: http {status} {str(said.get('message'))[:60]}")
            out.answers.append(time.perf_counter() - started)
            out.sent[text] += 1
            out.last_answer = time.monotonic()
            return


def cpu_of(pids: list[int]) -> int:
    return sum(proc_ticks(pid) for pid in pids)


async def lecture(url: str, store_url: str, pids: list[int], args: argparse.Namespace) -> int:
    """Open the class, let the phones join and poll, Ask, wait for every answer; then the report."""
    store = open_store(store_url)
    owner = classroom.open_class(store, SEED)
    store.set_stage(owner.code, owner.key, STAGE)
    client = redis.Redis.from_url(store_url)
    commands, ticks = client.info("stats")["total_commands_processed"], cpu_of(pids)
    out, asked = Tallies(), {"at": float("inf")}
    start, end_at = time.monotonic(), time.monotonic() + args.timeout
    tasks = []
    for k in range(args.users):  # arriving evenly over --arrival seconds
        tasks.append(asyncio.create_task(phone(url, owner.code, k, asked, end_at, out)))
        await asyncio.sleep(args.arrival / args.users)
    await asyncio.sleep(5)  # every phone open and polling
    question = await asyncio.to_thread(classroom.ask, store, owner, VALUE)
    asked["at"] = time.monotonic()
    await asyncio.gather(*tasks)
    while True:  # the projector's read: how long after the last answer the tally holds it
        tally = await asyncio.to_thread(store.tallies, owner.code, owner.key, question)
        if tally.answered >= sum(out.sent.values()) or time.monotonic() > end_at:
            break
        await asyncio.sleep(0.05)
    lag = max(0.0, time.monotonic() - out.last_answer) if out.last_answer else float("nan")
    wall, cpu = time.monotonic() - start, (cpu_of(pids) - ticks) / TICK
    per_student = (client.info("stats")["total_commands_processed"] - commands) / max(args.users, 1)
    store.end_session(owner.code, owner.key)
    return report(out, tally, lag, wall, cpu, per_student, args)


def percentile(values: list[float], p: float) -> float:
    return sorted(values)[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def report(out: Tallies, tally, lag: float, wall: float, cpu: float, per_student: float, args) -> int:
    sent = sum(out.sent.values())
    where = f"{args.replicas} replicas behind HAProxy" if args.replicas > 1 else "one process"
    print(f"class over HTTP: {args.users} phones on {where}, {wall:.0f} s")
    print(f"answer  p50 {percentile(out.answers, 0.5) * 1e3:.0f} ms, p95 {percentile(out.answers, 0.95) * 1e3:.0f} ms")
    print(f"follow  Ask → field on the phone p50 {percentile(out.follows, 0.5):.2f} s, "
          f"p95 {percentile(out.follows, 0.95):.2f} s")  # fmt: skip
    print(
        f"poll    p50 {percentile(out.polls, 0.5) * 1e3:.1f} ms, p95 {percentile(out.polls, 0.95) * 1e3:.1f} ms; "
        f"{len(out.polls)} polls; view p50 {percentile(out.views, 0.5) * 1e3:.1f} ms, "
        f"p95 {percentile(out.views, 0.95) * 1e3:.1f} ms, {len(out.views)} views; "
        f"server CPU {cpu / max(1, len(out.polls)) * 1e3:.2f} ms per poll (page runs, views, answers included)"
    )
    print(f"projector lag {lag:.2f} s; server CPU {cpu:.1f} s ({100 * cpu / wall:.0f} % of one core); "
          f"store commands per student {per_student:.1f}")  # fmt: skip
    print(f"errors: {dict(out.errors) or 0}")
    if os.environ.get("CLASS_DEBUG"):
        print(sorted(round(a, 3) for a in out.answers))
    print(f"answers sent {sent}, counted {tally.answered}")
    return 0 if sent == tally.answered == args.users and not out.errors else 1


def main(args: argparse.Namespace, private_redis) -> int:
    """``private_redis(folder)`` → (URL, process): benchmarks/class.py's, for the one-process run."""
    if not 1 <= args.users <= 2_000:
        sys.exit("--users must be between 1 and 2,000")
    if args.replicas > 1:
        with running_deploy(args.replicas) as deployment:
            return asyncio.run(lecture(deployment.url, deployment.store, deployment.pids, args))
    with tempfile.TemporaryDirectory() as folder:
        store_url, server = private_redis(folder)
        os.environ["BACKPROP_STORE"] = store_url  # the app process inherits it
        try:
            with running_script(ROOT / "streamlit_app.py") as (url, pid):
                return asyncio.run(lecture(url, store_url, [pid], args))
        finally:
            server.terminate()
            server.wait(10)


class FragmentPhone(Phone):
    """A phone of benchmarks/class_fragment_app.py: polls by its ``run_every`` fragment, as phones once did."""

    fragment = ""

    def read(self, data: bytes) -> bool:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if msg.WhichOneof("type") == "auto_rerun":
            self.fragment = msg.auto_rerun.fragment_id
        return super().read(data)

    async def poll(self) -> None:
        message = BackMsg()
        message.rerun_script.fragment_id, message.rerun_script.is_auto_rerun = self.fragment, True
        message.rerun_script.widget_states.SetInParent()
        await self.send(message)


async def poll_cost(app: tuple[str, int], old: tuple[str, int], store_url: str, rounds: int) -> int:
    """Server CPU per poll: the route (from memory, and with a store read) against the old fragment and a rerun."""
    store = open_store(store_url)
    owner = classroom.open_class(store, SEED)
    store.set_stage(owner.code, owner.key, STAGE)
    cookies = {}
    page = await opened(app[0], f"class={owner.code}", cookies)
    poller = Http(urlsplit(app[0]).hostname, urlsplit(app[0]).port, cookies)
    before = await opened(old[0], f"class={owner.code}", {}, kind=FragmentPhone)
    if not page.routes or not before.fragment:
        sys.exit("the phone's page has no phone component, or the old app no fragment")
    watch, view_url, asked = page.routes["poll_url"], page.routes["view_url"], {"token": page.token}
    unseen = watch.rsplit("/", 1)[0] + "/{:024x}"  # a tag not seen before (404): the route reads the store
    ticks, counts = Counter(), Counter()

    async def timed(name: str, pid: int, times: int, once) -> None:
        start = proc_ticks(pid)
        for k in range(times):
            await once(k)
        ticks[name] += proc_ticks(pid) - start
        counts[name] += times

    for _ in range(rounds):  # interleaved, so the machine's other load falls on every kind alike
        await timed("route, from memory", app[1], 400, lambda k: poller.version(watch))
        await timed(
            "route, one store read", app[1], 400, lambda k: poller.version(unseen.format(random.getrandbits(96)))
        )
        await timed("old fragment run", old[1], 100, lambda k: before.poll())
        await timed("view (a change, a phone)", app[1], 100, lambda k: poller.call(view_url, asked))
    poller.close()
    await page.ws.close()
    await before.ws.close()
    store.end_session(owner.code, owner.key)
    cost = {name: ticks[name] / TICK / counts[name] for name in ticks}
    old_cost = cost["old fragment run"]
    for name, seconds in cost.items():
        print(f"{name:25} {seconds * 1e3:6.2f} ms of server CPU each ({counts[name]} in {ticks[name] / TICK:.1f} s),"
              f" {old_cost / max(seconds, 1e-9):5.1f}× cheaper than the old poll")  # fmt: skip
    return 0


def measure_poll_cost(args: argparse.Namespace, private_redis) -> int:
    with tempfile.TemporaryDirectory() as folder:
        store_url, server = private_redis(folder)
        os.environ["BACKPROP_STORE"] = store_url
        try:
            with running_script(ROOT / "streamlit_app.py") as app, \
                 running_script(ROOT / "benchmarks" / "class_fragment_app.py") as old:  # fmt: skip
                return asyncio.run(poll_cost(app, old, store_url, args.rounds))
        finally:
            server.terminate()
            server.wait(10)
