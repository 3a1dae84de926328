"""Engine speed on the seed scenario, measured in one run. Prints its figures.

    python benchmarks/engine.py

Targets (issue 2): a full step at most 2× the seed notebook's straight-line
NumPy code; 10,000 training steps under 0.25 s; the stage list under 5 ms.
Each figure is the best of several repeats, to keep the noise of a shared
machine out of the comparison.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator import SEED, build_stages, step, train  # noqa: E402
from simulator.core.backprop import Network, sgd_step  # noqa: E402


def seed_notebook_step(state: dict) -> None:
    """The notebook's forward pass, backprop and update, written straight through."""
    x, target, learning_rate = state["x"], state["target"], state["learning_rate"]
    weights_input_hidden, weights_hidden_output = state["W1"], state["W2"]
    hidden_layer_output = 1 / (1 + np.exp(-np.dot(x, weights_input_hidden)))
    output = 1 / (1 + np.exp(-np.dot(hidden_layer_output, weights_hidden_output)))
    error = output - target
    del_err_output = error * output * (1 - output)
    del_err_hidden = np.dot(del_err_output, weights_hidden_output) * hidden_layer_output * (1 - hidden_layer_output)
    state["W2"] = weights_hidden_output - learning_rate * del_err_output * hidden_layer_output
    state["W1"] = weights_input_hidden - learning_rate * del_err_hidden * x[:, None]


def best_per_call(function, number: int, repeat: int = 7) -> float:
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


def main() -> None:
    state = {
        "x": np.array([0.5, 0.1, -0.2]),
        "target": 0.6,
        "learning_rate": 0.5,
        "W1": np.array([[0.5, -0.6], [0.1, -0.2], [0.1, 0.7]]),
        "W2": np.array([0.1, -0.3]),
    }
    network = Network.of(SEED)
    weights = list(SEED.weights)

    seed_step = best_per_call(lambda: seed_notebook_step(state), 20_000)
    engine_step = best_per_call(
        lambda: sgd_step(network, weights, None, SEED.x, SEED.target, SEED.learning_rate), 20_000
    )
    recorded_step = best_per_call(lambda: step(SEED), 5_000)
    training = min(timeit.repeat(lambda: train(SEED, 10_000), number=1, repeat=5))
    record = step(SEED)
    stage_list = best_per_call(lambda: build_stages(record), 200)
    step_and_stages = best_per_call(lambda: build_stages(step(SEED)), 200)

    print("engine benchmark, seed scenario (3-2-1 sigmoid), best of repeats")
    print(f"  seed notebook straight-line step : {seed_step * 1e6:8.1f} µs")
    print(
        f"  engine step (sgd_step)           : {engine_step * 1e6:8.1f} µs   ratio {engine_step / seed_step:.2f}×"
        "  (target ≤ 2×)"
    )
    print(
        f"  engine step with full record     : {recorded_step * 1e6:8.1f} µs   ratio {recorded_step / seed_step:.2f}×"
    )
    print(
        f"  10,000 training steps (train)    : {training:8.3f} s    (target < 0.25 s; "
        f"the notebook's code would take {seed_step * 1e4:.3f} s)"
    )
    print(f"  stage list (build_stages)        : {stage_list * 1e3:8.2f} ms   (target < 5 ms)")
    print(f"  step + stage list                : {step_and_stages * 1e3:8.2f} ms")


if __name__ == "__main__":
    main()
