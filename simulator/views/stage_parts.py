"""The :class:`Stage` record and the small LaTeX pieces every stage builder shares.

The helpers keep their leading underscore: they belong to the stage builders
(``forward_stages``, ``delta_stages``, ``parameter_stages``, ``stages``), not to other views.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import numpy as np

from .formatting import latex_matrix, latex_vector

MAX_SUBSTITUTED_ENTRIES = 16  # larger matrices appear by name and shape only


@dataclass(frozen=True)
class Stage:
    id: str  # stable: "forward.z1", "loss", "delta.2", "gradient.W2", "update.b1", "apply", …
    kind: str  # forward | loss | delta | gradient | update | apply
    layer: int | None
    title: str
    explanation: str
    formula: str  # LaTeX
    substituted: str  # LaTeX with the numbers in
    code: str  # the NumPy line, in the seed notebook's style
    values: Mapping[str, np.ndarray]  # read-only arrays, keyed by code name ("z1", "dW2", …)
    nodes: tuple[str, ...]
    edges: tuple[tuple[str, str], ...]
    shapes: str = ""  # LaTeX: the matrix formula with each factor's shape underneath (matrix form)
    worked: tuple[str, ...] = ()  # plain text: the shape line (matrix form) or each unit's sum (scalar form)


def _edges(names, l: int) -> tuple[tuple[str, str], ...]:
    """The edges of W⁽ˡ⁾, from layer l − 1 to layer l."""
    return tuple((a, b) for a in names[l - 1] for b in names[l])


def _read_only(values: dict[str, np.ndarray]) -> Mapping[str, np.ndarray]:
    frozen = {}
    for key, value in values.items():
        array = np.array(value, dtype=float)
        array.setflags(write=False)
        frozen[key] = array
    return MappingProxyType(frozen)


def _vec(values) -> str:
    return latex_vector(values)


def _mat(values, symbol: str) -> str:
    values = np.atleast_2d(values)
    if values.size > MAX_SUBSTITUTED_ENTRIES:
        return rf"{symbol}_{{[{values.shape[0]}\times{values.shape[1]}]}}"
    return latex_matrix(values)


def _sym(letter: str, l: int) -> str:
    return rf"{letter}^{{({l})}}"


def _steps(*parts: str) -> str:
    """A chain of equalities, one per line, so wide matrices stay readable."""
    return r"\begin{aligned} & " + r" \\ &= ".join(parts) + r" \end{aligned}"


def _delta(l: int) -> str:
    return _sym(r"\delta", l)


TRANSPOSE = r"^{\mathsf T}"
NEW = r"_{\text{new}}"
DELTA_UPPER = r"\Delta "


def _layer_word(l: int, last: int) -> str:
    return "the output layer" if l == last else ("the hidden layer" if last == 2 else f"hidden layer {l}")
