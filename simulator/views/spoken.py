"""Numbers and units as they are read aloud, shared by the sentences of every stage and the graph table.

The helpers keep their leading underscore: they belong to the narration modules (``forward_sentences``,
``delta_sentences``, ``update_sentences``, ``graph_text``, ``blanking``, ``narration``), not to other views.
"""

from __future__ import annotations

from functools import lru_cache

from ..core.mistakes import rules_of
from ..core.names import unit_label, unit_names
from ..core.record import StepRecord
from .formatting import FORMATTED, number

MAX_TERMS = 4  # a weighted sum with more inputs is told by its result only
MAX_EDGE_SENTENCES = 12  # a larger weight matrix is told by its largest entry; the table has them all
HIDDEN = "?"


def say(value: float, digits: int = 4) -> str:
    """A number as it is read aloud: "minus 0.115", "1.77 times 10 to the minus 4"."""
    text = number(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa} times 10 to the {int(exponent)}"
    return text.replace("-", "minus ")


def _digits_apart(old: float, new: float) -> int:
    """The fewest significant digits (4 to 12) at which ``old`` and ``new`` read differently."""
    return _apart(float(old), float(new))


@lru_cache(maxsize=FORMATTED)  # asked for each edge at every stage of a walk
def _apart(old: float, new: float) -> int:
    for digits in range(4, 13):
        if number(old, digits) != number(new, digits):
            return digits
    return 4


def _names(record: StepRecord, l: int) -> list[str]:
    return [unit_label(n) for n in unit_names(record.scenario.layers)[l]]


def _value_name(record: StepRecord, l: int, i: int) -> str:
    """What unit i of layer l sends on: x₁ for an input, "a of h₁" for a hidden unit."""
    name = _names(record, l)[i]
    return name if l == 0 else f"a of {name}"


def _result(value: float, blank: bool, digits: int = 4) -> str:
    return HIDDEN if blank else say(value, digits)


def _edges(record: StepRecord, l: int) -> list[tuple[int, int, str]]:
    sources, targets = _names(record, l - 1), _names(record, l)
    return [(i, j, f"from {s} to {t}") for i, s in enumerate(sources) for j, t in enumerate(targets)]


def _update_sign(record: StepRecord) -> str:
    """ "minus" (gradient descent), or "plus" when the step's rules add the gradient."""
    return "plus" if rules_of(record.mistake).update_sign > 0 else "minus"
