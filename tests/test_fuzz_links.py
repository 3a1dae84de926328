"""Fuzzing share links: any query string opens a usable view, and a bad field costs that field only."""

import dataclasses
import re
import warnings
from contextlib import contextmanager

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simulator import PRESETS, SEED, build_stages, step
from simulator.io.share import VIEW_OPTIONS, decode, encode

from .strategies import query_dicts, scenarios, view_options, with_dataset
from .test_fuzz_hostile import recorded

TWO_OUTPUTS = PRESETS["two_outputs"]


@contextmanager
def strict():
    """Every warning an error, every NumPy floating-point error that would warn raised (underflow to 0 is silent)."""
    with warnings.catch_warnings(), np.errstate(all="raise", under="ignore"):
        warnings.simplefilter("error")
        yield


def assert_finite(record) -> None:
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        arrays = value if isinstance(value, tuple) else (value,)
        for array in arrays:
            if isinstance(array, (np.ndarray, float)):
                assert np.all(np.isfinite(array)), field.name


def texts_of(params) -> list[str]:
    texts = []
    for key, value in params.items():
        texts.append(key)
        texts.extend(value if isinstance(value, list) else [value])
    return texts


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(query_dicts(), st.sampled_from([SEED, TWO_OUTPUTS]))
def test_any_query_opens_a_usable_view(params, default):
    with strict():
        view = recorded("link", decode, params, default)
        record = step(view.scenario)
        stages = build_stages(record)
    assert_finite(record)
    assert all(np.all(np.isfinite(v)) for s in stages for v in s.values.values())
    for problem in view.problems:
        assert problem.isprintable() and len(problem) < 400, problem
        # User text longer than the quoting limit never appears whole in a message.
        assert not any(len(text) > 45 and text in problem for text in texts_of(params)), problem


# Text that is certainly not usable, for each parameter, and the field its problem names.
JUNK = {
    "act": ("swish", "activations"),
    "loss": ("bogus", "loss"),
    "x": ("1,oops", "x"),
    "t": ("0.01,oops", "target"),
    "lr": ("fast", "learning_rate"),
    "frozen": ("maybe", "frozen"),
    "data": ("1,2", "data"),
    "stage": ("![p](http://127.0.0.1:9/x.png)", "stage"),
    "mode": ("foo", "mode"),
    "quiz": ("2", "quiz"),
    "blank": ("yes please", "blank"),
    "spotlight": ("-1", "spotlight"),
    "hide": ("everything", "hide"),
    "mistake": ("nope", "mistake"),
    "round": ("99", "round"),
    "notation": ("leibniz", "notation"),
    "form": ("tensor", "form"),
    "speed": ("100", "speed"),
    "batch": ("mini", "batch"),
}


def junk(key: str) -> tuple[str, str]:
    if key in JUNK:
        return JUNK[key]
    field = "weights" if key[0] == "w" else "biases"
    return "1,oops", f"{field}[{int(key[1:]) - 1}]"


def fields_of(view) -> dict:
    """Every field a link carries, keyed by its query parameter."""
    scenario = view.scenario
    found = {
        "layers": scenario.layers,
        "act": scenario.activations,
        "loss": scenario.loss,
        "x": scenario.x.tolist(),
        "t": scenario.target.tolist(),
        "lr": scenario.learning_rate,
        "frozen": scenario.train_biases,
        "data": None if scenario.dataset is None else [(x.tolist(), t.tolist()) for x, t in scenario.dataset],
        **{f"w{l + 1}": w.tolist() for l, w in enumerate(scenario.weights)},
        **{f"b{l + 1}": b.tolist() for l, b in enumerate(scenario.biases or ())},
    }
    found.update({option.name: getattr(view.options, option.name) for option in dataclasses.fields(view.options)})
    found["mode"] = found.pop("lecture")
    return found


@st.composite
def linked_scenarios(draw):
    scenario = draw(scenarios(max_layers=5, max_units=5))
    return draw(with_dataset(scenario)) if draw(st.booleans()) else scenario


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(linked_scenarios(), view_options(), st.sampled_from([SEED, TWO_OUTPUTS]), st.data())
def test_a_bad_field_costs_that_field_only(scenario, options, default, data):
    params = encode(scenario, options=options)
    good = decode(params, default)
    assert good.scenario == scenario and good.options == options and good.problems == ()
    key = data.draw(st.sampled_from(sorted(set(params) - {"layers"})))
    text, named = junk(key)
    with strict():
        view = recorded("link", decode, {**params, key: text}, default)
    assert any(p.startswith(named) for p in view.problems), (key, view.problems)
    kept, before = fields_of(view), fields_of(good)
    changed = [k for k in params if k != key and kept.get(k) != before.get(k)]
    assert not changed, (key, changed, view.problems)


@settings(suppress_health_check=[HealthCheck.too_slow])
@given(linked_scenarios(), view_options(), query_dicts())
def test_unknown_and_repeated_parameters_never_cost_a_valid_field(scenario, options, noise):
    params = encode(scenario, options=options)
    known = {"layers", "act", "loss", "x", "t", "lr", "data", "frozen", *(o.param for o in VIEW_OPTIONS)}
    noisy = {k: v for k, v in noise.items() if k not in known and not re.fullmatch(r"[wb][1-9][0-9]?", k)}
    noisy.update({k: [v, v] for k, v in params.items()})  # repeated with the same value: not a problem
    with strict():
        view = recorded("link", decode, noisy, SEED)
    assert view.scenario == scenario and view.options == options
    assert all("unknown parameter" in p or "more unknown" in p or "not text" in p for p in view.problems)


@settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(linked_scenarios(), st.sampled_from([SEED, TWO_OUTPUTS]), query_dicts())
def test_a_link_with_any_values_overwritten_opens_a_usable_view(scenario, default, noise):
    params = {**encode(scenario), **noise}
    with strict():
        view = recorded("link", decode, params, default)
        record = step(view.scenario)
    assert_finite(record)
    assert all(p.isprintable() for p in view.problems)
