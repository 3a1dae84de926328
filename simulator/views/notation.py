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
    """The layer's letter in Mazur's style: i, h (h1_, h2_ with several hidden layers), o."""
    return _role(units[0]).rstrip("0123456789")


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
)

NOTATIONS: dict[str, Notation] = {n.id: n for n in (ZAD, MAZUR)}


def notation_named(notation_id: str) -> Notation:
    """The registry entry; ValueError naming the choices."""
    if notation_id not in NOTATIONS:
        raise ValueError(f"notation: unknown {notation_id!r}; choose one of {', '.join(NOTATIONS)}")
    return NOTATIONS[notation_id]
