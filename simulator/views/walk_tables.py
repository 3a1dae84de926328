"""Small HTML tables for the browser's stage view: every text escaped, every number formatted here.

Pure: grids, rows and engine records in, strings out (no pandas: a small DataFrame costs more than its
HTML). The page never builds HTML from user text; all cells are numbers formatted by
:mod:`simulator.formatting` and labels made by the app.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from html import escape as _escape

import numpy as np

from ..core.gradcheck import AGREEMENT, StageGradientCheck
from ..core.mistakes import MISTAKES
from ..core.record import StepRecord
from .formatting import number
from .graph_text import EDGE_COLUMNS, UNIT_COLUMNS, GraphTable, edge_rows, layer_state, shown_at, unit_rows
from .learning_tables import AGREE, DISAGREE, gradient_check_rows, mistake_comparison_rows
from .stage_parts import Stage
from .tables import Grid

DIFFERS = "background-color: rgba(213,94,0,0.28); font-weight: 600"
ESCAPED = 4_096  # cell texts kept escaped (≈ 0.6 MB at most): a walk writes the same labels and numbers in many tables

escape = lru_cache(maxsize=ESCAPED)(_escape)  # pure: html.escape, each text escaped once


def _row(label, texts, css=None) -> str:
    cells = "".join(
        f'<td style="{escape(css[c])}">{escape(str(text))}</td>' if css is not None and css[c]
        else f"<td>{escape(str(text))}</td>"
        for c, text in enumerate(texts)
    )  # fmt: skip
    return f"<tr><th>{escape(str(label))}</th>{cells}</tr>"


def _head(columns: list, caption: str = "") -> str:
    head = "".join(f"<th>{escape(str(c))}</th>" for c in columns)
    title = f"<caption>{escape(caption)}</caption>" if caption else ""
    return f'<table class="bp-table">{title}<thead><tr><th></th>{head}</tr></thead><tbody>'


def _table(columns: list, index: list, texts, css=None, caption: str = "") -> str:
    rows = "".join(
        _row(label, texts[r][: len(columns)], None if css is None else css[r]) for r, label in enumerate(index)
    )
    return f"{_head(columns, caption)}{rows}</tbody></table>"


def stage_table(caption: str, grid: Grid) -> str:
    """A stage's table as the page styles it: diverging tints, new values with the digits that tell them apart."""
    return _table(list(grid.columns), list(grid.rows), grid.texts(), grid.tints(), caption)


def _rows_table(rows: list[dict], texts, flag: str, on: str, off: str) -> str:
    """``rows`` (dicts, the first key naming the row) as a table of ``texts``, a row's cells ``on`` where its
    ``flag`` is true."""
    if not rows:
        return _table([], [], [])
    name, *columns = rows[0]
    css = [[on if row[flag] else off] * len(columns) for row in rows]
    return _table(columns, [row[name] for row in rows], texts, css)


def check_verdict(check: StageGradientCheck, digits: int | None, mistake: str | None) -> str:
    """The gradient check in words: how many agree, the worst relative error, and what the mistake did."""
    agree, size = int(check.agrees().sum()), check.analytic.size
    verdict = (
        f"All {size} agree: the largest relative error is {check.worst:.1e} (≤ {AGREEMENT:.0e})."
        if agree == size
        else f"{size - agree} of {size} disagree: the largest relative error is "
        f"{check.worst:.1e}, far above {AGREEMENT:.0e}."
    )
    if digits:
        verdict += f" (Checked at full precision, not at paper mode's {digits} digits.)"
    if mistake is not None and agree < size:
        verdict += f" The mistake “{MISTAKES[mistake].title}” bent the gradient: the check fails."
    elif mistake is not None:
        verdict += f" The mistake “{MISTAKES[mistake].title}” does not touch this gradient."
    return (
        f"ε = {check.epsilon:g}; relative error |a − n| / (|a| + |n|). Blue rows agree, vermillion rows do not. "
        + verdict
    )


def check_html(check: StageGradientCheck, digits: int | None, mistake: str | None) -> dict[str, str]:
    """The gradient-check table, each row coloured by agreement, and its verdict."""
    rows = gradient_check_rows(check)
    texts = [
        [number(r["backprop ∂E/∂w"]), number(r["finite difference"]), f"{r['relative error']:.1e}", str(r["agree"])]
        for r in rows
    ]
    return {
        "table": _rows_table(rows, texts, "agree", AGREE, DISAGREE),
        "verdict": check_verdict(check, digits, mistake),
    }


def comparison_html(correct_stage, stage, masks) -> str:
    """Every value of a stage, correct against mistaken; differing rows shaded and bold."""
    rows = mistake_comparison_rows(correct_stage, stage, masks)
    texts = [[number(r["correct"]), number(r["with the mistake"]), str(r["differs"])] for r in rows]
    return _rows_table(rows, texts, "differs", DIFFERS, "")


def rows_html(rows: tuple[dict[str, str], ...]) -> str:
    """Rows of text (the graph as a table) as an HTML table; the first column is the row's name."""
    if not rows:
        return ""
    columns = list(rows[0])
    return _table(columns[1:], [r[columns[0]] for r in rows], [[r[c] for c in columns[1:]] for r in rows])


def graph_table_html(table: GraphTable) -> str:
    return rows_html(table.units) + rows_html(table.edges)


def _rows_body(rows: list[dict[str, str]]) -> str:
    """:func:`rows_html`'s rows alone (no head): the first column names the row."""
    return "".join(_row(values[0], values[1:]) for values in (list(row.values()) for row in rows))


def graph_table_pages(record: StepRecord, stages: tuple[Stage, ...]) -> Callable[[int, bool], str]:
    """:func:`graph_table_html` of :func:`graph_table` at each stage of one walk, each layer's rows written
    once per state (:func:`layer_state`) instead of at every stage: a large network's table is thousands of
    rows, and a stage changes the rows of one or two layers. Returns ``html(index, blank)``."""
    written: dict[tuple, str] = {}
    layers = range(len(record.scenario.layers))

    def rows(part: str, l: int, shown, reached) -> str:
        key = (part, l, layer_state(record, part, l, shown, reached))
        if key not in written:
            made = unit_rows(record, l, shown, reached) if part == "units" else edge_rows(record, l, shown)
            written[key] = _rows_body(made)
        return written[key]

    def html(index: int, blank: bool) -> str:
        shown, reached = shown_at(stages, index, blank)
        units = "".join(rows("units", l, shown, reached) for l in layers)
        edges = "".join(rows("edges", l, shown, reached) for l in layers[1:])
        return f"{_head(UNIT_COLUMNS)}{units}</tbody></table>{_head(EDGE_COLUMNS)}{edges}</tbody></table>"

    return html


_PLAIN = (str, int, bool, type(None))


def jsonable(value):
    """Figures and records as JSON: arrays to lists, NaN to null (a gap in a Plotly line)."""
    kind = type(value)
    if kind in _PLAIN:  # most leaves: checked first, by exact type
        return value
    if kind is dict:
        return {k: jsonable(v) for k, v in value.items()}
    if kind is float:
        return None if value != value else value
    if kind is np.ndarray and value.dtype.kind == "f" and value.ndim == 1:
        return [None if v != v else v for v in value.tolist()]
    if isinstance(value, np.ndarray):
        return [jsonable(v) for v in value.tolist()]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float | np.floating):
        return None if np.isnan(value) else float(value)
    if isinstance(value, np.integer | np.bool_):
        return value.item()
    return value
