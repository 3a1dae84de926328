"""Each stage in words, and the graph as a table: the text alternative of what the page draws.

Pure: a :class:`~simulator.core.record.StepRecord` and its stages in, plain strings out. The
sentences are what a screen reader announces on every step ("δ of o₁ equals e times o times
1 minus o: …, which equals −0.02873"); with ``blank`` the values the current stage computes
read "?" (the presenter's "blank the answer"), while the values it starts from stay.
"""

from __future__ import annotations

from ..core.record import StepRecord
from .blanking import blank_latex, blank_output
from .delta_sentences import _hidden_delta, _output_delta, _weight_gradient
from .forward_sentences import _forward_a, _forward_z, _loss
from .graph_text import GraphTable, graph_table
from .spoken import MAX_EDGE_SENTENCES, say
from .stage_parts import Stage
from .update_sentences import _apply, _bias_stage, _weight_update

__all__ = ["MAX_EDGE_SENTENCES", "GraphTable", "blank_latex", "blank_output", "graph_table", "narrate", "say"]


def narrate(record: StepRecord, stage: Stage, blank: bool = False) -> tuple[str, ...]:
    """The stage as plain sentences, every number from ``record``; with ``blank`` its results read "?"."""
    kind, l = stage.kind, stage.layer
    if kind == "forward":
        sentences = _forward_z(record, l, blank) if stage.id.startswith("forward.z") else _forward_a(record, l, blank)
    elif kind == "loss":
        sentences = _loss(record, blank)
    elif kind == "delta":
        last = len(record.scenario.layers) - 1
        sentences = _output_delta(record, blank) if l == last else _hidden_delta(record, l, blank)
    elif kind in ("gradient", "update") and stage.id.split(".")[1].startswith("b"):
        sentences = _bias_stage(record, stage, blank)
    elif kind == "gradient":
        sentences = _weight_gradient(record, l, blank)
    elif kind == "update":
        sentences = _weight_update(record, l, blank)
    else:
        sentences = _apply(record, blank)
    if blank:
        sentences.append("The results are hidden: work them out, then reveal them.")
    return (f"{stage.title}.", *sentences)
