"""Exercises for a class: seeded variants of a preset, each with a quiz link (:mod:`.worksheets` prints them).

``make_exercises(preset, seed, count)`` draws ``count`` scenarios from ``numpy.random.default_rng(seed)``:
the preset's architecture with new inputs (1 decimal), targets, weights and biases (2 decimals) and a
learning rate from :data:`LEARNING_RATES`. The same arguments always give the same exercises, and
:func:`~simulator.io.worksheets.exercise_files` the same bytes (no dates, no randomness outside the seed).
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

import numpy as np

from ..core.activations import RELU, SIGMOID, SOFTMAX, TANH
from ..core.presets import PRESETS
from ..core.record import StepRecord, step
from ..core.scenario import Scenario, ScenarioError
from ..views.stages import FIRST_STAGE
from .share import ViewOptions, encode

DEFAULT_APP_URL = "http://localhost:8501/"
LEARNING_RATES = (0.1, 0.25, 0.5, 1.0)
INPUT_DECIMALS, VALUE_DECIMALS = 1, 2  # x; target, weights and biases
ANSWER_DIGITS = 8  # significant digits in the answer key
MAX_EXERCISES = 50
QUIZ_STAGE = FIRST_STAGE
MAX_DRAWS = 1000  # per exercise; a degenerate draw is replaced by the next one


@dataclass(frozen=True)
class Exercise:
    number: int  # 1-based
    scenario: Scenario
    link: str  # opens the exercise in the app, in quiz mode, at the first stage


# --- drawing ---------------------------------------------------------------


def _uniform(rng: np.random.Generator, low: float, high: float, shape, decimals: int) -> list:
    return np.round(rng.uniform(low, high, shape), decimals).tolist()


def _target(rng: np.random.Generator, template: Scenario) -> list:
    """A target the output activation can reach, 2 decimals (one-hot for softmax)."""
    size, activation = template.layers[-1], template.activations[-1]
    if activation == SOFTMAX:
        return np.eye(size)[rng.integers(size)].tolist()
    low, high = {SIGMOID: (0.05, 0.95), TANH: (-0.9, 0.9), RELU: (0.05, 1.0)}.get(activation, (-1.0, 1.0))
    return _uniform(rng, low, high, size, VALUE_DECIMALS)


def _draw(rng: np.random.Generator, template: Scenario) -> Scenario:
    layers = template.layers
    return template.replace(
        x=_uniform(rng, -1.0, 1.0, layers[0], INPUT_DECIMALS),
        target=_target(rng, template),
        weights=[_uniform(rng, -1.0, 1.0, (m, n), VALUE_DECIMALS) for m, n in zip(layers, layers[1:])],
        biases=None if template.biases is None else [_uniform(rng, -1.0, 1.0, n, VALUE_DECIMALS) for n in layers[1:]],
        learning_rate=float(rng.choice(LEARNING_RATES)),
        dataset=None,
    )


def _degenerate(record: StepRecord) -> bool:
    """Draws that teach little: a zero input or weight, an output already on target, a dead unit, no learning."""
    scenario = record.scenario
    return bool(
        np.any(scenario.x == 0)
        or any(np.any(w == 0) for w in scenario.weights)
        or np.all(np.abs(record.error) < 0.02)
        or any(np.any(d == 0) for d in record.deltas)
        or not record.new_loss < record.loss
    )


def _template(preset: str) -> Scenario:
    if preset not in PRESETS:
        raise ScenarioError([f"preset: must be one of {', '.join(sorted(PRESETS))}, got {preset!r}"])
    return PRESETS[preset]


def quiz_link(scenario: Scenario, app_url: str = DEFAULT_APP_URL) -> str:
    """A link that opens ``scenario`` in the app in quiz mode at the first stage."""
    params = encode(scenario, options=ViewOptions(stage=QUIZ_STAGE, quiz=True))
    return app_url + ("&" if "?" in app_url else "?") + urlencode(params, safe=",;:|")


def make_exercises(preset: str, seed: int, count: int, *, app_url: str = DEFAULT_APP_URL) -> list[Exercise]:
    """``count`` variants of ``preset`` drawn from ``numpy.random.default_rng(seed)``, degenerate draws skipped."""
    template = _template(preset)
    if not 1 <= count <= MAX_EXERCISES:
        raise ScenarioError([f"count: must be from 1 to {MAX_EXERCISES}, got {count}"])
    if seed < 0:
        raise ScenarioError([f"seed: must be 0 or more, got {seed}"])
    rng = np.random.default_rng(seed)
    exercises = []
    for number in range(1, count + 1):
        for _ in range(MAX_DRAWS):
            scenario = _draw(rng, template)
            if not _degenerate(step(scenario)):
                break
        else:
            raise ScenarioError([f"preset: {preset} gave no usable exercise in {MAX_DRAWS} draws"])
        exercises.append(Exercise(number, scenario, quiz_link(scenario, app_url)))
    return exercises


__all__ = ["DEFAULT_APP_URL", "LEARNING_RATES", "MAX_EXERCISES", "Exercise", "make_exercises", "quiz_link"]
