"""Matrix and scalar forms, the z/a/δ and Mazur notations, and stages that follow a record's mistake."""

import re

import pytest
from hypothesis import given

from simulator import MISTAKES, PRESETS, SEED, build_stages, step
from simulator.views.forms import to_latex

from .strategies import scenarios

VIEWS = [(n, f) for n in ("zad", "mazur") for f in ("matrix", "scalar")]


def stages_of(scenario=SEED, **view):
    return {s.id: s for s in build_stages(step(scenario), **view)}


def test_default_is_the_matrix_form_in_our_notation():
    default, explicit = build_stages(step(SEED)), build_stages(step(SEED), notation="zad", form="matrix")
    assert [(s.formula, s.substituted, s.values.keys()) for s in default] == [
        (s.formula, s.substituted, s.values.keys()) for s in explicit
    ]


def test_scalar_form_writes_each_units_sum():
    stages = stages_of(form="scalar")
    assert stages["forward.z1"].worked == (
        "z₁ = 0.5·0.5 + 0.1·0.1 + (−0.2)·0.1 = 0.24",
        "z₂ = 0.5·(−0.6) + 0.1·(−0.2) + (−0.2)·0.7 = −0.46",
    )
    assert r"z_{1} = 0.5\cdot 0.5 + 0.1\cdot 0.1 + (-0.2)\cdot 0.1 = 0.24" in stages["forward.z1"].substituted
    assert stages["forward.a1"].worked[0] == "a₁ = σ(0.24) = 0.5597"
    assert stages["loss"].worked[0] == "e₁ = o₁ − t₁ = 0.485 − 0.6 = −0.115"
    assert stages["delta.2"].worked == ("δ₁ = (−0.115)·0.485·(1 − 0.485) = −0.02873",)
    assert stages["delta.1"].worked[0] == "δ₁ = (0.1·(−0.02873))·0.5597·(1 − 0.5597) = −7.080×10⁻⁴"
    assert stages["gradient.W1"].worked[0] == "∂E/∂w₁₁ = x₁·δ₁ = 0.5·(−7.080×10⁻⁴) = −3.540×10⁻⁴"
    assert stages["update.W2"].worked[0] == "w₁₁ ← 0.1 − 0.5·(−0.01608) = 0.108"


def test_matrix_form_writes_shapes_under_every_factor():
    stages = stages_of()
    assert stages["forward.z1"].worked == ("a⁽⁰⁾ 1×3 · W⁽¹⁾ 3×2 = z⁽¹⁾ 1×2",)
    assert r"\underset{1\times 3}{a^{(0)}}" in stages["forward.z1"].shapes
    assert stages["delta.1"].worked == ("δ⁽²⁾ 1×1 · W⁽²⁾ᵀ 1×2 ⊙ f′ 1×2 = δ⁽¹⁾ 1×2",)
    assert stages["gradient.W1"].worked == ("a⁽⁰⁾ᵀ 3×1 · δ⁽¹⁾ 1×2 = ∂E/∂W⁽¹⁾ 3×2",)
    assert r"{a^{(0)}}^{\mathsf T}" in stages["gradient.W1"].shapes


def test_mazurs_notation_on_his_example():
    stages = stages_of(PRESETS["two_outputs"], notation="mazur", form="scalar")
    assert stages["forward.z1"].worked[0] == "net_h1 = 0.15·0.05 + 0.2·0.1 + 0.35 = 0.3775"
    assert stages["forward.a1"].worked[0] == "out_h1 = σ(0.3775) = 0.5933"
    assert stages["loss"].worked[-1] == "E_total = ½·(0.7414² + (−0.2171)²) = 0.2984"  # Mazur: 0.298371109
    # Mazur's ∂E_total/∂w5 = 0.082167041, w5⁺ = 0.35891648 (his w5 is h1 → o1).
    assert stages["gradient.W2"].worked[0] == "∂E_total/∂w5 = out_h1·δ_o1 = 0.5933·0.1385 = 0.08217"
    assert stages["update.W2"].worked[0] == "w5 ← 0.4 − 0.5·0.08217 = 0.3589"
    assert any(line.startswith("w1 ← 0.15") for line in stages["update.W1"].worked)
    matrix = stages_of(PRESETS["two_outputs"], notation="mazur")
    assert matrix["forward.z1"].formula.startswith(r"\mathit{net}_{h} = \mathit{out}_{i} W^{(1)}")
    assert r"\delta_{h} = \left(\delta_{o}" in matrix["delta.1"].formula
    assert r"\partial E_{\mathrm{total}}" in matrix["gradient.W2"].formula


@pytest.mark.parametrize(("notation", "form"), VIEWS)
def test_every_view_keeps_ids_and_values(notation, form):
    for scenario in (SEED, PRESETS["xor"], PRESETS["two_outputs"]):
        plain = build_stages(step(scenario))
        view = build_stages(step(scenario), notation=notation, form=form)
        assert [s.id for s in view] == [s.id for s in plain]
        for a, b in zip(view, plain):
            assert a.values.keys() == b.values.keys() and a.worked


DOUBLE_SUPERSCRIPT = re.compile(r"\^\{\([0-9]+\)\}\^")  # x^{(1)}^{…}: a KaTeX error


def _balanced(latex: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}]", "", latex):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


@given(scenarios())
def test_every_view_of_any_network_is_well_formed_latex(scenario):
    for mistake in (None, *MISTAKES):
        record = step(scenario, mistake=mistake)
        for notation, form in VIEWS:
            for stage in build_stages(record, notation=notation, form=form):
                for text in (stage.formula, stage.substituted, stage.shapes):
                    assert _balanced(text), (stage.id, notation, form, text)
                    assert not DOUBLE_SUPERSCRIPT.search(text), (stage.id, notation, form, text)


def test_unknown_view_names_the_choices():
    with pytest.raises(ValueError, match="zad, mazur"):
        build_stages(step(SEED), notation="bishop")
    with pytest.raises(ValueError, match="matrix, scalar"):
        build_stages(step(SEED), form="tensor")


def test_to_latex():
    assert to_latex("z₁ = 0.5·(−0.2)") == r"z_{1} = 0.5\cdot (-0.2)"
    assert to_latex("net_h1 = 1.5e−04") == r"\mathit{net}_{h1} = 1.5{\times}10^{-4}"  # never "e − 04"
    assert to_latex("δ₁ = −7.080×10⁻⁴") == r"\delta _{1} = -7.080{\times}10^{-4}"
    assert to_latex("δ_o1 = 1.5e-04") == r"\delta _{o1} = 1.5{\times}10^{-4}"


def test_stages_say_what_the_mistake_changes():
    plus = {s.id: s for s in build_stages(step(SEED, mistake="plus_update"))}
    assert plus["update.W2"].formula == r"W^{(2)}_{\text{new}} = W^{(2)} + \eta\,\frac{\partial E}{\partial W^{(2)}}"
    assert "W2_new = W2 + learning_rate * dW2" in plus["update.W2"].code
    assert "Adding the gradient" in plus["update.W2"].explanation and "Adding the gradient" in plus["apply"].explanation
    assert plus["update.W2"].values["lr_dW2"].tolist() == step(SEED).weight_gradients[1].__mul__(0.5).tolist()
    flipped = {s.id: s for s in build_stages(step(SEED, mistake="target_minus_output"))}
    assert flipped["loss"].formula.startswith("e = t - o") and flipped["loss"].code == "error = target - a2"
    bare = {s.id: s for s in build_stages(step(SEED, mistake="no_activation_slope"))}
    assert bare["delta.2"].formula == r"\delta^{(2)} = e" and bare["delta.2"].code == "delta2 = error"
    assert bare["delta.1"].code == "delta1 = np.dot(W2, delta2)"
    from_z = {s.id: s for s in build_stages(step(SEED, mistake="slope_from_z"), form="scalar")}
    assert from_z["delta.2"].worked == ("δ₁ = (−0.115)·(−0.06012)·(1 − (−0.06012)) = 0.007332",)
    late = {s.id: s for s in build_stages(step(SEED, mistake="updated_weights_for_hidden_delta"))}
    assert r"W^{(2)}_{\text{new}}" in late["delta.1"].formula and "after its update" in late["delta.1"].explanation
    correct = {s.id: s for s in build_stages(step(SEED))}
    assert "Mistake" not in " ".join(s.explanation for s in correct.values())
