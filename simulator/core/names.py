"""Names of units and layers, and the one table of Unicode sub- and superscripts.

Node ids (``x1``, ``h2_3``, ``o1``) are what links, tables and figures key on; their
labels (x₁, h²₃, o₁) and the layer mark ⁽ˡ⁾ are how titles, tables and captions print them.
"""

from __future__ import annotations

from functools import lru_cache

DIGITS = "0123456789"
SUBSCRIPT_DIGITS = "₀₁₂₃₄₅₆₇₈₉"
SUPERSCRIPT_DIGITS = "⁰¹²³⁴⁵⁶⁷⁸⁹"
TO_SUBSCRIPT = str.maketrans(DIGITS, SUBSCRIPT_DIGITS)
TO_SUPERSCRIPT = str.maketrans("-" + DIGITS, "⁻" + SUPERSCRIPT_DIGITS)
FROM_SUBSCRIPT = str.maketrans(SUBSCRIPT_DIGITS, DIGITS)
FROM_SUPERSCRIPT = str.maketrans("⁻" + SUPERSCRIPT_DIGITS, "-" + DIGITS)


def subscript(text: object) -> str:
    """12 → ₁₂."""
    return str(text).translate(TO_SUBSCRIPT)


def superscript(text: object) -> str:
    """-12 → ⁻¹²."""
    return str(text).translate(TO_SUPERSCRIPT)


def layer_mark(l: int) -> str:
    """⁽¹⁾, ⁽²⁾, …: the layer superscript in plain text (titles, tables, captions)."""
    return "⁽" + superscript(l) + "⁾"


def unit_names(layers: tuple[int, ...]) -> tuple[tuple[str, ...], ...]:
    """Node ids per layer: x1.., h1.. (h2_1.. with several hidden layers), o1.."""
    return _unit_names(tuple(layers))


@lru_cache(maxsize=256)  # pure, and asked for thousands of times per walk of a large network
def _unit_names(layers: tuple[int, ...]) -> tuple[tuple[str, ...], ...]:
    last = len(layers) - 1
    names = []
    for l, size in enumerate(layers):
        if l == 0:
            prefix = "x"
        elif l == last:
            prefix = "o"
        else:
            prefix = "h" if last == 2 else f"h{l}_"
        names.append(tuple(f"{prefix}{i + 1}" for i in range(size)))
    return tuple(names)


@lru_cache(maxsize=4096)
def unit_label(name: str) -> str:
    """x1 → x₁, h2_3 → h²₃ (hidden unit 3 of layer 2)."""
    letter, rest = name[0], name[1:]
    if "_" in rest:
        layer, index = rest.split("_")
        return letter + superscript(layer) + subscript(index)
    return letter + subscript(rest)
