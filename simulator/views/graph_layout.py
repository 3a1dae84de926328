"""Where the network graph's units and labels go, in pixels: label plates that never overlap.

Computed from a :class:`~simulator.views.graph.GraphModel` (what each unit and edge shows), apart
from drawing it: :func:`~simulator.views.figures.network_figure` draws the layout with Plotly.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from .graph import MAX_LABELLED_UNITS, GraphModel

# Layout: where each unit and label goes, in pixels of the narrowest graph the page draws.
#
# The page stretches the graph to its column, which only moves centres further apart
# horizontally (sizes and vertical distances stay in pixels), so labels that do not
# overlap at ``LAYOUT_WIDTH`` overlap at no wider width either.

FONT_SIZES = {
    False: {"label": 17, "value": 12, "edge": 12, "title": 14, "node": 50},
    True: {"label": 28, "value": 20, "edge": 20, "title": 24, "node": 76},  # legible at the back of a hall
}
LAYOUT_WIDTH = {False: 430, True: 560}  # the graph's column at 1280 wide: sidebar open; lecture mode
CHAR_WIDTH = 0.55  # average width of a digit or sign, in font sizes (Source Sans: ≈0.5)
LINE_HEIGHT = 1.3  # in font sizes
PAD = 3  # around the text, inside its plate
GAP = 4  # between a unit and its label
PITCH_EXTRA = {False: 32, True: 40}  # px between the rows of units beyond what their values need: room for edge labels
VALUE_CHARS = 12  # the widest value a unit shows, "δ=-7.080e-04": columns are spaced for it on every stage
VALUE_LINES = {"input": 1, "hidden": 3, "output": 5}  # z, a, δ; z, o, t, δ, o′
EDGE_WEIGHT = 0.35  # columns apart ∝ edges**EDGE_WEIGHT between them
SHIFTS = (0, -1, 1)  # a label on its edge, else just above or below it (in half plate heights)
SEARCH_BUDGET = 4_000  # spots tried to fit every label of the current stage before settling for fewer
EDGE_SPOTS = (0.5, 0.4, 0.6, 0.3, 0.7, 0.45, 0.55, 0.35, 0.65, 0.25, 0.75, 0.2, 0.8, 0.15, 0.85)  # along an edge


@dataclass(frozen=True)
class Box:
    """A label's plate: centre and size in pixels from the top left."""

    kind: str  # title | value | edge
    owner: str  # layer number, unit id, or "source>target"
    text: str  # lines joined by <br>
    x: float
    y: float
    width: float
    height: float
    size: int  # font size, px

    def overlaps(self, other: Box) -> bool:
        return (
            2 * abs(self.x - other.x) < self.width + other.width
            and 2 * abs(self.y - other.y) < self.height + other.height
        )

    def covers(self, x: float, y: float, radius: float) -> bool:
        """Does the plate overlap the circle of ``radius`` around (x, y)?"""
        near_x = min(max(x, self.x - self.width / 2), self.x + self.width / 2)
        near_y = min(max(y, self.y - self.height / 2), self.y + self.height / 2)
        return (near_x - x) ** 2 + (near_y - y) ** 2 < radius**2

    def inside(self, width: float, height: float) -> bool:
        return (
            self.x - self.width / 2 >= 0
            and self.x + self.width / 2 <= width
            and self.y - self.height / 2 >= 0
            and self.y + self.height / 2 <= height
        )


@dataclass(frozen=True)
class GraphLayout:
    width: float  # px; the page may stretch it wider
    height: float
    node_size: float  # diameter, px
    positions: dict[str, tuple[float, float]]  # unit id -> centre
    labels: tuple[Box, ...]  # titles, then the values under units, then edge labels


_TAG = re.compile(r"<[^>]+>")


@lru_cache(maxsize=4096)  # a pure function of its arguments; a walk asks for the same few hundred texts again
def text_size(text: str, size: float, lines: int | None = None, chars: int | None = None) -> tuple[float, float]:
    """Estimated plate of ``text`` (lines split by <br>, tags ignored): character count × font size."""
    rows = [_TAG.sub("", line) if "<" in line else line for line in text.split("<br>")]
    chars = max(chars or 0, *(len(row) for row in rows))
    return chars * CHAR_WIDTH * size + 2 * PAD, (lines or len(rows)) * LINE_HEIGHT * size + 2 * PAD


def _box(kind: str, owner: str, text: str, x: float, y: float, size: int) -> Box:
    width, height = text_size(text, size)
    return Box(kind, owner, text, x, y, width, height, size)


def _values(shown: str) -> str:
    """One value a line (``shown``: a node's text): narrow plates leave room for the edges between the columns."""
    return "<br>".join(part for line in shown.split("<br>") for part in line.split("  ") if part)


def _edge_texts(text: str) -> tuple[str, ...]:
    """The label on one line, or broken before its arrow or after its "=" where that is narrower."""
    for mark, keep_before in (("→", False), ("=", True)):
        if mark in text:
            head, tail = text.split(mark, 1)
            return (text, f"{head}{mark}<br>{tail}" if keep_before else f"{head}<br>{mark}{tail}")
    return (text,)


def _role(layer: int, last: int) -> str:
    return "input" if layer == 0 else "output" if layer == last else "hidden"


@dataclass(frozen=True)
class _Grid:
    """Where the units sit: centres by unit id, and the measures the labels are placed by."""

    positions: dict[str, tuple[float, float]]
    width: float
    height: float
    diameter: float
    columns: tuple[float, ...]  # x of each layer's column
    title_h: float
    last: int  # the output layer's number


def _columns(layers: tuple[tuple[str, ...], ...], left: float, right: float) -> tuple[float, ...]:
    """Each layer's x: a gap crossed by more edges is wider (∝ √edges), so their labels find room."""
    if len(layers) < 2:
        return (left,)
    weights = [(len(a) * len(b)) ** EDGE_WEIGHT for a, b in zip(layers, layers[1:])]
    steps = [(right - left) * w / sum(weights) for w in weights]
    return tuple(left + sum(steps[:l]) for l in range(len(layers)))


def _grid(model: GraphModel, width: float, lecture: bool) -> _Grid:
    """Units in columns, each column centred; rows spaced for the values under the units."""
    last = max((n.layer for n in model.nodes), default=0)
    layers = tuple(tuple(n.id for n in model.nodes if n.layer == l) for l in range(last + 1))
    return _units_grid(layers, any(n.text for n in model.nodes), width, lecture)


@lru_cache(maxsize=256)  # pure; the same for every stage of a walk (and every walk of a network's shape)
def _units_grid(layers: tuple[tuple[str, ...], ...], labelled: bool, width: float, lecture: bool) -> _Grid:
    """:func:`_grid` of the units ``layers`` (ids per layer); ``labelled``: some unit shows values under it.
    Its ``positions`` are shared: read them, never change them."""
    sizes, last = FONT_SIZES[lecture], len(layers) - 1
    tallest = max(len(layer) for layer in layers)
    diameter = sizes["node"] if tallest <= MAX_LABELLED_UNITS else max(14.0, sizes["node"] * 6 / tallest)
    radius = diameter / 2
    value_w, _ = text_size("", sizes["value"], chars=VALUE_CHARS)

    def below(role: str) -> float:  # room a unit needs under it for its values
        return GAP + text_size("", sizes["value"], lines=VALUE_LINES[role])[1] if labelled else 0.0

    # Inputs' and hidden units' values are centred under them; outputs' start at their centre
    # and run right, where no edge comes in.
    left = max(radius, text_size("", sizes["value"], chars=10)[0] / 2) + GAP
    right = max(radius, value_w) + GAP if labelled else radius + GAP
    columns = _columns(layers, left, width - right)
    title_h = text_size("Hidden", sizes["title"])[1]
    top = title_h + 2 * GAP + radius
    pitches = [diameter + below(_role(l, last)) + 2 * GAP + PITCH_EXTRA[lecture] for l in range(last + 1)]
    spans = [(len(layer) - 1) * pitch for layer, pitch in zip(layers, pitches)]
    middle = top + max(spans) / 2
    positions: dict[str, tuple[float, float]] = {}
    for l, (layer, pitch) in enumerate(zip(layers, pitches)):
        for i, unit in enumerate(layer):
            positions[unit] = (columns[l], middle + (i - (len(layer) - 1) / 2) * pitch)
    height = middle + max(span / 2 + radius + below(_role(l, last)) for l, span in enumerate(spans)) + GAP
    return _Grid(positions, width, height, diameter, columns, title_h, last)


@lru_cache(maxsize=256)  # pure and immutable: the same for every stage of a walk
def _titles(columns: tuple[float, ...], title_h: float, size: int) -> tuple[Box, ...]:
    """The layer titles above the columns."""
    last = len(columns) - 1
    titles = ["Input"] + ["Hidden"] * (last - 1) + ["Output"]
    if last > 2:
        titles = ["Input"] + [f"Hidden {l}" for l in range(1, last)] + ["Output"]
    return tuple(
        _box("title", str(l), f"<b>{title}</b>", columns[l], GAP + title_h / 2, size) for l, title in enumerate(titles)
    )


def _titles_and_values(model: GraphModel, grid: _Grid, sizes: dict) -> list[Box]:
    """The layer titles above the columns, and each unit's values under it."""
    last, radius = grid.last, grid.diameter / 2
    labels = list(_titles(grid.columns, grid.title_h, sizes["title"]))
    for node in model.nodes:
        if node.text:
            output = node.layer == last and last > 0
            labels.append(_value_box(node.id, node.text, grid.positions[node.id], output, radius, sizes["value"]))
    return labels


@lru_cache(maxsize=1024)  # pure and immutable: a unit's values read the same at most stages of a walk
def _value_box(unit: str, shown: str, at: tuple[float, float], output: bool, radius: float, size: int) -> Box:
    """The plate of a unit's values ``shown`` (the node's text) under its centre ``at``; an output's runs right."""
    text = _values(shown)
    x, y = at
    w, h = text_size(text, size)
    if output:
        x += w / 2 - radius / 2  # from under the centre rightwards
    return Box("value", unit, text, x, y + radius + GAP + h / 2, w, h, size)


@lru_cache(maxsize=8)
def _spot_grid(texts: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every (shift, place along the edge, text variant) a label may take, in the order tried (read-only)."""
    grid = tuple(a.ravel() for a in np.meshgrid(SHIFTS, EDGE_SPOTS, range(texts), indexing="ij"))
    for a in grid:
        a.flags.writeable = False
    return grid


Shape = tuple[tuple[float, float], tuple[float, float], tuple[tuple[float, float], ...], bool]  # an edge's geometry
Spot = tuple[int, int, float, float, float, float]  # edge, text variant, x, y, w, h of a plate
EDGE_SPOTS_KEPT = 1_024  # edges' spots kept, one per edge geometry and plate sizes seen lately (≈ 1.5 KB each)


@lru_cache(maxsize=EDGE_SPOTS_KEPT)  # pure, read-only arrays: an edge keeps its spots while its plates keep their sizes
def _edge_spots(
    ends: tuple[float, ...], plates: tuple[tuple[float, float], ...], area: tuple
) -> tuple[np.ndarray, ...]:
    """The spots of one edge whose plate lies inside the graph and clears every unit, best first: arrays of the
    text variant, x, y, w and h. ``ends``: x0, y0, x1, y1; ``plates``: each text variant's width and height;
    ``area``: the graph's width, height, unit diameter and unit centres."""
    width, height, diameter, centres = area
    shift, t, k = _spot_grid(len(plates))
    sizes = np.array(plates)
    w, h = sizes[k, 0], sizes[k, 1]
    x = ends[0] + t * (ends[2] - ends[0])
    y = ends[1] + t * (ends[3] - ends[1]) + shift * (h / 2 + 1)
    ok = (x - w / 2 >= 0) & (x + w / 2 <= width) & (y - h / 2 >= 0) & (y + h / 2 <= height)
    units = np.array(centres)  # (units, 2)
    near_x = np.clip(units[None, :, 0], (x - w / 2)[:, None], (x + w / 2)[:, None])
    near_y = np.clip(units[None, :, 1], (y - h / 2)[:, None], (y + h / 2)[:, None])
    reach = (diameter / 2 + 1) ** 2
    ok &= ~(((near_x - units[None, :, 0]) ** 2 + (near_y - units[None, :, 1]) ** 2) < reach).any(axis=1)
    chosen = np.flatnonzero(ok)
    found = tuple(a[chosen] for a in (k, x, y, w, h))
    for a in found:
        a.flags.writeable = False
    return found


def _spots(shapes: tuple[Shape, ...], area: tuple, fixed: np.ndarray) -> list[list[Spot]]:
    """Where each edge's label may go: on the edge at :data:`EDGE_SPOTS`, or just above or below it there,
    wherever its plate clears every unit, value and title (best first). ``shapes``: per edge its two ends,
    the plate of each text variant and whether it is lit; ``area``: :func:`_edge_spots`'; ``fixed``: rows of
    x, y, w, h. Each edge's spots clear of the units come from :func:`_edge_spots`; the values and titles,
    which change from stage to stage, are checked here for all edges at once."""
    found = [_edge_spots((*a, *b), plates, area) for a, b, plates, _ in shapes]
    k, x, y, w, h = (np.concatenate([spots[i] for spots in found]) for i in range(5))
    owner = np.repeat(np.arange(len(shapes)), [len(spots[0]) for spots in found])  # the edge of each spot
    if len(fixed):
        clear = ~(
            (2 * np.abs(x[:, None] - fixed[None, :, 0]) < w[:, None] + fixed[None, :, 2])
            & (2 * np.abs(y[:, None] - fixed[None, :, 1]) < h[:, None] + fixed[None, :, 3])
        ).any(axis=1)
        owner, k, x, y, w, h = (a[clear] for a in (owner, k, x, y, w, h))
    spots: list[list[Spot]] = [[] for _ in shapes]
    for spot in zip(*(a.tolist() for a in (owner, k, x, y, w, h))):
        spots[spot[0]].append(spot)
    return spots


def _clear(spot: Spot, taken: list[Spot]) -> bool:
    """Does the plate at ``spot`` overlap none of ``taken`` (as :meth:`Box.overlaps` tells)?"""
    _, _, x, y, w, h = spot
    return not any(2 * abs(x - ox) < w + ow and 2 * abs(y - oy) < h + oh for _, _, ox, oy, ow, oh in taken)


def _fit(edges: list[int], choices: list[list[Spot]], taken: list[Spot], budget: list[int]) -> list[Spot] | None:
    """One free spot for every edge in ``edges`` (depth first, at most ``budget[0]`` tries), or None.
    ``taken``: the edge labels placed so far (every spot already clears the units, values and titles)."""
    if not edges:
        return []
    for spot in choices[edges[0]]:
        budget[0] -= 1
        if budget[0] < 0:
            return None
        if _clear(spot, taken):
            rest = _fit(edges[1:], choices, [*taken, spot], budget)
            if rest is not None:
                return [spot, *rest]
    return None


PLACEMENTS = 256  # placements kept (≈ 5 KB each: ≈ 1.3 MB at most); 1,024 measured no faster for new x


@lru_cache(maxsize=PLACEMENTS)  # pure: geometry in, spots out; stages and edits that keep every plate's size share it
def _placed(shapes: tuple[Shape, ...], area: tuple, fixed: tuple) -> tuple[Spot, ...]:
    """Where the edge labels go: (edge, text variant, x, y, w, h) for each edge labelled, in the order placed.
    The current stage's edges first, all of them where a search finds room; then each other edge's label at
    its first free spot (or none: on hover only). Edges with fewer spots choose first."""
    choices = _spots(shapes, area, np.array(fixed).reshape(-1, 4))
    order = sorted(range(len(shapes)), key=lambda e: (not shapes[e][3], len(choices[e])))
    placed = _fit([e for e in order if shapes[e][3]], choices, [], [SEARCH_BUDGET]) or []
    done = {spot[0] for spot in placed}
    for e in order:
        if e in done:
            continue
        free = next((spot for spot in choices[e] if _clear(spot, placed)), None)
        if free is not None:
            placed.append(free)
    return tuple(placed)


def _edge_labels(model: GraphModel, grid: _Grid, fixed: list[Box], size: int) -> list[Box]:
    """Each labelled edge's plate where :func:`_placed` puts it. Only sizes and places go into the search, so
    a stage whose plates have the sizes of one seen before reuses its placement."""
    edges = [edge for edge in model.edges if edge.text]
    if not edges:
        return []
    texts = [_edge_texts(edge.text) for edge in edges]
    position = grid.positions
    shapes = tuple(
        (
            position[edge.source],
            position[edge.target],
            tuple(text_size(text, size) for text in variants),
            edge.highlighted,
        )
        for edge, variants in zip(edges, texts)
    )
    area = (grid.width, grid.height, grid.diameter, tuple(position.values()))
    plates = tuple((b.x, b.y, b.width, b.height) for b in fixed)
    return [
        Box("edge", f"{edges[e].source}>{edges[e].target}", texts[e][k], x, y, w, h, size)
        for e, k, x, y, w, h in _placed(shapes, area, plates)
    ]


def graph_layout(model: GraphModel, lecture: bool = False, width: float | None = None) -> GraphLayout:
    """Units in columns, values under their units, each edge label at the first spot along its edge
    where its plate clears every unit, value and other label (or on hover only, when none does).
    ``width``: the narrowest the graph is drawn, px (default :data:`LAYOUT_WIDTH`)."""
    sizes = FONT_SIZES[lecture]
    grid = _grid(model, width or LAYOUT_WIDTH[lecture], lecture)
    labels = _titles_and_values(model, grid, sizes)
    labels += _edge_labels(model, grid, labels, sizes["edge"])
    return GraphLayout(grid.width, grid.height, grid.diameter, grid.positions, tuple(labels))
