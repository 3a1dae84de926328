"""Share links: the view options table, the exact links of issue 7, datasets in links."""

import dataclasses

import pytest
from hypothesis import given

from simulator import MISTAKES, PRESETS, SEED
from simulator.io.share import DATASET_LINK_CHARS, VIEW_OPTIONS, ViewOptions, dataset_fits_link, decode, encode

from .strategies import scenarios, view_options

TWO_OUTPUTS = PRESETS["two_outputs"]


def test_the_table_declares_every_view_option_with_its_default():
    fields = dataclasses.fields(ViewOptions)
    assert [o.name for o in VIEW_OPTIONS] == [f.name for f in fields]
    assert ViewOptions() == ViewOptions(**{o.name: o.default for o in VIEW_OPTIONS})


@given(scenarios(max_layers=4, max_units=4), view_options())
def test_scenario_and_view_options_round_trip(scenario, options):
    params = encode(scenario, options=options)
    view = decode(params, SEED)
    assert view.scenario == scenario and view.options == options and view.problems == ()
    assert view.stage == options.stage and view.lecture == options.lecture


def test_only_options_that_differ_from_their_default_are_written():
    assert set(encode(SEED)) == {"layers", "act", "loss", "w1", "w2", "x", "t", "lr"}
    options = ViewOptions(quiz=True, hide=frozenset({"tabs", "editor"}), round=4, speed=2.5, notation="mazur")
    extra = {k: v for k, v in encode(SEED, options=options).items() if k not in encode(SEED)}
    assert extra == {"quiz": "1", "hide": "editor,tabs", "round": "4", "speed": "2.5", "notation": "mazur"}


def test_old_calls_keep_working():
    assert encode(SEED, "loss", True) == {**encode(SEED), "stage": "loss", "mode": "lecture"}
    view = decode(encode(SEED, "loss", lecture=True), SEED)
    assert (view.stage, view.lecture, view.options.stage) == ("loss", True, "loss")
    assert encode(SEED, "apply", options=ViewOptions(stage="loss"))["stage"] == "apply"


@pytest.mark.parametrize(
    ("params", "problems"),
    [
        ({"w²": "1"}, ['"w²": unknown parameter, ignored']),
        ({"b¹": "1", "w⁰": ","}, ['"b¹": unknown parameter, ignored', '"w⁰": unknown parameter, ignored']),
        ({"": "x"}, ['"": unknown parameter, ignored']),
        ({"=": "="}, ['"=": unknown parameter, ignored']),
        ({"zzz": "1"}, ["zzz: unknown parameter, ignored"]),
        ({"mode": "foo"}, ['mode: ignored, "foo" is not "lecture"']),
        ({"quiz": "yes"}, ['quiz: ignored, "yes" is not 1 or 0']),
        ({"hide": "editor,foo"}, ['hide: "foo" not one of editor, tabs, code, tables, narration, title, ignored']),
        ({"round": "18"}, ['round: ignored, "18" is not a whole number of digits from 1 to 17']),
        ({"speed": "0.1"}, ['speed: ignored, "0.1" is not a number of seconds from 0.5 to 30']),
        (
            {"mistake": "oops"},
            ['mistake: ignored, "oops" is not one of ' + ", ".join(MISTAKES)],
        ),
        (
            {"stage": "![p](http://127.0.0.1:9/x.png)"},
            ['stage: ignored, "![p](http://127.0.0.1:9/x.png)" is not a stage id'],
        ),
        ({"stage": "a" * 30_000}, ['stage: ignored, "' + "a" * 40 + '…" is not a stage id']),
    ],
)
def test_the_links_of_issue_7_name_what_was_ignored(params, problems):
    view = decode(params, SEED)
    assert list(view.problems) == problems
    assert view.scenario == SEED


@pytest.mark.parametrize(
    ("value", "warned"),
    [("inf", True), ("1_000", True), (["1", "-1"], True), ("1", False), ("true", False)],
)
def test_a_bad_frozen_value_keeps_the_biases_frozen_and_says_so(value, warned):
    params = {**encode(TWO_OUTPUTS), "frozen": value}
    view = decode(params, SEED)
    assert view.scenario.train_biases is False and view.scenario.biases is not None
    assert any(p.startswith("frozen") for p in view.problems) == warned


def test_frozen_0_trains_the_biases():
    assert decode({**encode(TWO_OUTPUTS), "frozen": "0"}, SEED).scenario.train_biases is True


def test_a_bad_loss_and_target_cost_only_themselves():
    params = {
        **encode(SEED.replace(x=[1.0, 0.0, 0.0], weights=[[[0.9, -0.6], [0.1, -0.2], [0.1, 0.7]], [[0.1], [-0.3]]]))
    }
    params.update(loss="bogus", t="abc")
    view = decode(params, SEED)
    assert view.scenario.x.tolist() == [1.0, 0.0, 0.0] and view.scenario.weights[0][0, 0] == 0.9
    assert list(view.problems) == [
        'loss: must be one of half_squared_error, cross_entropy, got "bogus"',
        'target[0]: must be a finite number, got "abc"',
    ]


def test_a_bad_target_on_a_2_2_2_link_keeps_its_network():
    view = decode({**encode(TWO_OUTPUTS), "t": "0.01,oops"}, SEED)
    assert view.scenario.replace(target=[0.01, 0.99]) == TWO_OUTPUTS
    assert list(view.problems) == ['target[1]: must be a finite number, got "oops"']


def test_a_bad_matrix_costs_that_matrix_only():
    view = decode({**encode(TWO_OUTPUTS), "w2": "1,2;oops"}, SEED)
    assert view.scenario.weights[0].tolist() == TWO_OUTPUTS.weights[0].tolist()
    assert view.scenario.biases[1].tolist() == [0.6, 0.6] and view.scenario.layers == (2, 2, 2)
    assert view.problems[0].startswith("weights[1]: must be 2×2")


def test_repeated_values_count_as_the_last_as_streamlit_does():
    view = decode({**encode(SEED), "lr": ["0.1", "0.2"]}, SEED)
    assert view.scenario.learning_rate == 0.2
    assert list(view.problems) == ['lr: given 2 times, the last one ("0.2") is used']


def test_a_long_dataset_is_left_out_of_links():
    xor = PRESETS["xor"]
    assert dataset_fits_link(xor) and decode(encode(xor), SEED).scenario == xor
    examples = [{"x": [0.123456789 * k, 0.987654321], "target": [0.5]} for k in range(256)]
    large = xor.replace(dataset=examples)
    assert not dataset_fits_link(large)
    params = encode(large)
    assert "data" not in params and sum(map(len, params.values())) < DATASET_LINK_CHARS
    assert decode(params, SEED).scenario == large.replace(dataset=None)
