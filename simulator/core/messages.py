"""User text inside messages: the one quoting function, and caps on every message.

A message may quote what a visitor typed, a link value, a cell or a file name. :func:`quote` shows at
most :data:`QUOTE_LIMIT` characters of it, in double quotes, with every control, format, bidirectional
and invisible character escaped (``"a\\nb"``, ``"\\u202e"``), so a message never carries markup, a
reordered line or broken text. :func:`capped` cuts one message to :data:`MESSAGE_LIMIT` characters and
:func:`listed` keeps :data:`MAX_LISTED` messages, then "…and K more".
"""

from __future__ import annotations

import unicodedata

QUOTE_LIMIT = 40  # characters of user text quoted in a message
MESSAGE_LIMIT = 300  # characters of one message
MAX_LISTED = 10  # messages listed one by one before the rest are counted

_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}
_HIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
# Bidirectional embeddings, overrides and isolates, zero-width characters and marks, the BOM.
_HIDDEN = frozenset([*range(0x202A, 0x202F), *range(0x2066, 0x206A), *range(0x200B, 0x2010), 0xFEFF, 0x00A0, 0x00AD])


def _visible(ch: str) -> str:
    """``ch``, or its escape when it is invisible (control, format, bidi, zero-width, separator)."""
    code = ord(ch)
    if code not in _HIDDEN and unicodedata.category(ch) not in _HIDDEN_CATEGORIES and (ch == " " or ch.isprintable()):
        return ch
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def _shown(ch: str) -> str:
    return _ESCAPES[ch] if ch in _ESCAPES else _visible(ch)


def quote(text: str, limit: int = QUOTE_LIMIT) -> str:
    """``text`` as a short double-quoted literal: at most ``limit`` characters, then "…"; quotes,
    backslashes and every invisible character (categories Cc, Cf, Zl, Zp, lone surrogates, bidi
    controls U+202A–202E and U+2066–2069, U+200B–200F, U+FEFF) escaped: ``quote("a\u202eb")`` is
    ``"a\u202eb"`` with a visible backslash. Escapes count too: the quoted text is at most twice
    ``limit`` characters long, so a message quoting twice stays under :data:`MESSAGE_LIMIT`."""
    text = str(text)
    parts, length = [], 0
    for ch in text[:limit]:
        shown = _shown(ch)
        if length + len(shown) > 2 * limit:
            break
        parts.append(shown)
        length += len(shown)
    cut = len(parts) < len(text)
    return f'"{"".join(parts)}{"…" if cut else ""}"'


def capped(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """One message cut to ``limit`` characters with "…"."""
    return message if len(message) <= limit else message[: limit - 1] + "…"


def escaped(message: str, limit: int = MESSAGE_LIMIT) -> str:
    """A message built by someone else (argparse) made safe: invisible characters escaped, then capped."""
    return capped("".join(_visible(ch) for ch in message[: 4 * limit]), limit)


def listed(messages: list[str], limit: int = MAX_LISTED, what: str = "") -> list[str]:
    """At most ``limit`` messages, each capped, then "…and K more[ what]"."""
    shown = [capped(m) for m in messages[:limit]]
    if len(messages) > limit:
        shown.append(f"…and {len(messages) - limit:,} more{' ' + what if what else ''}")
    return shown
