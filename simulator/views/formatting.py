"""Numbers as people read them: short in text, never rounding a small value to 0."""

from __future__ import annotations

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
    with np.printoptions(precision=8):
        for name, value in values.items():
            value = np.asarray(value, dtype=float)
            value = value.ravel() if value.ndim == 2 and value.shape[1] == 1 else value
            text = repr(float(value.ravel()[0])) if value.size == 1 else str(value)
            lines.append(f"{name} = " + text.replace("\n", "\n" + " " * (len(name) + 3)))
    return "\n".join(lines)


def givens(scenario) -> dict[str, np.ndarray]:
    """What the seed notebook sets up before its forward pass, in its order: x, target, learning_rate,
    the weights (W1 = weights_input_hidden, W2 = weights_hidden_output), then the biases."""
    values = {"x": scenario.x, "target": scenario.target, "learning_rate": np.array(scenario.learning_rate)}
    values |= {f"W{l}": w for l, w in enumerate(scenario.weights, start=1)}
    if scenario.biases is not None:
        values |= {f"b{l}": b for l, b in enumerate(scenario.biases, start=1)}
    return values
