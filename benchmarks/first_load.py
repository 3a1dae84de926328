"""Bytes over the wire for a student's first visit, through HAProxy and straight from Streamlit. Prints them.

    python benchmarks/first_load.py                 # every target, 3 cold loads each
    python benchmarks/first_load.py --loads 1 --targets proxy

Targets, started one after the other in the same run (free 127.0.0.1 ports, stopped at the end):
  proxy   `deploy/run-local --replicas 1`: the app behind HAProxy, as a class gets it (bundles precompressed)
  libslz  `deploy/run-local --replicas 1 --no-precompress`: HAProxy gzips everything itself (libslz)
  direct  one plain `streamlit run streamlit_app.py`, no proxy

Each load is a fresh Chromium context (empty cache, as a student's first visit) that opens the page,
waits for "Stage 1 of …" and then until no response has arrived for 2 s. Chromium sends its own
``Accept-Encoding: gzip, deflate, br, zstd`` (it offers br and zstd to HTTPS origins and localhost only);
the proxy is measured a second time with ``gzip, deflate``, what Chromium offers a plain-HTTP origin
elsewhere ("proxy, gzip only"). Counted from the DevTools protocol: every response's
``encodedDataLength`` at ``Network.loadingFinished`` (bytes received for it, headers included: what
went over the wire), grouped by resource type, plus the websocket's frames (the first view's messages),
and the CPU the server processes (HAProxy and the replica, or the one process) used per load, the
script's first run included. Reports the median load; bytes in MiB (2**20) and MB (10**6).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, free_port, running_script  # noqa: E402

QUIET = 2.0  # seconds without a new response that end a load
TARGETS = ("proxy", "libslz", "direct")
GZIP_ONLY = "gzip, deflate"  # Chromium's Accept-Encoding for plain HTTP to a host other than localhost
MAX_LOAD = 120.0


@dataclass
class Load:
    """One cold first visit: bytes and responses by resource type, encodings seen, websocket bytes."""

    bytes_by_type: Counter = field(default_factory=Counter)
    responses_by_type: Counter = field(default_factory=Counter)
    encodings: Counter = field(default_factory=Counter)
    websocket_bytes: int = 0

    @property
    def total(self) -> int:
        return sum(self.bytes_by_type.values())

    @property
    def responses(self) -> int:
        return sum(self.responses_by_type.values())


def cold_load(browser, url: str, accept_encoding: str = "") -> Load:
    """Open ``url`` in a fresh context and count what came over the wire until the page is quiet.

    ``accept_encoding`` replaces Chromium's own header (which depends on the origin) when given.
    """
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
    if accept_encoding:
        cdp.send("Network.setExtraHTTPHeaders", {"headers": {"Accept-Encoding": accept_encoding}})
    load, kinds, last = Load(), {}, [time.monotonic()]

    def received(event: dict) -> None:
        kinds[event["requestId"]] = event.get("type", "Other")
        headers = {k.lower(): v for k, v in event["response"].get("headers", {}).items()}
        load.encodings[headers.get("content-encoding", "identity")] += 1
        last[0] = time.monotonic()

    def finished(event: dict) -> None:
        kind = kinds.get(event["requestId"], "Other")
        load.bytes_by_type[kind] += int(event["encodedDataLength"])
        load.responses_by_type[kind] += 1
        last[0] = time.monotonic()

    def frame(event: dict) -> None:
        load.websocket_bytes += len(event["response"]["payloadData"]) * 3 // 4  # base64 of binary frames

    cdp.on("Network.responseReceived", received)
    cdp.on("Network.loadingFinished", finished)
    cdp.on("Network.webSocketFrameReceived", frame)
    started = time.monotonic()
    page.goto(url + "/")
    page.wait_for_function(
        "() => [...document.querySelectorAll('h3')].some(h => h.innerText.startsWith('Stage 1 of'))",
        timeout=MAX_LOAD * 1000,
    )
    while time.monotonic() - last[0] < QUIET and time.monotonic() - started < MAX_LOAD:
        page.wait_for_timeout(200)
    context.close()
    return load


@contextmanager
def run_local(*options: str) -> Iterator[tuple[str, list[int]]]:
    """``deploy/run-local --replicas 1`` with ``options`` on a free port until the block ends.

    Yields its URL and the pids of HAProxy and the replica.
    """
    port = free_port()
    command = [str(ROOT / "deploy" / "run-local"), "--replicas", "1", "--port", str(port), *options]
    env = {**os.environ, "PYTHON": sys.executable}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True
        )
        try:
            pids = []
            for line in process.stdout:  # "replica app1 pid N URL", "haproxy pid N", "serving ..."
                words = line.split()
                if words[:1] == ["replica"] or words[:1] == ["haproxy"]:
                    pids.append(int(words[words.index("pid") + 1]))
                if words[:1] == ["serving"]:
                    break
            if process.poll() is not None or len(pids) != 2:
                log.seek(0)
                raise RuntimeError(f"run-local did not start:\n{log.read().decode(errors='replace')}")
            yield f"http://127.0.0.1:{port}", pids
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)


@contextmanager
def target(name: str) -> Iterator[tuple[str, list[int]]]:
    """The target's URL and the pids of its server processes."""
    if name in ("proxy", "libslz"):
        with run_local(*(["--no-precompress"] if name == "libslz" else [])) as served:
            yield served
    else:
        with running_script(ROOT / "streamlit_app.py", "--server.fileWatcherType", "none") as (url, pid):
            yield url, [pid]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU the processes have used so far (Linux /proc)."""
    ticks = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def measure(browser, url: str, pids: list[int], loads: int, accept_encoding: str = "") -> tuple[list[Load], float]:
    """``loads`` cold loads, and the servers' CPU per load in ms (the script's first run included)."""
    before = cpu_seconds(pids)
    done = [cold_load(browser, url, accept_encoding) for _ in range(loads)]
    return done, (cpu_seconds(pids) - before) * 1000 / loads


def report(name: str, loads: list[Load], cpu_ms: float) -> None:
    load = sorted(loads, key=lambda one: one.total)[len(loads) // 2]  # the median load
    totals = ", ".join(f"{one.total / 2**20:.2f}" for one in loads)
    print(
        f"{name:16s} {load.total / 2**20:6.2f} MiB = {load.total / 1e6:5.2f} MB over the wire in {load.responses} "
        f"responses (median of {len(loads)}: {totals} MiB) + websocket {load.websocket_bytes / 1024:.0f} KiB, "
        f"server CPU {cpu_ms:.0f} ms per load"
    )
    for kind, size in load.bytes_by_type.most_common():
        print(f"{'':17s}{kind:11s} {size / 2**20:6.2f} MiB in {load.responses_by_type[kind]:3d} responses")
    print(f"{'':17s}encodings: " + ", ".join(f"{k} {n}" for k, n in load.encodings.most_common()))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--loads", type=int, default=3, help="cold loads per target (default 3, at most 10)")
    parser.add_argument("--targets", default="proxy,libslz,direct", help="comma-separated: proxy, libslz, direct")
    args = parser.parse_args()
    names = [name.strip() for name in args.targets.split(",") if name.strip()]
    if not 1 <= args.loads <= 10 or not names or set(names) - set(TARGETS):
        parser.exit(2, f"first_load: --loads must be 1 to 10 and --targets a list of {', '.join(TARGETS)}\n")
    from playwright.sync_api import sync_playwright

    print(f"first load: {args.loads} cold Chromium loads per target, page quiet for {QUIET:.0f} s")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            for name in names:
                with target(name) as (url, pids):
                    cold_load(browser, url)  # warm the server's caches; not counted
                    report(name, *measure(browser, url, pids, args.loads))
                    if name == "proxy":  # what Chromium asks for from a plain-HTTP origin other than localhost
                        report("proxy, gzip only", *measure(browser, url, pids, args.loads, GZIP_ONLY))
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
