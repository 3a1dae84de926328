"""Live classes: a presenter asks, students answer on their phones, the projector shows the tally.

:mod:`.store` keeps a session's state behind one interface with two backends (SQLite by default,
Redis for replicas), chosen by ``BACKPROP_STORE``; :mod:`.classroom` checks answers with the quiz
engine and tallies them by diagnosis. Nothing here imports streamlit: the page calls these.
"""

from __future__ import annotations

import os

from .redis_store import RedisStore
from .sqlite_store import SQLiteStore
from .store import (
    DEFAULT_TTL_S,
    DEFAULT_URL,
    ENV,
    Closed,
    Forbidden,
    LiveError,
    NotFound,
    RateLimited,
    SessionState,
    Store,
    Tally,
    TallyRow,
    hash_key,
    normal_code,
)


def open_store(url: str | None = None) -> Store:
    """The store at ``url``, else at ``$BACKPROP_STORE``, else SQLite in the system's temp dir.

    ``sqlite:///path/to/file.db`` (the path after ``sqlite://``: ``sqlite:///tmp/x.db`` is /tmp/x.db)
    or ``redis://host:port/db``. Configuration, not code, picks the backend.
    """
    url = url or os.environ.get(ENV) or DEFAULT_URL
    if url.startswith("sqlite://"):
        return SQLiteStore(url.removeprefix("sqlite://"))
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    raise LiveError(f"{ENV}: must start with sqlite:// or redis://, got {url.split(':')[0][:20]!r}")


__all__ = [
    "DEFAULT_TTL_S",
    "Closed",
    "Forbidden",
    "LiveError",
    "NotFound",
    "RateLimited",
    "RedisStore",
    "SQLiteStore",
    "SessionState",
    "Store",
    "Tally",
    "TallyRow",
    "hash_key",
    "normal_code",
    "open_store",
]
