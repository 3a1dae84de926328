"""The whole walk through one training step as plain data: what the browser shows at every stage.

Python computes every stage once per scenario and view (:func:`walk`); the browser only turns the
pages, choosing among what is here and never doing arithmetic on a number it shows. Everything is
JSON-ready (strings, numbers, lists, dicts): per stage the heading, explanation, formulas (LaTeX; the
browser renders them with KaTeX), the NumPy line with its output, the tables (HTML), the narration,
the graph (a Plotly figure), the gradient check and the mistake's comparison; per unit the
inspector's lines with the stage that reveals each.

:func:`packed` makes it the text the page is sent: JSON, gzip-compressed, in base64 (the seed's walk: about
140 KiB of JSON, 13 KiB sent); the browser unpacks it once per walk (``DecompressionStream``).

Hidden numbers never enter the walk: a stage in ``WalkView.hidden`` is built blanked (its results
read "?", no tables, no check), and only the first ``WalkView.limit`` stages are built at all.

A large network's walk is sent a window at a time (``WalkView.first`` to ``limit``): every stage of the
8 × 16 network carries a graph of 1,792 edges, so the whole walk is seconds of work and megabytes of
text. :func:`per_message` says how many stages one message may hold, :func:`window` which ones
(``docs/limits.md``, "The walk of a large network").
"""

from __future__ import annotations

import base64
import functools
import gzip
import json
from dataclasses import dataclass

import numpy as np

from ..core.gradcheck import stage_gradient_check
from ..core.mistakes import divergence as parting
from ..core.names import subscript, unit_label, unit_names
from ..core.record import StepRecord, step
from ..core.scenario import scenario_from_dict
from .chain import MAX_TERMS, staged_chains
from .figures import network_figure_spec
from .formatting import notebook_values, number, written
from .graph import graph_model, staged_lines
from .narration import blank_latex, blank_output, narrate
from .notation import ZAD, notation_named
from .stages import Stage, build_stages
from .tables import stage_grids
from .walk_tables import check_html, comparison_html, graph_table_pages, stage_table


@dataclass(frozen=True)
class WalkView:
    """How the walk is drawn and how much of it is sent."""

    lecture: bool = False  # larger type on the graph
    dark: bool = False  # colours for a dark page
    spotlight: bool = False  # what the stage does not touch nearly fades out
    width: float | None = None  # the narrowest the graph is drawn, px (default: graph_layout.LAYOUT_WIDTH)
    hidden: frozenset[str] = frozenset()  # stage ids whose own numbers read "?" (blank the answer, quiz)
    limit: int | None = None  # build only the first ``limit`` stages (None: all)
    first: int = 0  # and none before this one (a window of a large network's walk)
    code: bool = True  # the NumPy line and its output (hide=code drops it)
    tables: bool = True  # the stage's tables (hide=tables drops them)
    digits: int | None = None  # paper mode, named in the gradient check's verdict
    notation: str = ZAD.id  # the chain rule's symbols in the inspector


def _code(stage: Stage, hidden: bool, notation: str = ZAD.id, layers: tuple[int, ...] = ()) -> str:
    """The NumPy line and its printout, the printout's names in the notation of the line (Mazur: out_h)."""
    output = blank_output(stage) if hidden else notebook_values(stage.values)
    return f">>> {stage.code}\n{notation_named(notation).code(output, layers)}"


def _after(record: StepRecord) -> list[dict[str, str]]:
    """The apply stage's figures: every output and the loss, before → after, with the change."""
    outputs = [
        {
            "label": f"Output o{subscript(k)}",
            "value": number(new, 6),
            "delta": f"{new - old:+.3g}",
            "good": bool(new > old),  # coloured as st.metric colours a rise
        }
        for k, (new, old) in enumerate(zip(record.new_output, record.output), start=1)
    ]
    loss = {
        "label": "Loss E",
        "value": number(record.new_loss, 6),
        "delta": f"{record.new_loss - record.loss:+.3g}",
        "good": bool(record.new_loss < record.loss),  # a fall of the loss is good
    }
    return [*outputs, loss]


def _comparison(stage: Stage, correct: Stage, divergence) -> dict | None:
    """The stage with the mistake beside the correct one (None without a mistake)."""
    if divergence is None:
        return None
    if not divergence.differs(stage.id):
        return {"same": True}
    return {
        "correct": correct.substituted,
        "mistaken": stage.substituted,
        "table": comparison_html(correct, stage, divergence.masks.get(stage.id)),
    }


def _check(record: StepRecord, stage: Stage, digits: int | None) -> dict | None:
    if stage.kind != "gradient":
        return None
    kind = "weights" if stage.id.startswith("gradient.W") else "biases"
    own = record.digits is None and np.array_equal(record.activations[0], record.scenario.x)
    same = record if own else None  # the step the check takes: the scenario's example, full precision, same mistake
    check = stage_gradient_check(record.scenario, stage.layer, kind, mistake=record.mistake, record=same)
    return check_html(check, digits, record.mistake)


def stage_page(
    record: StepRecord,
    stages: tuple[Stage, ...],
    index: int,
    view: WalkView,
    correct=None,
    divergence=None,
    graph_tables=None,
    memo: dict | None = None,
) -> dict:
    """Everything the browser shows at stage ``index``; ``graph_tables``: :func:`graph_table_pages` of the walk;
    ``memo``: :func:`graph_model`'s, one per walk."""
    stage = stages[index]
    graph_tables = graph_tables or graph_table_pages(record, stages)
    hidden = stage.id in view.hidden
    model = graph_model(record, stages, index, hidden, divergence, view.notation, memo)
    figure = network_figure_spec(model, view.lecture, view.spotlight, view.dark, view.width, memo)
    page = {
        "id": stage.id,
        "heading": f"Stage {index + 1} of {len(stages)} — {stage.title}",
        "explanation": stage.explanation,
        "formula": stage.formula,
        "shapes": stage.shapes,
        "substituted": blank_latex(stage) if hidden else stage.substituted,
        "code": _code(stage, hidden, view.notation, tuple(record.scenario.layers)) if view.code else "",
        "hidden": hidden,
        "figure": figure,  # JSON-ready as built
        "caption": model.caption,
        "marked": any(n.marked for n in model.nodes) or any(e.marked for e in model.edges),
        "narration": list(narrate(record, stage, blank=hidden)),
        "graph_table": graph_tables(index, hidden),
        "nodes": list(stage.nodes),
        "tables": [],
        "check": None,
        "compare": None,
        "after": [],
    }
    if hidden:
        return page
    if view.tables:
        page["tables"] = [
            stage_table(caption, grid) for caption, grid in stage_grids(record, stage, view.notation).items()
        ]
    page["check"] = _check(record, stage, view.digits)
    page["compare"] = _comparison(stage, correct[index] if correct else stage, divergence)
    if stage.kind == "apply":
        page["after"] = _after(record)
    return page


def _chain_items(chain, first: bool) -> list[list]:
    """One chain as the inspector's items: its lines of maths, then (for the unit's own δ) the paths its
    gradient comes back along and what each factor means, as plain text; a weight's or bias's chain adds
    what its own last factor means (why ∂z/∂w = a, why ∂z/∂b = 1)."""
    items = [[line, "tex"] for line in chain.latex()]
    if not first:
        return [*items, [chain.meanings()[-1], "text"]]
    if chain.shares:
        paths = "; ".join(
            f"{unit_label(a)} → {unit_label(b)}: δ {written(s.delta)} × w {written(s.weight)} = {written(s.value)}"
            for s, (a, b) in zip(chain.shares, chain.edges)
        )
        items.append([f"Paths its gradient comes back along: {paths}.", "text"])
    return items + [[meaning, "text"] for meaning in chain.meanings()]


def _revealed_at(needs, position: dict[str, int], hidden: frozenset[str]) -> int | None:
    """The index of the stage that reveals what needs the stages ``needs`` (an iterable of ids): the last of
    them, −1 for nothing; None when one of them is hidden or not sent."""
    if any(need in hidden or need not in position for need in needs):
        return None
    return max((position[need] for need in needs), default=-1)


MAX_WEIGHT_CHAINS = MAX_TERMS  # a unit fed by more shows its first weights' chains and how many more, as a sum does


def _fan_in(record: StepRecord, unit: str) -> int:
    """How many units feed ``unit`` (0 for an input)."""
    layers = record.scenario.layers
    return next((layers[l - 1] for l, names in enumerate(unit_names(layers)) if unit in names and l), 0)


def _more_weights(unit: str, more: int) -> list:
    return [
        f"… and {more} more weights into {unit_label(unit)}: each gradient is this δ times what its edge carries "
        "(the stage's table lists every one).",
        "text",
    ]


def _chains(record: StepRecord, unit: str, position: dict[str, int], hidden: frozenset[str], notation: str) -> list:
    """The chain rule at ``unit``: each chain (its δ, then the gradients of the weights coming in, at most
    :data:`MAX_WEIGHT_CHAINS` of them) with the index of the stage that reveals it; chains of a hidden stage
    are left out."""
    found = []
    for k, (chain, needs) in enumerate(staged_chains(record, unit, notation, MAX_WEIGHT_CHAINS)):
        index = _revealed_at(needs, position, hidden)
        if index is not None:
            found.append((index, k, chain))
    more = _fan_in(record, unit) - MAX_WEIGHT_CHAINS
    items, seen = [], set()
    for index, k, chain in sorted(found, key=lambda item: item[:2]):
        if chain.symbol not in seen:
            seen.add(chain.symbol)
            items += [[*item, index] for item in _chain_items(chain, k == 0)]
            if k == MAX_WEIGHT_CHAINS and more > 0:  # the last weight's chain shown
                items.append([*_more_weights(unit, more), index])
    return items


def _lines(record: StepRecord, unit: str, position: dict[str, int], hidden: frozenset[str]) -> list:
    """How ``unit`` was computed, each line with the index of the stage that reveals it (−1: from the start);
    a line revealed by a hidden or unsent stage is left out."""
    found = [
        (-1 if needs is None else position[needs], k, line, needs)
        for k, (line, needs) in enumerate(staged_lines(record, unit))
        if needs is None or needs in position
    ]
    lines, seen = [], set()
    for index, _, line, needs in sorted(found, key=lambda item: item[:2]):
        if line not in seen:
            seen.add(line)  # a line first revealed by a hidden stage stays out
            if needs not in hidden:
                lines.append([line, index])
    return lines


def reveals_chains(stages: tuple[Stage, ...], shipped: int) -> bool:
    """Does one of the first ``shipped`` stages reveal a chain? Every chain starts from a unit's δ."""
    return any(stage.kind == "delta" for stage in stages[:shipped])


def inspector(record: StepRecord, stages: tuple[Stage, ...], shipped: int, view: WalkView) -> dict:
    """Per unit, its label, the lines of "how it was computed" and the chain rule at it, each line with the
    index of the stage that reveals it (−1: known from the start). Lines revealed by a hidden or unsent stage
    are left out."""
    position = {stage.id: k for k, stage in enumerate(stages[:shipped])}
    chained = reveals_chains(stages, shipped)
    return {
        unit: {
            "label": unit_label(unit),
            "lines": _lines(record, unit, position, view.hidden),
            "chain": _chains(record, unit, position, view.hidden, view.notation) if chained else [],
        }
        for layer in unit_names(record.scenario.layers)
        for unit in layer
    }


STAGE_CELLS = 4_000  # edges + units of every stage one message may build: the 0.5 s budget (docs/limits.md)


def per_message(layers) -> int:
    """How many stages one message may hold: their graphs (an edge and a table row per weight, a node per
    unit) are most of a stage's work and size. All 12 of the seed's stages; 2 of the 8 × 16 network's 51."""
    cells = sum(a * b for a, b in zip(layers, layers[1:])) + sum(layers)
    return max(1, STAGE_CELLS // cells)


def window(count: int, index: int, per: int) -> tuple[int, int]:
    """The stages ``first`` to ``end`` (exclusive) sent with stage ``index``: its block of ``per``, so stepping
    asks the server once per block, never once per step."""
    first = index // per * per
    return first, min(count, first + per)


def shipped_units(units: dict, shipped: int) -> dict:
    """The inspector of the whole walk (:func:`inspector`, nothing hidden) cut to what the first ``shipped``
    stages reveal: the same as building it for them, without building every chain again per window."""
    return {
        unit: {
            "label": entry["label"],
            "lines": [line for line in entry["lines"] if line[-1] < shipped],
            "chain": [item for item in entry["chain"] if item[-1] < shipped],
        }
        for unit, entry in units.items()
    }


def walk(
    record: StepRecord,
    stages: tuple[Stage, ...],
    view: WalkView | None = None,
    *,
    correct_stages: tuple[Stage, ...] | None = None,
    divergence=None,
    units: dict | None = None,
) -> dict:
    """The walk as JSON-ready data: the pages of stages ``view.first`` to ``view.limit``, every stage's id and
    title (the picker) and the inspector. ``correct_stages`` and ``divergence`` come with a classic mistake
    (``record`` is the mistaken step); ``units``, the whole walk's inspector when nothing is hidden, saves
    building it again (:func:`shipped_units`)."""
    view = view or WalkView()
    shipped = len(stages) if view.limit is None else max(1, min(view.limit, len(stages)))
    first = max(0, min(view.first, shipped - 1))
    fresh = units is None or view.hidden  # what a hidden stage reveals is left out as the inspector is built
    units = inspector(record, stages, shipped, view) if fresh else shipped_units(units, shipped)
    tables, memo = graph_table_pages(record, stages), {}
    return {
        "count": len(stages),
        "first": first,
        "ids": [s.id for s in stages],
        "titles": [f"{k + 1}. {s.title}" for k, s in enumerate(stages)],
        "stages": [
            stage_page(record, stages, k, view, correct_stages, divergence, tables, memo) for k in range(first, shipped)
        ],
        "units": units,
    }


def packed(data: dict) -> str:
    """The walk as the page receives it: compact JSON (no NaN), gzip-compressed, base64 (ASCII for JSON)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False, allow_nan=False, check_circular=False)
    return base64.b64encode(gzip.compress(text.encode(), compresslevel=6, mtime=0)).decode("ascii")


def unpacked(text: str) -> dict:
    """:func:`packed`'s inverse: what the browser's ``walk.js`` reads."""
    return json.loads(gzip.decompress(base64.b64decode(text)))


STEPPED = 8  # steps kept by a process that builds walks from JSON alone (a build worker)
WHOLE_INSPECTORS = 8  # and whole inspectors, for a large network's windows (8 × 16: about 1 MB each)


def page_step(scenario, mistake: str | None, digits: int | None, notation: str, form: str) -> tuple:
    """The step a page shows and its stages, the correct step's beside a mistake's, and where they part:
    ``(record, stages, correct_record, correct_stages, divergence)``; without a mistake both are the one step."""
    correct_record = step(scenario, digits=digits)
    correct = build_stages(correct_record, notation=notation, form=form)
    if mistake is None:
        return correct_record, correct, correct_record, correct, None
    record = step(scenario, mistake=mistake, digits=digits)
    stages = build_stages(record, notation=notation, form=form)
    return record, stages, correct_record, correct, parting(correct, stages)


@functools.lru_cache(maxsize=STEPPED)
def _stepped(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str):
    """:func:`page_step` of a scenario given as its JSON."""
    return page_step(scenario_from_dict(json.loads(scenario_json)), mistake, digits, notation, form)


@functools.lru_cache(maxsize=WHOLE_INSPECTORS)
def _whole_units(scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str) -> dict:
    record, stages, *_ = _stepped(scenario_json, mistake, digits, notation, form)
    return inspector(record, stages, len(stages), WalkView(notation=notation))


def packed_walk_of(
    scenario_json: str, mistake: str | None, digits: int | None, notation: str, form: str, view: WalkView
) -> str:
    """:func:`packed` walk of a scenario given as its JSON, from nothing but its arguments: what a second
    process builds for the page (``simulator.ui.walk_worker``), byte for byte the page's own build."""
    key = (scenario_json, mistake, digits, notation, form)
    record, stages, _, correct, where = _stepped(*key)
    cut = view.limit is not None and not view.hidden and reveals_chains(stages, view.limit)
    units = _whole_units(*key) if cut else None
    if mistake is None:
        return packed(walk(record, stages, view, units=units))
    return packed(walk(record, stages, view, correct_stages=correct, divergence=where, units=units))
