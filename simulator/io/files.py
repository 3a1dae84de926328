"""Reading a file named by the user: a regular file of at most 1 MB, or a message naming it (quoted)."""

from __future__ import annotations

import os
import stat
from urllib.parse import urlsplit

from ..core.messages import quote
from ..core.scenario import MAX_FILE_BYTES, ScenarioError


def read_limited(path: str, error: type[ScenarioError] = ScenarioError, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file at ``path``; ``error`` naming the file for anything else.

    A FIFO, a device or a directory is refused before it is read (opening without blocking, then
    checking what was opened), so a named pipe never hangs the CLI; at most ``limit`` + 1 bytes are read.
    """
    name = quote(path, 80) if isinstance(path, str) else quote(os.fsdecode(path), 80)
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    except OSError as err:
        raise error([f"file: cannot read {name} ({err.strerror})"]) from None
    except ValueError:  # an embedded NUL character
        raise error([f"file: cannot read {name} (not a valid file name)"]) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(handle.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise error([f"file: cannot read {name} (not a regular file)"])
        if info.st_size > limit:
            raise error([f"file: must be at most 1 MB, got {info.st_size / 1e6:.1f} MB"])
        raw = handle.read(limit + 1)
    if len(raw) > limit:
        raise error(["file: must be at most 1 MB"])
    return raw


def app_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the app's address written into worksheets and notebooks, or None:
    only ``http://`` and ``https://`` URLs with a host and no spaces, quotes, angle brackets or controls."""
    bad = set(" \"'<>`\\") | {chr(c) for c in range(32)} | {"\x7f"}
    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.netloc or bad & set(url) or len(url) > 2000:
        return f"must be an http:// or https:// address of at most 2,000 characters, got {quote(url)}"
    return None
