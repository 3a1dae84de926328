"""pandas tables of the training lab: two steps of a history side by side."""

from __future__ import annotations

import numpy as np
import pandas as pd
from pandas.io.formats.style import Styler

from ..core.batch import batch_gradients
from ..core.history import History
from ..core.names import layer_mark, unit_label, unit_names
from .formatting import number

CHANGE = "change"


def _gradients(history: History, k: int):
    """Step k's weights and the gradient of the mean loss E over the data at them."""
    params = history.weights_at(k)
    trainer = history.trainer
    with np.errstate(over="ignore", invalid="ignore"):
        loss, dWs, dbs = batch_gradients(trainer.network, params.weights, params.biases, trainer.x, trainer.t)
    return params, dWs, dbs


def _side_by_side(names: list[str], symbol: str, k1: int, k2: int, values1, values2, grads1, grads2) -> pd.DataFrame:
    v1, v2, g1, g2 = (np.ravel(v) for v in (values1, values2, grads1, grads2))
    return pd.DataFrame(
        {
            f"{symbol} at step {k1}": v1,
            f"{symbol} at step {k2}": v2,
            f"{symbol} {CHANGE}": v2 - v1,
            f"∂E/∂{symbol} at step {k1}": g1,
            f"∂E/∂{symbol} at step {k2}": g2,
            f"∂E/∂{symbol} {CHANGE}": g2 - g1,
        },
        index=names,
    )


def diff_tables(history: History, k1: int, k2: int) -> dict[str, pd.DataFrame]:
    """E, then each W⁽ˡ⁾ (and b⁽ˡ⁾) at steps k1 and k2 with the change, one row per weight.

    ∂E/∂W is the gradient of the mean loss E over the data at that step's weights (what a
    full-batch step would use); the change is the value at k2 minus the value at k1.
    """
    scenario = history.start
    p1, dW1, db1 = _gradients(history, k1)
    p2, dW2, db2 = _gradients(history, k2)
    e1, e2 = history.loss_at(k1), history.loss_at(k2)
    tables = {
        "E": pd.DataFrame(
            {f"E at step {k1}": [e1], f"E at step {k2}": [e2], f"E {CHANGE}": [e2 - e1]}, index=["mean loss"]
        )
    }
    units = [[unit_label(n) for n in layer] for layer in unit_names(scenario.layers)]
    for l in range(1, len(units)):
        names = [f"{a}→{b}" for a in units[l - 1] for b in units[l]]
        symbol = f"W{layer_mark(l)}"
        tables[symbol] = _side_by_side(
            names, symbol, k1, k2, p1.weights[l - 1], p2.weights[l - 1], dW1[l - 1], dW2[l - 1]
        )
    if p1.biases is not None:
        for l in range(1, len(units)):
            symbol = f"b{layer_mark(l)}"
            tables[symbol] = _side_by_side(
                units[l], symbol, k1, k2, p1.biases[l - 1], p2.biases[l - 1], db1[l - 1], db2[l - 1]
            )
    return tables


def _change_colours(frame: pd.DataFrame) -> pd.DataFrame:
    """Blue where a change is positive, vermillion where negative, strength ∝ |change| / largest in its column."""
    css = pd.DataFrame("", index=frame.index, columns=frame.columns)
    for column in frame.columns:
        if not column.endswith(CHANGE):
            continue
        values = frame[column].to_numpy(dtype=float)
        largest = np.max(np.abs(values)) if values.size else 0.0
        for i, value in enumerate(values):
            strength = 0.0 if largest == 0 or not np.isfinite(value) else abs(value) / largest
            rgb = "0,114,178" if value >= 0 else "213,94,0"
            css.iloc[i, frame.columns.get_loc(column)] = (
                f"background-color: rgba({rgb},{0.08 + 0.5 * strength:.2f}); color: #1F2430"
            )
    return css


def styled_diff(frame: pd.DataFrame) -> Styler:
    """4 significant digits (scientific below 1e-3); change columns coloured by sign and size."""
    return frame.style.apply(_change_colours, axis=None).format(number)
