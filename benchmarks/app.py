"""Cost of one Next click, measured in one run. Prints its figures.

    python benchmarks/app.py            (needs Debian's chromium for the bytes and server figures)

1. Script rerun time for one Next click under AppTest, for this app and for a
   minimal one-button app, and their ratio (target ≤ 3).
2. On a real server in headless Chromium: bytes the server sends per Next
   click, and click-to-render time, with runner.postScriptGC on and off.
"""

from __future__ import annotations

import statistics
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
import streamlit_app
streamlit_app.read_link_once()
streamlit_app.stepper()
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
            page.locator(".st-key-next button").click()
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


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        fragment_script, minimal_script = Path(folder) / "fragment_only.py", Path(folder) / "minimal_app.py"
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
            f"later passes {warm * 1e3:6.1f} ms ({warm / baseline:5.2f}×); target ≤ 3×"
        )
    if not Path(CHROMIUM).exists():
        print(f"  (no Chromium at {CHROMIUM}: server figures skipped)")
        return
    for gc in (True, False):
        size, duration = browser_figures(gc)
        print(
            f"  real server, postScriptGC={str(gc).lower():5}: {size / 1024:7.1f} KiB sent per click, "
            f"{duration * 1e3:6.0f} ms click to last message (median of 11)"
        )


if __name__ == "__main__":
    main()
