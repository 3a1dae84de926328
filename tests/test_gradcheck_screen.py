"""Gradient check beside each gradient stage, the nudge plot, and the learning figures and tables."""

import numpy as np
import plotly.graph_objects as go
import pytest

from simulator import PRESETS, SEED, build_stages, mistake_losses, nudge_curve, paper_drift, quiz_score, step
from simulator.core.gradcheck import AGREEMENT, stage_gradient_check
from simulator.views.learning_figures import mistake_loss_figure, nudge_figure, paper_drift_figure
from simulator.views.learning_tables import (
    gradient_check_styled,
    gradient_check_table,
    mistake_comparison_table,
    quiz_summary_table,
)


@pytest.mark.parametrize("name", ["seed", "xor", "two_outputs"])
def test_correct_gradients_pass(name):
    scenario = PRESETS[name]
    kinds = ("weights", "biases") if scenario.biases is not None else ("weights",)
    for kind in kinds:
        for layer in range(1, len(scenario.layers)):
            check = stage_gradient_check(scenario, layer, kind)
            assert check.worst < AGREEMENT, (kind, layer)
            expected = (step(scenario).weight_gradients if kind == "weights" else step(scenario).bias_gradients)[
                layer - 1
            ]
            np.testing.assert_array_equal(check.analytic, expected)


# Which gradients each mistake bends on the seed (W2 is layer 2, W1 layer 1).
FAILS_ON_SEED = {
    "target_minus_output": {1, 2},
    "slope_from_z": {1, 2},
    "no_activation_slope": {1, 2},
    "updated_weights_for_hidden_delta": {1},
    "plus_update": set(),  # the gradients are right; only the step's direction is wrong
}


@pytest.mark.parametrize("mistake", FAILS_ON_SEED)
def test_under_a_mistake_the_check_visibly_fails(mistake):
    for layer in (1, 2):
        check = stage_gradient_check(SEED, layer, mistake=mistake)
        assert (check.worst > 1e-2) == (layer in FAILS_ON_SEED[mistake]), (layer, check.worst)
        assert check.agrees().all() == (layer not in FAILS_ON_SEED[mistake])
    flipped = stage_gradient_check(SEED, 2, mistake="target_minus_output")
    np.testing.assert_allclose(flipped.analytic, -flipped.numeric, rtol=1e-6)
    assert flipped.relative_error.min() == pytest.approx(1.0)


def test_the_numeric_side_is_a_central_difference_of_the_true_loss():
    check = stage_gradient_check(SEED, 2, epsilon=1e-4)
    h, o_of = 1e-4, lambda w: 1 / (1 + np.exp(-(step(SEED).activations[1] @ w)))
    w = np.array(SEED.weights[1])
    up, down = w.copy(), w.copy()
    up[0, 0] += h
    down[0, 0] -= h
    by_hand = (0.5 * (o_of(up)[0] - 0.6) ** 2 - 0.5 * (o_of(down)[0] - 0.6) ** 2) / (2 * h)
    assert check.numeric[0, 0] == pytest.approx(by_hand, rel=1e-9)


def test_bad_requests_are_clear():
    with pytest.raises(ValueError, match="no biases"):
        stage_gradient_check(SEED, 1, "biases")
    with pytest.raises(ValueError, match="layer: must be from 1 to 2"):
        stage_gradient_check(SEED, 3)
    with pytest.raises(ValueError, match="kind"):
        stage_gradient_check(SEED, 1, "bias")
    with pytest.raises(ValueError, match="no entry"):
        nudge_curve(SEED, ("weights", 2, 5, 0), [0.1])


def test_nudge_compares_the_true_change_with_the_tangent():
    deltas = np.linspace(-0.5, 0.5, 11)
    curve = nudge_curve(SEED, ("weights", 2, 0, 0), deltas)
    assert curve.parameter == "W2[0,0]" and curve.value == 0.1
    assert curve.gradient == step(SEED).weight_gradients[1][0, 0]
    np.testing.assert_array_equal(curve.predicted, curve.gradient * deltas)
    assert curve.actual[5] == 0.0
    # First order: the gap shrinks like Δw²; the loss is convex enough here that the tangent lies below.
    gap = np.abs(curve.actual - curve.predicted)
    assert gap[6] < 0.1 * abs(curve.predicted[6]) and gap[10] > gap[6]
    small = nudge_curve(SEED, ("weights", 2, 0, 0), [1e-3, 1e-4])
    ratio = np.abs(small.actual - small.predicted)
    assert ratio[0] / ratio[1] == pytest.approx(100, rel=0.05)
    bias = nudge_curve(PRESETS["xor"], ("biases", 1, 1), [0.01])
    assert bias.parameter == "b1[1]"


def test_nudge_under_a_mistake_shows_the_wrong_tangent():
    right = nudge_curve(SEED, ("weights", 2, 1, 0), [0.1])
    wrong = nudge_curve(SEED, ("weights", 2, 1, 0), [0.1], mistake="target_minus_output")
    np.testing.assert_array_equal(wrong.actual, right.actual)
    assert np.sign(wrong.predicted[0]) != np.sign(wrong.actual[0])


def _validated(figure: go.Figure) -> go.Figure:
    return go.Figure(figure.to_dict())  # Plotly's own validation


def test_figures_are_valid_plotly():
    curve = nudge_curve(SEED, ("weights", 1, 0, 1), np.linspace(-1, 1, 9), mistake="slope_from_z")
    figure = _validated(nudge_figure(curve))
    assert [t.name for t in figure.data][0] == "actual ΔE" and "Slope from z" in figure.layout.title.text
    correct, mistaken = mistake_losses(SEED, "plus_update", 20)
    raw = mistake_loss_figure(correct, mistaken, "plus_update")
    figure = _validated(raw)
    assert [t.name for t in figure.data] == ["correct", "Adding the gradient"]
    np.testing.assert_array_equal(raw.data[1].y, mistaken)
    figure = _validated(paper_drift_figure([paper_drift(SEED, k) for k in range(2, 9)]))
    assert list(figure.data[0].x) == list(range(2, 9)) and figure.layout.yaxis.type == "log"


def test_tables():
    frame = gradient_check_table(stage_gradient_check(SEED, 1, mistake="updated_weights_for_hidden_delta"))
    assert list(frame.index) == ["W1[1,1]", "W1[1,2]", "W1[2,1]", "W1[2,2]", "W1[3,1]", "W1[3,2]"]
    assert not frame["agree"].any()
    html = gradient_check_styled(frame).to_html()
    assert "rgba(213,94,0,0.35)" in html
    ok = gradient_check_table(stage_gradient_check(SEED, 2))
    assert ok["agree"].all() and "rgba(0,114,178,0.18)" in gradient_check_styled(ok).to_html()
    correct = {s.id: s for s in build_stages(step(SEED))}
    mistaken = {s.id: s for s in build_stages(step(SEED, mistake="no_activation_slope"))}
    comparison = mistake_comparison_table(correct["delta.1"], mistaken["delta.1"])
    assert list(comparison.index) == ["δ⁽¹⁾[1]", "δ⁽¹⁾[2]"] and comparison["differs"].all()
    assert comparison["with the mistake"].iloc[0] == pytest.approx(0.1 * -0.11502656915007464)
    summary = quiz_summary_table(quiz_score([("loss", False), ("loss", True), ("apply", True)]))
    assert summary.to_dict("index") == {
        "loss": {"right first try": False, "attempts": 2},
        "apply": {"right first try": True, "attempts": 1},
    }
