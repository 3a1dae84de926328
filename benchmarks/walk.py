"""The walk's figures: key press → new stage painted in Chromium, against switching two static divs in the
same page; websocket frames per step; the server's cost of building the walk and its size. Prints a table.

    python benchmarks/walk.py [--presses 22]

Paint is timed in the page: from the keydown (``performance.now()`` in a capture listener registered
before the walk's) to the second ``requestAnimationFrame`` after it, i.e. after the frame that shows the
new stage has been produced. The static baseline toggles two precomputed divs of the same size on the
same key, timed the same way.
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from simulator import SEED, build_stages, step  # noqa: E402
from simulator.views.walk import walk  # noqa: E402
from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app  # noqa: E402

TIMER = """(() => {
  window.__bpTimes = [];
  window.addEventListener('keydown', () => {
    const t0 = performance.now();
    requestAnimationFrame(() => requestAnimationFrame(() => window.__bpTimes.push(performance.now() - t0)));
  }, true);
})()"""  # installed before the page's own scripts, so it hears every key first
STATIC = """() => {
  window.__backpropWalk.root = document.createElement('div');  // the walk stands aside: not on the page
  const box = document.createElement('div');
  box.innerHTML = '<div id=bpA style="height:400px">' + 'A '.repeat(2000) + '</div>'
    + '<div id=bpB style="height:400px;display:none">' + 'B '.repeat(2000) + '</div>';
  document.body.prepend(box);
  window.__bpStatic = true;
  window.__bpStaticKey = (event) => {
    if (!window.__bpStatic) return;
    event.stopImmediatePropagation();
    const a = document.getElementById('bpA'), b = document.getElementById('bpB');
    [a.style.display, b.style.display] = [b.style.display, a.style.display];
  };
  window.addEventListener('keydown', window.__bpStaticKey, true);
}"""


def server_figures() -> dict[str, float]:
    record = step(SEED)
    stages = build_stages(record)
    times = []
    for _ in range(5):
        start = time.perf_counter()
        data = walk(record, stages)
        times.append(time.perf_counter() - start)
    text = json.dumps(data, separators=(",", ":"))
    return {
        "build ms (median of 5, seed)": 1000 * statistics.median(times),
        "walk KiB raw": len(text) / 1024,
        "walk KiB gzip": len(gzip.compress(text.encode())) / 1024,
    }


def browser_figures(presses: int) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with running_app() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        sent = []
        page.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
        page.add_init_script(TIMER)
        page.goto(url)
        page.wait_for_selector(".bp-graph .main-svg", timeout=60_000)
        time.sleep(2)
        page.evaluate("window.__bpTimes = []")
        before = len(sent)
        for k in range(presses):
            page.keyboard.press("ArrowRight" if (k // 11) % 2 == 0 else "ArrowLeft")
            time.sleep(0.15)
        frames = len(sent) - before
        walk_times = page.evaluate("window.__bpTimes")
        in_page = page.evaluate("window.__bpLastPaint")
        page.evaluate(STATIC)
        page.evaluate("window.__bpTimes = []")
        for _ in range(presses):
            page.keyboard.press("ArrowRight")
            time.sleep(0.15)
        static_times = page.evaluate("window.__bpTimes")
        browser.close()
    walk_median, static_median = statistics.median(walk_times), statistics.median(static_times)
    return {
        "key → stage painted, ms (median)": walk_median,
        "key → static div painted, ms (median)": static_median,
        "ratio": walk_median / static_median,
        "show() in the page, ms (last step)": in_page,
        "websocket frames per step": frames / presses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=22)
    args = parser.parse_args()
    figures = {**server_figures(), **browser_figures(args.presses)}
    for name, value in figures.items():
        print(f"{name:42s} {value:10.2f}")


if __name__ == "__main__":
    main()
