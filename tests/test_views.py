"""Pure builders behind the page: graph model, figures, tables, share links and edits."""

import numpy as np
import plotly.graph_objects as go
import pytest
from hypothesis import given

from simulator import PRESETS, SEED, ScenarioError, build_stages, step
from simulator.core.editing import bias_mode, with_bias_mode, with_cell_edits, with_layers
from simulator.core.fields import parse_layers, parse_numbers
from simulator.io.share import decode, encode
from simulator.views.figures import NEGATIVE, POSITIVE, activation_figure, loss_curve_figure, network_figure
from simulator.views.formatting import latex_number, number
from simulator.views.graph import graph_model, node_explanation
from simulator.views.tables import stage_tables, styled, weight_tables

from .strategies import scenarios


def seed_view(stage_id: str):
    record = step(SEED)
    stages = build_stages(record)
    return record, stages, [s.id for s in stages].index(stage_id)


def test_values_appear_on_the_graph_as_the_stages_reveal_them():
    record, stages, index = seed_view("forward.z1")
    nodes = {n.id: n for n in graph_model(record, stages, index).nodes}
    assert nodes["x1"].text == "0.5"
    assert nodes["h1"].text == "z=0.24"
    assert nodes["o1"].text == ""
    record, stages, index = seed_view("delta.1")
    nodes = {n.id: n for n in graph_model(record, stages, index).nodes}
    assert nodes["h1"].text == "z=0.24  a=0.5597<br>δ=-7.080e-04"
    assert "o = 0.484973430849925" in nodes["o1"].hover  # 15 digits, no float noise


def test_edges_show_gradients_then_old_and_new_weights():
    record, stages, index = seed_view("gradient.W2")
    model = graph_model(record, stages, index)
    edges = {(e.source, e.target): e for e in model.edges}
    assert edges[("h1", "o1")].text == "∂E/∂w=-0.01608" and edges[("h1", "o1")].highlighted
    assert edges[("x1", "h1")].text == "0.5" and not edges[("x1", "h1")].highlighted
    record, stages, index = seed_view("apply")
    edges = {(e.source, e.target): e for e in graph_model(record, stages, index).edges}
    assert edges[("x1", "h1")].text == "0.5→0.5002"


def test_node_explanation_substitutes_the_numbers_and_respects_the_stage():
    record = step(SEED)
    assert node_explanation(record, "h1", {"forward.z1"}) == [
        r"z_{1}^{(1)} = \sum_i a_i^{(0)} w_{i1}^{(1)} = 0.5 \cdot 0.5 + 0.1 \cdot 0.1 + (-0.2) \cdot 0.1 = 0.24"
    ]
    assert len(node_explanation(record, "o1")) == 3
    assert node_explanation(record, "nope") == []


@pytest.mark.parametrize("name", sorted(PRESETS))
@pytest.mark.parametrize("lecture", [False, True])
def test_every_figure_is_valid_plotly(name, lecture):
    record = step(PRESETS[name])
    stages = build_stages(record)
    for index in range(len(stages)):
        go.Figure(network_figure(graph_model(record, stages, index), lecture).to_dict())  # validates
    go.Figure(loss_curve_figure(np.array([1.0, 0.5, 0.001]), lecture).to_dict())
    for activation in ("sigmoid", "softmax"):
        go.Figure(activation_figure(activation, lecture).to_dict())


def test_graph_encodes_sign_by_colour_and_dash():
    record, stages, index = seed_view("apply")
    figure = network_figure(graph_model(record, stages, index)).to_dict()
    lines = [t for t in figure["data"] if t["mode"] == "lines"]
    assert {(t["line"]["color"], t["line"]["dash"]) for t in lines} == {(POSITIVE, "solid"), (NEGATIVE, "dash")}
    widths = sorted(t["line"]["width"] for t in lines)
    assert widths[0] < widths[-1] == 8.0  # |w| = 0.7 is the widest


def test_lecture_mode_uses_larger_type():
    record, stages, index = seed_view("loss")
    model = graph_model(record, stages, index)
    small, large = network_figure(model).to_dict(), network_figure(model, lecture=True).to_dict()
    assert large["layout"]["font"]["size"] > small["layout"]["font"]["size"]
    smallest = min(a["font"]["size"] for a in large["layout"]["annotations"])
    assert smallest >= 20 > max(a["font"]["size"] for a in small["layout"]["annotations"])  # the back of a hall


def test_small_values_never_round_to_zero():
    assert number(-1.77005547e-04) == "-1.770e-04"
    assert number(0.48497343084992534) == "0.485"
    assert number(0.0) == "0"
    assert latex_number(7.08022187e-05) == r"7.08{\times}10^{-5}"
    record = step(SEED)
    table = weight_tables(record, 1)["ΔW⁽¹⁾ = −η·∂E/∂W⁽¹⁾"]
    html = styled(table).to_html()
    assert "1.770e-04" in html and "0.000" not in html
    assert list(table.index) == ["x₁", "x₂", "x₃"] and list(table.columns) == ["h₁", "h₂"]
    np.testing.assert_array_equal(table.to_numpy(), record.weight_updates[0])


def test_every_stage_has_its_tables():
    record = step(PRESETS["xor"])
    for stage in build_stages(record):
        tables = stage_tables(record, stage)
        assert tables, stage.id
        for frame in tables.values():
            assert np.all(np.isfinite(frame.to_numpy(dtype=float)))


@given(scenarios(max_layers=5, max_units=5))
def test_share_links_round_trip(scenario):
    view = decode(encode(scenario, "loss", lecture=True), SEED)
    assert view.scenario == scenario
    assert (view.stage, view.lecture, view.problems) == ("loss", True, ())


@pytest.mark.parametrize(
    ("params", "problem"),
    [
        ({"lr": "1e400"}, "learning_rate: must be a finite number, got Infinity"),
        ({"layers": "3-2-1", "w1": "0.5,-0.6;0.1,-0.2;0.1,0.7", "w3": "1"}, "w1…: ignored"),
        ({"data": "1,2"}, "data: ignored, could not be read"),
        ({"act": "sigmoid,swish"}, "activations[1]: must be one of"),
        ({"x": "1," * 200_000}, "x: ignored, longer than 100,000 characters"),
    ],
)
def test_malformed_links_name_the_field(params, problem):
    view = decode(params, SEED)
    assert any(p.startswith(problem) for p in view.problems), view.problems
    assert view.scenario.layers == SEED.layers


def test_cell_edits_apply_or_name_the_cell():
    edited = with_cell_edits(SEED, "weights", 0, {0: {0: 0.9}})
    assert edited.weights[0][0, 0] == 0.9 and edited.weights[1].tolist() == SEED.weights[1].tolist()
    with pytest.raises(ScenarioError, match=r"weights\[1\]\[1\]\[0\]: must be a finite number, got null"):
        with_cell_edits(SEED, "weights", 1, {1: {0: None}})
    with pytest.raises(ScenarioError, match=r'weights\[0\]\[2\]\[1\]: must be a finite number, got "abc"'):
        with_cell_edits(SEED, "weights", 0, {2: {1: "abc"}})
    with pytest.raises(ScenarioError, match=r"weights\[0\]\[0\]\[0\]: must be a finite number, got NaN"):
        with_cell_edits(SEED, "weights", 0, {0: {0: float("nan")}})
    biased = with_bias_mode(SEED, "on")
    assert with_cell_edits(biased, "biases", 1, {0: {0: 0.25}}).biases[1].tolist() == [0.25]


def test_parsing_text_fields():
    assert parse_numbers("0.5, 0.1; -0.2") == [0.5, 0.1, -0.2]
    assert parse_numbers("1, x") == [1.0, "x"]
    assert parse_layers("3-2-1") == [3, 2, 1] and parse_layers("3, 4 ,1") == [3, 4, 1]
    assert parse_layers("3-a") == [3, "a"]


def test_resizing_keeps_what_fits_and_is_repeatable():
    wider = with_layers(SEED, [3, 3, 1])
    assert wider.weights[0][:, :2].tolist() == SEED.weights[0].tolist()
    assert wider == with_layers(SEED, [3, 3, 1])
    smaller = with_layers(PRESETS["xor"], [2, 1])
    assert smaller.dataset is not None and smaller.biases is not None
    softmax = SEED.replace(
        layers=[3, 2, 2],
        activations=["sigmoid", "softmax"],
        weights=[SEED.weights[0].tolist(), [[0.1, 0.2], [0.3, 0.4]]],
        target=[0.5, 0.5],
    )
    assert with_layers(softmax, [3, 2, 1]).activations[-1] == "sigmoid"  # softmax needs 2 outputs
    with pytest.raises(ScenarioError, match="layers"):
        with_layers(SEED, [3, 0, 1])


def test_bias_modes():
    assert bias_mode(SEED) == "off"
    frozen = with_bias_mode(SEED, "frozen")
    assert bias_mode(frozen) == "frozen" and [b.tolist() for b in frozen.biases] == [[0.0, 0.0], [0.0]]
    assert bias_mode(with_bias_mode(frozen, "off")) == "off"
    with pytest.raises(ValueError):
        with_bias_mode(SEED, "sometimes")


def test_crowded_layers_keep_their_values_for_hover():
    scenario = with_layers(SEED, [3, 16, 1])
    record = step(scenario)
    stages = build_stages(record)
    model = graph_model(record, stages, len(stages) - 1)
    assert all(node.text == "" for node in model.nodes)
    assert all("a = " in node.hover for node in model.nodes if node.layer == 1)
    assert all(edge.text == "" for edge in model.edges if edge.layer == 1)  # 48 edges: hover only
    assert all(edge.text for edge in model.edges if edge.layer == 2)  # 16 edges: labelled


def test_biases_are_in_the_hover_of_their_units():
    record = step(PRESETS["two_outputs"])
    stages = build_stages(record)
    nodes = {n.id: n for n in graph_model(record, stages, 0).nodes}
    assert nodes["h1"].text == "z=0.3775"
    assert "b = 0.35" in nodes["h1"].hover and "b = 0.6" in nodes["o1"].hover
