"""Datasets: CSV in and out, the built-in sets, and fitting a dataset onto a network.

A dataset is two read-only arrays with one row per example: ``x`` (n, inputs) and
``t`` (n, outputs). The scenario stores it as ``((x, target), …)``; see
:func:`dataset_of` and :func:`with_dataset`.

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
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .editing import with_layers
from .scenario import MAX_ABS_VALUE, MAX_DATASET, MAX_FILE_BYTES, Scenario, ScenarioError

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_COLUMN = re.compile(r"([xty])(\d+)")
DECIMALS = 3  # built-in sets are rounded so that files and links stay short


class DataError(ScenarioError):
    """Every problem found in a CSV file, each naming its row and column."""

    heading = "is not a valid dataset"


@dataclass(frozen=True, eq=False)
class Dataset:
    """Examples as rows: ``x`` is (n, inputs), ``t`` is (n, outputs); both read-only."""

    x: np.ndarray
    t: np.ndarray

    def __post_init__(self) -> None:
        for name in ("x", "t"):
            array = np.array(getattr(self, name), dtype=float, ndmin=2)
            array.setflags(write=False)
            object.__setattr__(self, name, array)
        if self.x.shape[0] != self.t.shape[0]:
            raise ValueError(f"dataset: {self.x.shape[0]} inputs rows but {self.t.shape[0]} target rows")

    def __len__(self) -> int:
        return self.x.shape[0]

    @property
    def inputs(self) -> int:
        return self.x.shape[1]

    @property
    def outputs(self) -> int:
        return self.t.shape[1]

    def examples(self) -> list[dict[str, list[float]]]:
        """The scenario JSON's ``dataset`` field."""
        return [{"x": x.tolist(), "target": t.tolist()} for x, t in zip(self.x, self.t)]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Dataset):
            return NotImplemented
        return np.array_equal(self.x, other.x) and np.array_equal(self.t, other.t)

    __hash__ = None  # type: ignore[assignment]


def dataset_of(scenario: Scenario) -> Dataset:
    """The scenario's dataset, or its single example as a one-row dataset."""
    if scenario.dataset is None:
        return Dataset(scenario.x[None, :], scenario.target[None, :])
    return Dataset(np.array([x for x, _ in scenario.dataset]), np.array([t for _, t in scenario.dataset]))


# --- CSV -------------------------------------------------------------------


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


# --- fitting onto a network ------------------------------------------------


def fit_problems(dataset: Dataset, scenario: Scenario) -> list[str]:
    """Why the dataset cannot train this network as it is (empty when it can)."""
    layers = scenario.layers
    problems = []
    if dataset.inputs != layers[0]:
        problems.append(f"the data has {dataset.inputs} inputs, the network has {layers[0]} input units")
    if dataset.outputs != layers[-1]:
        problems.append(f"the data has {dataset.outputs} targets, the network has {layers[-1]} output units")
    if scenario.loss == "cross_entropy":
        outside = np.flatnonzero(np.any((dataset.t < 0) | (dataset.t > 1), axis=1))
        if outside.size:
            problems.append(
                f"cross-entropy needs targets between 0 and 1; "
                f"example {outside[0] + 1} has {dataset.t[outside[0]].tolist()}"
            )
        if scenario.activations[-1] == "softmax":
            off = np.flatnonzero(np.abs(dataset.t.sum(axis=1) - 1.0) > 1e-9)
            if off.size:
                problems.append(
                    f"softmax with cross-entropy needs targets that sum to 1; example {off[0] + 1} does not"
                )
    return problems


def resized_layers(dataset: Dataset, scenario: Scenario) -> list[int]:
    """The network's layer sizes with the input and output layers sized to the data."""
    return [dataset.inputs, *scenario.layers[1:-1], dataset.outputs]


def with_dataset(scenario: Scenario, dataset: Dataset, resize: bool = False) -> Scenario:
    """The scenario training on ``dataset``; its single example becomes the dataset's first.

    With ``resize`` the input and output layers take the data's sizes (every weight that still
    fits is kept, see :func:`simulator.editing.with_layers`). Raises ScenarioError when it does not fit.
    """
    if resize:
        scenario = with_layers(scenario, resized_layers(dataset, scenario))
    problems = fit_problems(dataset, scenario)
    if problems:
        raise ScenarioError(problems)
    return scenario.replace(dataset=dataset.examples(), x=dataset.x[0].tolist(), target=dataset.t[0].tolist())


# --- built-in sets -----------------------------------------------------------


def _binary(points: np.ndarray, labels: np.ndarray, noise: float, rng: np.random.Generator) -> Dataset:
    """Jitter the points, shuffle, round; targets 1.0 / 0.0."""
    points = points + rng.normal(0.0, noise, size=points.shape) if noise else points
    order = rng.permutation(len(points))
    return Dataset(points[order].round(DECIMALS) + 0.0, labels[order, None].astype(float))  # + 0.0: no −0


def _halves(n: int) -> tuple[int, int]:
    return n - n // 2, n // 2


def xor(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """Points in the square [−1, 1]²; target 1 where x₁ and x₂ have different signs."""
    points = rng.uniform(-1.0, 1.0, size=(n, 2))
    points += np.sign(points) * 0.05  # a small gap along the axes, as in Playground
    labels = points[:, 0] * points[:, 1] < 0
    return _binary(points, labels, noise, rng)


def circle(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """Target 1 inside radius 0.5, 0 on the ring from radius 0.7 to 1."""
    inside, outside = _halves(n)
    radius = np.concatenate([rng.uniform(0.0, 0.5, inside), rng.uniform(0.7, 1.0, outside)])
    angle = rng.uniform(0.0, 2 * np.pi, n)
    points = np.column_stack([radius * np.cos(angle), radius * np.sin(angle)])
    return _binary(points, np.arange(n) < inside, noise, rng)


def gaussians(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """Two round clouds of spread 0.25 + noise: target 1 around (0.5, 0.5), 0 around (−0.5, −0.5)."""
    first, second = _halves(n)
    centres = np.repeat([[0.5, 0.5], [-0.5, -0.5]], [first, second], axis=0)
    points = centres + rng.normal(0.0, 0.25 + noise, size=(n, 2))
    return _binary(points, np.arange(n) < first, 0.0, rng)


def spiral(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """Two interleaved spiral arms of radius up to 1 (Playground's), target 1 on one arm, 0 on the other."""
    first, second = _halves(n)
    arms = []
    for count, turn in ((first, 0.0), (second, np.pi)):
        r = np.arange(1, count + 1) / count
        angle = 1.75 * 2 * np.pi * r + turn
        arms.append(np.column_stack([r * np.sin(angle), r * np.cos(angle)]))
    return _binary(np.concatenate(arms), np.arange(n) < first, noise, rng)


def sine(n: int, noise: float, rng: np.random.Generator) -> Dataset:
    """One input in [−1, 1]; target 0.5 + 0.4 sin(πx) (+ noise, kept within [0, 1])."""
    x = np.sort(rng.uniform(-1.0, 1.0, n))
    t = 0.5 + 0.4 * np.sin(np.pi * x) + rng.normal(0.0, noise, n)
    order = rng.permutation(n)
    return Dataset(x[order, None].round(DECIMALS) + 0.0, np.clip(t[order], 0.0, 1.0).round(DECIMALS)[:, None])


MAX_NOISE = 1.0


@dataclass(frozen=True)
class BuiltIn:
    """A seeded generator: ``DATASETS[name](n, noise, seed)`` gives the same data for the same arguments."""

    name: str
    label: str
    inputs: int
    make: Callable[[int, float, np.random.Generator], Dataset]
    size: int = 200
    noise: float = 0.0

    def __call__(self, n: int | None = None, noise: float | None = None, seed: int = 0) -> Dataset:
        n = self.size if n is None else n
        noise = self.noise if noise is None else noise
        problems = []
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_DATASET:
            problems.append(f"size: must be a whole number from 1 to {MAX_DATASET}, got {n!r}")
        if isinstance(noise, bool) or not isinstance(noise, (int, float)) or not 0 <= noise <= MAX_NOISE:
            problems.append(f"noise: must be a number from 0 to {MAX_NOISE:g}, got {noise!r}")
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            problems.append(f"seed: must be a whole number 0 or more, got {seed!r}")
        if problems:
            raise ScenarioError(problems)
        return self.make(int(n), float(noise), np.random.default_rng(int(seed)))


DATASETS: dict[str, BuiltIn] = {
    maker.name: maker
    for maker in (
        BuiltIn("xor", "XOR: opposite quadrants", 2, xor),
        BuiltIn("circle", "Circle: inside or outside", 2, circle),
        BuiltIn("gaussians", "Two Gaussians", 2, gaussians),
        BuiltIn("spiral", "Two spirals", 2, spiral),
        BuiltIn("sine", "Sine (1 input, regression)", 1, sine, size=64, noise=0.0),
    )
}
