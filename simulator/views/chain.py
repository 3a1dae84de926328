"""The chain rule as a chain: each unit's δ and each weight's gradient as the product of its local factors.

    ∂E/∂w = ∂E/∂o · ∂o/∂z · ∂z/∂w = (o − t) · o(1 − o) · a          (an output unit's weight)

At a hidden unit the first factor, ∂E/∂a, is a sum over the units it feeds: each sends its δ back along
the weight between them (the paths, :class:`Share`). Every factor carries its symbol in the chosen
notation, its formula, its number and its meaning. The factors are the ones the step's rules used, so a
mistaken step's chain is the mistaken one (no slope, the slope from z, t − o, the updated weights).

Pure: a :class:`~simulator.core.backprop.StepRecord` in, records of plain text out; LaTeX by
:func:`~simulator.views.forms.to_latex`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..core.activations import ACTIVATIONS, derivative
from ..core.backprop import sent_back
from ..core.losses import LOSSES
from ..core.mistakes import rules_of
from ..core.names import layer_mark, unit_names
from ..core.record import StepRecord
from .formatting import factor, written
from .forms import to_latex
from .notation import ZAD, Notation, notation_named

MAX_TERMS = 4  # a sum with more terms is written Σₖ


@dataclass(frozen=True)
class Factor:
    symbol: str  # "∂E/∂o₁", in the notation
    formula: str  # "o₁ − t₁"
    value: float
    why: str  # its meaning, one sentence


@dataclass(frozen=True)
class Share:
    """One path a hidden unit's gradient comes back along: the edge to a unit it feeds."""

    edge: tuple[str, str]  # (this unit, the unit it feeds)
    weight: float  # the weight the step sent δ back along
    delta: float  # δ of the unit fed
    value: float  # weight · delta


@dataclass(frozen=True)
class Chain:
    symbol: str  # what the chain computes: "δ⁽¹⁾₁ = ∂E/∂z⁽¹⁾₁" or "∂E/∂w⁽²⁾₁₁"
    factors: tuple[Factor, ...]
    shares: tuple[Share, ...]  # a hidden unit's paths (the sum that is its ∂E/∂a); () elsewhere
    value: float  # the record's own value of δ or the gradient
    sum_line: str = ""  # a hidden unit's sum with its numbers
    left: float | None = None  # what the gradient's buffer still held (the accumulate mistake), added first

    @property
    def product(self) -> float:
        return float(np.prod([f.value for f in self.factors]))

    @property
    def total(self) -> float:
        """The product, plus what the buffer held when it was not zeroed."""
        return self.product + (self.left or 0.0)

    @property
    def edges(self) -> tuple[tuple[str, str], ...]:
        return tuple(share.edge for share in self.shares)

    def lines(self) -> tuple[str, ...]:
        """Plain text: the symbols, the formulas, the numbers; then a hidden unit's sum."""
        held = ("", "") if self.left is None else (f"({self.symbol}) left + ", f"{factor(self.left)} + ")
        symbols = held[0] + " · ".join(f.symbol for f in self.factors)
        formulas = held[0] + " · ".join(_grouped(f.formula) for f in self.factors)
        numbers = held[1] + " · ".join(factor(f.value) for f in self.factors)
        lines = (f"{self.symbol} = {symbols}", f"= {formulas}", f"= {numbers} = {written(self.value)}")
        return (*lines, self.sum_line) if self.sum_line else lines

    def latex(self) -> tuple[str, ...]:
        return tuple(
            r"\text{where } " + to_latex(line.removeprefix("where ")) if line.startswith("where ") else to_latex(line)
            for line in self.lines()
        )

    def meanings(self) -> tuple[str, ...]:
        """One sentence per factor: "∂o₁/∂z⁽²⁾₁ = o₁(1 − o₁) = 0.2498: σ(z) = … "."""
        return tuple(f"{f.symbol} = {f.formula} = {written(f.value)}: {f.why}" for f in self.factors)


@lru_cache(maxsize=1024)  # pure; a walk groups the same few factor formulas at every unit
def _grouped(formula: str) -> str:
    """A factor in parentheses when it is a sum or product at its top level: (o₁ − t₁), but o₁(1 − o₁)."""
    depth, top = 0, []
    for c in formula:
        depth += (c in "([") - (c in ")]")
        top.append(c if depth == 0 else "")
    top = "".join(top)
    return f"({formula})" if any(op in top for op in (" − ", " + ", "·")) else formula


class _Symbols:
    """The names the chain writes, in a notation; zad's need the layer mark, Mazur's say it already."""

    def __init__(self, record: StepRecord, notation: Notation):
        self.layers = tuple(record.scenario.layers)
        self.names = unit_names(self.layers)
        self.last = len(self.layers) - 1
        self.notation = notation
        self.loss = notation.loss

    def unit(self, quantity: str, l: int, j: int) -> str:
        q = "o" if quantity == "a" and l == self.last else ("t" if quantity == "t" else quantity)
        text = self.notation.unit(q, l, self.names[l][j])
        if self.notation.names_carry_layer or l == 0 or q in ("o", "t"):
            return text
        return text[0] + layer_mark(l) + text[1:]

    def weight(self, l: int, i: int, j: int) -> str:
        text = self.notation.weight(l, i, j, self.layers)
        return text if self.notation.names_carry_layer else text[0] + layer_mark(l) + text[1:]

    def partial(self, top: str, bottom: str) -> str:
        return f"∂{top}/∂{bottom}"


def _error_factor(record: StepRecord, s: _Symbols, j: int, of: str) -> Factor:
    """∂E/∂o (or ∂E/∂z when the loss cancels the slope), as the rules' error took it."""
    loss, last = LOSSES[record.scenario.loss], s.last
    o, t = s.unit("a", last, j), s.unit("t", last, j)
    flipped = rules_of(record.mistake).error_sign < 0
    formula = f"{t} − {o}" if flipped else f"{o} − {t}"
    why = loss.gradient_why + (" The mistake takes it as t − o: every sign after it flips." if flipped else "")
    return Factor(s.partial(s.loss, of), formula, float(record.error[j]), why)


def _put(formula: str, letter: str, symbol: str) -> str:
    """``symbol`` for ``letter`` in a slope's formula; squared in parentheses when it has its own scripts."""
    squared = f"({symbol})²" if len(symbol) > 1 else f"{symbol}²"
    return re.sub(rf"{letter}(²?)", lambda m: squared if m.group(1) else symbol, formula)


def _slope_factor(record: StepRecord, s: _Symbols, l: int, j: int) -> Factor | None:
    """∂a/∂z as the rules computed it; None when they leave it out."""
    rules = rules_of(record.mistake).at(l, s.last)
    if rules.slope_of is None:
        return None
    activation = ACTIVATIONS[record.scenario.activations[l - 1]]
    a, z = s.unit("a", l, j), s.unit("z", l, j)
    value = float(derivative(rules.slope(activation), record.zs[l - 1])[j])
    if rules.slope_of == "a":
        formula = _put(_put(activation.slope, "z", z), "a", a)
        return Factor(s.partial(a, z), formula, value, activation.slope_why)
    formula = _put(activation.slope, "a", z)
    why = f"The mistake computes the slope from z as if it were the output ({activation.slope_why})"
    return Factor(s.partial(a, z), formula, value, why)


def _sum_factor(record: StepRecord, s: _Symbols, l: int, j: int) -> tuple[Factor, tuple[Share, ...], str]:
    """∂E/∂a of hidden unit j of layer l: the δ of each unit it feeds times the weight to it, added up."""
    updated = rules_of(record.mistake).hidden_delta_uses_updated
    weights = (record.new_weights if updated else record.scenario.weights)[l]
    deltas = record.deltas[l]
    fed = range(len(deltas))
    shares = tuple(
        Share(
            (s.names[l][j], s.names[l + 1][k]), float(weights[j, k]), float(deltas[k]), float(weights[j, k] * deltas[k])
        )
        for k in fed
    )
    terms = [f"{s.unit('δ', l + 1, k)}·{s.weight(l + 1, j, k)}" for k in fed]
    formula = " + ".join(terms) if len(terms) <= MAX_TERMS else f"Σₖ {s.unit('δ', l + 1, 0)}·{s.weight(l + 1, j, 0)} …"
    value = float(sent_back(deltas, weights)[j])  # the engine's own sum
    numbers = " + ".join(f"{factor(sh.delta)}·{factor(sh.weight)}" for sh in shares[:MAX_TERMS])
    more = " + …" if len(shares) > MAX_TERMS else ""
    a = s.unit("a", l, j)
    sum_line = f"where {s.partial(s.loss, a)} = {formula} = {numbers}{more} = {written(value)}"
    why = (
        f"{a} feeds every unit of the next layer; each sends its δ back along the "
        + ("updated weight (the mistake: the forward pass used the old one)" if updated else "weight")
        + " between them, and the shares add up (one path per edge)."
    )
    return Factor(s.partial(s.loss, a), formula, value, why), shares, sum_line


def _unit_factors(record: StepRecord, s: _Symbols, l: int, j: int):
    """(the factors of δ of unit j in layer l, its paths, its sum line)."""
    scenario = record.scenario
    activation = ACTIVATIONS[scenario.activations[l - 1]]
    z = s.unit("z", l, j)
    if l == s.last and LOSSES[scenario.loss].slope_cancels:
        return (_error_factor(record, s, j, z),), (), ""
    if l == s.last and not activation.elementwise:
        value = float(record.deltas[-1][j])
        return (Factor(s.partial(s.loss, z), f"Σₖ eₖ·{activation.slope}", value, activation.slope_why),), (), ""
    if l == s.last:
        first, shares, sum_line = _error_factor(record, s, j, s.unit("a", l, j)), (), ""
    else:
        first, shares, sum_line = _sum_factor(record, s, l, j)
    slope = _slope_factor(record, s, l, j)
    return ((first, slope) if slope else (first,)), shares, sum_line


def _position(record: StepRecord, node_id: str) -> tuple[int, int] | None:
    for l, layer in enumerate(unit_names(record.scenario.layers)):
        if node_id in layer:
            return l, layer.index(node_id)
    return None


def unit_chain(record: StepRecord, node_id: str, notation: str = ZAD.id) -> Chain | None:
    """δ of a unit as the product of its local factors; None for an input or an unknown id."""
    found = _position(record, node_id)
    if not found or found[0] == 0:
        return None
    l, j = found
    s = _Symbols(record, notation_named(notation))
    return _unit_chain(record, s, _unit_factors(record, s, l, j), l, j)


def _unit_chain(record: StepRecord, s: _Symbols, unit, l: int, j: int) -> Chain:
    factors, shares, sum_line = unit
    symbol = f"{s.unit('δ', l, j)} = {s.partial(s.loss, s.unit('z', l, j))}"
    return Chain(symbol, factors, shares, float(record.deltas[l - 1][j]), sum_line)


def weight_chain(record: StepRecord, l: int, i: int, j: int, notation: str = ZAD.id) -> Chain:
    """∂E/∂w of the edge from unit i of layer l − 1 to unit j of layer l: δⱼ's factors times ∂z/∂w = aᵢ."""
    s = _Symbols(record, notation_named(notation))
    return _weight_chain(record, s, _unit_factors(record, s, l, j), l, i, j)


def _weight_chain(record: StepRecord, s: _Symbols, unit, l: int, i: int, j: int) -> Chain:
    """:func:`weight_chain` from δⱼ's factors, paths and sum line (``unit``), shared by every weight into j."""
    factors, shares, sum_line = unit
    w, z, a = s.weight(l, i, j), s.unit("z", l, j), s.unit("a", l - 1, i)
    why = f"z = Σ a·w (+ b) is a sum, so moving {w} a little moves {z} by {a} times as much."
    last = Factor(s.partial(z, w), a, float(record.activations[l - 1][i]), why)
    if rules_of(record.mistake).gradient_input(l) == "z":  # the mistake: z of the source where a belongs
        fed = s.unit("z", l - 1, i)
        why = f"The mistake takes {fed} where {a} belongs: the edge carries a = f(z), not z. ({why})"
        last = Factor(s.partial(z, w), fed, float(record.zs[l - 2][i]), why)
    value = float(record.weight_gradients[l - 1][i, j])
    held = record.carried_weight_gradients
    left = None if held is None else float(held[l - 1][i, j])
    return Chain(s.partial(s.loss, w), (*factors, last), shares, value, sum_line, left)


def bias_chain(record: StepRecord, l: int, j: int, notation: str = ZAD.id) -> Chain:
    """∂E/∂b of unit j of layer l: δⱼ's factors times ∂z/∂b = 1."""
    s = _Symbols(record, notation_named(notation))
    return _bias_chain(record, s, _unit_factors(record, s, l, j), l, j)


def _bias_chain(record: StepRecord, s: _Symbols, unit, l: int, j: int) -> Chain:
    factors, shares, sum_line = unit
    b, z = s.unit("b", l, j), s.unit("z", l, j)
    last = Factor(s.partial(z, b), "1", 1.0, "A bias is a weight on an input that is always 1.")
    held = record.carried_bias_gradients
    left = None if held is None else float(held[l - 1][j])
    return Chain(s.partial(s.loss, b), (*factors, last), shares, float(record.bias_gradients[l - 1][j]), sum_line, left)


def staged_chains(
    record: StepRecord, node_id: str, notation: str = ZAD.id, most: int | None = None
) -> tuple[tuple[Chain, frozenset[str]], ...]:
    """Every chain at a unit (its δ, then the gradient of each weight, at most ``most`` of them, and the bias
    coming into it), each with the stage ids that must have been reached before it is shown. δ's factors are
    worked out once for all."""
    found = _position(record, node_id)
    if not found or found[0] == 0:
        return ()
    l, j = found
    s = _Symbols(record, notation_named(notation))
    unit = _unit_factors(record, s, l, j)
    delta, weights, bias = f"delta.{l}", f"gradient.W{l}", f"gradient.b{l}"
    fan_in = record.scenario.layers[l - 1]
    chains = [(_unit_chain(record, s, unit, l, j), frozenset({delta}))]
    chains += [
        (_weight_chain(record, s, unit, l, i, j), frozenset({delta, weights}))
        for i in range(fan_in if most is None else min(fan_in, most))
    ]
    if record.scenario.biases is not None:
        chains.append((_bias_chain(record, s, unit, l, j), frozenset({delta, bias})))
    return tuple(chains)


def unit_chains(record: StepRecord, node_id: str, reached: set[str], notation: str = ZAD.id) -> tuple[Chain, ...]:
    """The chains the stages in ``reached`` have revealed at a unit: its δ, then the gradient of each
    weight (and the bias) coming into it."""
    return tuple(chain for chain, needs in staged_chains(record, node_id, notation) if needs <= set(reached))
