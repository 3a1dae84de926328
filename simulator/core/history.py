"""Every trained step, kept in bounded memory and recomputed exactly on demand.

Training is deterministic, so the history stores the loss of every step but the weights only
every ``every`` steps (a snapshot); the weights of any step k are recomputed by replaying the
steps from the nearest snapshot at or before k, with the same code that trained them, so they
equal ``train(start, k)``'s to the last bit.

Limit: the latest ``MAX_HISTORY`` = 20,000 steps. Past it the oldest steps are dropped, a whole
snapshot interval at a time, so the history then starts at a later step (``first``). Memory:
8 bytes of loss per step plus one snapshot (8 bytes per parameter) every ``every`` steps, where
``every`` is chosen so that 20,000 steps of snapshots take at most about 2 MB (10 steps for
networks up to 1,250 parameters; a 2-8-8-1 network then costs 92 bytes a step, 1.8 MB in all).
A history belongs to one starting scenario and one batch mode: changing the network, the data,
the learning rate or the mode starts a new history from the current weights.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, replace

import numpy as np

from .names import layer_mark, unit_label, unit_names
from .scenario import Scenario
from .training import EXAMPLE, MAX_STEPS, Params, Trainer, run_steps

MAX_HISTORY = 20_000
SNAPSHOT_BYTES = 2_000_000
MIN_EVERY = 10


def snapshot_interval(scenario: Scenario) -> int:
    """Steps between snapshots: 10, or more for networks whose snapshots would pass ~2 MB in 20,000 steps."""
    count = sum(w.size for w in scenario.weights) + sum(b.size for b in scenario.biases or ())
    return max(MIN_EVERY, math.ceil(MAX_HISTORY * count * 8 / SNAPSHOT_BYTES))


def parameter_names(scenario: Scenario) -> list[str]:
    """``W⁽¹⁾ x₁→h₁``, …, ``b⁽¹⁾ h₁``, …, in the order of :meth:`Params.flat`."""
    units = [[unit_label(n) for n in layer] for layer in unit_names(scenario.layers)]
    names = [
        f"W{layer_mark(l)} {source}→{target}"
        for l in range(1, len(units))
        for source in units[l - 1]
        for target in units[l]
    ]
    if scenario.biases is not None:
        names += [f"b{layer_mark(l)} {unit}" for l in range(1, len(units)) for unit in units[l]]
    return names


def parameter_layers(scenario: Scenario) -> list[tuple[str, int]]:
    """("W" or "b", layer l) of each parameter, in the order of :meth:`Params.flat`."""
    sizes = scenario.layers
    kinds = [("W", l) for l in range(1, len(sizes)) for _ in range(sizes[l - 1] * sizes[l])]
    if scenario.biases is not None:
        kinds += [("b", l) for l in range(1, len(sizes)) for _ in range(sizes[l])]
    return kinds


@dataclass(frozen=True, eq=False)
class History:
    """Steps ``first``..``last`` of training ``start`` in one batch mode.

    ``losses[i]`` is the mean loss at step ``first + i``; ``snapshots[i]`` the parameters at step
    ``first + i·every``.
    """

    start: Scenario
    mode: str
    every: int
    first: int
    losses: np.ndarray
    snapshots: tuple[Params, ...]
    trainer: Trainer
    diverged_at: int | None = None
    reached_target: bool = False
    tip: Params | None = None  # the weights at ``last`` when known: training on from there replays nothing

    @classmethod
    def begin(cls, scenario: Scenario, mode: str = EXAMPLE) -> History:
        """A history at step 0 of ``scenario``."""
        trainer = Trainer.of(scenario, mode)
        params = Params.of(scenario)
        losses = np.array([trainer.loss(list(params.weights), params.biases and list(params.biases))])
        losses.setflags(write=False)
        return cls(scenario, mode, snapshot_interval(scenario), 0, losses, (params,), trainer, tip=params)

    @property
    def last(self) -> int:
        """The latest step trained."""
        return self.first + len(self.losses) - 1

    @property
    def steps(self) -> np.ndarray:
        """The step number of each entry of ``losses``."""
        return np.arange(self.first, self.last + 1)

    def loss_at(self, k: int) -> float:
        return float(self.losses[self._index(k)])

    def _index(self, k: int) -> int:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not self.first <= k <= self.last:
            raise ValueError(f"step: must be a whole number from {self.first} to {self.last}, got {k!r}")
        return int(k) - self.first

    def weights_at(self, k: int) -> Params:
        """The weights and biases after step k, replayed from the nearest snapshot."""
        i = self._index(k) // self.every
        offset = k - (self.first + i * self.every)
        if k == self.last and self.tip is not None:
            return self.tip
        if offset == 0:
            return self.snapshots[i]
        return run_steps(self.trainer, self.snapshots[i], offset).params

    def scenario_at(self, k: int) -> Scenario:
        """The starting scenario with step k's weights."""
        return self.weights_at(k).applied_to(self.start)

    def reset_to(self, k: int) -> Scenario:
        """The scenario at step k, to continue training from (see also :meth:`truncated`)."""
        return self.scenario_at(k)

    def truncated(self, k: int) -> History:
        """This history up to step k, so that training continues from there."""
        i = self._index(k)
        losses = self.losses[: i + 1]
        return replace(
            self,
            losses=losses,
            snapshots=self.snapshots[: i // self.every + 1],
            diverged_at=None,
            reached_target=False,
            tip=self.tip if k == self.last else None,
        )

    def _extended(self, segment) -> History:
        losses = np.concatenate([self.losses, segment.losses[1:]])
        snapshots = self.snapshots + tuple(params for _, params in segment.snapshots)
        first = self.first
        last = first + len(losses) - 1
        if last - first > MAX_HISTORY:
            drop = math.ceil((last - MAX_HISTORY - first) / self.every)
            first += drop * self.every
            losses, snapshots = losses[drop * self.every :], snapshots[drop:]
        losses.setflags(write=False)
        diverged = None if segment.diverged_at is None else self.last + segment.diverged_at
        return replace(
            self,
            first=first,
            losses=losses,
            snapshots=snapshots,
            diverged_at=diverged,
            reached_target=segment.reached_target,
            tip=segment.params,
        )

    def trained(self, steps: int, target_loss: float | None = None, chunk: int = 500) -> Iterator[History]:
        """Train ``steps`` more steps, yielding the history after each chunk (stopping keeps the last one).

        Stops early at the target loss or where training diverges, as :func:`simulator.core.training.train` does.
        """
        if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or not 0 <= steps <= MAX_STEPS:
            raise ValueError(f"steps: must be a whole number from 0 to {MAX_STEPS:,}, got {steps!r}")
        history, done = self, 0
        params = self.weights_at(self.last)
        while True:
            segment = run_steps(
                self.trainer, params, min(chunk, steps - done), target_loss, self.every, start=history.last
            )
            history = history._extended(segment)
            params = segment.params
            done += len(segment.losses) - 1
            yield history
            if done >= steps or segment.diverged_at is not None or segment.reached_target:
                return

    def train(self, steps: int, target_loss: float | None = None) -> History:
        """:meth:`trained` run to the end."""
        return deque(self.trained(steps, target_loss), maxlen=1)[0]

    def trajectory(self) -> tuple[np.ndarray, np.ndarray, list[str]]:
        """Every parameter at each snapshot step and at the last step: steps (s,), values (s, p), names (p)."""
        steps = [self.first + i * self.every for i in range(len(self.snapshots))]
        values = [params.flat() for params in self.snapshots]
        if steps[-1] != self.last:
            steps.append(self.last)
            values.append(self.weights_at(self.last).flat())
        return np.array(steps), np.array(values), parameter_names(self.start)

    @property
    def nbytes(self) -> int:
        """Memory held by the losses and snapshots."""
        return self.losses.nbytes + sum(params.flat().nbytes for params in self.snapshots)
