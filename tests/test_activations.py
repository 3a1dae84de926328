"""Activations and losses: derivatives, stability at |z| = 1e4."""

import warnings

import numpy as np
import pytest

from simulator import ACTIVATIONS, LOSSES
from simulator.core.activations import derivative

EXTREMES = np.array([-1e4, -750.0, -30.0, -1.0, 0.0, 1.0, 30.0, 750.0, 1e4])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_no_overflow_or_nan_at_extremes(name):
    activation = ACTIVATIONS[name]
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        warnings.simplefilter("error")
        a = activation(EXTREMES)
        grad = activation.backward(EXTREMES, a, np.ones_like(EXTREMES))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(grad))


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "linear"])
def test_elementwise_derivative_matches_finite_differences(name):
    activation = ACTIVATIONS[name]
    z = np.array([-3.0, -0.7, 0.3, 2.5])
    h = 1e-6
    numeric = (activation(z + h) - activation(z - h)) / (2 * h)
    np.testing.assert_allclose(derivative(activation, z), numeric, rtol=1e-6, atol=1e-9)


def test_softmax_backward_is_the_jacobian_transpose():
    softmax = ACTIVATIONS["softmax"]
    z = np.array([0.2, -1.3, 2.0])
    upstream = np.array([0.5, -2.0, 1.0])
    h = 1e-6
    jacobian = np.array([(softmax(z + h * e) - softmax(z - h * e)) / (2 * h) for e in np.eye(3)]).T
    np.testing.assert_allclose(softmax.backward(z, softmax(z), upstream), jacobian.T @ upstream, atol=1e-9)


def test_sigmoid_extremes_are_exact_limits():
    sigmoid = ACTIVATIONS["sigmoid"]
    assert sigmoid(np.array([1e4]))[0] == 1.0
    assert sigmoid(np.array([-1e4]))[0] < 1e-300
    assert ACTIVATIONS["softmax"](np.array([1e4, 0.0, -1e4]))[0] == 1.0


@pytest.mark.parametrize("output", ["sigmoid", "softmax"])
def test_cross_entropy_is_finite_for_saturated_outputs(output):
    activation = ACTIVATIONS[output]
    z = np.array([1e4, -1e4])
    target = np.array([0.0, 1.0])
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise", under="ignore"):
        warnings.simplefilter("error")
        value = LOSSES["cross_entropy"].value(z, activation(z), target, activation)
    assert np.isfinite(value) and value == pytest.approx(2e4 if output == "sigmoid" else 2e4, rel=1e-12)


def test_registry_names_are_the_keys():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "linear", "softmax"}
    assert set(LOSSES) == {"half_squared_error", "cross_entropy"}
    assert all(act.name == key for key, act in ACTIVATIONS.items())
