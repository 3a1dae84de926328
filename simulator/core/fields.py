"""Text typed into the editor's fields and cells, read into scenario values with the field's own limit.

Numbers are read by :mod:`simulator.core.numbers` (the one rule for typed numbers, decimal comma
included). Every message names the field and quotes what was typed, never the parsed value:
``x[0]: must be between -1e6 and 1e6, got "1e9"``, ``learning_rate: must be greater than 0 and at most
100, got "1e9"``. Layer sizes are whole numbers separated by ``-``, ``–``, ``,``, ``;`` or spaces.
"""

from __future__ import annotations

from .messages import quote
from .numbers import MAX_TEXT_CHARS, NumberError, number_or_text, read_number, tokens
from .scenario import MAX_ABS_VALUE, MAX_LEARNING_RATE, MAX_UNITS, ScenarioError, layer_problems

MAX_LISTED = 10
_SIZE_SEPARATORS = str.maketrans({"–": "-", "—": "-", ",": "-", ";": "-"})


def _raise_listed(problems: list[str]) -> None:
    if len(problems) > MAX_LISTED:
        problems = [*problems[:MAX_LISTED], f"…and {len(problems) - MAX_LISTED:,} more"]
    if problems:
        raise ScenarioError(problems)


def _within(text: str, path: str | None) -> float:
    value = read_number(text, path)
    if not abs(value) <= MAX_ABS_VALUE:
        raise NumberError(
            f"{path}: must be between -1e6 and 1e6, got {quote(text)}" if path else f"{quote(text)} is beyond ±1e6"
        )
    return value


def _text(value: str | float | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return repr(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def parse_cell(text: str | float | None, path: str | None = None) -> float:
    """The number typed into one table cell or one-number field: "0.5", "-0,5", "1e-3", "−2".

    Raises ScenarioError (a ValueError), quoting what was typed (cut to 40 characters), when it
    is not a finite number within ±1e6: '"abc" is not a number (…)', or with ``path``
    'weights[0][2][1]: must be a finite number, got "abc"'.
    """
    try:
        return _within(_text(text), path)
    except NumberError as err:
        raise ScenarioError([str(err)]) from None


def parse_learning_rate(text: str, path: str = "learning_rate") -> float:
    """The learning rate typed: a number greater than 0 and at most 100, quoting the text otherwise."""
    try:
        rate = read_number(text, path)
    except NumberError as err:
        raise ScenarioError([str(err)]) from None
    if not 0.0 < rate <= MAX_LEARNING_RATE:
        raise ScenarioError([f"{path}: must be greater than 0 and at most {MAX_LEARNING_RATE:g}, got {quote(text)}"])
    return rate


def parse_vector(text: str, path: str = "values") -> list[float]:
    """The numbers typed into a field of several (x, target): "0.5, 0.1, -0.2" → [0.5, 0.1, -0.2].

    Raises ScenarioError naming each bad entry as ``path[i]`` and quoting it.
    """
    try:
        parts = tokens(text)
    except NumberError as err:
        raise ScenarioError([f"{path}: {err}"]) from None
    if not parts:
        raise ScenarioError([f"{path}: type one or more numbers, separated by commas or spaces"])
    numbers, problems = [], []
    for i, part in enumerate(parts):
        try:
            numbers.append(_within(part, f"{path}[{i}]"))
        except NumberError as err:
            problems.append(str(err))
    _raise_listed(problems)
    return numbers


def parse_sizes(text: str, path: str = "layers") -> list[int]:
    """Layer sizes: "3-2-1" (or "3, 2, 1", "3 2 1") → [3, 2, 1]; ScenarioError, quoting it, for anything else."""
    sizes = parse_layers(text)
    problems = [
        f"{path}[{i}]: must be a whole number from 1 to {MAX_UNITS}, got {quote(size)}"
        for i, size in enumerate(sizes)
        if isinstance(size, str)
    ]
    _raise_listed(problems)
    problems = layer_problems(sizes)
    if problems:
        raise ScenarioError(problems)
    return sizes


def parse_numbers(text: str) -> list:
    """ "0.5, 0.1; -0.2" → [0.5, 0.1, -0.2]; a part that is not a number is kept as text for validation to name.

    Lenient form of :func:`parse_vector` (same separators and decimal comma); numbers beyond ±1e6 are kept.
    """
    try:
        return [number_or_text(part) for part in tokens(text)]
    except NumberError:
        return [text]


def parse_layers(text: str) -> list:
    """ "3-2-1" (or "3, 2, 1") → [3, 2, 1]; anything else is kept as text for validation to name."""
    if len(text) > MAX_TEXT_CHARS:
        return [text]
    parts = [part for part in text.translate(_SIZE_SEPARATORS).replace("-", " ").split() if part]
    return [int(part) if len(part) <= 3 and part.isascii() and part.isdigit() else part for part in parts]
