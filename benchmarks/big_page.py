"""What the largest links cost a real server: CPU per first view, one at a time, against the seed. Prints its figures.

    python benchmarks/big_page.py [--count 10] [--before REV]   (REV: also the app at that commit, same run)

Issue 15's budget is about 0.5 s of one process per request. `benchmarks/hostile.py` times the decoding of the
largest legal link and the page under AppTest (whose own start-up is in its figure); this serves
`streamlit_app.py` with `streamlit run` and opens, each in a new session as a browser does, one after the other:

- the seed link;
- 8 layers × 16 units with biases, every weight in full (about 40 KB), a new x each time (no cache helps);
- the same network in paper mode (3 significant digits), and under a classic mistake;
- the same network with as many examples in ``data=`` as fit the server's request (about 120 KB of query),
  and with them under the classic mistake (its loss-curve comparison trains over the examples);

and reads the server's CPU from /proc around each first view (median, and the worst, of ``--count``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from hostile import _short, largest_network  # noqa: E402
from load import FIRST_VIEW_TIMEOUT, Page, checkout, http_get, proc_ticks, stream  # noqa: E402

from simulator import SEED  # noqa: E402
from simulator.core.scenario import scenario_from_dict  # noqa: E402
from simulator.io.share import encode  # noqa: E402
from tests.appserver import running_script  # noqa: E402

MISTAKE = "slope_from_z"  # a classic mistake: its step and the correct one, side by side
QUERY_BYTES = 120_000  # under the server's request limit (about 128 KB of request line and headers)


def links(count: int) -> dict[str, list[str]]:
    rng = np.random.default_rng(15)
    network = largest_network(rng)
    network["target"] = rng.uniform(0, 1, 16).tolist()

    def fresh() -> str:  # a new x: no cache of the walk helps
        return urlencode(encode(scenario_from_dict({**network, "x": rng.uniform(-1, 1, 16).tolist()})))

    big, with_data = [fresh() for _ in range(count)], []
    for query in [fresh() for _ in range(count)]:
        examples = []
        while True:
            example = f"{_short(rng.uniform(-1, 1, 16))}:{_short(rng.uniform(0, 1, 16))}"
            if len(query) + len(urlencode({"data": "|".join([*examples, example])})) + 1 > QUERY_BYTES:
                break
            examples.append(example)
        with_data.append(f"{query}&{urlencode({'data': '|'.join(examples)})}")
    return {
        "seed": [urlencode(encode(SEED))] * count,
        "8 × 16, paper mode (round=3)": [f"{fresh()}&round=3" for _ in range(count)],
        f"8 × 16, a mistake ({MISTAKE})": [f"{fresh()}&mistake={MISTAKE}" for _ in range(count)],
        "8 × 16, biases (≈40 KB)": big,
        f"8 × 16 and {len(examples)} examples (≈{QUERY_BYTES // 1000} KB)": with_data,
        f"the same under {MISTAKE}": [
            f"{fresh()}&{query.partition('&data=')[2] and 'data=' + query.partition('&data=')[2]}&mistake={MISTAKE}"
            for query in with_data
        ],
    }


async def first_view(url: str, query: str) -> None:
    parts = urlsplit(url)
    cookies: dict[str, str] = {}
    await http_get(parts.hostname, parts.port, "/?" + query, cookies)
    async with stream(parts.hostname, parts.port, cookies) as ws:
        page = Page(ws, query, f"{url}/")
        await asyncio.wait_for(page.rerun(), FIRST_VIEW_TIMEOUT)
        if "Input x" not in page.fields:  # an exception on the page raises in Page.read
            raise RuntimeError("the page did not finish its editor")


def cpu_ms(pid: int) -> float:
    return proc_ticks(pid) * 1000 / os.sysconf("SC_CLK_TCK")


async def measure(url: str, pid: int, queries: list[str]) -> list[float]:
    await first_view(url, queries[0])  # warm: imports, compiled script
    spent = []
    for query in queries:
        start = cpu_ms(pid)
        await first_view(url, query)
        await asyncio.sleep(0.2)  # the session's last messages
        spent.append(cpu_ms(pid) - start)
    return spent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=10, help="first views per link kind (default 10)")
    parser.add_argument("--before", metavar="REV", help="also serve the app at git revision REV (same links)")
    args = parser.parse_args()
    kinds = links(args.count)
    for label in ["now", *([args.before] if args.before else [])]:
        with contextlib.ExitStack() as stack:
            tree = ROOT if label == "now" else stack.enter_context(checkout(label))
            script = tree / "streamlit_app.py"
            url, pid = stack.enter_context(running_script(script, "--server.fileWatcherType", "none", cwd=tree))
            results = {name: asyncio.run(measure(url, pid, queries)) for name, queries in kinds.items()}
        seed = statistics.median(results["seed"])
        print(f"{label}: server CPU per first view, one at a time, {args.count} each (ms; budget 500):")
        for name, spent in results.items():
            middle = statistics.median(spent)
            print(f"  {name:<38} median {middle:7.1f}  worst {max(spent):7.1f}  × seed {middle / seed:5.1f}")
    print(f"  at {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
