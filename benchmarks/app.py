"""Cost of an edit and of a Next click, measured in one run. Prints its figures.

    python benchmarks/app.py                 (needs Debian's chromium for the bytes and server figures)
    python benchmarks/app.py --before REV    (also times an edit of commit REV's app, checked out in a
                                              temporary git worktree, with this script: before/after
                                              in one run, the two apps taking turns)
    python benchmarks/app.py --no-browser    (AppTest figures only)

1. Script rerun time for one edit under AppTest (a new "Input x": the whole step and every stage of
   the walk built afresh), for this app, against one click of a minimal one-button app.
2. On a real server in headless Chromium: websocket frames both ways and bytes per Next click (the
   walk steps in the browser: 0), and click-to-new-stage time.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import streamlit as st
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.appserver import CHROMIUM, CHROMIUM_FLAGS, running_app  # noqa: E402

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


def our_edit_times(edits: int, script: str) -> list[float]:
    """Seconds per edit of "Input x" (a value not seen before: nothing cached), whole-page reruns."""
    st.cache_data.clear()
    app = AppTest.from_file(script, default_timeout=60).run()
    times = []
    for k in range(edits):
        (field,) = [w for w in app.text_input if w.label == "Input x"]
        start = time.perf_counter()
        field.set_value(f"0.5, 0.1, {k / 1000:.3f}").run()
        times.append(time.perf_counter() - start)
    return times


def minimal_click_times(clicks: int, script: str) -> list[float]:
    app = AppTest.from_file(script, default_timeout=60).run()
    return [timed_click(app, "next") for _ in range(clicks)]


def browser_figures() -> tuple[float, float, float]:
    """Median frames (both ways), bytes received and click-to-new-stage seconds per Next click."""
    from playwright.sync_api import sync_playwright

    frames: list[int] = []
    with running_app() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        page.on(
            "websocket",
            lambda ws: (
                ws.on("framereceived", lambda p: frames.append(len(p))),
                ws.on("framesent", lambda p: frames.append(0)),
            ),
        )
        page.goto(url)
        page.wait_for_selector(".bp-graph .main-svg", timeout=60_000)
        time.sleep(3)
        counts, sizes, durations = [], [], []
        for k in range(2, 13):
            frames.clear()
            start = time.perf_counter()
            page.locator(".bp-next").first.click()
            page.wait_for_function(
                "k => (document.querySelector('.bp-title') || {}).innerText.startsWith('Stage ' + k + ' of')",
                arg=k,
                timeout=20_000,
            )
            durations.append(time.perf_counter() - start)
            time.sleep(0.5)  # any message the click caused would have gone by now
            counts.append(len(frames))
            sizes.append(sum(frames))
        browser.close()
    return statistics.median(counts), statistics.median(sizes), statistics.median(durations)


def edit_time_of(tree: Path) -> float:
    """Median seconds per edit of the app in ``tree`` (another checkout), timed by this script in a subprocess
    whose imports come from that tree."""
    code = (
        f"import sys, statistics; sys.path.insert(0, {str(ROOT / 'benchmarks')!r}); import app;"
        f"sys.path.insert(0, {str(tree)!r});"  # the old tree's simulator, not this one's
        f"print(statistics.median(app.our_edit_times(12, {str(tree / 'streamlit_app.py')!r})[1:]))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=tree, capture_output=True, text=True, check=True)
    return float(result.stdout.split()[-1])


def measure(folder: Path, before: str | None, browser: bool) -> None:
    """Print this checkout's AppTest and browser figures, as ratios against a one-button app."""
    minimal_script = folder / "minimal_app.py"
    minimal_script.write_text(MINIMAL_APP)
    baseline = statistics.median(minimal_click_times(33, str(minimal_script)))
    print("app benchmark: seed scenario, AppTest (medians)")
    print(f"  one-button app rerun          : {baseline * 1e3:6.1f} ms (33 clicks)")
    rounds = 3 if before else 1
    ours, theirs = [], []
    for _ in range(rounds):  # taking turns, so a busy moment of the machine falls on both
        ours.append(statistics.median(our_edit_times(12, str(ROOT / "streamlit_app.py"))[1:]))
        if before:
            theirs.append(edit_time_of(folder / "before"))
    edit = statistics.median(ours)
    print(f"  edit of Input x (whole page)  : {edit * 1e3:6.1f} ms ({edit / baseline:5.2f}×; 11 edits, cold)")
    if before:
        old = statistics.median(theirs)
        print(
            f"  the same edit at {before:10s}  : {old * 1e3:6.1f} ms ({old / baseline:5.2f}×); "
            f"now / then = {edit / old:4.2f} (medians of {rounds} turns each)"
        )
    if not browser:
        return
    if not Path(CHROMIUM).exists():
        print(f"  (no Chromium at {CHROMIUM}: browser figures skipped)")
        return
    count, size, duration = browser_figures()
    print(
        f"  Chromium, per Next click: {count:.0f} websocket frames, {size / 1024:.1f} KiB, "
        f"{duration * 1e3:.0f} ms click to new stage (Playwright's round trips included)"
    )


@contextmanager
def checkout(revision: str | None, folder: Path):
    """``revision`` in a temporary git worktree at ``folder / "before"`` (nothing without a revision)."""
    if not revision:
        yield
        return
    worktree = folder / "before"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "-q", str(worktree), revision], check=True)
    try:
        yield
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(worktree)], check=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", metavar="REV", help="also time an edit of the app at this commit")
    parser.add_argument("--no-browser", action="store_true", help="AppTest figures only")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, checkout(args.before, Path(name)):
        measure(Path(name), args.before, not args.no_browser)


if __name__ == "__main__":
    main()
