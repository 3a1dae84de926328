"""The gradients-not-reset mistake (PyTorch's forgotten zero_grad): a rule record the engine applies, with
rings on the graph, its own loss curve, a failing gradient check and a quiz diagnosis."""

from __future__ import annotations

import numpy as np
from streamlit.testing.v1 import AppTest

from simulator import MISTAKES, PRESETS, SEED, build_stages, check_answer, divergence, mistake_losses, step
from simulator.core.backprop import Network
from simulator.core.experiments import train_with_rules
from simulator.core.mistakes import CORRECT
from simulator.core.record import run_step
from simulator.views.graph import graph_model

from .test_app import APP

ID = "accumulated_gradients"


def test_a_rule_record_no_branch():
    entry = MISTAKES[ID]
    assert entry.rules.accumulate and entry.rules.update_sign == CORRECT.update_sign
    assert "zero_grad" in entry.description and entry.uphill


def test_the_walkthrough_is_a_second_pass_so_every_gradient_doubles():
    correct, mistaken = step(SEED), step(SEED, mistake=ID)
    for g, g2, held in zip(correct.weight_gradients, mistaken.weight_gradients, mistaken.carried_weight_gradients):
        np.testing.assert_array_equal(held, g)
        np.testing.assert_array_equal(g2, 2 * g)
    for d, d2 in zip(correct.deltas, mistaken.deltas):
        np.testing.assert_array_equal(d, d2)  # δ is not a buffer: only the parameters' gradients pile up
    assert correct.carried_weight_gradients is None


def test_rings_from_the_first_gradient_stage():
    record = step(SEED, mistake=ID)
    stages = build_stages(record)
    found = divergence(build_stages(step(SEED)), stages)
    assert found.first == "gradient.W2"
    index = [s.id for s in stages].index("gradient.W2")
    model = graph_model(record, stages, index, divergence=found)
    assert {(e.source, e.target) for e in model.edges if e.marked} == {("h1", "o1"), ("h2", "o1")}
    assert "buffer" in stages[index].explanation and "dW2_left + np.outer(a1, delta2)" in stages[index].code


def test_the_loss_curve_adds_up_every_gradient_so_far():
    scenario = PRESETS["xor"]
    losses = train_with_rules(scenario, MISTAKES[ID].rules, 30)
    # the oracle: plain SGD whose step is the running sum of every gradient so far
    network, weights, biases = Network.of(scenario), list(scenario.weights), list(scenario.biases)
    sum_W = [np.zeros_like(w) for w in weights]
    sum_b = [np.zeros_like(b) for b in biases]
    for _ in range(30):
        for x, t in scenario.dataset:
            values = run_step(network, weights, biases, x, t, scenario.learning_rate, True, CORRECT)
            sum_W = [s + g for s, g in zip(sum_W, values.weight_gradients)]
            sum_b = [s + g for s, g in zip(sum_b, values.bias_gradients)]
            weights = [w - scenario.learning_rate * s for w, s in zip(weights, sum_W)]
            biases = [b - scenario.learning_rate * s for b, s in zip(biases, sum_b)]
    np.testing.assert_allclose(
        losses[-1], train_with_rules(scenario.replace(weights=weights, biases=biases), CORRECT, 0)[0]
    )
    correct, mistaken = mistake_losses(scenario, ID, 500)
    assert mistaken[-1] > 10 * correct[-1]  # XOR: 0.095 against 0.0014


def test_the_quiz_names_it_and_the_gradient_check_fails():
    record = step(SEED)
    verdict = check_answer(record, "gradient.W2", "dW2", 2 * record.weight_gradients[1])
    assert ID in (verdict.matched, *verdict.also) and "zero_grad" in verdict.diagnosis


def test_the_page_shows_it():
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["mistake"] = ID
    app.query_params["stage"] = "gradient.W2"
    app.run()
    assert not app.exception
    assert any("Gradients not reset" in w.value for w in app.warning)


def test_the_gradient_check_fails_visibly():
    from simulator import stage_gradient_check

    assert stage_gradient_check(SEED, 2, mistake=ID).worst > 0.3  # |2g − g| / (|2g| + |g|) = 1/3
    assert stage_gradient_check(SEED, 2).worst < 1e-5
