"""The slowest links a visitor can send, as ratios against the seed link in the same run. Prints its figures.

    python benchmarks/hostile.py            (decoding every candidate, then the page for the worst few)
    python benchmarks/hostile.py --quick    (decoding only)

1. Decoding (``share.decode``: reading, validating, checking the step is computable) of each candidate
   link: CPU seconds (best of 3, so another process on the machine cannot inflate it), traced peak
   memory, and the ratio to the seed link's decode. Candidates: the largest legal link (8 layers × 16
   units, biases, 256 examples in ``data=`` filling its 100,000 characters), a long run of each unit of
   tests/strategies_hostile.py in each parameter (100,000 characters), 1,000 small parameters, the
   overflow link of issue 15.
2. The whole page under AppTest (first view, then one rerun) for the seed link, the largest legal link
   and the slowest decodes: CPU seconds of this process while the script runs (AppTest runs it in a
   thread of this process), and the ratio to the seed's first view.

The budget is about 0.5 s of one process per request; the script prints the worst case against it.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import parse_qsl

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator import SEED  # noqa: E402
from simulator.core.scenario import scenario_from_dict  # noqa: E402
from simulator.io.share import MAX_PARAM_LENGTH, decode, encode  # noqa: E402
from tests.strategies import LINK_KEYS  # noqa: E402
from tests.strategies_hostile import UNITS  # noqa: E402

BUDGET = 0.5  # seconds of one process per request
OVERFLOW = (
    "layers=1-1-1-1-1&act=linear,linear,linear,sigmoid&loss=half_squared_error&w1=1e6&w2=1e6&w3=1e6&w4=1e6"
    "&x=1e6&t=0&lr=100&mistake=slope_from_z"
)


def _short(values) -> str:
    return ",".join(f"{v:.5f}" for v in values)  # "-0.12345": 8 characters, so 256 examples fit 100,000


def largest_network(rng: np.random.Generator) -> dict:
    """The largest network a link may carry (8 layers × 16 units, biases), random weights; the caller adds
    x and the target. Shared with load.py's hostile links."""
    return {
        "version": 1,
        "layers": [16] * 8,
        "activations": ["tanh"] * 6 + ["sigmoid"],
        "loss": "half_squared_error",
        "weights": [rng.uniform(-1, 1, (16, 16)).tolist() for _ in range(7)],
        "biases": [rng.uniform(-1, 1, 16).tolist() for _ in range(7)],
        "learning_rate": 0.5,
    }


def largest_legal() -> dict[str, str]:
    """8 layers × 16 units with biases, every weight written in full, and 256 examples in ``data=``."""
    rng = np.random.default_rng(15)
    network = largest_network(rng)
    scenario = scenario_from_dict(
        {**network, "x": rng.uniform(-1, 1, 16).tolist(), "target": rng.uniform(0, 1, 16).tolist()}
    )
    data = "|".join(f"{_short(rng.uniform(-1, 1, 16))}:{_short(rng.uniform(0, 1, 16))}" for _ in range(256))
    assert len(data) <= MAX_PARAM_LENGTH, len(data)
    return {**encode(scenario), "data": data}


def candidates() -> dict[str, dict[str, str]]:
    links = {"seed": encode(SEED), "largest legal (8×16, 256 examples)": largest_legal()}
    links["overflow under a mistake"] = dict(parse_qsl(OVERFLOW))
    links["1,000 parameters"] = {f"k{i}": "1,2,3" for i in range(1_000)}
    for key in LINK_KEYS:
        for unit in UNITS:
            links[f"{key}={unit!r}×{MAX_PARAM_LENGTH // len(unit):,}"] = {key: unit * (MAX_PARAM_LENGTH // len(unit))}
    return links


def cpu_seconds(call, *args) -> float:
    best = float("inf")
    for _ in range(3):
        started = time.process_time()
        call(*args)
        best = min(best, time.process_time() - started)
    return best


def peak_mb(call, *args) -> float:
    tracemalloc.start()
    try:
        call(*args)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def page_seconds(params: dict[str, str]) -> tuple[float, float]:
    """CPU seconds of the page's first view and of one rerun under AppTest."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=900)
    for key, value in params.items():
        app.query_params[key] = value
    started = time.process_time()
    app.run()
    first = time.process_time() - started
    assert not app.exception, [e.value for e in app.exception]
    started = time.process_time()
    app.run()
    return first, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="decoding only, not the page")
    parser.add_argument("--worst", type=int, default=8, help="how many of the slowest to print (default 8)")
    args = parser.parse_args()
    links = candidates()
    seed = cpu_seconds(decode, links["seed"], SEED)
    rows = []
    for name, params in links.items():
        seconds = cpu_seconds(decode, params, SEED)
        rows.append((seconds, peak_mb(decode, params, SEED), name))
    rows.sort(reverse=True)
    print(f"decode: {len(links)} links; the seed link takes {seed * 1e3:.2f} ms of CPU (best of 3)")
    print(f"  {'link':44} {'ms':>8} {'× seed':>8} {'peak MB':>8}")
    for seconds, peak, name in rows[: args.worst]:
        print(f"  {name[:44]:44} {seconds * 1e3:8.2f} {seconds / seed:8.1f} {peak:8.2f}")
    print(f"  worst: {rows[0][0] * 1e3:.1f} ms, {rows[0][0] / BUDGET:.0%} of the {BUDGET} s budget")
    if args.quick:
        return
    pages = ["seed", "largest legal (8×16, 256 examples)", "overflow under a mistake"]
    pages += [name for _, _, name in rows[:3] if name not in pages]
    page_seconds(links["seed"])  # imports and first compiles, so the seed's figure is a warm first view
    first_seed = None
    print("page under AppTest (CPU s, this process): first view, one rerun, first view × seed's")
    for name in pages:
        first, rerun = page_seconds(links[name])
        first_seed = first_seed or first
        print(f"  {name[:44]:44} {first:6.2f} {rerun:6.2f} {first / first_seed:6.1f}")


if __name__ == "__main__":
    main()
