"""A live class through the real app over websockets: ``benchmarks/class.py --http`` runs this.

    python benchmarks/class.py --http --users 300                 # one `streamlit run`, a private redis-server
    python benchmarks/class.py --http --users 600 --replicas 2    # deploy/run-local --replicas 2 (its own Redis)

Each student does what a phone's Chromium does (the handshake of benchmarks/load.py): GETs the page with
``?class=CODE``, opens the websocket, waits for the first view, then sends the follow fragment's
auto-rerun every second (the fragment id from the page's ``auto_rerun`` message). The lecturer is driven
through the store, as the projector's own fragment does (open the class, set the stage, Ask, read the
tally every 0.2 s). Once a phone's poll brings the prediction field, it waits a random 0–5 s and submits
the form (the field's text and the Send trigger), timing the answer until the page says it is in.

Prints ``answers sent S, counted C`` and exits 1 when they differ or on any error; also p50/p95 of an
answer and of following the Ask, the projector lag (last answer acknowledged → tally complete), server
CPU (the app processes and HAProxy, from /proc) and store commands per student (Redis INFO). Bounded:
at most 2,000 students; it stops by itself after ``--timeout`` seconds.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import redis
from load import ROOT, BackMsg, ForwardMsg, Page, StudentError, http_get, proc_ticks, quick  # benchmarks/load.py
from websockets.asyncio.client import connect

from simulator import SEED
from simulator.live import classroom, open_store
from tests.appserver import running_deploy, running_script

ANSWERS = ("0.108040 -0.294441", "0,132191 -0,277743", "-0.108040 0.294441", "0.5 0.5")  # right, slope, sign, other
STAGE, VALUE = "update.W2", "new_W2"
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Tallies:
    sent: Counter = field(default_factory=Counter)  # answers acknowledged by the page, per text
    answers: list[float] = field(default_factory=list)
    follows: list[float] = field(default_factory=list)  # Ask → the field on the phone
    errors: Counter = field(default_factory=Counter)
    last_answer: float = 0.0
    polls: int = 0


class Phone(Page):
    """A student's page: also tracks the follow fragment, the text field and the form's submit button."""

    def __init__(self, ws, query: str, url: str):
        super().__init__(ws, query, url)
        self.follow, self.field, self.submit, self.notes = "", "", "", []

    def read(self, data: bytes) -> bool:
        msg = ForwardMsg()
        msg.ParseFromString(data)
        if msg.WhichOneof("type") == "auto_rerun":
            self.follow = msg.auto_rerun.fragment_id
        elif msg.WhichOneof("type") == "delta" and msg.delta.WhichOneof("type") == "new_element":
            element = msg.delta.new_element
            which = element.WhichOneof("type")
            if which == "text_input" and element.text_input.label.startswith("Your prediction"):
                self.field = element.text_input.id
            elif which == "button" and element.button.is_form_submitter:
                self.submit = element.button.id
            elif which == "alert":
                self.notes.append(element.alert.body)
            elif which == "exception":
                raise StudentError(f"exception on the page: {element.exception.type}: {element.exception.message[:80]}")
        return super().read(data)

    async def send(self, message: BackMsg) -> None:
        state = message.rerun_script
        state.query_string, state.page_script_hash = self.query, self.page_hash
        state.context_info.url = self.url
        start = time.perf_counter()
        await self.ws.send(message.SerializeToString())
        while True:
            data = await self.ws.recv()
            quick(self.ws.transport.get_extra_info("socket"))
            if self.read(data):
                return time.perf_counter() - start

    async def poll(self) -> None:
        message = BackMsg()
        message.rerun_script.fragment_id, message.rerun_script.is_auto_rerun = self.follow, True
        message.rerun_script.widget_states.SetInParent()
        await self.send(message)

    async def answer(self, text: str) -> float:
        message = BackMsg()
        widgets = message.rerun_script.widget_states.widgets
        typed, pressed = widgets.add(), widgets.add()
        typed.id, typed.string_value = self.field, text
        pressed.id, pressed.trigger_value = self.submit, True
        self.notes.clear()
        return await self.send(message)


async def phone(url: str, code: str, k: int, asked: dict, end_at: float, out: Tallies) -> None:
    parts = urlsplit(url)
    host, port, cookies = parts.hostname, parts.port, {}
    try:
        await http_get(host, port, f"/?class={code}", cookies)
        headers = {"Origin": f"http://{host}:{port}", "Cookie": "; ".join(f"{a}={b}" for a, b in cookies.items())}
        protocols = ["streamlit", cookies["_streamlit_xsrf"]] if "_streamlit_xsrf" in cookies else ["streamlit"]
        async with connect(f"ws://{host}:{port}/_stcore/stream", additional_headers=headers, subprotocols=protocols,
                           compression=None, ping_interval=None, max_size=None, open_timeout=90) as ws:  # fmt: skip
            page = Phone(ws, f"class={code}", f"http://{host}:{port}/")
            await asyncio.wait_for(page.rerun(), 90)
            await follow_and_answer(page, k, asked, end_at, out)
    except StudentError as error:
        out.errors[str(error)] += 1
    except (OSError, EOFError, TimeoutError) as error:
        out.errors[f"connection: {type(error).__name__}"] += 1
    except Exception as error:  # websockets' ConnectionClosed and handshake failures, by name
        out.errors[f"websocket: {type(error).__name__}"] += 1


async def follow_and_answer(page: Phone, k: int, asked: dict, end_at: float, out: Tallies) -> None:
    rng, text, answer_at = random.Random(k), ANSWERS[k % len(ANSWERS)], None
    next_poll = time.monotonic() + rng.uniform(0, 1)
    while time.monotonic() < end_at:
        await asyncio.sleep(max(0.0, next_poll - time.monotonic()))
        next_poll += 1.0
        await asyncio.wait_for(page.poll(), 60)
        out.polls += 1
        if page.field and answer_at is None:
            out.follows.append(time.monotonic() - asked["at"])
            answer_at = time.monotonic() + rng.uniform(0, 5)
        if answer_at is not None and time.monotonic() >= answer_at:
            seconds = await asyncio.wait_for(page.answer(text), 60)
            if not any("Your answer is in" in note for note in page.notes):
                raise StudentError(f"answer not taken: {page.notes[:1]}")
            out.answers.append(seconds)
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
          f"p95 {percentile(out.follows, 0.95):.2f} s; {out.polls} polls")  # fmt: skip
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
