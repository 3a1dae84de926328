"""pandas tables of a step, labelled by unit names, coloured on a diverging scale.

Each table is first a :class:`Grid` (labels and numbers, no pandas): the walk renders grids straight to
HTML (building a small DataFrame costs more than the rest of a stage's table), the page's
``st.dataframe`` views take :meth:`Grid.frame`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..core.mistakes import rules_of
from ..core.names import layer_mark, unit_label, unit_names
from ..core.record import StepRecord
from .formatting import distinct_pair, number
from .notation import ZAD, notation_named
from .stages import Stage


def _labels(scenario, l: int) -> list[str]:
    return [unit_label(n) for n in unit_names(scenario.layers)[l]]


def matrix_frame(values: np.ndarray, rows: list[str], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(np.atleast_2d(np.asarray(values, dtype=float)), index=rows, columns=columns)


def cell_texts(values: np.ndarray, rows: list[str], columns: list[str]) -> pd.DataFrame:
    """A matrix as editable text cells, 8 significant digits (0.500177005 shows as 0.50017701)."""
    texts = [[f"{v:.8g}" for v in row] for row in np.atleast_2d(np.asarray(values, dtype=float))]
    return pd.DataFrame(texts, index=rows, columns=columns)


@dataclass(frozen=True)
class Grid:
    """One table: row and column labels, the numbers (rows × columns) and, for new values, the values they
    replace (NaN where none), so each new one is shown with the digits that tell it from the old."""

    rows: tuple[str, ...]
    columns: tuple[str, ...]
    values: np.ndarray
    before: np.ndarray | None = None

    @staticmethod
    def of(values, rows, columns, before=None) -> Grid:
        values = np.atleast_2d(np.asarray(values, dtype=float))
        if before is not None:
            before = np.broadcast_to(np.asarray(before, dtype=float), values.shape)
        return Grid(tuple(rows), tuple(columns), values, before)

    def frame(self) -> pd.DataFrame:
        frame = matrix_frame(self.values, list(self.rows), list(self.columns))
        return frame if self.before is None else compared(frame, self.before)

    def texts(self) -> list[list[str]]:
        """What each cell shows, row by row (as :func:`cell_text` of :meth:`frame`)."""
        before = None if self.before is None else self.before.tolist()
        return [
            [_cell_text(value, math.nan if before is None else before[r][c]) for c, value in enumerate(row)]
            for r, row in enumerate(self.values.tolist())
        ]

    def tints(self) -> list[list[str]]:
        """Each cell's CSS, row by row (as :func:`_diverging` of :meth:`frame`)."""
        largest = _largest(self.values)
        return [[_tint(value, largest) for value in row] for row in self.values.tolist()]


def weight_grids(record: StepRecord, l: int) -> dict[str, Grid]:
    """W⁽ˡ⁾, its gradient, the update −η·dE/dW (the seed's printout negated) and the new weights."""
    rows, columns = _labels(record.scenario, l - 1), _labels(record.scenario, l)
    return {
        f"W{layer_mark(l)}": Grid.of(record.scenario.weights[l - 1], rows, columns),
        f"∂E/∂W{layer_mark(l)}": Grid.of(record.weight_gradients[l - 1], rows, columns),
        f"ΔW{layer_mark(l)} = −η·∂E/∂W{layer_mark(l)}": Grid.of(record.weight_updates[l - 1], rows, columns),
        f"W{layer_mark(l)} new": Grid.of(record.new_weights[l - 1], rows, columns, record.scenario.weights[l - 1]),
    }


def weight_tables(record: StepRecord, l: int) -> dict[str, pd.DataFrame]:
    """:func:`weight_grids` as frames."""
    return {caption: grid.frame() for caption, grid in weight_grids(record, l).items()}


def compared(frame: pd.DataFrame, before) -> pd.DataFrame:
    """``frame`` with the values it replaces (NaN where none): :func:`styled` then shows each cell with
    enough digits to differ from its old value (0.10004, not 0.1, for 0.1 → 0.1000354)."""
    frame = frame.copy()
    # Nested tuples, not an array: pandas compares attrs with == when it copies a frame.
    # and None, not NaN, where nothing is replaced: attrs travel to the browser as JSON.
    values = np.broadcast_to(np.asarray(before, dtype=float), frame.shape).tolist()
    frame.attrs["before"] = tuple(tuple(None if np.isnan(v) else v for v in row) for row in values)
    return frame


def _diverging(frame: pd.DataFrame) -> pd.DataFrame:
    """Blue for positive, vermillion for negative, strength ∝ |value| / largest in the table.

    Translucent tints and no text colour: the theme's text stays readable on them, light or dark.
    The sign is also in the number's minus, never in the colour alone."""
    return pd.DataFrame(_tints(frame.to_numpy(dtype=float)), index=frame.index, columns=frame.columns)


def _largest(values: np.ndarray):
    return np.max(np.abs(values)) if values.size else 0.0


def _tint(value: float, largest) -> str:
    strength = 0.0 if largest == 0 else abs(value) / largest
    rgb = "0,114,178" if value >= 0 else "213,94,0"
    return f"background-color: rgba({rgb},{0.08 + 0.5 * strength:.2f}); white-space: nowrap"


def _tints(values: np.ndarray) -> np.ndarray:
    largest = _largest(values)
    css = np.empty(values.shape, dtype=object)
    for index, value in np.ndenumerate(values):
        css[index] = _tint(value, largest)
    return css


def cell_text(frame: pd.DataFrame) -> np.ndarray:
    """What each cell shows: :func:`number`, with more digits where a value must differ from ``attrs["before"]``."""
    before = frame.attrs.get("before")
    return _cell_texts(frame.to_numpy(dtype=float), None if before is None else np.array(before, dtype=float))


def _cell_texts(values: np.ndarray, before: np.ndarray | None) -> np.ndarray:
    texts = np.empty(values.shape, dtype=object)
    for index, value in np.ndenumerate(values):
        texts[index] = _cell_text(value, np.nan if before is None else before[index])
    return texts


def _cell_text(value: float, old: float) -> str:
    """:func:`number`, or as many digits as tell ``value`` from the ``old`` one it replaces (NaN: none)."""
    return number(value) if old != old else distinct_pair(old, value)[1]


def styled(frame: pd.DataFrame) -> Styler:
    """Numbers to 4 significant digits, scientific below 1e-3 (1.770e-04, never 0.000); a new value
    with as many more as it takes to differ from the old one."""
    # Styler formats by value, not position: a value met twice keeps its longest text.
    shown: dict[float, str] = {}
    for value, text in zip(frame.to_numpy(dtype=float).ravel(), cell_text(frame).ravel()):
        if len(text) > len(shown.get(value, "")):
            shown[value] = text
    bare = frame.copy()
    bare.attrs = {}  # the digits are in the text now
    return bare.style.apply(_diverging, axis=None).format(lambda v: shown.get(v) or number(v))


def stage_tables(record: StepRecord, stage: Stage, notation: str = ZAD.id) -> dict[str, pd.DataFrame]:
    """:func:`stage_grids` as frames."""
    return {caption: grid.frame() for caption, grid in stage_grids(record, stage, notation).items()}


def stage_grids(record: StepRecord, stage: Stage, notation: str = ZAD.id) -> dict[str, Grid]:
    """The tables that belong with a stage: what it computes, in unit-labelled rows and columns, the rows
    named in the notation (z, a or net, out)."""
    scenario, chosen = record.scenario, notation_named(notation)
    l = stage.layer
    if stage.kind in ("gradient", "update") and stage.id[len(stage.kind) + 1] == "W":
        tables = weight_grids(record, l)
        keys = list(tables)
        return {k: tables[k] for k in (keys[:2] if stage.kind == "gradient" else keys[1:])}
    if stage.kind in ("gradient", "update"):  # a bias vector
        columns = _labels(scenario, l)
        values = [scenario.biases[l - 1], record.bias_gradients[l - 1], record.new_biases[l - 1]]
        nothing = np.full(len(columns), np.nan)
        before = [nothing, nothing, scenario.biases[l - 1]]
        return {f"b{layer_mark(l)}": Grid.of(values, ["b", "∂E/∂b", "b new"], columns, before)}
    if stage.kind == "forward":
        columns = _labels(scenario, l)
        rows = {chosen.z: record.zs[l - 1]}
        if stage.id.startswith("forward.a"):
            rows[chosen.a] = record.activations[l]
        inputs = _labels(scenario, l - 1)
        return {
            f"W{layer_mark(l)}": Grid.of(scenario.weights[l - 1], inputs, columns),
            f"Layer {l}": Grid.of(list(rows.values()), list(rows), columns),
        }
    if stage.kind == "loss":
        columns = _labels(scenario, len(scenario.layers) - 1)
        o, t = chosen.o, chosen.t
        first, second = (o, t) if rules_of(record.mistake).error_sign > 0 else (t, o)  # as the step took it
        rows = [o, t, f"e = {first} − {second}"]
        return {"Output and target": Grid.of([record.output, scenario.target, record.error], rows, columns)}
    if stage.kind == "delta":
        columns = _labels(scenario, l)
        return {f"δ{layer_mark(l)}": Grid.of([record.deltas[l - 1]], ["δ"], columns)}
    columns = _labels(scenario, len(scenario.layers) - 1)
    return {
        "Before and after the update": Grid.of(
            [record.output, record.new_output],
            ["o before", "o after"],
            columns,
            [np.full(len(columns), np.nan), record.output],
        )
    }
