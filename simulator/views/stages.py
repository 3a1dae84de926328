"""The ordered stages of one training step: the single source of truth for what is shown.

Each :class:`Stage` carries its text, its formula (symbolic and with the numbers
in), the NumPy line that computes it and its values, all taken from a
:class:`~simulator.core.record.StepRecord`. Build stages from a different record (a
variant that makes a classic mistake, say) and every view follows.
"""

from __future__ import annotations

from dataclasses import replace

from ..core.mistakes import mistake_entry
from ..core.names import unit_names
from ..core.record import StepRecord
from .delta_stages import _hidden_delta_stages, _output_delta_stage
from .formatting import latex_number
from .forms import FORMS, MATRIX
from .forward_stages import _forward_stages, _loss_stage
from .notation import ZAD, notation_named
from .parameter_stages import _parameter_stages
from .stage_parts import Stage, _edges, _read_only, _vec

FIRST_STAGE = "forward.z1"  # every step starts with layer 1's z

__all__ = ["FIRST_STAGE", "Stage", "build_stages"]


def _apply_stage(record: StepRecord, names) -> Stage:
    last = len(record.scenario.layers) - 1
    entry = mistake_entry(record.mistake)
    if record.new_loss < record.loss:
        change = "fell"
    elif entry is None:
        change = "did not fall (try a smaller learning rate)"
    else:  # the mistake is the first suspect, not the learning rate
        change = "did not fall: " + (
            entry.uphill or f"the step was computed with the mistake “{entry.title}”; fix it before the learning rate"
        )
    return Stage(
        id="apply",
        kind="apply",
        layer=None,
        title="After the update",
        explanation=(
            f"Run the forward pass again with the new weights. The loss {change}. One step of learning is done."
        ),
        formula=r"o_{\text{new}} = f(x;\, W_{\text{new}}), \quad E_{\text{new}}",
        substituted=(
            rf"o: {_vec(record.output)} \to {_vec(record.new_output)}, \quad "
            rf"E: {latex_number(record.loss, 6)} \to {latex_number(record.new_loss, 6)}"
        ),
        code=f"a{last}_new = forward(x, W_new)",
        values=_read_only({"new_output": record.new_output, "new_loss": record.new_loss}),
        nodes=tuple(n for layer in names for n in layer),
        edges=tuple(e for l in range(1, last + 1) for e in _edges(names, l)),
    )


def _note_key(stage: Stage, last: int) -> str:
    """The key of a mistake's notes this stage answers to: "loss", "delta.output", "update.W", …"""
    if stage.kind == "delta":
        return "delta.output" if stage.layer == last else "delta.hidden"
    if stage.kind in ("gradient", "update"):
        return f"{stage.kind}.{stage.id.split('.')[1][0]}"
    return stage.kind


def _with_mistake_notes(stages: tuple[Stage, ...], record: StepRecord) -> tuple[Stage, ...]:
    entry = mistake_entry(record.mistake)
    if entry is None:
        return stages
    last = len(record.scenario.layers) - 1
    noted = []
    for stage in stages:
        note = entry.notes.get(_note_key(stage, last))
        if stage.kind == "apply":
            note = f"This step was computed with the mistake “{entry.title}”."
        noted.append(
            replace(stage, explanation=f"{stage.explanation} Mistake — {entry.title}: {note}") if note else stage
        )
    return tuple(noted)


def build_stages(record: StepRecord, *, notation: str = ZAD.id, form: str = MATRIX) -> tuple[Stage, ...]:
    """Forward (z then a per layer), error and loss, deltas from the output back,
    gradient and update per parameter from the output back, then the new output.

    ``notation``: "zad" (z, a, δ) or "mazur" (net, out); ``form``: "matrix" (shapes under the factors)
    or "scalar" (each unit's sum). Stage ids and values are the same in every view; a record made
    with a mistake says so in the explanation of each stage the mistake changes.
    """
    if form not in FORMS:
        raise ValueError(f"form: unknown {form!r}; choose one of {', '.join(FORMS)}")
    names = unit_names(record.scenario.layers)
    stages = _with_mistake_notes(
        (
            *_forward_stages(record, names),
            _loss_stage(record, names),
            _output_delta_stage(record, names),
            *_hidden_delta_stages(record, names),
            *_parameter_stages(record, names),
            _apply_stage(record, names),
        ),
        record,
    )
    view, chosen = FORMS[form], notation_named(notation)
    return tuple(replace(stage, **view(record, stage, chosen, names)) for stage in stages)
