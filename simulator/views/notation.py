"""Notations a textbook may use, as data: the symbols a stage writes for z, a, δ, E and the weights.

``zad`` is the app's own (z⁽ˡ⁾, a⁽ˡ⁾, δ⁽ˡ⁾, w with unit indices); ``mazur`` is Matt Mazur's worked
example (net_h1, out_h1, E_total, ∂E_total/∂w5, weights numbered w1, w2, … by the unit they feed,
as his post numbers them). Stage ids and value keys are the same in every notation.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..core.names import TO_SUBSCRIPT, unit_names
from ..core.names import layer_mark as _mark


def _role(unit: str) -> str:
    """x1 → i1 (Mazur's inputs), h2_3 → h2_3, o1 → o1."""
    return "i" + unit[1:] if unit.startswith("x") else unit


def _layer_role(units: tuple[str, ...]) -> str:
    """The layer's letter in Mazur's style: i, h (h1, h2 with several hidden layers), o."""
    return _role(units[0]).rstrip("0123456789").rstrip("_")


@dataclass(frozen=True)
class Notation:
    id: str
    label: str
    z: str  # plain-text name of the weighted input
    a: str  # plain-text name of the activation
    loss: str  # E or E_total
    weight_first: bool  # scalar sums written w·a (Mazur) or a·w
    unit: Callable[[str, int, str], str]  # (quantity, layer, unit name) → plain-text symbol of one unit's value
    vector: Callable[[str, int, tuple[str, ...]], str]  # (quantity, layer, that layer's units) → plain text
    weight: Callable[[int, int, int, tuple[int, ...]], str]  # (layer l, i, j, layers) → plain text
    latex: Callable[[str, tuple[int, ...]], str]  # (zad LaTeX of a stage, layer sizes) → this notation's LaTeX
    names_carry_layer: bool = False  # h1, w5 say their layer; z₁, w₁₁ need ⁽ˡ⁾ where layers mix (the chain rule)
    o: str = "o"  # the output's value in tables and on the graph
    t: str = "t"
    code: Callable[[str, tuple[int, ...]], str] = lambda line, layers: line  # a NumPy line's names in this notation
    by_unit_fed: bool = False  # weights listed by the unit they feed (Mazur's w5, w6, w7, w8), not row by row

    def weight_order(self, shape: tuple[int, int]) -> list[tuple[int, int]]:
        """The entries (i, j) of a weight matrix in the order this notation numbers them."""
        rows, cols = shape
        if self.by_unit_fed:
            return [(i, j) for j in range(cols) for i in range(rows)]
        return [(i, j) for i in range(rows) for j in range(cols)]


def _zad_unit(quantity: str, l: int, unit: str) -> str:
    """z₁, a₁, δ₁, b₁ of one unit (the stage says which layer); the inputs' a is x."""
    return ("x" if l == 0 and quantity == "a" else quantity) + unit[1:].split("_")[-1].translate(TO_SUBSCRIPT)


def _zad_vector(quantity: str, l: int, units: tuple[str, ...]) -> str:
    return quantity + _mark(l)


def _zad_weight(l: int, i: int, j: int, layers: tuple[int, ...]) -> str:
    sep = "," if max(i, j) >= 9 else ""
    return "w" + f"{i + 1}{sep}{j + 1}".translate(TO_SUBSCRIPT).replace(",", "‚")


MAZUR_NAMES = {"z": "net", "a": "out", "o": "out", "t": "target"}


def _mazur_unit(quantity: str, l: int, unit: str) -> str:
    return f"{MAZUR_NAMES.get(quantity, quantity)}_{_role(unit)}"


def _mazur_vector(quantity: str, l: int, units: tuple[str, ...]) -> str:
    return f"{MAZUR_NAMES.get(quantity, quantity)}_{_layer_role(units)}"


def _mazur_weight(l: int, i: int, j: int, layers: tuple[int, ...]) -> str:
    """w1, w2, …: numbered layer by layer, by the unit fed, then by the unit feeding (Mazur's order)."""
    before = sum(layers[k] * layers[k + 1] for k in range(l - 1))
    return f"w{before + j * layers[l - 1] + i + 1}"


def mazur_latex(text: str, layers: tuple[int, ...]) -> str:
    """z⁽ˡ⁾ → net_h, a⁽ˡ⁾ → out_h, δ⁽ˡ⁾ → δ_h (o for the output, i for the inputs), E → E_total."""
    roles = [_layer_role(units) for units in unit_names(layers)]
    names = {"z": r"\mathit{net}", "a": r"\mathit{out}", r"\delta": r"\delta"}

    def symbol(match: re.Match) -> str:
        return f"{names[match.group(1)]}_{{{roles[int(match.group(2))]}}}"

    text = re.sub(r"(?<![A-Za-z\\])(z|a|\\delta)\^\{\((\d)\)\}", symbol, text)
    return text.replace(r"\partial E}", r"\partial E_{\mathrm{total}}}")


def mazur_code(line: str, layers: tuple[int, ...]) -> str:
    """z1 → net_h, a2 → out_o, delta1 → delta_h (z1_new → net_h_new): the seed's names in Mazur's words."""
    roles = [_layer_role(units) for units in unit_names(layers)]
    names = {"z": "net", "a": "out", "delta": "delta"}

    def name(match: re.Match) -> str:
        l = int(match.group(2))
        return f"{names[match.group(1)]}_{roles[l]}" if l < len(roles) else match.group(0)

    return re.sub(r"\b(z|a|delta)(\d+)(?=\b|_new\b)", name, line)


def _as_is(text: str, layers: tuple[int, ...]) -> str:
    return text


ZAD = Notation("zad", "z, a, δ (this app)", "z", "a", "E", False, _zad_unit, _zad_vector, _zad_weight, _as_is)
MAZUR = Notation(
    "mazur",
    "net, out (Matt Mazur)",
    "net",
    "out",
    "E_total",
    True,
    _mazur_unit,
    _mazur_vector,
    _mazur_weight,
    mazur_latex,
    names_carry_layer=True,
    o="out",
    t="target",
    code=mazur_code,
    by_unit_fed=True,
)

NOTATIONS: dict[str, Notation] = {n.id: n for n in (ZAD, MAZUR)}


def notation_named(notation_id: str) -> Notation:
    """The registry entry; ValueError naming the choices."""
    if notation_id not in NOTATIONS:
        raise ValueError(f"notation: unknown {notation_id!r}; choose one of {', '.join(NOTATIONS)}")
    return NOTATIONS[notation_id]
