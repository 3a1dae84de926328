"""The chain rule as a chain: the factors shown multiply (and the paths add) to the engine's δ and gradients,
for every unit of the seed, the 2-2-2 preset and random deeper networks, in both notations, under every
mistake too (a mistaken step's chain is the mistaken one)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simulator import MISTAKES, PRESETS, SEED, step
from simulator.core.names import unit_names
from simulator.views.chain import bias_chain, unit_chain, unit_chains, weight_chain
from simulator.views.notation import NOTATIONS

from .strategies import scenarios
from .test_mistake_pages import double_scripts


def close(a: float, b: float, scale: float = 0.0) -> bool:
    """Equal to 11 digits; ``scale``: the largest term a sum was made of (terms that cancel leave rounding
    noise of about 1e-16 of them, and the two sides of a sum that is 0 in exact arithmetic then differ)."""
    return bool(np.isclose(a, b, rtol=1e-11, atol=max(1e-300, 1e-14 * scale)))


def check_chains(record, notation: str) -> None:
    scenario = record.scenario
    names = unit_names(scenario.layers)
    for l in range(1, len(scenario.layers)):
        for j, name in enumerate(names[l]):
            chain = unit_chain(record, name, notation)
            assert close(chain.product, record.deltas[l - 1][j]), (name, chain.lines())
            if chain.shares:  # a hidden unit: its ∂E/∂a is the sum over the paths back
                terms = [s.value for s in chain.shares]
                assert close(sum(terms), chain.factors[0].value, max(map(abs, terms))), name
                assert {e[1] for e in chain.edges} == set(names[l + 1])
            for i in range(scenario.layers[l - 1]):
                grad = weight_chain(record, l, i, j, notation)
                assert close(grad.total, record.weight_gradients[l - 1][i, j]), (name, i, grad.lines())
                assert grad.value == record.weight_gradients[l - 1][i, j]
            if scenario.biases is not None:
                assert close(bias_chain(record, l, j, notation).total, record.bias_gradients[l - 1][j])
            for line in chain.latex():
                assert not double_scripts(line), line


@pytest.mark.parametrize("notation", list(NOTATIONS))
@pytest.mark.parametrize("preset", ["seed", "two_outputs", "xor"])
@pytest.mark.parametrize("mistake", [None, *MISTAKES])
def test_presets(preset, notation, mistake):
    check_chains(step(PRESETS[preset], mistake=mistake), notation)


@settings(max_examples=60, deadline=None)
@given(scenarios(max_layers=5), st.sampled_from(list(NOTATIONS)), st.sampled_from([None, *MISTAKES]))
def test_random_networks(scenario, notation, mistake):
    check_chains(step(scenario, mistake=mistake), notation)


@settings(max_examples=30, deadline=None)
@given(scenarios(max_layers=4).filter(lambda s: len(s.layers) == 4), st.sampled_from(list(NOTATIONS)))
def test_random_three_layer_networks(scenario, notation):
    check_chains(step(scenario), notation)


def test_the_output_weight_reads_as_the_textbook_chain():
    grad = weight_chain(step(SEED), 2, 0, 0)
    assert grad.lines() == (
        "∂E/∂w⁽²⁾₁₁ = ∂E/∂o₁ · ∂o₁/∂z⁽²⁾₁ · ∂z⁽²⁾₁/∂w⁽²⁾₁₁",
        "= (o₁ − t₁) · o₁(1 − o₁) · a⁽¹⁾₁",
        "= (−0.115) · 0.2498 · 0.5597 = −0.01608",
    )
    meanings = " ".join(grad.meanings())
    assert "σ′(z)" in meanings and "σ(z)·(1 − σ(z))" in meanings  # why σ′ = o(1 − o)
    assert "moves z⁽²⁾₁ by a⁽¹⁾₁ times as much" in meanings  # why ∂z/∂w = a


def test_a_hidden_unit_sums_over_the_units_it_feeds():
    chain = unit_chain(step(PRESETS["two_outputs"]), "h1", "mazur")
    assert chain.lines()[0] == "δ_h1 = ∂E_total/∂net_h1 = ∂E_total/∂out_h1 · ∂out_h1/∂net_h1"
    assert chain.lines()[1] == "= (δ_o1·w5 + δ_o2·w7) · out_h1(1 − out_h1)"
    assert chain.edges == (("h1", "o1"), ("h1", "o2"))
    assert chain.sum_line.startswith("where ∂E_total/∂out_h1 = δ_o1·w5 + δ_o2·w7 = 0.1385·0.4 + (−0.0381)·0.5")


def test_mazur_w5_as_in_his_post():
    grad = weight_chain(step(PRESETS["two_outputs"]), 2, 0, 0, "mazur")
    assert grad.lines()[0] == "∂E_total/∂w5 = ∂E_total/∂out_o1 · ∂out_o1/∂net_o1 · ∂net_o1/∂w5"
    assert grad.lines()[2] == "= 0.7414 · 0.1868 · 0.5933 = 0.08217"


def test_a_mistaken_chain_shows_the_mistaken_factors():
    record = step(SEED, mistake="no_activation_slope")
    assert unit_chain(record, "o1").lines()[0] == "δ⁽²⁾₁ = ∂E/∂z⁽²⁾₁ = ∂E/∂o₁"
    record = step(SEED, mistake="slope_from_z")
    assert "z⁽²⁾₁(1 − z⁽²⁾₁)" in unit_chain(record, "o1").lines()[1]


def test_the_chains_follow_the_stages_reached():
    record = step(SEED)
    assert unit_chains(record, "o1", {"forward.z2"}) == ()
    assert len(unit_chains(record, "o1", {"delta.2"})) == 1
    assert len(unit_chains(record, "o1", {"delta.2", "gradient.W2"})) == 3
    assert unit_chains(record, "x1", {"delta.2"}) == ()


def test_the_inspector_shows_the_chain_of_a_clicked_unit():
    """The walk carries each unit's chain for the browser's inspector, revealed with its stage."""
    from streamlit.testing.v1 import AppTest

    from .test_app import APP
    from .walkpage import walk_data

    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["stage"] = "gradient.W1"
    app.query_params["notation"] = "mazur"
    app.query_params["preset"] = "two_outputs"
    app.run()
    assert not app.exception
    data = walk_data(app)
    index = data["ids"].index("gradient.W1")
    chain = [item for item, kind, at in data["units"]["h1"]["chain"] if at <= index]
    assert r"\partial E_{total}/\partial \mathit{out}_{h1}" in "\n".join(chain)
    assert any(item.startswith("Paths its gradient comes back along: h₁ → o₁") for item in chain)
    early = [item for item, kind, at in data["units"]["h1"]["chain"] if at < data["ids"].index("delta.1")]
    assert early == []  # nothing of the chain before the stage that computes δ at h1
