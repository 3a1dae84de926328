"""Blanking a stage's answer (the presenter's "blank the answer"): its formula and printout with what it
computes shown as "?", the values it starts from kept."""

from __future__ import annotations

import re

import numpy as np

from .formatting import latex_matrix, latex_number, latex_vector
from .spoken import HIDDEN
from .stage_parts import Stage

HIDDEN_LATEX = r"\text{?}"


def _placeholder(value: np.ndarray) -> str:
    rows = np.atleast_2d(value)
    return (
        r"\begin{bmatrix} " + r" \\ ".join(" & ".join([HIDDEN_LATEX] * rows.shape[1]) for _ in rows) + r" \end{bmatrix}"
    )


_RESULT = re.compile(r"(=|\\to|\\leftarrow)((?:(?!=|\\to).)*)$")


def _blank_lines(text: str, reused: bool) -> str:
    """Scalar form: each unit's line ends with its result (after the last "=" or "\\to"); hide it there and,
    when later lines are ``reused`` from earlier ones (the loss: E = ½·(e₁²) would give e₁ away), there too."""
    lines, results = [], []
    for line in text.removeprefix(r"\begin{aligned}").removesuffix(r"\end{aligned}").split(r"\\"):
        for result in results if reused else ():
            line = re.sub(rf"(?<![\d.]){re.escape(result)}(?![\d])", lambda _: HIDDEN_LATEX, line)
        match = _RESULT.search(line)
        if match and match.group(2).strip():
            results.append(match.group(2).strip())
            line = line[: match.start(2)] + " " + HIDDEN_LATEX
        lines.append(line.strip())
    return r"\begin{aligned} " + r" \\ ".join(lines) + r" \end{aligned}"


def blank_latex(stage: Stage) -> str:
    """The stage's substituted formula with what it computes shown as "?" (its inputs stay).

    A chain of equalities keeps its first line; when no value can be found in the text, all of it is hidden.
    """
    text = stage.substituted
    if not stage.shapes and stage.worked and text.startswith(r"\begin{aligned}"):
        return _blank_lines(text, reused=stage.kind == "loss")
    if text.startswith(r"\begin{aligned}"):
        first, *rest = text.removesuffix(r" \end{aligned}").split(r" \\ &= ")
        text = first + r" \\ &= " + rest[-1] + r" \end{aligned}" if rest else text
    for value in stage.values.values():
        value = np.asarray(value, dtype=float)
        if value.ndim == 0:
            for digits in (6, 4):
                shown = re.escape(latex_number(float(value), digits))
                text = re.sub(rf"(?<![\d.]){shown}(?![\d])", lambda _: HIDDEN_LATEX, text)
        else:
            for shown in (latex_matrix(value), latex_vector(value)):
                text = text.replace(shown, _placeholder(value))
    return text if text != stage.substituted else HIDDEN_LATEX


def blank_output(stage: Stage) -> str:
    """The NumPy line's printout with every value hidden: ``z1 = ?``."""
    return "\n".join(f"{name} = {HIDDEN}" for name in stage.values)
