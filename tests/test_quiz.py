"""Predict, then reveal: reading answers, the tolerance, the diagnosis and the score."""

import numpy as np
import pytest

from simulator import MISTAKES, PRESETS, SEED, build_stages, check_answer, divergence, parse_answer, quiz_score, step
from simulator.core.messages import quote
from simulator.views.quiz import TOLERANCE_TEXT, questions


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0.24, -0.46", [0.24, -0.46]),
        ("0.24 −0.46", [0.24, -0.46]),
        ("0,24 -0,46", [0.24, -0.46]),  # decimal commas: no '.' anywhere, one comma inside each number
        ("0,5", [0.5]),
        ("1,2,3", [1.0, 2.0, 3.0]),
        ("0, 5", [0.0, 5.0]),
        ("1.77e-04", [1.77e-4]),
        ("0.5, -0.6; 0.1 -0.2\n0.1 0.7", [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]),
    ],
)
def test_parse_answer(text, expected):
    np.testing.assert_array_equal(parse_answer(text), expected)


@pytest.mark.parametrize("text", ["", "  ", "0.5, abc", "1 2; 3", "inf"])
def test_unreadable_answers_quote_the_text(text):
    with pytest.raises(ValueError, match="could not read") as info:
        parse_answer(text)
    if text.strip():
        assert quote(text) in str(info.value)


RECORD = step(SEED)


def verdict(stage_id, key, answer, record=RECORD):
    return check_answer(record, stage_id, key, answer)


def test_tolerance_relative_or_typed_digits():
    assert verdict("forward.a1", "a1", "0.5597 0.3870").correct
    assert verdict("forward.a1", "a1", "0.56 0.387").correct  # 0.56 = 0.5597… to 3 digits
    assert not verdict("forward.a1", "a1", "0.6 0.4").correct
    assert verdict("delta.2", "delta2", "-0.0287").correct
    assert not verdict("update.W1", "update_W1", "0.000 -0.001; 0 0; 0 0").correct  # 0.000 is not 1.77e-04
    assert verdict("gradient.W2", "dW2", [[-0.016081], [-0.011118]]).correct  # within 0.1 %
    assert verdict("loss", "loss", "0.006616").correct
    assert "0.1 %" in TOLERANCE_TEXT and "at least 3" in TOLERANCE_TEXT


def _mistaken_values(scenario):
    """(mistake, stage id, key, the mistaken value) wherever a mistake changes a value."""
    correct = build_stages(step(scenario))
    for mistake in MISTAKES:
        mistaken = build_stages(step(scenario, mistake=mistake))
        found = divergence(correct, mistaken)
        for stage in mistaken:
            for key in questions(stage):
                if found.masks[stage.id][key].any():
                    yield mistake, stage.id, key, stage.values[key]


@pytest.mark.parametrize("name", ["seed", "xor", "two_outputs"])
def test_the_diagnosis_names_each_mistake_fed_its_values(name):
    scenario = PRESETS[name]
    record = step(scenario)
    checked = 0
    for mistake, stage_id, key, values in _mistaken_values(scenario):
        result = check_answer(record, stage_id, key, values)
        if result.correct:  # the mistake moved this value by less than the tolerance
            assert np.allclose(values, result.expected, rtol=1e-3, atol=0), (mistake, stage_id, key)
            continue
        checked += 1
        assert mistake in (result.matched, *result.also), (mistake, stage_id, key, result.diagnosis)
        assert result.diagnosis.startswith("Your ") and MISTAKES[result.matched].matches in result.diagnosis
    assert checked >= 15


def test_the_diagnosis_says_forgetting_the_slope():
    result = verdict("delta.2", "delta2", "-0.115")
    assert not result.correct and result.matched == "no_activation_slope"
    assert "forgetting the activation's slope" in result.diagnosis and "o(1 − o)" in result.diagnosis


def test_slips_sign_rate_transposed_and_one_entry():
    dW1 = RECORD.weight_gradients[0]
    sign = verdict("gradient.W1", "dW1", -dW1)
    assert "sign" in (sign.matched, *sign.also) and "sign flipped" in sign.diagnosis  # as t − o would give it
    new_W2 = np.asarray(SEED.weights[1]) - RECORD.weight_gradients[1]  # η forgotten
    rate = verdict("update.W2", "new_W2", new_W2)
    # with η = 0.5, forgetting η doubles the step just as a gradient buffer that was not zeroed does: both named
    assert "learning_rate" in (rate.matched, *rate.also) and "learning rate" in rate.diagnosis
    transposed = verdict("gradient.W1", "dW1", dW1.T)
    assert transposed.matched == "transposed" and "transposed" in transposed.diagnosis
    one = dW1.copy()
    one[2, 1] = 0.5
    single = verdict("gradient.W1", "dW1", one)
    assert single.matched == "one_entry" and single.first_wrong == (2, 1) and "3, 2" in single.diagnosis


def test_no_match_names_the_first_factor_to_check():
    result = verdict("forward.z1", "z1", "0.3 0.9")
    assert result.matched is None and result.first_wrong == (0,)
    assert "weighted sum" in result.diagnosis
    wrong_size = verdict("forward.z1", "z1", "0.24")
    assert not wrong_size.correct and "2 numbers" in wrong_size.diagnosis


def test_unknown_stage_or_value_is_a_clear_error():
    with pytest.raises(ValueError, match="no stage"):
        verdict("forward.z9", "z9", "1")
    with pytest.raises(ValueError, match="has no value"):
        verdict("forward.z1", "a1", "1")


def test_questions_ask_for_what_a_stage_computes():
    stages = {s.id: s for s in build_stages(RECORD)}
    assert questions(stages["update.W1"]) == ("new_W1",)
    assert questions(stages["loss"]) == ("error", "loss")


def test_paper_mode_quiz_checks_against_the_rounded_values():
    rounded = step(SEED, digits=3)
    assert check_answer(rounded, "forward.a2", "a2", "0.485").correct


def test_score_counts_first_tries():
    score = quiz_score(
        [
            ("forward.z1", True),
            ("forward.a1", False),
            ("forward.a1", True),
            ("forward.z2", False),
            ("forward.z1", False),
        ]
    )
    assert score.first_try == {"forward.z1": True, "forward.a1": False, "forward.z2": False}
    assert score.attempts["forward.a1"] == 2
    assert (score.right, score.total) == (1, 3)
    assert score.summary == "1 of 3 stages right at the first try. To revisit: forward.a1, forward.z2."
