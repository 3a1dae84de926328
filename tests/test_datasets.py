"""CSV datasets, the built-in sets and fitting data onto a network."""

import numpy as np
import pytest

from simulator import PRESETS, ScenarioError
from simulator.core.datasets import DATASETS, Dataset, dataset_of, fit_problems, with_dataset
from simulator.io.csv_data import DataError, dataset_from_csv, dataset_to_csv

XOR_CSV = "x1,x2,t1\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n"


def problems(data, **kwargs) -> list[str]:
    with pytest.raises(DataError) as raised:
        dataset_from_csv(data, **kwargs)
    return raised.value.problems


def test_a_good_file_gives_the_xor_dataset():
    dataset = dataset_from_csv(XOR_CSV)
    assert dataset == dataset_of(PRESETS["xor"])
    assert (dataset.inputs, dataset.outputs, len(dataset)) == (2, 1, 4)


def test_columns_in_any_order_any_case_y_for_targets_bytes_with_bom_and_blank_rows():
    text = "\ufeffT1, X2 ,x1\n\n1,0.5,-2e-1\n,,\n0,3,4\n"
    dataset = dataset_from_csv(text.encode("utf-8"))
    assert dataset.x.tolist() == [[-0.2, 0.5], [4.0, 3.0]]
    assert dataset.t.tolist() == [[1.0], [0.0]]
    assert dataset_from_csv("y1,x1\n1,2\n").t.tolist() == [[1.0]]


def test_semicolon_files_take_decimal_commas():
    assert dataset_from_csv("x1;t1\n0,5;1\n").x.tolist() == [[0.5]]


def test_every_bad_cell_is_named_by_spreadsheet_row_and_column():
    text = "x1,x2,t1\n0,0,0\n0,abc,1\n1,,1\n1,1,nan\n2,3,-inf\n4,5,2e6\n1e6,-1e6,1\n0x1,1_0,1\n"
    assert problems(text) == [
        'row 3, column x2: "abc" is not a number',
        "row 4, column x2: is empty",
        'row 5, column t1: "nan" is not a finite number',
        'row 6, column t1: "-inf" is not a finite number',
        'row 7, column t1: "2e6" is outside -1e6 to 1e6',
        'row 9, column x1: "0x1" is not a number',
        'row 9, column x2: "1_0" is not a number',
    ]


def test_long_cell_text_is_cut_to_forty_characters():
    (problem,) = problems("x1,t1\n" + "z" * 100 + ",1\n")
    assert problem == 'row 2, column x1: "' + "z" * 40 + '…" is not a number'


def test_wrong_cell_counts_are_reported_per_row():
    assert problems("x1,x2,t1\n1,2\n1,2,3,4\n1,2,3\n") == [
        "row 2: has 2 cells, the header row 1 has 3",
        "row 3: has 4 cells, the header row 1 has 3",
    ]


def test_header_problems():
    assert problems("a,t1\n1,2\n") == [
        'row 1, column 1: "a" is not a column name; name inputs x1, x2, … and targets t1, t2, … (at most 16 of each)'
    ]
    assert problems("x1,x3,t1\n1,2,3\n") == ["row 1: column x2 is missing (columns are numbered from 1 without gaps)"]
    assert problems("x1,x1,t1\n1,2,3\n") == ["row 1, column 2: x1 appears twice"]
    assert problems("x1,x2\n1,2\n") == ["row 1: no target column; name the targets t1, t2, … (or y1, y2, …)"]
    assert problems("x1,t1,y1\n1,2,3\n") == ["row 1: name the targets either t1, t2, … or y1, y2, …, not both"]


def test_empty_too_large_too_long_and_not_utf8_are_refused():
    assert problems("") == ["file: is empty; it needs a header row (x1, x2, …, t1, …) and at least one example"]
    assert problems("x1,t1\n") == ["file: has a header but no examples"]
    assert problems("x1,t1\n" + "1,0\n" * 257) == [
        "file: has more than 256 example rows, at most 256 are allowed (stopped at row 258)"
    ]
    assert problems("x1,t1\n" + "1" * 1_000_001) == ["file: must be at most 1 MB, got 1.0 MB"]
    assert problems(b"x1,t1\n\xff,1\n") == ["file: is not UTF-8 text (save it as CSV UTF-8)"]
    assert len(dataset_from_csv("x1,t1\n" + "1,0\n" * 256)) == 256


def test_layers_must_match_when_given():
    assert problems(XOR_CSV, layers=(3, 2, 1)) == [
        "file: has 2 input and 1 target columns, the network [3, 2, 1] needs 3 and 1"
    ]


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_csv_round_trip_is_exact(name):
    dataset = DATASETS[name](37, 0.1, 5)
    assert dataset_from_csv(dataset_to_csv(dataset)) == dataset
    odd = Dataset([[0.1 + 0.2, -1e-300]], [[1 / 3]])
    assert dataset_from_csv(dataset_to_csv(odd)) == odd


@pytest.mark.parametrize("name", sorted(DATASETS))
def test_built_in_sets_are_deterministic_per_seed(name):
    maker = DATASETS[name]
    first = maker(50, 0.2, 7)
    assert first == maker(50, 0.2, 7)
    assert first != maker(50, 0.2, 8)
    assert (len(first), first.inputs, first.outputs) == (50, maker.inputs, 1)
    assert np.all((first.t >= 0) & (first.t <= 1))
    assert np.all(np.isfinite(first.x)) and np.all(np.abs(first.x) < 5)


def test_built_in_sets_exact_values():
    # Pinned so that a change to a generator (and so to every shared link's data) is noticed.
    assert DATASETS["circle"](5, 0.1, 1).x.tolist() == [
        [-0.224, 0.173],
        [-0.109, 0.099],
        [0.703, 0.111],
        [0.149, -0.436],
        [-0.933, -0.331],
    ]
    assert DATASETS["circle"](5, 0.1, 1).t.ravel().tolist() == [1.0, 1.0, 0.0, 1.0, 0.0]


def test_binary_sets_are_balanced_and_labelled_by_their_rule():
    circle = DATASETS["circle"](101, 0.0, 3)
    radius = np.hypot(*circle.x.T)
    assert circle.t.sum() == 51
    assert np.all(radius[circle.t[:, 0] == 1] <= 0.5 + 1e-3) and np.all(radius[circle.t[:, 0] == 0] >= 0.7 - 1e-3)
    xor = DATASETS["xor"](64, 0.0, 0)
    assert np.array_equal(xor.t[:, 0] == 1, xor.x[:, 0] * xor.x[:, 1] < 0)


def test_bad_generator_arguments():
    with pytest.raises(ScenarioError) as raised:
        DATASETS["spiral"](0, -1, -2)
    assert raised.value.problems == [
        "size: must be a whole number from 1 to 256, got 0",
        "noise: must be a number from 0 to 1, got -1",
        "seed: must be a whole number 0 or more, got -2",
    ]


def test_with_dataset_fits_or_resizes():
    seed = PRESETS["seed"]
    data = DATASETS["circle"](20, 0.0, 0)
    assert fit_problems(data, seed) == ["the data has 2 inputs, the network has 3 input units"]
    with pytest.raises(ScenarioError, match="2 inputs"):
        with_dataset(seed, data)
    resized = with_dataset(seed, data, resize=True)
    assert resized.layers == (2, 2, 1)
    assert resized.weights[0].tolist() == [[0.5, -0.6], [0.1, -0.2]]  # the weights that still fit are kept
    assert dataset_of(resized) == data
    assert resized.x.tolist() == data.x[0].tolist() and resized.target.tolist() == data.t[0].tolist()


def test_cross_entropy_needs_targets_in_zero_one():
    scenario = PRESETS["xor"].replace(loss="cross_entropy")
    data = Dataset([[0, 0], [1, 1]], [[0.5], [1.5]])
    assert fit_problems(data, scenario) == ["cross-entropy needs targets between 0 and 1; example 2 has [1.5]"]
