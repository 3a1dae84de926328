"""The walk of networks up to the largest legal one: CPU per build and size sent, as ratios against the seed.

    python benchmarks/big_walk.py            (every size)
    python benchmarks/big_walk.py --quick    (the seed, 4 × 8 and 8 × 16)

For each size (layers × units, biases, random weights): the whole walk (``walk`` + ``packed``, what the page
built per scenario before windows) and, since windows, the costliest message the page sends: a window of
stages built and packed; the whole walk's inspector apart ("+ insp."): the page builds it once per
scenario, in the first window that reveals a chain, and cuts it for the others. CPU seconds of this
process (``time.process_time``), every formatting cache emptied first, so each figure is a first build;
sizes in KB of the packed text the page receives. Ratios are against the seed's whole walk in the same
run, so another program's load cancels out. The budget is about 0.5 s of one process per request
(issue 15, docs/limits.md).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator import SEED  # noqa: E402
from simulator.core.record import step  # noqa: E402
from simulator.views import walk as walk_module  # noqa: E402
from simulator.views.stages import build_stages  # noqa: E402
from simulator.views.walk import WalkView, inspector, packed, walk  # noqa: E402
from tests.test_walk_window import network  # noqa: E402  (n layers of n units, tanh then sigmoid)

BUDGET = 0.5  # s of CPU per request
SIZES = ((3, 4), (4, 8), (3, 16), (5, 10), (8, 8), (8, 16))
QUICK = ((4, 8), (8, 16))


def cold() -> None:
    """Every memo of the package emptied (formatting, LaTeX, names): each build below is a first build."""
    for name, module in list(sys.modules.items()):
        if name.startswith("simulator."):
            for value in vars(module).values():
                if callable(getattr(value, "cache_clear", None)):
                    value.cache_clear()


def timed(call):
    cold()
    started = time.process_time()
    result = call()
    return time.process_time() - started, result


def whole(record, stages) -> tuple[float, int]:
    """CPU of the whole walk built and packed, and its packed size in bytes."""
    seconds, text = timed(lambda: packed(walk(record, stages, WalkView())))
    return seconds, len(text)


def windows(record, stages) -> tuple[float, float, int, int]:
    """The window messages of one walk: (the costliest window's CPU s, the whole inspector's CPU s, the largest
    window's packed bytes, stages per window). The page builds the whole inspector once per scenario, in the
    first window that reveals a chain (walk_view.whole_inspector); later windows cut it."""
    per = walk_module.per_message(record.scenario.layers)
    if per >= len(stages):
        return (*whole(record, stages)[:1], 0.0, whole(record, stages)[1], len(stages))
    inspected, units = timed(lambda: inspector(record, stages, len(stages), WalkView()))
    worst, largest = 0.0, 0
    for first in range(0, len(stages), per):
        _, end = walk_module.window(len(stages), first, per)
        cut = walk_module.reveals_chains(stages, end)
        view = WalkView(first=first, limit=end)
        seconds, text = timed(lambda: packed(walk(record, stages, view, units=units if cut else None)))  # noqa: B023
        worst, largest = max(worst, seconds), max(largest, len(text))
    return worst, inspected, largest, per


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="the seed, 4 × 8 and 8 × 16 only")
    args = parser.parse_args()
    record = step(SEED)
    seed_seconds, seed_bytes = whole(record, build_stages(record))
    windowed = hasattr(walk_module, "window")  # an older tree has no windows: the whole walk only
    print(f"seed: whole walk {seed_seconds * 1e3:.0f} ms of CPU, {seed_bytes / 1024:.0f} KB packed")
    print(f"{'layers × units':>15} {'stages':>6} {'whole s':>8} {'× seed':>7} {'KB':>7}", end="")
    print(f" {'window s':>9} {'× seed':>7} {'+ insp. s':>9} {'KB':>6} {'stages':>6}" if windowed else "")
    for layers, units in QUICK if args.quick else SIZES:
        record = step(network(layers, units))
        stages = build_stages(record)
        seconds, size = whole(record, stages)
        line = f"{f'{layers} × {units}':>15} {len(stages):6} {seconds:8.2f} {seconds / seed_seconds:7.1f}"
        line += f" {size / 1024:7.0f}"
        if windowed:
            worst, inspected, largest, per = windows(record, stages)
            line += f" {worst:9.2f} {worst / seed_seconds:7.1f} {inspected:9.2f} {largest / 1024:6.0f} {per:6}"
        print(line)
    print(f"budget: {BUDGET} s of CPU per request = {BUDGET / seed_seconds:.1f} × the seed's whole walk in this run")


if __name__ == "__main__":
    main()
