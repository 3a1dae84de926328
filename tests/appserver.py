"""The app on a free loopback port, and Chromium's settings: shared by browser tests and benchmarks."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parents[1]
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def running_app(*options: str, timeout: float = 60.0) -> Iterator[str]:
    """Serve streamlit_app.py until the block ends; yields its URL. ``options`` go to ``streamlit run``."""
    with running_script(ROOT / "streamlit_app.py", *options, timeout=timeout) as (url, _):
        yield url


@contextlib.contextmanager
def running_script(script: Path, *options: str, timeout: float = 60.0, cwd: Path = ROOT) -> Iterator[tuple[str, int]]:
    """Serve any Streamlit script from ``cwd`` (the repository root: its ``.streamlit/config.toml`` applies)
    until the block ends; yields (URL, pid)."""
    port = free_port()
    command = [
        sys.executable, "-m", "streamlit", "run", str(script), "--server.port", str(port),
        "--server.address", "127.0.0.1", "--server.headless", "true", "--browser.gatherUsageStats", "false",
        *options,
    ]  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + timeout
            while not healthy(url):
                if time.monotonic() > deadline or process.poll() is not None:
                    log.seek(0)
                    raise RuntimeError(f"{script.name} did not start:\n{log.read().decode(errors='replace')}")
                time.sleep(0.1)
            yield url, process.pid
        finally:
            process.terminate()
            process.wait(timeout=20)


def healthy(url: str, timeout: float = 2.0) -> bool:
    """Whether the Streamlit server at ``url`` answers its health check within ``timeout`` seconds."""
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=timeout) as response:
            return response.read() == b"ok"
    except OSError:
        return False


@dataclass(frozen=True)
class Deployment:
    """What ``deploy/run-local`` started: the HAProxy URL, and each replica's name → (pid, URL)."""

    url: str
    replicas: dict[str, tuple[int, str]]
    haproxy_pid: int
    pgid: int
    store: str = ""  # the class store's URL run-local gave every replica (its own redis-server)

    @property
    def pids(self) -> list[int]:
        return [self.haproxy_pid, *(pid for pid, _ in self.replicas.values())]


@contextlib.contextmanager
def running_deploy(replicas: int = 2, timeout: float = 90.0) -> Iterator[Deployment]:
    """``deploy/run-local --replicas N`` on a free loopback port, in its own process group.

    On leaving the block the whole group gets SIGTERM, then SIGKILL after 20 s: nothing it started survives.
    """
    port = free_port()
    command = [str(ROOT / "deploy" / "run-local"), "--replicas", str(replicas), "--port", str(port)]
    env = {**os.environ, "PYTHON": sys.executable}
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True, start_new_session=True
        )
        try:
            found: dict[str, tuple[int, str]] = {}
            haproxy_pid, store = 0, ""
            deadline = time.monotonic() + timeout
            for line in process.stdout:  # run-local prints its children, then "serving ..."
                words = line.split()
                if words[:1] == ["replica"]:
                    found[words[1]] = (int(words[3]), words[4])
                elif words[:1] == ["haproxy"]:
                    haproxy_pid = int(words[2])
                elif words[:1] == ["redis"]:
                    store = words[3]
                elif words[:1] == ["serving"] or time.monotonic() > deadline:
                    break
            if process.poll() is not None or len(found) != replicas or not haproxy_pid:
                log.seek(0)
                raise RuntimeError(f"run-local did not start:\n{log.read().decode(errors='replace')}")
            yield Deployment(f"http://127.0.0.1:{port}", found, haproxy_pid, process.pid, store)
        finally:
            _kill_group(process)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # stragglers of the group, if any
    process.wait(timeout=5)
