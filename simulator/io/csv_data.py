"""CSV files of datasets, in and out.

CSV column rule: a header row is required. Columns named ``x1, x2, …`` are the inputs and
``t1, t2, …`` (or ``y1, y2, …``) the targets, case-insensitive, in any order; each group is
numbered from 1 without gaps. Commas separate cells; a file whose header has semicolons but
no comma is read with semicolons, and then a decimal comma (``0,5``) is accepted. Rows are
counted as a spreadsheet counts them: the header is row 1, the first example row 2.
Completely blank rows are skipped (and still counted). Line ends may be ``\n``, ``\r\n`` or ``\r``; a
cell never spans lines. Cells are numbers by the one rule for typed numbers
(:mod:`simulator.core.numbers`). Everything is bounded while reading: the header is checked as text
first (at most 16 inputs and 16 targets, column numbers of at most two digits), reading stops at the
257th example row or the 100th problem, and at most ten problems are listed, each quoting at most 40
characters of a cell with invisible characters escaped.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator

import numpy as np

from ..core.datasets import Dataset
from ..core.messages import MAX_LISTED, listed, quote
from ..core.numbers import plain
from ..core.scenario import MAX_ABS_VALUE, MAX_DATASET, MAX_FILE_BYTES, MAX_UNITS, ScenarioError
from .files import read_limited

MAX_COLUMNS = 2 * MAX_UNITS  # 16 inputs and 16 targets
MAX_PROBLEMS = 100  # problems collected before reading stops (at most MAX_LISTED are shown)
_NOT_FINITE = ("nan", "inf", "infinity")


class DataError(ScenarioError):
    """Every problem found in a CSV file, each naming its row and column."""

    heading = "is not a valid dataset"

    def __init__(self, problems: list[str]):
        super().__init__(listed(problems, MAX_LISTED, "problems"))


def _column(cell: str) -> tuple[str, int] | None:
    """("x", 3) for "x3" (any case, spaces around): a letter x, t or y and a number from 1 to 16, or None."""
    name = cell.strip().lower()
    digits = name[1:]
    if not name or name[0] not in "xty" or not (digits.isascii() and digits.isdigit()) or len(digits) > 2:
        return None
    return (name[0], int(digits)) if 1 <= int(digits) <= MAX_UNITS else None


def _header(cells: list[str], row: int, problems: list[str]) -> tuple[list[int], list[int]] | None:
    """Column positions of x1..xn and of t1..tm (or y1..ym), or None with the problems noted."""
    if len(cells) > MAX_COLUMNS:
        problems.append(f"row {row}: has {len(cells):,} columns, at most {MAX_COLUMNS} (16 inputs and 16 targets)")
        return None
    groups: dict[str, dict[int, int]] = {"x": {}, "t": {}, "y": {}}
    for position, cell in enumerate(cells):
        found = _column(cell)
        if found is None:
            problems.append(
                f"row {row}, column {position + 1}: {quote(cell.strip())} is not a column name; "
                f"name inputs x1, x2, … and targets t1, t2, … (at most {MAX_UNITS} of each)"
            )
            continue
        letter, index = found
        if index in groups[letter]:
            problems.append(f"row {row}, column {position + 1}: {letter}{index} appears twice")
        groups[letter][index] = position
    if groups["t"] and groups["y"]:
        problems.append(f"row {row}: name the targets either t1, t2, … or y1, y2, …, not both")
    targets = groups["t"] or groups["y"]
    letter = "t" if groups["t"] or not groups["y"] else "y"
    for name, found in (("x", groups["x"]), (letter, targets)):
        missing = [f"{name}{i}" for i in range(1, max(found, default=0) + 1) if i not in found]
        if missing:
            many = "columns " + ", ".join(missing) + " are" if len(missing) > 1 else f"column {missing[0]} is"
            problems.append(f"row {row}: {many} missing (columns are numbered from 1 without gaps)")
    if not groups["x"] and not problems:
        problems.append(f"row {row}: no input column; name the inputs x1, x2, …")
    if not targets and not problems:
        problems.append(f"row {row}: no target column; name the targets t1, t2, … (or y1, y2, …)")
    if problems:
        return None
    return [groups["x"][i] for i in sorted(groups["x"])], [targets[i] for i in sorted(targets)]


def _value(cell: str, where: str, problems: list[str]) -> float:
    text = cell.strip()
    if not text:
        problems.append(f"{where}: is empty")
        return math.nan
    found = plain(text)
    if found is None:
        finite = text[:10].lower().lstrip("+-−") not in _NOT_FINITE
        problems.append(f"{where}: {quote(text)} is not {'a' if finite else 'a finite'} number")
        return math.nan
    value = float(found)
    if not abs(value) <= MAX_ABS_VALUE:
        problems.append(f"{where}: {quote(text)} is outside -1e6 to 1e6")
        return math.nan
    return value


def _text(data: str | bytes) -> str:
    size = len(data) if isinstance(data, bytes) else len(data) if len(data) > MAX_FILE_BYTES else len(data.encode())
    if size > MAX_FILE_BYTES:
        raise DataError([f"file: must be at most 1 MB, got {size / 1e6:.1f} MB"])
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(["file: is not UTF-8 text (save it as CSV UTF-8)"]) from None
    return data.removeprefix("\ufeff")


_VISIBLE = re.compile(r"\S")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(line number, line) for each line with a visible character, found by a C-speed search, so a
    megabyte of blank lines costs one scan rather than a million Python steps."""
    number, position = 1, 0
    while (found := _VISIBLE.search(text, position)) is not None:
        start = text.rfind("\n", 0, found.start()) + 1
        end = text.find("\n", found.start())
        end = len(text) if end < 0 else end
        number += text.count("\n", position, start)
        yield number, text[start:end]
        position = end


def _rows(text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """(spreadsheet row number, cells) for each line with a visible character; blank lines still count."""
    for number, line in _lines(text):
        try:
            cells = next(csv.reader([line], delimiter=delimiter, strict=True), [])
        except csv.Error as err:
            reason = "a quote opens a cell that does not close on its line" if "end of data" in str(err) else err
            raise DataError([f"row {number}: is not readable as CSV ({reason})"]) from None
        if any(cell.strip() for cell in cells):
            yield number, cells


def _examples(rows: Iterator[tuple[int, list[str]]], header: list[str], header_row: int) -> list[list[float]]:
    """The example rows, read while streaming: stops at the first row past :data:`MAX_DATASET`."""
    names = [cell.strip().lower() for cell in header]
    values: list[list[float]] = []
    problems: list[str] = []
    for number, row in rows:
        if len(values) == MAX_DATASET:
            raise DataError(
                [
                    f"file: has more than {MAX_DATASET} example rows, at most {MAX_DATASET} are allowed "
                    f"(stopped at row {number})"
                ]
            )
        if len(row) != len(header):
            problems.append(f"row {number}: has {len(row):,} cells, the header row {header_row} has {len(header)}")
            values.append([])
        else:
            values.append([_value(cell, f"row {number}, column {names[j]}", problems) for j, cell in enumerate(row)])
        if len(problems) >= MAX_PROBLEMS:
            break
    if problems:
        raise DataError(problems)
    if not values:
        raise DataError(["file: has a header but no examples"])
    return values


def dataset_from_csv(data: str | bytes, layers: tuple[int, ...] | list[int] | None = None) -> Dataset:
    """Parse a CSV file (see the module docstring for the column rule).

    With ``layers``, the numbers of input and target columns must also match the network's
    input and output units. Every problem is collected and raised as one :class:`DataError`.
    """
    text = _text(data).replace("\r\n", "\n").replace("\r", "\n")
    first = next(_lines(text), (0, ""))[1]
    delimiter = "," if "," in first or ";" not in first else ";"
    rows = _rows(text, delimiter)
    header_row, header = next(rows, (0, []))
    if not header:
        raise DataError(["file: is empty; it needs a header row (x1, x2, …, t1, …) and at least one example"])
    problems: list[str] = []
    columns = _header(header, header_row, problems)
    if columns is None:
        raise DataError(problems)
    input_columns, target_columns = columns
    if layers is not None and (len(input_columns), len(target_columns)) != (layers[0], layers[-1]):
        raise DataError(
            [
                f"file: has {len(input_columns)} input and {len(target_columns)} target columns, "
                f"the network {list(layers)} needs {layers[0]} and {layers[-1]}"
            ]
        )
    values = np.array(_examples(rows, header, header_row), dtype=float)
    return Dataset(values[:, input_columns], values[:, target_columns])


def load_dataset(path: str, layers: tuple[int, ...] | list[int] | None = None) -> Dataset:
    """Read and parse a CSV file (a regular file of at most 1 MB)."""
    return dataset_from_csv(read_limited(path, DataError), layers)


def _cell(value: float) -> str:
    return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(float(value))


def dataset_to_csv(dataset: Dataset) -> str:
    """x1,…,t1,… and one row per example; floats written so that reading them back is exact."""
    header = [f"x{i + 1}" for i in range(dataset.inputs)] + [f"t{i + 1}" for i in range(dataset.outputs)]
    lines = [",".join(header)]
    lines += [",".join(_cell(v) for v in (*x, *t)) for x, t in zip(dataset.x, dataset.t)]
    return "\n".join(lines) + "\n"
