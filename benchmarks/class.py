"""A live class against the store alone: one presenter, N students following, answering, changing their minds.

    python benchmarks/class.py --users 300                  # a private SQLite file
    python benchmarks/class.py --users 600 --replicas 2 --store redis   # a private redis-server
    python benchmarks/class.py --users 300 --store redis://127.0.0.1:6379/0

Each replica is a process with its own store client, as an app replica would be; its students are threads
that join, poll the version every ``--poll`` seconds, answer through :func:`simulator.live.classroom.answer`
(checked by the quiz engine, as on the server) and a third of them change their answer once. The presenter
asks and polls the tally. Prints ``answers sent S, counted C`` and exits 1 when they differ, when a count
per diagnosis differs, or on any error; stops by itself after ``--timeout`` seconds. The page and HTTP are
not in this measurement: it shows what the store and the checking cost. ``--http`` runs the class through
the app itself over websockets instead (benchmarks/class_http.py: Redis, one process or ``--replicas``
behind HAProxy); ``--http --poll-cost`` prints what one poll costs the server, against the old way.
"""

from __future__ import annotations

import argparse
import collections
import multiprocessing
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator import SEED, build_stages, step  # noqa: E402
from simulator.live import RedisStore, open_store  # noqa: E402
from simulator.live.classroom import answer, ask, class_stages, diagnose, open_class  # noqa: E402

MAX_USERS = 2_000
PRIMITIVES = ("_read", "_field", "_version", "_change", "_submit", "_tally", "_own", "_guesses", "_guessed_wrong")


def counted(store) -> collections.Counter:
    """Count the store's primitive calls (each one round trip or one transaction) on this instance."""
    calls = collections.Counter()
    for name in PRIMITIVES:
        method = getattr(store, name)

        def wrapper(*args, _method=method, _name=name):
            calls[_name] += 1
            return _method(*args)

        setattr(store, name, wrapper)
    return calls


def choices(scenario_json: str, stage_id: str, key: str) -> dict[str, str]:
    """Typed answer → its label: right, right with a decimal comma, the sign flipped, a classic mistake, other."""
    stage = next(s for s in class_stages(scenario_json) if s.id == stage_id)
    right = float(np.ravel(stage.values[key])[0])
    slopeless = next(s for s in build_stages(step(SEED, mistake="no_activation_slope")) if s.id == stage_id)
    texts = [repr(right), repr(right).replace(".", ","), repr(-right), repr(float(slopeless.values[key][0])), "0.5"]
    return {text: diagnose(scenario_json, stage_id, key, text)[0] for text in texts}


def student(store, code: str, k: int, poll_s: float, deadline: float, out: dict) -> None:
    me = secrets.token_urlsafe(16)
    try:
        state = store.join(code, client=f"phone-{k}")
        seen = state.version
        while state.asking != "open" and time.time() < deadline:
            time.sleep(poll_s)
            version = store.version(code)
            if version != seen:
                state, seen = store.state(code), version
        texts = list(out["choices"])
        for turn, text in enumerate([texts[k % len(texts)], texts[(k + 1) % len(texts)]][: 1 + (k % 3 == 0)]):
            label = out["choices"][text]
            if out["varied"]:  # leading zeros: the same number, a text no one else sent (no cache hit)
                sign, rest = (text[0], text[1:]) if text[0] == "-" else ("", text)
                text = sign + "0" * (k // len(texts) + 1) + rest
            if turn:
                time.sleep(0.6)  # a change of mind, after the throttle's half second
            started = time.perf_counter()
            answer(store, code, state.question, me, text)
            took = time.perf_counter() - started
            with out["lock"]:
                out["latency"].append(took)
                out["last"] = max(out["last"], time.time())
        with out["lock"]:
            out["sent"].append(label)
    except Exception as err:  # a benchmark counts every failure, of any kind
        with out["lock"]:
            out["errors"].append(f"{type(err).__name__}: {err}")


def replica(url: str, code: str, first: int, users: int, poll_s: float, deadline: float, texts: dict, varied: bool):
    """One process of ``users`` students; what they sent, how long each answer took, the store calls."""
    store = open_store(url)
    calls, cpu = counted(store), time.process_time()
    out = {
        "choices": texts,
        "varied": varied,
        "lock": threading.Lock(),
        "sent": [],
        "latency": [],
        "errors": [],
        "last": 0.0,
    }
    threads = [
        threading.Thread(target=student, args=(store, code, k, poll_s, deadline, out), daemon=True)
        for k in range(first, first + users)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.1, deadline - time.time()))
    out["errors"] += [f"a student still busy at the deadline ({sum(t.is_alive() for t in threads)})"] * any(
        t.is_alive() for t in threads
    )
    return {**out, "lock": None, "choices": None, "calls": dict(calls), "cpu": time.process_time() - cpu}


def private_redis(directory: str) -> tuple[str, subprocess.Popen]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = shutil.which("redis-server") or sys.exit("redis-server is missing: apt-get install redis-server")
    process = subprocess.Popen(
        [server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes", "--dir", directory],
        stdout=subprocess.DEVNULL,
    )
    time.sleep(0.3)
    return f"redis://127.0.0.1:{port}/0", process


def presenter_watch(store, presenter, question: int, users: int, deadline: float) -> float:
    """Poll the tally as the projector would; when it last changed (answers and changes of mind)."""
    seen, seen_at = None, time.time()
    while time.time() < deadline:
        tally = store.tallies(presenter.code, presenter.key, question)
        if tally != seen:
            seen, seen_at = tally, time.time()
        if tally.answered >= users and time.time() - seen_at > 1.5:  # steady after the changes of mind
            break
        time.sleep(0.25)
    return seen_at


def server_cpu(store) -> float | None:
    """Seconds of CPU the Redis server has used so far (None for SQLite: no server)."""
    if not isinstance(store, RedisStore):
        return None
    info = store.redis.info("cpu")
    return info["used_cpu_sys"] + info["used_cpu_user"]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p * len(ordered)))] if ordered else float("nan")


def run(url: str, args: argparse.Namespace) -> int:
    store = open_store(url)
    presenter_calls = counted(store)
    presenter = open_class(store, SEED)
    stage = "delta.2"
    store.set_stage(presenter.code, presenter.key, stage)
    scenario = store.state(presenter.code).scenario
    texts = choices(scenario, stage, "delta2")
    deadline = time.time() + args.timeout
    shares = [args.users // args.replicas + (r < args.users % args.replicas) for r in range(args.replicas)]
    firsts = [sum(shares[:r]) for r in range(args.replicas)]
    context = multiprocessing.get_context("spawn")
    with context.Pool(args.replicas) as pool:
        jobs = [
            pool.apply_async(replica, (url, presenter.code, f, n, args.poll, deadline, texts, args.varied))
            for f, n in zip(firsts, shares)
        ]
        time.sleep(2.0)  # students join and start following
        cpu = server_cpu(store)
        question = ask(store, presenter, "delta2")
        asked = time.time()
        seen_at = presenter_watch(store, presenter, question, args.users, deadline)
        results = [job.get(max(1.0, deadline - time.time() + 5)) for job in jobs]
    if cpu is not None:
        print(f"redis-server CPU {server_cpu(store) - cpu:.2f} s from the question to the end")
    return report(store, presenter, question, results, presenter_calls, (asked, seen_at), args)


def report(store, presenter, question, results, presenter_calls, watch, args) -> int:
    asked, seen_at = watch
    sent = [label for r in results for label in r["sent"]]
    latency = [t for r in results for t in r["latency"]]
    errors = [e for r in results for e in r["errors"]]
    calls = sum((collections.Counter(r["calls"]) for r in results), collections.Counter())
    tally = store.tallies(presenter.code, presenter.key, question)
    expected = collections.Counter(sent)
    last = max((r["last"] for r in results), default=asked)
    varied = " (each answer a distinct text)" if args.varied else ""
    print(f"store {args.store}, {args.users} students{varied} on {args.replicas} replica(s), poll {args.poll:g} s")
    print(f"answers sent {len(sent)}, counted {tally.answered}")
    print(f"per diagnosis: sent {dict(sorted(expected.items()))}, counted {dict(sorted(tally.counts.items()))}")
    print(f"answer latency p50 {percentile(latency, 0.5) * 1e3:.0f} ms, p95 {percentile(latency, 0.95) * 1e3:.0f} ms")
    print(f"projector up to date {max(0.0, seen_at - last):.2f} s after the last answer")
    print(f"store calls per student {sum(calls.values()) / max(1, args.users):.1f}: {dict(sorted(calls.items()))}")
    cpu = sum(r["cpu"] for r in results)
    per = cpu / max(1, args.users) * 1e3
    print(f"replica CPU {cpu:.2f} s in all, {per:.1f} ms per student (the simulated phones' threads included)")
    print(f"presenter store calls {sum(presenter_calls.values())}; errors {len(errors)}")
    for error in collections.Counter(errors).most_common(5):
        print("  ", *error)
    store.end_session(presenter.code, presenter.key)
    ok = len(sent) == tally.answered == args.users and expected == collections.Counter(tally.counts) and not errors
    return 0 if ok else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=300, help=f"students, 1 to {MAX_USERS} (default 300)")
    parser.add_argument("--replicas", type=int, default=1, help="processes, each its own store client (default 1)")
    parser.add_argument("--store", default="sqlite", help="sqlite (a temp file), redis (a private server) or a URL")
    parser.add_argument("--poll", type=float, default=1.0, help="seconds between a phone's polls (default 1)")
    parser.add_argument("--varied", action="store_true", help="every answer a distinct text (no verdict cache hit)")
    parser.add_argument("--timeout", type=float, default=60.0, help="stop after this many seconds (default 60)")
    parser.add_argument(
        "--http", action="store_true", help="through the app over websockets (benchmarks/class_http.py)"
    )
    parser.add_argument("--arrival", type=float, default=20.0, help="--http: seconds over which phones arrive")
    parser.add_argument(
        "--poll-cost", action="store_true", help="--http: server CPU of one poll, the route against the old fragment"
    )
    parser.add_argument("--rounds", type=int, default=5, help="--poll-cost: interleaved rounds (default 5)")
    args = parser.parse_args()
    if not 1 <= args.users <= MAX_USERS or not 1 <= args.replicas <= 16:
        parser.error(f"--users must be 1 to {MAX_USERS}, --replicas 1 to 16")
    if args.http:
        import class_http  # noqa: PLC0415 (websockets and the app's test server: only in this mode)

        if args.poll_cost:
            return class_http.measure_poll_cost(args, private_redis)
        return class_http.main(args, private_redis)
    with tempfile.TemporaryDirectory() as directory:
        server = None
        if args.store == "sqlite":
            url = f"sqlite://{directory}/classes.db"
        elif args.store == "redis":
            url, server = private_redis(directory)
        else:
            url = args.store
        try:
            return run(url, args)
        finally:
            if server:
                server.terminate()
                server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
