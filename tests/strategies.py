"""Hypothesis strategies for random valid scenarios."""

from hypothesis import strategies as st

from simulator import Scenario

HIDDEN_ACTIVATIONS = ["sigmoid", "tanh", "relu", "linear"]
values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)


def _matrix(draw, rows, cols):
    return [[draw(values) for _ in range(cols)] for _ in range(rows)]


@st.composite
def scenarios(draw, max_layers: int = 4, max_units: int = 4) -> Scenario:
    layers = draw(st.lists(st.integers(1, max_units), min_size=2, max_size=max_layers))
    loss = draw(st.sampled_from(["half_squared_error", "cross_entropy"]))
    output_choices = ["sigmoid", "softmax"] if loss == "cross_entropy" else HIDDEN_ACTIVATIONS + ["softmax"]
    output = draw(st.sampled_from(output_choices))
    if output == "softmax" and layers[-1] < 2:
        layers[-1] = 2
    activations = [draw(st.sampled_from(HIDDEN_ACTIVATIONS)) for _ in layers[2:]] + [output]
    weights = [_matrix(draw, layers[l], layers[l + 1]) for l in range(len(layers) - 1)]
    biases = draw(st.booleans()) and [[draw(values) for _ in range(n)] for n in layers[1:]] or None
    if loss == "cross_entropy" and output == "softmax":
        # Whole-number shares keep every target in [0, 1] with a sum within rounding of 1.
        shares = [draw(st.integers(0, 4)) for _ in range(layers[-1])]
        shares[0] += sum(shares) == 0
        target = [share / sum(shares) for share in shares]
    elif loss == "cross_entropy":
        target = [draw(st.floats(0.0, 1.0)) for _ in range(layers[-1])]
    else:
        target = [draw(values) for _ in range(layers[-1])]
    return Scenario(
        layers=layers,
        activations=activations,
        loss=loss,
        weights=weights,
        biases=biases,
        train_biases=draw(st.booleans()),
        x=[draw(values) for _ in range(layers[0])],
        target=target,
        learning_rate=draw(st.sampled_from([0.01, 0.1, 0.5, 1.0])),
    )
