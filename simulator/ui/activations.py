"""The Activation functions tab: the seed notebook's softmax, sigmoid and ReLU, and the perceptron."""

from __future__ import annotations

import numpy as np
import streamlit as st

from simulator import ACTIVATIONS
from simulator.core.activations import RELU, SIGMOID, SOFTMAX, TANH
from simulator.core.fields import parse_numbers
from simulator.core.notebook import SEED_VECTOR, perceptron, perceptron_weights
from simulator.views.figures import activation_figure
from simulator.views.tables import matrix_frame

from . import state


def typed_vector() -> np.ndarray:
    """The vector typed by the user, or the seed's [2, 4, 5] with a message when it cannot be used."""
    text = st.text_input("Vector", "2, 4, 5", key="activation_vector", help="The seed notebook uses [2, 4, 5].")
    try:
        values = parse_numbers(text)
    except ValueError:
        values = []
    if (
        not values
        or not all(isinstance(v, float) and np.isfinite(v) and abs(v) <= 1e6 for v in values)
        or len(values) > 16
    ):
        st.error("Type 1 to 16 finite numbers between -1e6 and 1e6, separated by commas.", icon="⚠️")
        values = list(SEED_VECTOR)
    return np.array(values)


def activation_view() -> None:
    vector = typed_vector()
    rows = {name: ACTIVATIONS[name](vector) for name in (SOFTMAX, SIGMOID, RELU, TANH)}
    frame = matrix_frame(np.array(list(rows.values())), list(rows), [f"v{k + 1}" for k in range(vector.size)])
    st.dataframe(frame.style.format(lambda v: f"{v:.8f}"), width="content")
    with np.printoptions(precision=8):
        st.code("\n".join(f"{name}({vector}) = {values}" for name, values in rows.items()), language="python")
    names = list(ACTIVATIONS)
    columns = [column for _ in range(0, len(names), 3) for column in st.columns(3)]
    for column, name in zip(columns, names):
        column.plotly_chart(
            activation_figure(name, state.get("lecture")), width="stretch", config={"displayModeBar": False}
        )
    st.markdown("**The perceptron**: output = sigmoid(w·x + b), b = 10, w drawn uniformly from [0, 1).")
    seed = st.number_input("Random seed for w", 0, 2**31 - 1, 0, key="perceptron_seed")
    weights = perceptron_weights(vector.size, np.random.default_rng(seed))
    output = perceptron(vector, np.random.default_rng(seed))
    st.code(f"w = {np.array2string(weights, precision=8)}\noutput = {float(output[0])!r}", language="python")
