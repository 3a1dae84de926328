"""Gradient descent on the scenario's example or dataset, in one of two batch modes.

``example`` (the default): one step is one pass over the dataset, one update per example in
order (on a scenario without a dataset, one update on its example). ``full``: one step is one
update by the mean of the per-example gradients (full batch), computed for all examples at
once with matrix products: rows are examples, so ``Z = A @ W + b`` and
∂Ē/∂W⁽ˡ⁾ = A⁽ˡ⁻¹⁾ᵀ Δ⁽ˡ⁾ / n, where Δ⁽ˡ⁾ stacks the examples' δ⁽ˡ⁾ as rows.
Either way the loss reported for step k is the mean over the dataset at step k's weights.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .activations import ACTIVATIONS
from .backprop import Network, loss_of, sgd_step
from .scenario import MAX_ABS_VALUE, Scenario

MAX_STEPS = 1_000_000
MODES = ("example", "full")
MODE_TEXT = {
    "example": "one update per example, in order (one step = one pass over the data)",
    "full": "one update per pass by the mean gradient over all examples (full batch)",
}


DIVERGED = (
    "training stopped at step {step}: the update pushed a weight past ±1e6 or to infinity "
    "(try a smaller learning rate); the weights before that step are kept"
)
REACHED = "training stopped at step {step}: the loss {loss:.6g} reached the target {target:g}"
CHECK_EVERY = 64  # steps between checks that the weights are still inside the schema's limits


@dataclass(frozen=True, eq=False)
class Params:
    """Weights W⁽¹⁾..W⁽ᴸ⁾ and biases b⁽¹⁾..b⁽ᴸ⁾ (None without biases)."""

    weights: tuple[np.ndarray, ...]
    biases: tuple[np.ndarray, ...] | None

    @classmethod
    def of(cls, scenario: Scenario) -> Params:
        return cls(tuple(scenario.weights), scenario.biases)

    def flat(self) -> np.ndarray:
        """Every weight, then every bias, in row-major order."""
        return np.concatenate([a.ravel() for a in (*self.weights, *(self.biases or ()))])

    def applied_to(self, scenario: Scenario) -> Scenario:
        """The scenario with these weights and biases."""
        return scenario.replace(
            weights=[w.tolist() for w in self.weights],
            biases=None if self.biases is None else [b.tolist() for b in self.biases],
        )


@dataclass(frozen=True, eq=False)
class TrainingRun:
    """``losses[0]`` is before the first step, ``losses[k]`` after step k.

    When an update pushes a weight past ±1e6 (or to inf/NaN), training stops: ``diverged_at``
    is that step, ``losses`` ends with the step before it and ``scenario`` holds its weights.
    With a target loss, ``reached_target`` says training stopped (or ended) at or below it.
    """

    losses: np.ndarray
    scenario: Scenario  # the starting scenario with the trained weights and biases
    diverged_at: int | None = None
    reached_target: bool = False
    mode: str = "example"

    @property
    def steps(self) -> int:
        return len(self.losses) - 1


def examples(scenario: Scenario) -> list[tuple[np.ndarray, np.ndarray]]:
    """The dataset, or the scenario's single example."""
    if scenario.dataset is None:
        return [(scenario.x, scenario.target)]
    return list(scenario.dataset)


def mean_loss(network: Network, weights, biases, data) -> float:
    return sum(loss_of(network, weights, biases, x, t) for x, t in data) / len(data)


def within_limits(weights, biases) -> bool:
    """Whether every parameter is finite and within the scenario limit of ±1e6."""
    return all(np.all(np.abs(a) <= MAX_ABS_VALUE) for a in (*weights, *(biases or ())))


# --- the whole dataset at once (rows are examples) ---------------------------


def _softmax_rows(z: np.ndarray) -> np.ndarray:
    shifted = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return shifted / np.sum(shifted, axis=-1, keepdims=True)


def _softmax_rows_backward(z, a, upstream):
    return a * (upstream - np.sum(upstream * a, axis=-1, keepdims=True))


# Elementwise activations work on a matrix of rows as they are; softmax needs its row-wise form.
_ROW_WISE = {"softmax": (_softmax_rows, _softmax_rows_backward)}


def _forward_fn(name: str):
    return _ROW_WISE[name][0] if name in _ROW_WISE else ACTIVATIONS[name].forward


def _backward_fn(name: str):
    return _ROW_WISE[name][1] if name in _ROW_WISE else ACTIVATIONS[name].backward


def batch_forward(network: Network, weights, biases, x: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Z⁽¹⁾..Z⁽ᴸ⁾ and A⁽⁰⁾..A⁽ᴸ⁾ for every row of ``x`` (n, inputs) at once."""
    zs, activations = [], [x]
    for l, activation in enumerate(network.activations):
        z = activations[-1] @ weights[l]
        if biases is not None:
            z = z + biases[l]
        zs.append(z)
        activations.append(_forward_fn(activation.name)(z))
    return zs, activations


def batch_losses(network: Network, z: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """E of each row (shape (n,)), as :mod:`simulator.core.losses` defines it for one example."""
    if network.loss.name == "half_squared_error":
        error = a - t
        return 0.5 * np.sum(error * error, axis=1)
    if network.activations[-1].name == "softmax":
        peak = np.max(z, axis=1, keepdims=True)
        log_sum_exp = peak[:, 0] + np.log(np.sum(np.exp(z - peak), axis=1))
        return np.sum(t, axis=1) * log_sum_exp - np.sum(t * z, axis=1)
    return np.sum(np.logaddexp(0.0, z) - t * z, axis=1)


def batch_gradients(
    network: Network, weights, biases, x: np.ndarray, t: np.ndarray
) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
    """Mean loss Ē over the rows, ∂Ē/∂W⁽ˡ⁾ and ∂Ē/∂b⁽ˡ⁾: the means of the per-example gradients."""
    zs, activations = batch_forward(network, weights, biases, x)
    n = x.shape[0]
    output = network.activations[-1].name
    if network.loss.name == "half_squared_error":
        delta = _backward_fn(output)(zs[-1], activations[-1], activations[-1] - t)
    else:  # cross-entropy with a sigmoid or softmax output: δ = o − t
        delta = activations[-1] - t
    deltas = [delta]
    for l in range(len(zs) - 2, -1, -1):
        upstream = deltas[-1] @ weights[l + 1].T
        deltas.append(_backward_fn(network.activations[l].name)(zs[l], activations[l + 1], upstream))
    deltas.reverse()
    weight_gradients = [(a.T @ d) / n for a, d in zip(activations, deltas)]
    bias_gradients = [np.sum(d, axis=0) / n for d in deltas]
    loss = float(np.mean(batch_losses(network, zs[-1], activations[-1], t)))
    return loss, weight_gradients, bias_gradients


# --- the training loop -------------------------------------------------------


@dataclass(frozen=True, eq=False)
class Trainer:
    """What one step needs, looked up once: the network, the data and the batch mode."""

    network: Network
    data: tuple[tuple[np.ndarray, np.ndarray], ...]
    x: np.ndarray  # (n, inputs)
    t: np.ndarray  # (n, outputs)
    learning_rate: float
    train_biases: bool
    mode: str

    @classmethod
    def of(cls, scenario: Scenario, mode: str = "example") -> Trainer:
        if mode not in MODES:
            raise ValueError(f"batch: must be one of {', '.join(MODES)}, got {mode!r}")
        data = tuple(examples(scenario))
        x = np.array([x for x, _ in data])
        t = np.array([t for _, t in data])
        network = Network.of(scenario)
        return cls(network, data, x, t, scenario.learning_rate, scenario.train_biases, mode)

    @property
    def loss_before_update(self) -> bool:
        """Whether a step's own forward pass yields the loss at the weights before it."""
        return self.mode == "full" or len(self.data) == 1

    def loss(self, weights, biases) -> float:
        """The mean loss over the data at these weights."""
        if self.mode == "full":
            zs, activations = batch_forward(self.network, weights, biases, self.x)
            return float(np.mean(batch_losses(self.network, zs[-1], activations[-1], self.t)))
        if len(self.data) == 1:
            ((x, t),) = self.data
            return loss_of(self.network, weights, biases, x, t)
        return mean_loss(self.network, weights, biases, self.data)

    def step(self, weights, biases):
        """New weights and biases, and the loss before the step (for ``example`` mode: the last example's)."""
        rate = self.learning_rate
        if self.mode == "full":
            loss, dWs, dbs = batch_gradients(self.network, weights, biases, self.x, self.t)
            new_weights = [w + g * -rate for w, g in zip(weights, dWs)]
            if biases is None or not self.train_biases:
                return new_weights, biases, loss
            return new_weights, [b + g * -rate for b, g in zip(biases, dbs)], loss
        loss = None
        for x, t in self.data:
            weights, biases, loss = sgd_step(self.network, weights, biases, x, t, rate, self.train_biases)
        return weights, biases, loss


@dataclass(frozen=True, eq=False)
class Segment:
    """Some steps from a starting point: ``losses[i]`` after i of them; snapshots by global step."""

    losses: np.ndarray
    params: Params
    diverged_at: int | None  # counted from the segment's start
    reached_target: bool
    snapshots: tuple[tuple[int, Params], ...] = ()


def run_steps(
    trainer: Trainer,
    params: Params,
    steps: int,
    target_loss: float | None = None,
    snapshot_every: int | None = None,
    start: int = 0,
) -> Segment:
    """``steps`` steps from ``params`` (which are at global step ``start``).

    Stops early when the loss is at or below ``target_loss``, or at the first step that takes a
    weight past ±1e6 (keeping the weights before it). With ``snapshot_every`` m, the parameters
    at every global step that is a multiple of m are kept.
    """
    weights, biases = list(params.weights), None if params.biases is None else list(params.biases)
    before_known = trainer.loss_before_update
    losses = np.empty(steps + 1)
    snapshots: list[tuple[int, list, list | None]] = []
    checkpoint, diverged_at, reached, at = (0, weights, biases), None, False, steps
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):  # divergence is detected and reported
        if not before_known:
            losses[0] = trainer.loss(weights, biases)
            reached = target_loss is not None and losses[0] <= target_loss
        for k in range(1, steps + 1):
            if reached:
                at = k - 1
                break
            new_weights, new_biases, before = trainer.step(weights, biases)
            if before_known:
                losses[k - 1] = before  # each forward pass yields the loss of the weights before the step
                if target_loss is not None and before <= target_loss:
                    reached, at = True, k - 1
                    break
            weights, biases = new_weights, new_biases
            if not before_known:
                losses[k] = trainer.loss(weights, biases)
                reached = target_loss is not None and losses[k] <= target_loss
            if snapshot_every and (start + k) % snapshot_every == 0:
                snapshots.append((k, weights, biases))
            if k % CHECK_EVERY and k != steps and not reached:
                continue
            if within_limits(weights, biases):
                checkpoint = (k, weights, biases)
                continue
            at = k
            break
        if not within_limits(weights, biases):
            # Replay from the last good checkpoint to find the first step that left the limits.
            done, weights, biases = checkpoint
            for number in range(done + 1, at + 1):
                new_weights, new_biases, _ = trainer.step(weights, biases)
                if not within_limits(new_weights, new_biases):
                    diverged_at = number
                    break
                weights, biases = new_weights, new_biases
            losses, at, reached = losses[:diverged_at], diverged_at - 1, False
        else:
            losses = losses[: at + 1]
            if before_known:
                losses[at] = trainer.loss(weights, biases)
                reached = reached or (target_loss is not None and losses[at] <= target_loss)
    losses.setflags(write=False)
    kept = tuple((start + k, Params(tuple(w), None if b is None else tuple(b))) for k, w, b in snapshots if k <= at)
    final = Params(tuple(weights), None if biases is None else tuple(biases))
    return Segment(losses, final, diverged_at, reached, kept)


def _check_steps(steps: int) -> None:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 0 <= steps <= MAX_STEPS:
        raise ValueError(f"steps: must be a whole number from 0 to {MAX_STEPS:,}, got {steps}")


def _check_target(target_loss: float | None) -> None:
    if target_loss is not None and not (isinstance(target_loss, (int, float)) and 0 <= target_loss < float("inf")):
        raise ValueError(f"target loss: must be a number 0 or more, got {target_loss!r}")


def train(scenario: Scenario, steps: int, mode: str = "example", target_loss: float | None = None) -> TrainingRun:
    """``steps`` steps of gradient descent in batch ``mode`` (see the module docstring).

    Losses are the mean over the dataset (or the single example's loss). With ``target_loss``,
    training stops as soon as the loss is at or below it.
    """
    _check_steps(steps)
    _check_target(target_loss)
    trainer = Trainer.of(scenario, mode)
    segment = run_steps(trainer, Params.of(scenario), steps, target_loss)
    return TrainingRun(
        segment.losses, segment.params.applied_to(scenario), segment.diverged_at, segment.reached_target, mode
    )


def train_chunks(
    scenario: Scenario, steps: int, chunk: int = 500, mode: str = "example", target_loss: float | None = None
) -> Iterator[TrainingRun]:
    """:func:`train` in chunks of ``chunk`` steps, yielding the run so far after each (for a progress bar).

    Stopping the loop keeps what the last yielded run holds; running it out gives exactly ``train``'s result.
    """
    _check_steps(steps)
    _check_target(target_loss)
    if chunk < 1:
        raise ValueError(f"chunk: must be at least 1 step, got {chunk}")
    trainer = Trainer.of(scenario, mode)
    params = Params.of(scenario)
    parts: list[np.ndarray] = []
    done = 0
    while True:
        segment = run_steps(trainer, params, min(chunk, steps - done), target_loss)
        parts.append(segment.losses if not parts else segment.losses[1:])
        params = segment.params
        diverged_at = None if segment.diverged_at is None else done + segment.diverged_at
        done += len(segment.losses) - 1
        losses = np.concatenate(parts)
        losses.setflags(write=False)
        finished = done >= steps or diverged_at is not None or segment.reached_target
        yield TrainingRun(losses, params.applied_to(scenario), diverged_at, segment.reached_target, mode)
        if finished:
            return
