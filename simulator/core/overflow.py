"""Where a recorded step leaves the float range: the first value that is not finite, named by stage.

Works on any record with the fields of :class:`~simulator.core.record.StepRecord`; a step function
wrapped in :func:`refusing_overflow` raises :class:`~simulator.core.scenario.ScenarioError` instead
of returning inf or NaN.
"""

from __future__ import annotations

import functools

import numpy as np

from .scenario import ScenarioError

# Where a value of a record can leave the float range, in the order the step computes them:
# (field, what it is, its first layer: 1 for per-layer tuples, 0 for activations that start with x,
# None for the backward pass, which goes from the output back).
_OVERFLOW_PLACES = (
    ("zs", "layer {l}: z overflows", 1),
    ("activations", "layer {l}: a overflows", 0),
    ("error", "the error o − t overflows", 1),
    ("loss", "the loss overflows", 1),
    ("deltas", "layer {l}: δ overflows", None),
    ("weight_gradients", "layer {l}: the gradient ∂E/∂W overflows", None),
    ("bias_gradients", "layer {l}: the gradient ∂E/∂b overflows", None),
    ("weight_updates", "layer {l}: the weight update overflows", None),
    ("bias_updates", "layer {l}: the bias update overflows", None),
    ("new_weights", "the updated weights overflow at layer {l}", None),
    ("new_biases", "the updated biases overflow at layer {l}", None),
    ("new_zs", "after the update, layer {l}: z overflows", 1),
    ("new_activations", "after the update, layer {l}: a overflows", 0),
    ("new_loss", "after the update, the loss overflows", 1),
)
OVERFLOW_ADVICE = " (beyond ±1.8e308) — use smaller weights, inputs or learning rate"


def _all_finite(record) -> bool:
    """One pass over every recorded value: the common case costs one call, not one per array."""
    parts = []
    for name, _, _ in _OVERFLOW_PLACES:
        value = getattr(record, name)
        if value is not None:
            parts.extend(np.ravel(a) for a in (value if isinstance(value, tuple) else (value,)))
    return bool(np.isfinite(np.concatenate(parts)).all())


def overflow_problems(record) -> list[str]:
    """The first value of ``record`` that is not finite, named by layer and stage (empty when all are)."""
    if _all_finite(record):
        return []
    for name, what, first in _OVERFLOW_PLACES:
        value = getattr(record, name)
        if value is None:
            continue
        arrays = value if isinstance(value, tuple) else (value,)
        bad = [k for k, array in enumerate(arrays) if not np.all(np.isfinite(array))]
        if bad:
            layer = bad[-1] + 1 if first is None else bad[0] + first
            return [what.format(l=layer) + OVERFLOW_ADVICE]
    return []


def refusing_overflow(compute):
    """``compute`` with NumPy's floating-point warnings off; a record holding inf or NaN raises ScenarioError."""

    @functools.wraps(compute)
    def checked(*args, **kwargs):
        with np.errstate(all="ignore"):
            record = compute(*args, **kwargs)
        problems = overflow_problems(record)
        if problems:
            raise ScenarioError(problems)
        return record

    return checked
