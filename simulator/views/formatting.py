"""Numbers as people read them: short in text, never rounding a small value to 0."""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np

from ..core.names import superscript

FORMATTED = 65_536  # numbers kept formatted: a walk of the largest network writes each of its ~5,000 values ~100 times


def number(value: float, digits: int = 4) -> str:
    """4 significant digits; scientific below 1e-3 so 1.77e-04 never shows as 0.000."""
    return _number(float(value), digits)


@lru_cache(maxsize=FORMATTED)  # pure: a float and a count in, a string out
def _number(value: float, digits: int) -> str:
    if value == 0.0:
        return "0"
    magnitude = abs(value)
    if magnitude < 1e-3 or magnitude >= 1e5:
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}"


def written(value: float, digits: int = 4) -> str:
    """A number in plain text as a formula writes it: −0.115, and −7.080×10⁻⁴ (never "e−04", which reads
    as a subtraction)."""
    return _written(float(value), digits)


@lru_cache(maxsize=2_048)  # pure; the inspector writes each value of a walk many times
def _written(value: float, digits: int) -> str:
    text = number(value, digits)
    if "e" in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}×10{superscript(int(exponent))}"
    return text.replace("-", "−")


def factor(value: float, digits: int = 4) -> str:
    """:func:`written`, in parentheses when negative, to stand in a product: (−0.115)·0.485."""
    text = written(value, digits)
    return f"({text})" if float(value) < 0 else text


def distinct_pair(old: float, new: float, digits: int = 4) -> tuple[str, str]:
    """``old`` and ``new`` as :func:`number` writes them, with just enough more digits that they differ
    wherever the values do: (0.1, 0.1000354) → ("0.1", "0.100035"), never "0.1" twice."""
    return _distinct_pair(float(old), float(new), digits)


@lru_cache(maxsize=FORMATTED)
def _distinct_pair(old: float, new: float, digits: int) -> tuple[str, str]:
    for shown in range(digits, 18):
        pair = number(old, shown), number(new, shown)
        if old == new or pair[0] != pair[1]:
            return pair
    return pair


def plain(value: float, digits: int = 15) -> str:
    """Up to ``digits`` significant digits without float noise: 0.24000000000000002 → "0.24"."""
    value = float(value)
    return _plain(value, digits) if value else _plain.__wrapped__(value, digits)  # the cache has 0.0 == -0.0


@lru_cache(maxsize=FORMATTED)
def _plain(value: float, digits: int) -> str:
    return repr(float(f"{value:.{digits}g}"))


def latex_number(value: float, digits: int = 4) -> str:
    """Like :func:`number`; scientific notation as a compact 1.77×10⁻⁴ (3 digits) so matrices stay narrow."""
    text = number(value, digits)
    if "e" in text:
        mantissa, exponent = number(value, min(digits, 3)).split("e")
        return rf"{mantissa}{{\times}}10^{{{int(exponent)}}}"
    return text


def latex_vector(values: np.ndarray, digits: int = 4) -> str:
    """A row vector [a, b, c]."""
    return r"\begin{bmatrix} " + " & ".join(latex_number(v, digits) for v in np.ravel(values)) + r" \end{bmatrix}"


def latex_matrix(values: np.ndarray, digits: int = 4) -> str:
    rows = [" & ".join(latex_number(v, digits) for v in row) for row in np.atleast_2d(values)]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def notebook_values(values) -> str:
    """``name = value`` lines printed as the seed notebook prints them: arrays to 8 digits, a single number in
    full, and a one-column matrix as a flat row (the seed keeps the weights into its one output as a vector,
    so it prints ``delta_w_h_o`` as ``[-0.00804047 -0.00555918]``)."""
    lines = []
    for name, value in values.items():
        value = np.asarray(value, dtype=float)
        value = value.ravel() if value.ndim == 2 and value.shape[1] == 1 else value
        text = repr(float(value.ravel()[0])) if value.size == 1 else array_text(value)
        lines.append(f"{name} = " + text.replace("\n", "\n" + " " * (len(name) + 3)))
    return "\n".join(lines)


PRECISION = 8  # digits the notebook's arrays print with
LINE_WIDTH = 75  # NumPy's default line width: a row that would wrap is left to NumPy
_DEFAULT_PRINT = {"floatmode": "maxprec", "suppress": False, "linewidth": LINE_WIDTH, "threshold": 1000, "sign": "-"}
_DEFAULT_PRINT |= {"formatter": None, "legacy": False, "override_repr": None}


def array_text(value: np.ndarray) -> str:
    """``str(value)`` of a float array under ``np.printoptions(precision=8)``, exactly as NumPy writes it.

    NumPy's printing costs ~80 µs an array (a third of a walk's NumPy lines); a small finite 1-D or 2-D array
    that fits on its lines is written here with NumPy's own digit routine (``np.format_float_positional`` /
    ``_scientific``) and the paddings its ``FloatingFormat`` chooses, ~10× quicker. Anything else (NaN or
    inf, a row that would wrap, 3-D, other print options) is printed by NumPy itself.
    ``tests/test_walk_code_print.py`` compares the two on thousands of arrays."""
    words = _float_words(value) if value.ndim in (1, 2) and 0 < value.size <= 1000 and _default_printing() else None
    if words is not None:
        width = value.shape[-1]
        rows = [" ".join(words[k : k + width]) for k in range(0, len(words), width)]
        indent = value.ndim  # the hanging indent of a row: " " for a vector, "  " inside a matrix
        if all(indent + len(row) <= LINE_WIDTH - indent for row in rows):  # NumPy's own test, per element
            return f"[{rows[0]}]" if value.ndim == 1 else "[" + "\n ".join(f"[{row}]" for row in rows) + "]"
    with np.printoptions(precision=PRECISION):
        return str(value)


def _default_printing() -> bool:
    """Are NumPy's print options its defaults (other than the precision ``notebook_values`` sets)?"""
    options = np.get_printoptions()
    return all(options.get(key) == value for key, value in _DEFAULT_PRINT.items())


def _float_words(value: np.ndarray) -> list[str] | None:
    """Each entry as NumPy's ``FloatingFormat`` (maxprec, precision 8, sign "-") writes it in an array: the
    same two passes of dragon4 (unique digits first, to choose the paddings); None if any is not finite."""
    values = value.ravel().tolist()
    if not all(math.isfinite(v) for v in values):
        return None
    nonzero = [abs(v) for v in values if v != 0]
    big, small = (max(nonzero), min(nonzero)) if nonzero else (0.0, 0.0)
    if nonzero and (big >= 1e8 or small < 0.0001 or big / small > 1000.0):
        return _scientific_words(values)
    strs = [np.format_float_positional(v, precision=PRECISION, unique=True, fractional=True, trim=".") for v in values]
    ints, fracs = zip(*(s.split(".") for s in strs))
    left, right = max(map(len, ints)), max(map(len, fracs))
    return [
        np.format_float_positional(
            v, precision=PRECISION, min_digits=0, unique=True, fractional=True, trim=".", pad_left=left, pad_right=right
        )
        for v in values
    ]


def _scientific_words(values: list[float]) -> list[str]:
    strs = [np.format_float_scientific(v, precision=PRECISION, unique=True, trim=".") for v in values]
    mantissas, _, exponents = zip(*(s.partition("e") for s in strs))
    ints, fracs = zip(*(m.split(".") for m in mantissas))
    digits, left, exponent = max(map(len, fracs)), max(map(len, ints)), max(map(len, exponents)) - 1
    return [
        np.format_float_scientific(
            v, precision=digits, min_digits=digits, unique=True, trim="k", pad_left=left, exp_digits=exponent
        )
        for v in values
    ]


def givens(scenario) -> dict[str, np.ndarray]:
    """What the seed notebook sets up before its forward pass, in its order: x, target, learning_rate,
    the weights (W1 = weights_input_hidden, W2 = weights_hidden_output), then the biases."""
    values = {"x": scenario.x, "target": scenario.target, "learning_rate": np.array(scenario.learning_rate)}
    values |= {f"W{l}": w for l, w in enumerate(scenario.weights, start=1)}
    if scenario.biases is not None:
        values |= {f"b{l}": b for l, b in enumerate(scenario.biases, start=1)}
    return values
