"""Numbers as people read them: short in text, never rounding a small value to 0."""

from __future__ import annotations

import numpy as np


def number(value: float, digits: int = 4) -> str:
    """4 significant digits; scientific below 1e-3 so 1.77e-04 never shows as 0.000."""
    value = float(value)
    if value == 0.0:
        return "0"
    magnitude = abs(value)
    if magnitude < 1e-3 or magnitude >= 1e5:
        return f"{value:.{digits - 1}e}"
    return f"{value:.{digits}g}"


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
    """``name = value`` lines printed as the seed notebook prints them: arrays to 8 digits, a single number in full."""
    lines = []
    with np.printoptions(precision=8):
        for name, value in values.items():
            value = np.asarray(value, dtype=float)
            text = repr(float(value.ravel()[0])) if value.size == 1 else str(value)
            lines.append(f"{name} = " + text.replace("\n", "\n" + " " * (len(name) + 3)))
    return "\n".join(lines)
