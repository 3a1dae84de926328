"""A mistake's page never misleads: the hint names the sign, LaTeX always renders, small numbers read as
powers of ten, and the correct and mistaken formulas are shown at the same, full size."""

from __future__ import annotations

import re

import pytest

from simulator import MISTAKES, PRESETS, SEED, build_stages, step
from simulator.views.forms import FORMS
from simulator.views.notation import NOTATIONS

from .test_mistake_text import DEEP, TANH_CE

_TOKEN = re.compile(r"\\[A-Za-z]+|\\.|[{}^_]|\S")


def double_scripts(latex: str) -> list[str]:
    """Where an atom gets two superscripts or two subscripts (KaTeX: "Double superscript", shown as red source)."""
    problems, scripts, depth_scripts = [], set(), []
    tokens = _TOKEN.findall(latex)
    k = 0
    while k < len(tokens):
        token = tokens[k]
        if token in "^_" and len(token) == 1:
            if token in scripts:
                problems.append(" ".join(tokens[max(0, k - 6) : k + 3]))
            scripts.add(token)
            k += 1
            if k < len(tokens) and tokens[k] == "{":  # skip the script's group
                depth = 0
                while k < len(tokens):
                    depth += {"{": 1, "}": -1}.get(tokens[k], 0)
                    k += 1
                    if depth == 0:
                        break
            else:
                k += 1
            continue
        if token == "{":
            depth_scripts.append(scripts)
            scripts = set()
        elif token == "}":
            scripts = set()  # the group just closed is the new atom
            depth_scripts and depth_scripts.pop()
        elif token not in (r"\left", r"\right", r"\limits"):
            scripts = set()
        k += 1
    return problems


def test_the_checker_finds_a_double_superscript():
    assert double_scripts(r"W^{(2)}_{\text{new}}^{\mathsf T}")
    assert not double_scripts(r"{W^{(2)}_{\text{new}}}^{\mathsf T} + x_{1}^{2}")


@pytest.mark.parametrize("form", list(FORMS))
@pytest.mark.parametrize("notation", list(NOTATIONS))
def test_every_formula_of_every_mistake_renders(form, notation):
    for scenario in (*PRESETS.values(), TANH_CE, DEEP):
        for mistake in (None, *MISTAKES):
            for stage in build_stages(step(scenario, mistake=mistake), notation=notation, form=form):
                for field in ("formula", "substituted", "shapes"):
                    text = getattr(stage, field)
                    assert not double_scripts(text), (mistake, stage.id, field, double_scripts(text))
                    assert text.count("{") == text.count("}"), (mistake, stage.id, field)


def test_scalar_form_writes_small_numbers_as_powers_of_ten():
    stages = {s.id: s for s in build_stages(step(SEED), form="scalar")}
    assert stages["delta.1"].worked[0].endswith("= −7.080×10⁻⁴")
    assert r"-7.080{\times}10^{-4}" in stages["delta.1"].substituted
    for stage in stages.values():
        assert not re.search(r"\de[−-]\d", " ".join(stage.worked) + stage.substituted), stage.id


@pytest.mark.parametrize("mistake", ["plus_update", "target_minus_output"])
def test_a_sign_mistake_is_named_as_the_cause_not_the_learning_rate(mistake):
    record = step(SEED, mistake=mistake)
    assert record.new_loss > record.loss
    apply = build_stages(record)[-1]
    assert "(try a smaller learning rate)" not in apply.explanation
    assert "uphill" in apply.explanation and ("sign" in apply.explanation or "added" in apply.explanation)


def test_a_correct_step_that_overshoots_still_suggests_a_smaller_rate():
    record = step(SEED.replace(learning_rate=90.0))
    assert record.new_loss >= record.loss
    assert "smaller learning rate" in build_stages(record)[-1].explanation


def test_the_mistake_page_shows_both_formulas_full_size_one_above_the_other():
    from pathlib import Path

    from simulator.core.mistakes import divergence
    from simulator.views.walk import WalkView, stage_page

    record = step(SEED, mistake="updated_weights_for_hidden_delta")
    stages, correct = build_stages(record), build_stages(step(SEED))
    index = [s.id for s in stages].index("delta.1")
    page = stage_page(record, stages, index, WalkView(), correct, divergence(correct, stages))
    assert page["compare"]["correct"] == correct[index].substituted
    assert page["compare"]["mistaken"] == stages[index].substituted
    ui = Path(__file__).parents[1] / "simulator" / "ui"
    script = (ui / "walk.js").read_text()
    comparison = script[script.index("comparison(page) {") :][:600]
    assert "\\small" not in comparison  # the page's own size, both of them
    pair = re.search(r"\.bp-pair \{ display: grid; grid-template-columns: ([^;]+);", (ui / "walk.css").read_text())
    assert pair and pair.group(1) in ("1fr", "minmax(0, 1fr)")  # one column: stacked
