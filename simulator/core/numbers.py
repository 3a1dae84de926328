"""The one reader of typed numbers: editor fields and cells, quiz answers, share links, CSV cells.

Linear time whatever arrives: a number longer than :data:`MAX_NUMBER_CHARS` characters, or a text of
several longer than :data:`MAX_TEXT_CHARS`, is refused by its length before anything else looks at it;
what is left is checked by one pattern with no nested or overlapping repeats (each part of a number
starts with its own character), and only then handed to ``float()``.

A number is ASCII digits with an optional sign, decimal point and exponent: ``0.5``, ``-2``, ``.25``,
``1.``, ``1e-3``. The minus sign the page shows (``−``, U+2212) counts as a minus. Not numbers:
``inf``, ``nan``, ``1_000``, ``0x10``, digits of other scripts (``٣``, ``𝟙``, ``²``).

**Decimal comma.** A comma is a decimal point when it stands between digits in a value that holds no
dot and no other comma: ``-0,5`` is −0.5, ``1,5e3`` is 1500. Between values, separators are spaces,
semicolons, and commas; a comma at the end of a value ("``0,5, 0,1``") is a separator. So in a text of
several numbers a *value* is the text between spaces or semicolons with trailing commas removed; one
with exactly one comma and no dot is one number with a decimal comma, any other value is split at its
commas:

========================  ======================
``0,5, 0,1, -0,2``        [0.5, 0.1, −0.2]
``0,5597 0.3870``         [0.5597, 0.387]
``0,56 0,39``             [0.56, 0.39]
``0.5,0.1`` / ``1,2,3``   [0.5, 0.1] / [1, 2, 3]
``1,5``                   [1.5]
``1, 5``                  [1, 5]
========================  ======================
"""

from __future__ import annotations

import re

from .messages import quote

MAX_NUMBER_CHARS = 64  # one number, as typed (17 significant digits, sign, point and exponent fit easily)
MAX_TEXT_CHARS = 20_000  # a text of several numbers (a 16×16 matrix of 64-character numbers fits)
EXAMPLES = "for example 0.5, -0,5 or 1e-3"

# Unambiguous: the fraction starts with ".", the exponent with "e", so no text can match two ways.
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_COMMA_NUMBER = re.compile(r"[+-]?[0-9]+,[0-9]+(?:[eE][+-]?[0-9]+)?", re.ASCII)
_MINUS = str.maketrans({"−": "-"})
_SEPARATORS = re.compile(r"[;\s]+")


class NumberError(ValueError):
    """Text that is not a number; the message quotes what was typed."""


def plain(text: str) -> str | None:
    """``text`` as Python's ``float()`` reads it (minus sign and decimal comma normalised), or None
    when it is not a number by the rule above. Never looks past :data:`MAX_NUMBER_CHARS` characters."""
    text = text.strip()
    if len(text) > MAX_NUMBER_CHARS:
        return None
    text = text.translate(_MINUS)
    if _COMMA_NUMBER.fullmatch(text):
        return text.replace(",", ".")
    return text if _NUMBER.fullmatch(text) else None


def number_or_text(text: str) -> float | str:
    """A float for a number, or the text itself so that validation can quote it (links, lenient forms)."""
    found = plain(text)
    return float(found) if found is not None else text


def read_number(text: str, path: str | None = None) -> float:
    """One typed number (any size: range checks are the caller's). NumberError quoting ``text``:
    ``"abc" is not a number (…)``, or with ``path`` ``x[1]: must be a finite number, got "abc"``."""
    found = plain(text)
    if found is not None:
        return float(found)
    typed = quote(text) if text.strip() else "nothing"
    if len(text.strip()) > MAX_NUMBER_CHARS:
        reason = f"longer than {MAX_NUMBER_CHARS} characters"
        raise NumberError(
            f"{path}: must be a number, got {typed}, {reason}" if path else f"{typed} is not a number ({reason})"
        )
    if path:
        raise NumberError(f"{path}: must be a finite number, got {typed}")
    if typed == "nothing":
        raise NumberError(f"nothing was typed: type a number, {EXAMPLES}")
    raise NumberError(f"{typed} is not a number (type {EXAMPLES})")


def tokens(text: str) -> list[str]:
    """The values of a text of several numbers, as typed (see the module docstring): ``"0,5, 0,1"`` →
    ``["0,5", "0,1"]``. NumberError when the text is longer than :data:`MAX_TEXT_CHARS`."""
    if len(text) > MAX_TEXT_CHARS:
        raise NumberError(f"{quote(text)} is longer than {MAX_TEXT_CHARS:,} characters")
    found: list[str] = []
    for value in _SEPARATORS.split(text):
        value = value.rstrip(",")
        short = len(value) <= MAX_NUMBER_CHARS
        if short and value.count(",") == 1 and _COMMA_NUMBER.fullmatch(value.translate(_MINUS)):
            found.append(value)
        else:
            found.extend(part for part in value.split(",") if part)
    return found


def read_numbers(text: str, path: str = "values") -> list[float]:
    """Several typed numbers (see the module docstring); NumberError naming each bad one as
    ``path[i]`` and quoting it, at most ten, then "…and K more"."""
    parts = tokens(text)
    values, problems = [], []
    for i, part in enumerate(parts):
        try:
            values.append(read_number(part, f"{path}[{i}]"))
        except NumberError as err:
            problems.append(str(err))
    if problems:
        more = [f"…and {len(problems) - 10:,} more"] if len(problems) > 10 else []
        raise NumberError("\n".join(problems[:10] + more))
    return values


def significant_digits(text: str) -> int:
    """Significant digits typed in a number: ``0.240`` → 3, ``0.24`` → 2, ``1.77e-04`` → 3, ``120`` → 3."""
    mantissa = text.strip().translate(_MINUS).lstrip("+-").split("e")[0].split("E")[0]
    return max(1, sum(c in "0123456789" for c in mantissa.replace(",", "").replace(".", "").lstrip("0")))
