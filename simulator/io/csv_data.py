"""CSV files of datasets, in and out.

CSV column rule: a header row is required. Columns named ``x1, x2, …`` are the inputs and
``t1, t2, …`` (or ``y1, y2, …``) the targets, case-insensitive, in any order; each group is
numbered from 1 without gaps. Commas separate cells; a file whose header has semicolons but
no comma is read with semicolons, and then a decimal comma (``0,5``) is accepted. Rows are
counted as a spreadsheet counts them: the header is row 1, the first example row 2.
Completely blank rows are skipped (and still counted).
"""

from __future__ import annotations

import csv
import io
import math
import re

import numpy as np

from ..core.datasets import Dataset
from ..core.scenario import MAX_ABS_VALUE, MAX_DATASET, MAX_FILE_BYTES, ScenarioError

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_COLUMN = re.compile(r"([xty])(\d+)")


class DataError(ScenarioError):
    """Every problem found in a CSV file, each naming its row and column."""

    heading = "is not a valid dataset"


def quoted(text: str, limit: int = 40) -> str:
    """'text' in quotes, cut to ``limit`` characters."""
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return "'" + text.replace("\n", " ") + "'"


def _header(cells: list[str], row: int, problems: list[str]) -> tuple[list[int], list[int]] | None:
    """Column positions of x1..xn and of t1..tm (or y1..ym), or None with the problems noted."""
    groups: dict[str, dict[int, int]] = {"x": {}, "t": {}, "y": {}}
    for position, cell in enumerate(cells):
        name = cell.strip().lower()
        match = _COLUMN.fullmatch(name)
        column = f"row {row}, column {position + 1}"
        if not match or int(match[2]) < 1:
            problems.append(
                f"{column}: {quoted(cell.strip())} is not a column name; name inputs x1, x2, … and targets t1, t2, …"
            )
            continue
        letter, index = match[1], int(match[2])
        if index in groups[letter]:
            problems.append(f"{column}: {name} appears twice")
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


def _value(cell: str, where: str, decimal_comma: bool, problems: list[str]) -> float:
    text = cell.strip()
    if decimal_comma:
        text = text.replace(",", ".")
    if not text:
        problems.append(f"{where}: is empty")
        return math.nan
    if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
        problems.append(f"{where}: {quoted(cell.strip())} is not a finite number")
        return math.nan
    if not _NUMBER.fullmatch(text):
        problems.append(f"{where}: {quoted(cell.strip())} is not a number")
        return math.nan
    value = float(text)
    if not abs(value) <= MAX_ABS_VALUE:
        problems.append(f"{where}: {quoted(cell.strip())} is outside -1e6 to 1e6")
        return math.nan
    return value


def _text(data: str | bytes) -> str:
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_FILE_BYTES:
        raise DataError([f"file: must be at most 1 MB, got {size / 1e6:.1f} MB"])
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise DataError(["file: is not UTF-8 text (save it as CSV UTF-8)"]) from None
    return data.removeprefix("\ufeff")


def dataset_from_csv(data: str | bytes, layers: tuple[int, ...] | list[int] | None = None) -> Dataset:
    """Parse a CSV file (see the module docstring for the column rule).

    With ``layers``, the numbers of input and target columns must also match the network's
    input and output units. Every problem is collected and raised as one :class:`DataError`.
    """
    text = _text(data)
    lines = text.splitlines()
    first = next((line for line in lines if line.strip()), "")
    if not first:
        raise DataError(["file: is empty; it needs a header row (x1, x2, …, t1, …) and at least one example"])
    delimiter = "," if "," in first or ";" not in first else ";"
    decimal_comma = delimiter == ";"
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as err:
        raise DataError([f"file: is not readable as CSV ({err})"]) from None
    # Leading blank lines still count as spreadsheet rows.
    numbered = [(number, row) for number, row in enumerate(rows, start=1) if any(cell.strip() for cell in row)]
    (header_row, header), body = numbered[0], numbered[1:]
    problems: list[str] = []
    columns = _header(header, header_row, problems)
    if problems:
        raise DataError(problems)
    input_columns, target_columns = columns
    names = [cell.strip().lower() for cell in header]
    if not body:
        raise DataError(["file: has a header but no examples"])
    if len(body) > MAX_DATASET:
        raise DataError([f"file: has {len(body)} example rows, at most {MAX_DATASET} are allowed"])
    if layers is not None and (len(input_columns), len(target_columns)) != (layers[0], layers[-1]):
        problems.append(
            f"file: has {len(input_columns)} input and {len(target_columns)} target columns, "
            f"the network {list(layers)} needs {layers[0]} and {layers[-1]}"
        )
    values = np.full((len(body), len(header)), math.nan)
    for i, (number, row) in enumerate(body):
        if len(row) != len(header):
            problems.append(f"row {number}: has {len(row)} cells, the header row {header_row} has {len(header)}")
            continue
        for j, cell in enumerate(row):
            values[i, j] = _value(cell, f"row {number}, column {names[j]}", decimal_comma, problems)
    if problems:
        raise DataError(problems)
    return Dataset(values[:, input_columns], values[:, target_columns])


def load_dataset(path: str, layers: tuple[int, ...] | list[int] | None = None) -> Dataset:
    """Read and parse a CSV file (at most 1 MB)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as err:
        raise DataError([f"file: cannot read {path} ({err.strerror})"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise DataError(["file: must be at most 1 MB"])
    return dataset_from_csv(raw, layers)


def _cell(value: float) -> str:
    return repr(float(value)).removesuffix(".0") if float(value).is_integer() else repr(float(value))


def dataset_to_csv(dataset: Dataset) -> str:
    """x1,…,t1,… and one row per example; floats written so that reading them back is exact."""
    header = [f"x{i + 1}" for i in range(dataset.inputs)] + [f"t{i + 1}" for i in range(dataset.outputs)]
    lines = [",".join(header)]
    lines += [",".join(_cell(v) for v in (*x, *t)) for x, t in zip(dataset.x, dataset.t)]
    return "\n".join(lines) + "\n"
