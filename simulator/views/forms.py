"""The two forms a stage can be written in, each a named entry: what a view adds to a stage.

``matrix``: the stage's own matrix formulas, with the shape written under every factor
(a⁽⁰⁾ 1×3 · W⁽¹⁾ 3×2 = z⁽¹⁾ 1×2). ``scalar``: unit by unit, every sum written out with its
numbers (z₁ = 0.5·0.5 + 0.1·0.1 + (−0.2)·0.1 = 0.24). Lines are plain text (``Stage.worked``,
for the CLI and tests); their LaTeX (``Stage.shapes``, or ``substituted`` in scalar form) is
derived from the same lines.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ..core.activations import ACTIVATIONS, SIGMOID, derivative
from ..core.losses import CROSS_ENTROPY, HALF_SQUARED_ERROR
from ..core.mistakes import rules_of
from ..core.names import FROM_SUBSCRIPT, FROM_SUPERSCRIPT, SUBSCRIPT_DIGITS
from ..core.names import layer_mark as _mark
from .formatting import factor, written
from .notation import Notation

MAX_SCALAR_LINES = 16  # beyond this a stage lists the first ones and says how many more

_LATEX_CHARS = {
    "·": r"\cdot ",
    "−": "-",
    "δ": r"\delta ",
    "η": r"\eta ",
    "∂": r"\partial ",
    "σ": r"\sigma ",
    "⊙": r"\odot ",
    "×": r"\times ",
    "′": "'",
    "←": r"\leftarrow ",
    "→": r"\to ",
    "½": r"\tfrac{1}{2}",
    "ᵀ": r"^{\mathsf T}",
    "‚": ",",
}
_TO_LATEX = str.maketrans(_LATEX_CHARS)


@lru_cache(maxsize=16_384)  # pure; a large network's inspector writes each unit's sum line once per weight into it
def to_latex(line: str) -> str:
    """A plain-text line of this module (Unicode sub/superscripts, ·, −, δ …) as LaTeX. Each pattern runs only
    where the text it needs is present (a large network's inspector writes thousands of lines)."""
    if "e-" in line or "e+" in line or "e−" in line:
        line = re.sub(
            r"(\d)e([-+−]\d+)", lambda m: rf"{m.group(1)}{{\times}}10^{{{int(m.group(2).replace('−', '-'))}}}", line
        )
    if "×10" in line:
        line = re.sub(
            r"×10([⁻⁰-⁹¹²³]+)", lambda m: r"{\times}10^{" + m.group(1).translate(FROM_SUPERSCRIPT) + "}", line
        )
    if " newᵀ" in line:
        line = re.sub(r"(\S+⁾) newᵀ", r"{\1 new}ᵀ", line)  # one superscript per symbol: {W⁽²⁾ new}ᵀ
    if "_" in line:
        line = re.sub(r"\b([A-Za-z]{2,})_([A-Za-z0-9]+(?:_[A-Za-z0-9]+)?)", r"\\mathit{\1}_{\2}", line)
        line = re.sub(r"(?<![A-Za-z])([A-Za-zδ])_([A-Za-z0-9]+(?:_[A-Za-z0-9]+)?)", r"\1_{\2}", line)
    line = re.sub(r"⁽([⁰-⁹¹²³]+)⁾", lambda m: "^{(" + m.group(1).translate(FROM_SUPERSCRIPT) + ")}", line)
    line = re.sub(f"([{SUBSCRIPT_DIGITS}‚]+)", lambda m: "_{" + m.group(1).translate(FROM_SUBSCRIPT) + "}", line)
    line = line.translate(_TO_LATEX)
    if r"\mathsf T" in line:
        line = re.sub(r"([A-Za-z]\^\{\(\d+\)\})\^\{\\mathsf T\}", r"{\1}^{\\mathsf T}", line)  # no double ^
    if " new" in line:
        line = re.sub(r"((?:\\mathit\{\w+\}|[A-Za-z])_\{[^{}]*\}) new", r"{\1}_{\\text{new}}", line)  # b_{o} new
    line = line.replace(") left", r")_{\text{left}}")  # what a gradient buffer still held
    return line.replace("²", "^2").replace(" new", r"_{\text{new}}")


def aligned(lines: list[str]) -> str:
    return r"\begin{aligned} " + r" \\ ".join("& " + to_latex(line) for line in lines) + r" \end{aligned}"


def _capped(lines: list[str]) -> list[str]:
    if len(lines) <= MAX_SCALAR_LINES:
        return lines
    return lines[:MAX_SCALAR_LINES] + [f"… and {len(lines) - MAX_SCALAR_LINES} more"]


class _View:
    """What both forms need to know about a record: names, symbols, digits and the rules it followed."""

    def __init__(self, record, notation: Notation, names):
        self.record, self.notation, self.names = record, notation, names
        self.scenario = record.scenario
        self.layers = tuple(self.scenario.layers)
        self.last = len(self.layers) - 1
        self.rules = rules_of(record.mistake)
        self.digits = max(4, record.digits or 4)

    def n(self, value) -> str:
        return written(value, self.digits)

    def f(self, value) -> str:
        return factor(value, self.digits)

    def unit(self, quantity: str, l: int, j: int) -> str:
        return self.notation.unit(quantity, l, self.names[l][j])

    def vector(self, quantity: str, l: int) -> str:
        return self.notation.vector(quantity, l, self.names[l])

    def weight(self, l: int, i: int, j: int) -> str:
        return self.notation.weight(l, i, j, self.layers)

    def product(self, a: float, w: float) -> str:
        return f"{self.f(w)}·{self.f(a)}" if self.notation.weight_first else f"{self.f(a)}·{self.f(w)}"

    def loss(self) -> str:
        return self.notation.loss

    def slope_factor(self, l: int, j: int) -> str:
        """The activation's slope as the step's rules computed it, as a factor ("·a(1 − a)" for a sigmoid)."""
        activation = ACTIVATIONS[self.scenario.activations[l - 1]]
        z, a = self.record.zs[l - 1][j], self.record.activations[l][j]
        rules = self.rules.at(l, self.last)
        if rules.slope_of is None:
            return ""
        if activation.name == SIGMOID:
            value = a if rules.slope_of == "a" else z
            return f"·{self.f(value)}·(1 − {self.f(value)})"
        slope = derivative(rules.slope(activation), self.record.zs[l - 1])[j]
        return f"·{self.f(slope)}"


# Scalar form: one function per stage kind, each returning the plain-text lines.


def _scalar_z(v: _View, stage) -> list[str]:
    l = stage.layer
    a_prev, W = v.record.activations[l - 1], v.scenario.weights[l - 1]
    lines = []
    for j in range(v.layers[l]):
        terms = " + ".join(v.product(a_prev[i], W[i, j]) for i in range(v.layers[l - 1]))
        if v.scenario.biases is not None:
            terms += f" + {v.f(v.scenario.biases[l - 1][j])}"
        lines.append(f"{v.unit('z', l, j)} = {terms} = {v.n(v.record.zs[l - 1][j])}")
    return lines


def _scalar_a(v: _View, stage) -> list[str]:
    l = stage.layer
    activation = ACTIVATIONS[v.scenario.activations[l - 1]]
    name = "σ" if activation.name == SIGMOID else activation.name
    z, a = v.record.zs[l - 1], v.record.activations[l]
    if not activation.elementwise:
        return [f"{v.unit('a', l, j)} = softmax(z){j + 1} = {v.n(a[j])}".replace("(z)", "") for j in range(len(a))]
    return [f"{v.unit('a', l, j)} = {name}({v.n(z[j])}) = {v.n(a[j])}" for j in range(len(a))]


def _scalar_loss(v: _View, stage) -> list[str]:
    o, t, e = v.record.output, v.scenario.target, v.record.error
    lines = []
    for k in range(len(o)):
        pair = [("o", o[k]), ("t", t[k])][:: 1 if v.rules.error_sign > 0 else -1]
        symbols = " − ".join(v.unit(name, v.last, k) for name, _ in pair)
        numbers = " − ".join(v.f(value) for _, value in pair)
        lines.append(f"{v.unit('e', v.last, k)} = {symbols} = {numbers} = {v.n(e[k])}")
    if v.scenario.loss == HALF_SQUARED_ERROR:
        squares = " + ".join(f"{v.f(value)}²" for value in e)
        lines.append(f"{v.loss()} = ½·({squares}) = {v.n(v.record.loss)}")
    else:
        lines.append(f"{v.loss()} = {v.n(v.record.loss)}")
    return lines


def _scalar_delta(v: _View, stage) -> list[str]:
    l = stage.layer
    delta = v.record.deltas[l - 1]
    lines = []
    if l == v.last:
        for k in range(len(delta)):
            if v.scenario.loss == CROSS_ENTROPY:
                lines.append(f"{v.unit('δ', l, k)} = {v.f(v.record.error[k])} = {v.n(delta[k])}")
            elif ACTIVATIONS[v.scenario.activations[-1]].elementwise:
                lines.append(f"{v.unit('δ', l, k)} = {v.f(v.record.error[k])}{v.slope_factor(l, k)} = {v.n(delta[k])}")
            else:
                lines.append(f"{v.unit('δ', l, k)} = {v.n(delta[k])}")
        return lines
    weights = v.record.new_weights[l] if v.rules.hidden_delta_uses_updated else v.scenario.weights[l]
    following = v.record.deltas[l]
    for j in range(len(delta)):
        sent = " + ".join(f"{v.f(weights[j, k])}·{v.f(following[k])}" for k in range(len(following)))  # Σ w·δ
        lines.append(f"{v.unit('δ', l, j)} = ({sent}){v.slope_factor(l, j)} = {v.n(delta[j])}")
    return lines


def _scalar_parameter(v: _View, stage) -> list[str]:
    l, record, E = stage.layer, v.record, v.loss()
    sign = "+" if v.rules.update_sign > 0 else "−"
    rate = v.n(v.scenario.learning_rate)
    kind, what = stage.kind, stage.id.split(".")[1][0]
    lines = []
    if what == "W":
        W, dW, new = v.scenario.weights[l - 1], record.weight_gradients[l - 1], record.new_weights[l - 1]
        for i, j in v.notation.weight_order(W.shape):  # Mazur's w5, w6, w7, w8 in his order
            w = v.weight(l, i, j)
            if kind == "gradient":
                fed = v.rules.gradient_input(l)  # a, or z under the mistake that takes z for a
                a_prev = (record.zs[l - 2] if fed == "z" else record.activations[l - 1])[i]
                delta = record.deltas[l - 1][j]
                left = record.carried_weight_gradients
                held = ("", "") if left is None else (f"(∂{E}/∂{w}) left + ", f"{v.f(left[l - 1][i, j])} + ")
                lines.append(
                    f"∂{E}/∂{w} = {held[0]}{v.unit(fed, l - 1, i)}·{v.unit('δ', l, j)} = "
                    f"{held[1]}{v.f(a_prev)}·{v.f(delta)} = {v.n(dW[i, j])}"
                )
            else:
                lines.append(f"{w} ← {v.f(W[i, j])} {sign} {rate}·{v.f(dW[i, j])} = {v.n(new[i, j])}")
        return _capped(lines)
    b, db, new = v.scenario.biases[l - 1], record.bias_gradients[l - 1], record.new_biases[l - 1]
    for j in range(len(b)):
        symbol = v.unit("b", l, j)
        if kind == "gradient" and record.carried_bias_gradients is not None:
            left, delta = record.carried_bias_gradients[l - 1][j], record.deltas[l - 1][j]
            held = f"(∂{E}/∂{symbol}) left"
            lines.append(f"∂{E}/∂{symbol} = {held} + {v.unit('δ', l, j)} = {v.f(left)} + {v.f(delta)} = {v.n(db[j])}")
        elif kind == "gradient":
            lines.append(f"∂{E}/∂{symbol} = {v.unit('δ', l, j)} = {v.n(db[j])}")
        elif record.bias_updates is None:
            lines.append(f"{symbol} = {v.n(new[j])} (unchanged)")
        else:
            lines.append(f"{symbol} ← {v.f(b[j])} {sign} {rate}·{v.f(db[j])} = {v.n(new[j])}")
    return _capped(lines)


def _scalar_apply(v: _View, stage) -> list[str]:
    old, new = v.record.output, v.record.new_output
    lines = [f"{v.unit('a', v.last, k)}: {v.n(old[k])} → {v.n(new[k])}" for k in range(len(old))]
    return lines + [f"{v.loss()}: {v.n(v.record.loss)} → {v.n(v.record.new_loss)}"]


SCALAR_LINES: dict[str, Callable[[_View, object], list[str]]] = {
    "forward.z": _scalar_z,
    "forward.a": _scalar_a,
    "loss": _scalar_loss,
    "delta": _scalar_delta,
    "gradient": _scalar_parameter,
    "update": _scalar_parameter,
    "apply": _scalar_apply,
}


def _kind_key(stage) -> str:
    return stage.id[: len("forward.z")] if stage.kind == "forward" else stage.kind


# Matrix form: the shapes under every factor.


def _shape_line(factors: list[tuple[str, str | None, int, int]]) -> tuple[str, str]:
    """[(operator before, symbol, rows, columns)] → the plain line and its LaTeX with shapes underneath."""
    plain, latex = [], []
    for operator, symbol, rows, cols in factors:
        if operator:
            plain.append(operator)
            latex.append(to_latex(operator))
        plain.append(f"{symbol} {rows}×{cols}")
        latex.append(rf"\underset{{{rows}\times {cols}}}{{{to_latex(symbol)}}}")
    return " ".join(plain), " ".join(latex)


def _shapes(v: _View, stage) -> list[tuple[str, str | None, int, int]]:
    l, n = stage.layer, v.layers
    vec = v.vector
    out = n[v.last]
    kind = _kind_key(stage)
    if kind == "forward.z":
        factors = [("", vec("a", l - 1), 1, n[l - 1]), ("·", f"W{_mark(l)}", n[l - 1], n[l])]
        if v.scenario.biases is not None:
            factors.append(("+", vec("b", l), 1, n[l]))
        return factors + [("=", vec("z", l), 1, n[l])]
    if kind == "forward.a":
        return [("", f"f({vec('z', l)})", 1, n[l]), ("=", vec("a", l), 1, n[l])]
    if kind == "loss":
        order = ("o", "t") if v.rules.error_sign > 0 else ("t", "o")
        return [("", order[0], 1, out), ("−", order[1], 1, out), ("=", "e", 1, out)]
    # the slope factor, as the step's rules took it: left out by one mistake, and cancelled by cross-entropy
    slope = [("⊙", "f′", 1, n[l])] if l is not None and v.rules.at(l, v.last).slope_of is not None else []
    if kind == "delta" and l == v.last:
        if v.scenario.loss == CROSS_ENTROPY:
            order = ("o", "t") if v.rules.error_sign > 0 else ("t", "o")
            return [("", order[0], 1, out), ("−", order[1], 1, out), ("=", vec("δ", l), 1, out)]
        return [("", "e", 1, out), *slope, ("=", vec("δ", l), 1, out)]
    if kind == "delta":
        W = f"W{_mark(l + 1)}" + (" new" if v.rules.hidden_delta_uses_updated else "") + "ᵀ"
        return [("", vec("δ", l + 1), 1, n[l + 1]), ("·", W, n[l + 1], n[l]), *slope, ("=", vec("δ", l), 1, n[l])]
    if stage.id.startswith("gradient.W"):
        return [
            ("", vec(v.rules.gradient_input(l), l - 1) + "ᵀ", n[l - 1], 1),
            ("·", vec("δ", l), 1, n[l]),
            ("=", f"∂{v.loss()}/∂W{_mark(l)}", n[l - 1], n[l]),
        ]
    if stage.id.startswith("update.W"):
        sign = "+" if v.rules.update_sign > 0 else "−"
        return [
            ("", f"W{_mark(l)}", n[l - 1], n[l]),
            (sign, f"η·∂{v.loss()}/∂W{_mark(l)}", n[l - 1], n[l]),
            ("=", f"W{_mark(l)} new", n[l - 1], n[l]),
        ]
    if stage.id.startswith("gradient.b"):
        return [("", f"∂{v.loss()}/∂b{_mark(l)}", 1, n[l]), ("=", vec("δ", l), 1, n[l])]
    if stage.id.startswith("update.b"):
        return [("", vec("b", l), 1, n[l]), ("=", vec("b", l) + " new", 1, n[l])]
    return [("", "o new", 1, out)]


def _held(v: _View, stage, factors: list) -> list:
    """A gradient's shape line with what its buffer still held added first (the accumulate mistake)."""
    if stage.kind != "gradient" or v.record.carried_weight_gradients is None:
        return factors
    if stage.id.startswith("gradient.b"):  # ∂E/∂b = δ
        (_, gradient, rows, cols), (_, delta, _, _) = factors
        return [("", gradient, rows, cols), ("=", f"({gradient}) left", rows, cols), ("+", delta, rows, cols)]
    (_, first, r0, c0), *rest = factors  # aᵀ · δ = ∂E/∂W
    gradient, rows, cols = rest[-1][1:]
    return [("", f"({gradient}) left", rows, cols), ("+", first, r0, c0), *rest]


def matrix_form(record, stage, notation: Notation, names) -> dict:
    """The stage's own formulas in this notation, and the line of shapes under them."""
    v = _View(record, notation, names)
    plain, latex = _shape_line(_held(v, stage, _shapes(v, stage)))
    return {
        "formula": notation.latex(stage.formula, v.layers),
        "substituted": notation.latex(stage.substituted, v.layers),
        "shapes": latex,
        "worked": (plain,),
        "code": notation.code(stage.code, v.layers),
    }


def scalar_form(record, stage, notation: Notation, names) -> dict:
    """Every unit's own sum, with its numbers."""
    v = _View(record, notation, names)
    lines = SCALAR_LINES[_kind_key(stage)](v, stage)
    return {
        "formula": notation.latex(stage.formula, v.layers),
        "substituted": aligned(lines),
        "shapes": "",
        "worked": tuple(lines),
        "code": notation.code(stage.code, v.layers),
    }


MATRIX, SCALAR = "matrix", "scalar"  # form ids
FORMS: dict[str, Callable[..., dict]] = {MATRIX: matrix_form, SCALAR: scalar_form}
