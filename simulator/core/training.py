"""Gradient descent on the scenario's example or dataset, in one of two batch modes.

``example`` (the default): one step is one pass over the dataset, one update per example in
order (on a scenario without a dataset, one update on its example). ``full``: one step is one
update by the mean of the per-example gradients (full batch), computed for all examples at
once with matrix products (:mod:`.batch`).
Either way the loss reported for step k is the mean over the dataset at step k's weights.
:func:`take_step` is the page's "Take this step": one step on from the step-through.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .backprop import Network, loss_of, sgd_step
from .batch import batch_forward, batch_gradients, batch_losses
from .scenario import MAX_ABS_VALUE, Scenario

MAX_STEPS = 1_000_000
EXAMPLE, FULL = "example", "full"  # batch modes
MODES = (EXAMPLE, FULL)
MODE_TEXT = {
    EXAMPLE: "one update per example, in order (one step = one pass over the data)",
    FULL: "one update per pass by the mean gradient over all examples (full batch)",
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
    mode: str = EXAMPLE

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
    def of(cls, scenario: Scenario, mode: str = EXAMPLE) -> Trainer:
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
        return self.mode == FULL or len(self.data) == 1

    def loss(self, weights, biases) -> float:
        """The mean loss over the data at these weights."""
        if self.mode == FULL:
            zs, activations = batch_forward(self.network, weights, biases, self.x)
            return float(np.mean(batch_losses(self.network, zs[-1], activations[-1], self.t)))
        if len(self.data) == 1:
            ((x, t),) = self.data
            return loss_of(self.network, weights, biases, x, t)
        return mean_loss(self.network, weights, biases, self.data)

    def step(self, weights, biases):
        """New weights and biases, and the loss before the step (for ``example`` mode: the last example's)."""
        rate = self.learning_rate
        if self.mode == FULL:
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


def _first_step_outside(trainer: Trainer, checkpoint: tuple, at: int) -> tuple[int, list, list | None]:
    """Replay from the last good ``checkpoint`` (step, weights, biases) to the first step, at or before
    ``at``, that takes a weight past the limits: that step's number and the weights before it."""
    done, weights, biases = checkpoint
    for number in range(done + 1, at + 1):
        new_weights, new_biases, _ = trainer.step(weights, biases)
        if not within_limits(new_weights, new_biases):
            return number, weights, biases
        weights, biases = new_weights, new_biases
    raise AssertionError("the weights left the limits after the checkpoint, so a step in between did")


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
            diverged_at, weights, biases = _first_step_outside(trainer, checkpoint, at)
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


def train(scenario: Scenario, steps: int, mode: str = EXAMPLE, target_loss: float | None = None) -> TrainingRun:
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
    scenario: Scenario, steps: int, chunk: int = 500, mode: str = EXAMPLE, target_loss: float | None = None
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


@dataclass(frozen=True, eq=False)
class TakenStep:
    """One step taken from the step-through: the scenario with its updated weights and the loss
    history grown by that step; when the update diverged, the inputs unchanged and ``problem`` says why."""

    scenario: Scenario
    losses: np.ndarray | None
    problem: str | None = None


def take_step(scenario: Scenario, losses: np.ndarray | None = None) -> TakenStep:
    """One step of :func:`train` from ``scenario``, its losses appended to ``losses`` (the history so far)."""
    run = train(scenario, 1)
    if run.diverged_at is not None:
        return TakenStep(scenario, losses, DIVERGED.format(step=1).capitalize())
    grown = run.losses if losses is None else np.concatenate([losses, run.losses[1:]])
    return TakenStep(run.scenario, grown)
