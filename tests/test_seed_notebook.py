"""The seed notebook's printed numbers, reproduced by the engine."""

import numpy as np
import pytest

from simulator import SEED, build_stages, step
from simulator.core.notebook import SEED_VECTOR, perceptron, relu, sigmoid, softmax


def seed_notebook_step():
    """The notebook's own straight-line code, verbatim: the oracle."""

    def sigmoid(arr):
        return 1 / (1 + np.exp(-arr))

    x = np.array([0.5, 0.1, -0.2])
    target = 0.6
    learning_rate = 0.5
    weights_input_hidden = np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]])
    weights_hidden_output = np.array([0.1, -0.3])
    hidden_layer_input = np.dot(x, weights_input_hidden)
    hidden_layer_output = sigmoid(hidden_layer_input)
    output_layer_in = np.dot(hidden_layer_output, weights_hidden_output)
    output = sigmoid(output_layer_in)
    error = output - target
    del_err_output = error * output * (1 - output)
    del_err_hidden = np.dot(del_err_output, weights_hidden_output) * hidden_layer_output * (1 - hidden_layer_output)
    delta_w_h_o = learning_rate * del_err_output * hidden_layer_output
    delta_w_i_o = learning_rate * del_err_hidden * x[:, None]
    return locals()


SEED_PRINTED_HIDDEN = [0.55971365, 0.38698582]
SEED_PRINTED_OUTPUT = 0.48497343084992534
SEED_PRINTED_CHANGE_HIDDEN_OUTPUT = [-0.00804047, -0.00555918]
SEED_PRINTED_CHANGE_INPUT_HIDDEN = [
    [-1.77005547e-04, 5.11178506e-04],
    [-3.54011093e-05, 1.02235701e-04],
    [7.08022187e-05, -2.04471402e-04],
]


@pytest.fixture(scope="module")
def record():
    return step(SEED)


def test_hidden_output_is_the_notebooks(record):
    oracle = seed_notebook_step()
    np.testing.assert_array_equal(record.activations[1], oracle["hidden_layer_output"])
    np.testing.assert_allclose(record.activations[1], SEED_PRINTED_HIDDEN, rtol=0, atol=5e-9)


def test_output_is_the_notebooks_to_the_last_digit(record):
    assert record.output.shape == (1,)
    assert record.output[0] == SEED_PRINTED_OUTPUT
    assert repr(float(record.output[0])) == "0.48497343084992534"


def test_error_and_deltas_are_the_notebooks(record):
    oracle = seed_notebook_step()
    assert record.error[0] == oracle["error"]
    assert record.deltas[1][0] == oracle["del_err_output"]
    np.testing.assert_array_equal(record.deltas[0], oracle["del_err_hidden"])


def test_weight_update_printouts(record):
    """The seed prints η·dE/dW as the change; the engine's update is minus that."""
    oracle = seed_notebook_step()
    np.testing.assert_array_equal(-record.weight_updates[1][:, 0], oracle["delta_w_h_o"])
    np.testing.assert_array_equal(-record.weight_updates[0], oracle["delta_w_i_o"])
    np.testing.assert_allclose(-record.weight_updates[1][:, 0], SEED_PRINTED_CHANGE_HIDDEN_OUTPUT, rtol=0, atol=5e-9)
    np.testing.assert_allclose(-record.weight_updates[0], SEED_PRINTED_CHANGE_INPUT_HIDDEN, rtol=5e-9)
    np.testing.assert_array_equal(record.new_weights[0], SEED.weights[0] - oracle["delta_w_i_o"])


def test_update_lowers_the_loss(record):
    assert record.new_loss < record.loss
    assert record.loss == pytest.approx(0.5 * (SEED_PRINTED_OUTPUT - 0.6) ** 2, rel=1e-15)


def test_stage_values_carry_the_seed_numbers(record):
    values = {k: v for stage in build_stages(record) for k, v in stage.values.items()}
    assert values["a2"][0] == SEED_PRINTED_OUTPUT
    np.testing.assert_allclose(values["a1"], SEED_PRINTED_HIDDEN, atol=5e-9)
    np.testing.assert_allclose(-values["update_W1"], SEED_PRINTED_CHANGE_INPUT_HIDDEN, rtol=5e-9)
    np.testing.assert_allclose(-values["update_W2"][:, 0], SEED_PRINTED_CHANGE_HIDDEN_OUTPUT, rtol=0, atol=5e-9)


def test_notebook_activations_on_2_4_5():
    vector = np.array(SEED_VECTOR)
    np.testing.assert_allclose(softmax(vector), [0.03511903, 0.25949646, 0.70538451], atol=5e-9)
    np.testing.assert_allclose(sigmoid(vector), [0.88079708, 0.98201379, 0.99330715], atol=5e-9)
    np.testing.assert_array_equal(relu(vector), [2.0, 4.0, 5.0])


def test_perceptron_uses_the_generator_it_is_given():
    vector = np.array(SEED_VECTOR)
    first = perceptron(vector, np.random.default_rng(7))
    again = perceptron(vector, np.random.default_rng(7))
    weights = np.random.default_rng(7).random(3)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(first, [1 / (1 + np.exp(-(10 + vector @ weights)))], rtol=1e-15)
    assert first.shape == (1,)
    state = np.random.get_state()[1].copy()
    perceptron(vector, np.random.default_rng(1))
    np.testing.assert_array_equal(np.random.get_state()[1], state)


def test_mazur_two_output_example():
    """The 2-2-2 preset is Matt Mazur's worked example; its published numbers check the engine."""
    from simulator.core.presets import TWO_OUTPUTS
    from simulator.core.training import train

    record = step(TWO_OUTPUTS)
    np.testing.assert_allclose(record.output, [0.75136507, 0.772928465], atol=5e-9)
    assert record.loss == pytest.approx(0.298371109, abs=5e-10)
    np.testing.assert_allclose(
        record.new_weights[1], [[0.35891648, 0.511301270], [0.408666186, 0.561370121]], atol=5e-9
    )
    np.testing.assert_allclose(record.new_weights[0], [[0.149780716, 0.24975114], [0.19956143, 0.29950229]], atol=5e-9)
    np.testing.assert_array_equal(record.new_biases[0], TWO_OUTPUTS.biases[0])
    # Mazur's "after 10,000 rounds" error is measured in the 10,000th round, before its update.
    assert train(TWO_OUTPUTS, 10_000).losses[9_999] == pytest.approx(0.0000351085, abs=5e-11)
