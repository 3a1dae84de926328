"""Ready-made scenarios: the seed notebook's network (the default) and two classics."""

from __future__ import annotations

from .activations import SIGMOID
from .losses import HALF_SQUARED_ERROR
from .scenario import Scenario

SEED = Scenario(
    layers=(3, 2, 1),
    activations=(SIGMOID, SIGMOID),
    loss=HALF_SQUARED_ERROR,
    weights=(
        [[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]],
        [[0.1], [-0.3]],
    ),
    biases=None,
    x=[0.5, 0.1, -0.2],
    target=[0.6],
    learning_rate=0.5,
)

# XOR needs biases. From these small starting weights the mean loss falls from 0.126
# to below 0.002 within 500 epochs at learning rate 2.
XOR = Scenario(
    layers=(2, 2, 1),
    activations=(SIGMOID, SIGMOID),
    loss=HALF_SQUARED_ERROR,
    weights=(
        [[-0.9, 0.5], [0.1, -0.3]],
        [[0.6], [-0.4]],
    ),
    biases=([-0.1, -0.7], [-0.2]),
    x=[1.0, 0.0],
    target=[1.0],
    learning_rate=2.0,
    dataset=(
        ([0.0, 0.0], [0.0]),
        ([0.0, 1.0], [1.0]),
        ([1.0, 0.0], [1.0]),
        ([1.0, 1.0], [0.0]),
    ),
)

# Matt Mazur's "A Step by Step Backpropagation Example": two outputs, biases held fixed.
TWO_OUTPUTS = Scenario(
    layers=(2, 2, 2),
    activations=(SIGMOID, SIGMOID),
    loss=HALF_SQUARED_ERROR,
    weights=(
        [[0.15, 0.25], [0.20, 0.30]],
        [[0.40, 0.50], [0.45, 0.55]],
    ),
    biases=([0.35, 0.35], [0.60, 0.60]),
    train_biases=False,
    x=[0.05, 0.10],
    target=[0.01, 0.99],
    learning_rate=0.5,
)

XOR_PRESET = "xor"  # the preset where leaving a slope out goes wrong (core.mistakes)
DEFAULT_PRESET = "seed"  # the network the app opens with and the worksheets vary by default
PRESETS: dict[str, Scenario] = {
    DEFAULT_PRESET: SEED,
    XOR_PRESET: XOR,
    "two_outputs": TWO_OUTPUTS,
}

PRESET_TITLES: dict[str, str] = {
    DEFAULT_PRESET: "Seed notebook: 3-2-1 sigmoid",
    "xor": "XOR: 2-2-1 with biases, 4 examples",
    "two_outputs": "2-2-2 with biases, two outputs",
}
