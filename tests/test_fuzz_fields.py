"""Fuzzing the editor's text fields: x, target, learning rate, layer sizes and a weight cell."""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from simulator import SEED, ScenarioError
from simulator.core.editing import with_cell_edits, with_layers
from simulator.core.fields import parse_cell, parse_sizes, parse_vector

from .strategies import typed_text
from .test_fuzz_hostile import recorded
from .test_fuzz_links import strict

in_range = st.floats(-1e6, 1e6, allow_nan=False)


def answers(read, text):
    """What a field makes of ``text``: the value, or the messages (never any other exception)."""
    try:
        with strict():
            return recorded("field", read, text), None
    except ScenarioError as err:
        assert err.problems and all(p.isprintable() and len(p) < 300 for p in err.problems), err.problems
        assert not any(len(text) > 45 and text in p for p in err.problems)
        return None, err.problems


@given(typed_text)
def test_a_cell_is_a_number_within_limits_or_quoted_back(text):
    value, problems = answers(parse_cell, text)
    if problems is None:
        assert math.isfinite(value) and abs(value) <= 1e6
    else:
        assert (
            text.strip() == ""
            or text[:10].translate({0x5C: None}) in problems[0].translate({0x5C: None})
            or (not text[:10].isprintable())
        )


@given(typed_text, st.sampled_from(["x", "target"]))
def test_vector_fields_apply_or_refuse(text, field):
    values, problems = answers(lambda t: parse_vector(t, field), text)
    if problems is None:
        assert all(math.isfinite(v) and abs(v) <= 1e6 for v in values)
        answers(lambda v: SEED.replace(**{field: v}), values)


@given(typed_text)
def test_learning_rate_field(text):
    answers(lambda t: SEED.replace(learning_rate=parse_cell(t, "learning_rate")), text)


@given(typed_text)
def test_layer_sizes_field(text):
    sizes, problems = answers(parse_sizes, text)
    if problems is None:
        assert 2 <= len(sizes) <= 8 and all(1 <= n <= 16 for n in sizes)
        assert with_layers(SEED, sizes).layers == tuple(sizes)


@given(typed_text, st.integers(0, 2), st.integers(0, 1))
def test_weight_cells(text, row, column):
    edited, problems = answers(lambda t: with_cell_edits(SEED, "weights", 0, {row: {column: t}}), text)
    if problems is not None:
        assert problems[0].startswith(f"weights[0][{row}][{column}]: ")


@given(in_range)
def test_every_number_reads_back_in_each_notation(value):
    assert parse_cell(repr(value)) == value
    assert parse_cell(f" {value:.17g} ") == float(f"{value:.17g}")
    if "e" not in repr(value) and "." in repr(value):
        assert parse_cell(repr(value).replace(".", ",")) == value  # decimal comma
    assert parse_cell(repr(-abs(value)).replace("-", "−")) == -abs(value)  # the minus sign the page shows


@given(st.lists(in_range, min_size=1, max_size=16))
def test_vectors_read_back_with_every_separator(values):
    for separator in (", ", ",", "; ", " ", ";"):
        assert parse_vector(separator.join(map(repr, values))) == values
    commas = [repr(v).replace(".", ",") for v in values]
    if all("e" not in c for c in commas):
        assert parse_vector("; ".join(commas)) == values


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-0,5", -0.5),
        ("0,5", 0.5),
        ("1e-3", 0.001),
        ("−2", -2.0),
        (" .25 ", 0.25),
        ("1,000", 1.0),  # a decimal comma, as documented
    ],
)
def test_typed_numbers(text, expected):
    assert parse_cell(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("abc", '"abc" is not a number (type for example 0.5, -0,5 or 1e-3)'),
        ("1e9", '"1e9" is beyond ±1e6'),
        ("inf", '"inf" is not a number'),
        ("1_000", '"1_000" is not a number'),
        ("٣", '"٣" is not a number'),
        ("", "nothing was typed"),
        ("x" * 100, '"' + "x" * 40 + '…" is not a number'),
    ],
)
def test_refused_cells_quote_what_was_typed(text, message):
    with pytest.raises(ScenarioError) as caught:
        parse_cell(text)
    assert caught.value.problems[0].startswith(message)


def test_vector_rule_for_commas():
    assert parse_vector("0.5, 0.1, -0.2") == [0.5, 0.1, -0.2]
    assert parse_vector("0.5,0.1,-0.2") == [0.5, 0.1, -0.2]
    assert parse_vector("1,2,3") == [1.0, 2.0, 3.0]
    assert parse_vector("0,5; 0,1; -0,2") == [0.5, 0.1, -0.2]
    assert parse_vector("0,5 0,1") == [0.5, 0.1]
    assert parse_vector("1,5") == [1.5]
    with pytest.raises(ScenarioError) as caught:
        parse_vector("0.5, abc, 1e9", "x")
    assert caught.value.problems == [
        'x[1]: must be a finite number, got "abc"',
        'x[2]: must be between -1e6 and 1e6, got "1e9"',
    ]


def test_layer_sizes_quote_what_was_typed():
    assert parse_sizes("3–2–1") == [3, 2, 1]
    with pytest.raises(ScenarioError, match=r'layers\[0\]: must be a whole number from 1 to 16, got "²"'):
        parse_sizes("²-2")
    with pytest.raises(ScenarioError, match=r'got "1111111111111111111111111111111111111111…"'):
        parse_sizes("1" * 5000 + "-2")
