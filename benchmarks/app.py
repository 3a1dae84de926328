"""Cost of one Next click, measured in one run. Prints its figures.

    python benchmarks/app.py                 (needs Debian's chromium for the bytes and server figures)
    python benchmarks/app.py --before REV    (first runs commit REV's own copy of this script in a
                                              temporary git worktree: before/after in one run)

1. Script rerun time for one Next click under AppTest, for this app and for a
   minimal one-button app, and their ratio (target ≤ 3).
2. On a real server in headless Chromium: bytes the server sends per Next
   click, and click-to-render time, with runner.postScriptGC on and off.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app  # noqa: E402

# On a real server a Next click reruns only the stepper fragment; AppTest always reruns the whole
# script, so this page holding just the fragment measures what the server does per click.
FRAGMENT_ONLY_APP = f"""
import sys
sys.path.insert(0, {str(ROOT)!r})
from simulator.ui import state
from simulator.ui.stepper import stepper
state.read_link_once()
stepper()
"""
MINIMAL_APP = """
import streamlit as st
if "count" not in st.session_state:
    st.session_state.count = 0
def bump():
    st.session_state.count += 1
st.button("Next", key="next", on_click=bump)
st.write(st.session_state.count)
"""


def timed_click(app: AppTest, key: str) -> float:
    start = time.perf_counter()
    app.button(key=key).click().run()
    return time.perf_counter() - start


def our_click_times(rounds: int, script: str) -> list[list[float]]:
    """Seconds per Next click for each pass through the seed's stages (then Reset), from an empty cache.

    The first pass renders every table afresh; later passes replay the cached tables, as every
    visitor after the first does on a hosted demo.
    """
    st.cache_data.clear()
    app = AppTest.from_file(script, default_timeout=60).run()
    passes = []
    for _ in range(rounds):
        times = []
        while not app.button(key="next").disabled:
            times.append(timed_click(app, "next"))
        app.button(key="reset").click().run()
        passes.append(times)
    return passes


def minimal_click_times(clicks: int, script: str) -> list[float]:
    app = AppTest.from_file(script, default_timeout=60).run()
    return [timed_click(app, "next") for _ in range(clicks)]


def browser_figures(post_script_gc: bool) -> tuple[float, float]:
    """Median bytes received and median click-to-last-message seconds per Next click."""
    from playwright.sync_api import sync_playwright

    frames: list[tuple[float, int]] = []

    def record(payload) -> None:
        frames.append((time.perf_counter(), len(payload) if isinstance(payload, (bytes, str)) else 0))

    with running_app("--runner.postScriptGC", str(post_script_gc).lower()) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on("websocket", lambda socket_: socket_.on("framereceived", record))
        page.goto(url)
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        time.sleep(2)
        sizes, durations = [], []
        for k in range(2, 13):
            frames.clear()
            start = time.perf_counter()
            page.locator(".st-key-next button").first.click()
            page.wait_for_function(
                "k => [...document.querySelectorAll('h3')].some(h => h.innerText.startsWith('Stage ' + k + ' of'))",
                arg=k,
                timeout=20_000,
            )
            time.sleep(1.0)  # let the last messages of the rerun arrive
            sizes.append(sum(size for _, size in frames))
            durations.append(max(t for t, _ in frames) - start)
        browser.close()
    return statistics.median(sizes), statistics.median(durations)


def measure(folder: Path) -> None:
    """Print this checkout's AppTest and browser figures, as ratios against a one-button app."""
    fragment_script, minimal_script = folder / "fragment_only.py", folder / "minimal_app.py"
    fragment_script.write_text(FRAGMENT_ONLY_APP)
    minimal_script.write_text(MINIMAL_APP)
    whole = our_click_times(3, str(ROOT / "streamlit_app.py"))
    fragment = our_click_times(3, str(fragment_script))
    baseline = statistics.median(minimal_click_times(33, str(minimal_script)))
    print("app benchmark: one Next click, seed scenario, AppTest (medians; 11 clicks a pass)")
    print(f"  one-button app rerun        : {baseline * 1e3:6.1f} ms (33 clicks)")
    for name, passes in (("whole page (AppTest's way)", whole), ("stepper fragment (server's)", fragment)):
        cold = statistics.median(passes[0])
        warm = statistics.median(passes[1] + passes[2])
        print(
            f"  {name:28}: first pass {cold * 1e3:6.1f} ms ({cold / baseline:5.2f}×), "
            f"later passes {warm * 1e3:6.1f} ms ({warm / baseline:5.2f}×); target ≤ 2×"
        )
    if not Path(CHROMIUM).exists():
        print(f"  (no Chromium at {CHROMIUM}: server figures skipped)")
        return
    size, duration = browser_figures(False)
    print(f"  real server: {size / 1024:7.1f} KiB sent per click, {duration * 1e3:6.0f} ms click to last message")


def run_before(revision: str, folder: Path) -> None:
    """Run ``revision``'s own copy of this benchmark against its own code, in a temporary worktree."""
    worktree = folder / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(worktree), revision], check=True)
    try:
        print(f"=== before: {revision}", flush=True)
        environment = {**os.environ, "PYTHONPATH": str(worktree)}
        subprocess.run([sys.executable, "benchmarks/app.py"], cwd=worktree, env=environment, check=False)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)
    print("=== now: the working tree", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", metavar="REV", help="first measure this commit with its own benchmark")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name:
        if args.before:
            run_before(args.before, Path(name))
        measure(Path(name))


if __name__ == "__main__":
    main()
