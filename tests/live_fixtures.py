"""Fixtures for the live-class tests: every test runs on SQLite and on a real redis-server.

Redis is Debian's ``redis-server``, started by the test on a free loopback port with an append-only
file in a temporary dir (so a restart keeps the data). Without it the Redis cases fail in CI (``CI``
set: CI installs it in ``.ci/run``) and skip elsewhere, saying why.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis

from simulator.live import RedisStore, SQLiteStore

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def need_redis() -> None:
    if not os.path.exists(REDIS_SERVER):
        message = "redis-server is missing: apt-get install redis-server (CI installs it in .ci/run)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


class RedisServer:
    """One redis-server process on ``port``, persisting to ``directory`` with appendonly."""

    def __init__(self, directory: Path):
        self.directory, self.port, self.process = directory, free_port(), None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        args = ["--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes"]
        self.process = subprocess.Popen(
            [REDIS_SERVER, *args, "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        client, deadline = redis.Redis(port=self.port), time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"redis-server did not start on port {self.port}") from None
                time.sleep(0.02)
        client.close()
        return self

    def stop(self) -> None:
        """SIGTERM: redis-server flushes its append-only file and exits."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    need_redis()
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path):
    """A fresh, empty store of each kind."""
    if request.param == "sqlite":
        made = SQLiteStore(tmp_path / "classes.db")
    else:
        made = RedisStore(request.getfixturevalue("redis_server").url)
        made.redis.flushdb()
    yield made
    made.close()


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of the test's own, to stop and start again."""
    need_redis()
    (tmp_path / "redis").mkdir()
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def _leftovers(store, code: str) -> list[str]:
    """What a store still holds of a session, read below the interface (expired rows included)."""
    if isinstance(store, SQLiteStore):
        db = store._db()
        tables = ("sessions", "questions", "answers")
        return [t for t in tables if db.execute(f"SELECT COUNT(*) FROM {t} WHERE code = ?", (code,)).fetchone()[0]]
    return sorted(store.redis.scan_iter(match=f"bp:{{{code}}}*"))


def _raw_dump(store) -> str:
    """Everything the store holds, as text: to search for what must not be there."""
    if isinstance(store, SQLiteStore):
        db = store._db()
        db.execute("PRAGMA wal_checkpoint(FULL)")
        tables = [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [repr(row) for table in tables for row in db.execute(f"SELECT * FROM {table}")]
        files = [p.read_bytes().decode("latin-1") for p in store.path.parent.glob(store.path.name + "*")]
        return "\n".join(rows + files)
    out = []
    for key in store.redis.scan_iter():
        kind = store.redis.type(key)
        value = store.redis.hgetall(key) if kind == "hash" else store.redis.get(key)
        out.append(f"{key} {value}")
    return "\n".join(out)


@pytest.fixture
def leftovers():
    return _leftovers


@pytest.fixture
def raw_dump():
    return _raw_dump
