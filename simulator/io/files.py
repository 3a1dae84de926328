"""Reading a file named by the user: a regular file of at most 1 MB, or a message naming it (quoted)."""

from __future__ import annotations

import os
import stat

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
