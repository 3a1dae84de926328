"""The walk's NumPy printouts: ``formatting.array_text`` writes small arrays itself (NumPy's printing is a
third of a walk's NumPy lines), and must write exactly what ``str(array)`` prints under
``np.printoptions(precision=8)``, the oracle here, on every kind of array the engine can print."""

import numpy as np
import pytest

from simulator import PRESETS, build_stages, step
from simulator.views import formatting
from simulator.views.formatting import array_text, notebook_values


def numpy_text(value: np.ndarray) -> str:
    with np.printoptions(precision=8):
        return str(value)


def samples(rng: np.random.Generator):
    """Arrays of every magnitude and shape the walk prints, and the edges of NumPy's rules: the 1e-4 and
    1e8 cut-offs and the 1000 ratio for scientific notation, zeros and −0, whole numbers, widths near
    the 75-character line."""
    for _ in range(1500):
        shape = (int(rng.integers(2, 9)),) if rng.random() < 0.6 else tuple(int(n) for n in rng.integers(1, 7, 2))
        scale = 10.0 ** rng.uniform(-12, 12, shape) if rng.random() < 0.5 else 10.0 ** rng.integers(-6, 9)
        value = rng.normal(size=shape) * scale
        if rng.random() < 0.2:
            value = np.round(value, int(rng.integers(0, 4)))
        if rng.random() < 0.2:
            value.flat[0] = rng.choice([0.0, -0.0, 1e-4, 9.999999e-5, 1e8, 99999999.99, 1.0, -1.0, 0.5])
        yield value
    yield from (np.array([1e-4, 0.1]), np.array([0.001, 1.0]), np.array([0.001, 1.0001]), np.array([0.0, 0.0]))
    yield from (np.array([-0.0, 0.0]), np.array([1e-4, 0.09]), np.array([2.0, 3.0]), np.array([1e300, -1e-300]))
    yield from (np.full((2, 9), -0.12345678912), np.full(9, -0.12345678912), np.full(7, 123456.789), np.ones((3, 1)))


def test_small_arrays_print_as_numpy_prints_them():
    rng = np.random.default_rng(16)
    checked = 0
    for value in samples(rng):
        assert array_text(value) == numpy_text(value), repr(value.tolist())
        checked += formatting._float_words(value) is not None
    assert checked > 1500  # the quick path, not NumPy's, wrote them


@pytest.mark.parametrize(
    "value",
    [np.array([np.nan, 1.0]), np.array([np.inf, -2.5]), np.full(12, -0.123456789), np.ones((2, 2, 2)), np.zeros(0)],
)
def test_what_the_quick_path_leaves_to_numpy_still_prints_as_numpy_prints_it(value):
    assert array_text(value) == numpy_text(value)


def test_other_print_options_are_numpy_s_business():
    value = np.array([0.123456789, 2.0])
    with np.printoptions(sign="+"):
        assert formatting._default_printing() is False
        assert array_text(value) == numpy_text(value) == "[+0.12345679 +2.        ]"


def test_every_stage_of_every_preset_prints_as_before():
    for scenario in PRESETS.values():
        for stage in build_stages(step(scenario)):
            lines = []
            with np.printoptions(precision=8):
                for name, value in stage.values.items():
                    value = np.asarray(value, dtype=float)
                    value = value.ravel() if value.ndim == 2 and value.shape[1] == 1 else value
                    text = repr(float(value.ravel()[0])) if value.size == 1 else str(value)
                    lines.append(f"{name} = " + text.replace("\n", "\n" + " " * (len(name) + 3)))
            assert notebook_values(stage.values) == "\n".join(lines), stage.id
