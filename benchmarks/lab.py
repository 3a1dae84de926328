"""Training lab speed: engine against plain straight-line NumPy, in one run. Prints its figures.

    python benchmarks/lab.py

Measures training steps per second on XOR (2-2-1, 4 examples) and on a 200-point spiral with a
2-8-8-1 sigmoid network, one update per example and full batch, and the time to compute the output
map at 100×100. Each engine figure stands next to the same work written straight through in
NumPy below (forward, backward, update and the mean loss each step). Best of several repeats.
"""

from __future__ import annotations

import sys
import timeit
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator import PRESETS, train  # noqa: E402
from simulator.core.boundary import output_grid  # noqa: E402
from simulator.core.datasets import DATASETS, dataset_of, with_dataset  # noqa: E402
from simulator.core.editing import with_layers  # noqa: E402


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def plain_example_pass(Ws, bs, X, T, rate):
    """One update per example, in order, then the mean half squared error."""
    for x, t in zip(X, T):
        a = [x]
        for W, b in zip(Ws, bs):
            a.append(sigmoid(a[-1] @ W + b))
        d = (a[-1] - t) * a[-1] * (1 - a[-1])
        for l in range(len(Ws) - 1, -1, -1):
            back = (Ws[l] @ d) * a[l] * (1 - a[l]) if l else None
            Ws[l] = Ws[l] - rate * np.outer(a[l], d)
            bs[l] = bs[l] - rate * d
            d = back
    return plain_loss(Ws, bs, X, T)


def plain_loss(Ws, bs, X, T):
    a = X
    for W, b in zip(Ws, bs):
        a = sigmoid(a @ W + b)
    return 0.5 * np.mean(np.sum((a - T) ** 2, axis=1))


def plain_full_step(Ws, bs, X, T, rate):
    """One update by the mean gradient over all examples."""
    a = [X]
    for W, b in zip(Ws, bs):
        a.append(sigmoid(a[-1] @ W + b))
    loss = 0.5 * np.mean(np.sum((a[-1] - T) ** 2, axis=1))
    d = (a[-1] - T) * a[-1] * (1 - a[-1])
    n = len(X)
    for l in range(len(Ws) - 1, -1, -1):
        back = (d @ Ws[l].T) * a[l] * (1 - a[l]) if l else None
        Ws[l] = Ws[l] - rate * (a[l].T @ d) / n
        bs[l] = bs[l] - rate * d.sum(axis=0) / n
        d = back
    return loss


def plain_grid(Ws, bs, bounds, resolution=100):
    x1 = np.linspace(*bounds[0], resolution)
    x2 = np.linspace(*bounds[1], resolution)
    g1, g2 = np.meshgrid(x1, x2)
    a = np.column_stack([g1.ravel(), g2.ravel()])
    for W, b in zip(Ws, bs):
        a = sigmoid(a @ W + b)
    return a.reshape(resolution, resolution, -1)


def best(function, number: int, repeat: int = 5) -> float:
    return min(timeit.repeat(function, number=number, repeat=repeat)) / number


def steps_per_second(scenario, mode: str, steps: int) -> tuple[float, float]:
    """Engine and plain NumPy steps per second for ``steps`` steps."""
    data = dataset_of(scenario)
    rate = scenario.learning_rate
    engine = best(lambda: train(scenario, steps, mode), 1, 3) / steps

    def plain():
        Ws, bs = [w.copy() for w in scenario.weights], [b.copy() for b in scenario.biases]
        for _ in range(steps):
            if mode == "full":
                plain_full_step(Ws, bs, data.x, data.t, rate)
            else:
                plain_example_pass(Ws, bs, data.x, data.t, rate)
        if mode == "full":
            plain_loss(Ws, bs, data.x, data.t)

    numpy = best(plain, 1, 3) / steps
    return 1 / engine, 1 / numpy


def main() -> None:
    xor = PRESETS["xor"]
    spiral = with_dataset(with_layers(xor, [2, 8, 8, 1]).replace(learning_rate=0.5), DATASETS["spiral"](200, 0.0, 0))
    print("training lab benchmark, best of repeats (engine vs the same work in plain NumPy)")
    for name, scenario, steps in (("XOR 2-2-1, 4 points", xor, 2000), ("spiral 2-8-8-1, 200 points", spiral, 40)):
        for mode, label in (("example", "per example"), ("full", "full batch")):
            count = steps if mode == "example" else steps * 10
            engine, numpy = steps_per_second(scenario, mode, count)
            print(
                f"  {name:<27} {label:<12}: {engine:9,.0f} steps/s   plain NumPy {numpy:9,.0f} steps/s"
                f"   engine takes {numpy / engine:.2f}× as long"
            )
    grid = output_grid(spiral, 100)
    weights, biases = list(spiral.weights), list(spiral.biases)
    engine = numpy = float("inf")
    for _ in range(3):  # interleaved, so that a busy moment on a shared machine hits both
        engine = min(engine, best(lambda: output_grid(spiral, 100), 20))
        numpy = min(numpy, best(lambda: plain_grid(weights, biases, grid.bounds), 20))
    assert np.allclose(plain_grid(list(spiral.weights), list(spiral.biases), grid.bounds), grid.outputs)
    print(
        f"  output map 100×100, 2-8-8-1                : {engine * 1e3:6.2f} ms   plain NumPy {numpy * 1e3:6.2f} ms"
        f"   engine takes {engine / numpy:.2f}× as long"
    )


if __name__ == "__main__":
    main()
