"""The embedded store: one SQLite file, WAL mode, one connection per thread.

Good for one process (``streamlit run``, Community Cloud) and for several processes on one machine:
WAL lets readers go on while one writer commits, ``busy_timeout`` makes writers queue instead of fail,
and every change is one ``BEGIN IMMEDIATE`` transaction. Expired rows are invisible at once and deleted
by the next :meth:`~SQLiteStore.purge` (run at every new session): SQLite has no timers.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path

from .store import (
    GONE,
    GUESS_WINDOW_S,
    MIN_ANSWER_GAP_S,
    NOT_OPEN,
    OVER,
    TOO_FAST,
    Closed,
    NotFound,
    RateLimited,
    Store,
    TallyRow,
)

BUSY_MS = 5_000
_FIELDS = ("stage", "hidden", "question", "asking", "qstage", "value", "scenario", "version", "expires")
_SCHEMA = """
CREATE TABLE IF NOT EXISTS sessions (
    code TEXT PRIMARY KEY, presenter TEXT NOT NULL, salt TEXT NOT NULL, scenario TEXT NOT NULL,
    stage TEXT NOT NULL, hidden INTEGER NOT NULL DEFAULT 0, question INTEGER NOT NULL, asking TEXT NOT NULL,
    qstage TEXT NOT NULL, value TEXT NOT NULL, version INTEGER NOT NULL, expires REAL NOT NULL);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires);
CREATE TABLE IF NOT EXISTS questions (
    code TEXT NOT NULL, id INTEGER NOT NULL, stage TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (code, id));
CREATE TABLE IF NOT EXISTS answers (
    code TEXT NOT NULL, question INTEGER NOT NULL, token TEXT NOT NULL, label TEXT NOT NULL,
    verdict TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (code, question, token));
CREATE TABLE IF NOT EXISTS guesses (
    who TEXT NOT NULL, minute INTEGER NOT NULL, failures INTEGER NOT NULL, PRIMARY KEY (who, minute));
"""
_LIVE = "code = ? AND expires > ?"


class SQLiteStore(Store):
    def __init__(self, path: str | os.PathLike):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with contextlib.suppress(FileExistsError):  # private to this user: it holds key hashes and salts
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        self._local = threading.local()
        db = self._db()
        db.execute("PRAGMA journal_mode = WAL")
        db.executescript(_SCHEMA)
        columns = {row[1] for row in db.execute("PRAGMA table_info(sessions)")}
        if "hidden" not in columns:  # a file made before blanking was shared (another process may add it too)
            with contextlib.suppress(sqlite3.OperationalError):
                db.execute("ALTER TABLE sessions ADD COLUMN hidden INTEGER NOT NULL DEFAULT 0")

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=BUSY_MS / 1000, isolation_level=None)
            db.execute(f"PRAGMA busy_timeout = {BUSY_MS}")
            db.execute("PRAGMA synchronous = NORMAL")  # with WAL: durable across a crash of the app
            self._local.db = db
        return db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction that takes the write lock at once (no deadlock upgrading a read lock)."""
        db = self._db()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def close(self) -> None:
        db = getattr(self._local, "db", None)
        if db is not None:
            db.close()
            self._local.db = None

    def _purge(self, db: sqlite3.Connection, now: float) -> int:
        gone = "code IN (SELECT code FROM sessions WHERE expires <= ?)"
        db.execute(f"DELETE FROM answers WHERE {gone}", (now,))
        db.execute(f"DELETE FROM questions WHERE {gone}", (now,))
        db.execute("DELETE FROM guesses WHERE minute < ?", (int(now // GUESS_WINDOW_S) - 1,))
        return db.execute("DELETE FROM sessions WHERE expires <= ?", (now,)).rowcount

    def purge(self) -> int:
        with self._write() as db:
            return self._purge(db, time.time())

    def _insert(self, code: str, fields: Mapping[str, object], ttl_s: float) -> bool:
        now = time.time()
        row = {"code": code, **fields, "expires": now + ttl_s}
        names = ", ".join(row)
        with self._write() as db:
            self._purge(db, now)
            sql = f"INSERT INTO sessions ({names}) VALUES ({', '.join('?' * len(row))}) ON CONFLICT DO NOTHING"
            return db.execute(sql, tuple(row.values())).rowcount == 1

    def _read(self, code: str) -> Mapping[str, str] | None:
        row = self._db().execute(f"SELECT {', '.join(_FIELDS)} FROM sessions WHERE {_LIVE}", (code, time.time()))
        found = row.fetchone()
        return None if found is None else dict(zip(_FIELDS, found))

    def _field(self, code: str, name: str) -> str | None:
        assert name in ("presenter", "salt")
        found = self._db().execute(f"SELECT {name} FROM sessions WHERE {_LIVE}", (code, time.time())).fetchone()
        return None if found is None else found[0]

    def _version(self, code: str) -> int | None:
        found = self._db().execute(f"SELECT version FROM sessions WHERE {_LIVE}", (code, time.time())).fetchone()
        return None if found is None else found[0]

    def _watch(self, code: str) -> tuple[str, int] | None:
        found = self._db().execute(f"SELECT salt, version FROM sessions WHERE {_LIVE}", (code, time.time()))
        return found.fetchone()

    def _change(self, code: str, action: str, arg: str) -> tuple[int, int]:
        with self._write() as db:
            found = db.execute(f"SELECT stage, question, asking FROM sessions WHERE {_LIVE}", (code, time.time()))
            row = found.fetchone()
            if row is None:
                raise NotFound(GONE)
            stage, question, asking = row
            if action in ("stage", "hide"):
                db.execute("UPDATE sessions SET stage = ?, hidden = ? WHERE code = ?", (arg, action == "hide", code))
            elif action == "ask":
                question += 1
                change = "question = ?, asking = 'open', qstage = ?, value = ?"
                db.execute(f"UPDATE sessions SET {change} WHERE code = ?", (question, stage, arg, code))
                db.execute("INSERT INTO questions VALUES (?, ?, ?, ?)", (code, question, stage, arg))
            elif asking != "open":
                raise Closed(NOT_OPEN)
            else:
                db.execute("UPDATE sessions SET asking = 'revealed' WHERE code = ?", (code,))
            db.execute("UPDATE sessions SET version = version + 1 WHERE code = ?", (code,))
            return db.execute("SELECT version FROM sessions WHERE code = ?", (code,)).fetchone()[0], question

    def _delete(self, code: str) -> None:
        with self._write() as db:
            for table in ("answers", "questions", "sessions"):
                db.execute(f"DELETE FROM {table} WHERE code = ?", (code,))

    def _submit(self, code: str, question: int, token: str, label: str, verdict: str) -> None:
        now = time.time()
        with self._write() as db:
            row = db.execute(f"SELECT question, asking FROM sessions WHERE {_LIVE}", (code, now)).fetchone()
            if row is None:
                raise NotFound(GONE)
            if row != (question, "open"):
                raise Closed(OVER)
            where = "code = ? AND question = ? AND token = ?"
            before = db.execute(f"SELECT at FROM answers WHERE {where}", (code, question, token)).fetchone()
            if before is not None and now - before[0] < MIN_ANSWER_GAP_S:
                raise RateLimited(TOO_FAST)
            db.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (code, question, token) "
                "DO UPDATE SET label = excluded.label, verdict = excluded.verdict, at = excluded.at",
                (code, question, token, label, verdict, now),
            )

    def _tally(self, code: str, question: int) -> tuple[Mapping[str, int], int]:
        sql = "SELECT label, COUNT(*) FROM answers WHERE code = ? AND question = ? GROUP BY label"
        counts = dict(self._db().execute(sql, (code, question)).fetchall())
        return counts, sum(counts.values())

    def _own(self, code: str, question: int, token: str) -> tuple[str, str] | None:
        sql = "SELECT label, verdict FROM answers WHERE code = ? AND question = ? AND token = ?"
        found = self._db().execute(sql, (code, question, token)).fetchone()
        return None if found is None else (found[0], found[1])

    def _rows(self, code: str) -> list[TallyRow]:
        sql = (
            "SELECT q.id, q.stage, q.value, a.label, COUNT(*) FROM questions q "
            "JOIN answers a ON a.code = q.code AND a.question = q.id WHERE q.code = ? "
            "GROUP BY q.id, a.label ORDER BY q.id, a.label"
        )
        return [TallyRow(*row) for row in self._db().execute(sql, (code,)).fetchall()]

    def _guesses(self, who: str) -> int:
        sql = "SELECT failures FROM guesses WHERE who = ? AND minute = ?"
        found = self._db().execute(sql, (who, int(time.time() // GUESS_WINDOW_S))).fetchone()
        return 0 if found is None else found[0]

    def _guessed_wrong(self, who: str) -> None:
        with self._write() as db:
            db.execute(
                "INSERT INTO guesses VALUES (?, ?, 1) ON CONFLICT (who, minute) DO UPDATE SET failures = failures + 1",
                (who, int(time.time() // GUESS_WINDOW_S)),
            )
