"""Paper mode: every value a stage shows rounded to k significant digits before a later stage uses it.

Rounding is ``float(f"{v:.{k}g}")``, as a student writing k digits on paper would. The givens of the
problem (x, target, the weights and biases, η) are used as they are; everything computed from them is
rounded. At k = 17 every float64 survives its round trip, so paper mode equals full precision.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

MIN_DIGITS, MAX_DIGITS = 1, 17


def check_digits(digits: int) -> int:
    """``digits`` if it is a whole number from 1 to 17, else ValueError."""
    if isinstance(digits, bool) or not isinstance(digits, int | np.integer) or not MIN_DIGITS <= digits <= MAX_DIGITS:
        raise ValueError(f"digits: must be a whole number from {MIN_DIGITS} to {MAX_DIGITS}, got {digits!r}")
    return int(digits)


def round_sig(values, digits: int):
    """``values`` (a float or an array) rounded to ``digits`` significant digits; a float stays a float."""
    if np.ndim(values) == 0:
        return float(f"{float(values):.{digits}g}")
    array = np.asarray(values, dtype=float)
    return np.array([float(f"{v:.{digits}g}") for v in array.ravel()]).reshape(array.shape)


def _as_is(values):
    return values


EXACT: Callable = _as_is  # full precision: values kept as computed


def rounder(digits: int | None) -> Callable:
    """The function a step applies to each value it records: identity at full precision (``None``)."""
    if digits is None:
        return EXACT
    digits = check_digits(digits)
    return lambda values: round_sig(values, digits)
