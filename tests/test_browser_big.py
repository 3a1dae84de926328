"""The largest legal network in Chromium: its walk comes two stages at a time, one message per window.

Inside a window the browser steps with no frame sent; a step out of it (Next, Prev, End) is one message,
and the server sends the window around the new stage (docs/limits.md, "The walk of a large network").
"""

from __future__ import annotations

import time

import pytest

from simulator.io.share import encode

from .test_browser_walk import Walk, walk  # noqa: F401 (the fixture)
from .test_walk_window import network

pytestmark = pytest.mark.browser
WINDOW = "() => { const w = window.__backpropWalk; return [w.index, w.first, w.shipped, w.data.count]; }"


def frames_for(view: Walk, press, stage: int) -> int:
    before = len(view.sent)
    press()
    view.wait_for_stage(stage)
    time.sleep(0.5)
    return len(view.sent) - before


def test_the_largest_network_steps_a_window_at_a_time(walk):  # noqa: F811
    view = walk({**encode(network(8, 16)), "intro": "0"})
    view.page.set_default_timeout(120_000)  # two graphs of 1,792 edges per window: slow on a busy machine
    assert view.title().startswith("Stage 1 of 51 — ")
    assert view.page.evaluate(WINDOW) == [0, 0, 2, 51]
    assert frames_for(view, lambda: view.page.locator(".bp-next").click(), 1) == 0  # inside the window
    assert frames_for(view, lambda: view.page.locator(".bp-next").click(), 2) >= 1  # out of it: the server's turn
    assert view.page.evaluate(WINDOW) == [2, 2, 4, 51]
    assert view.title().startswith("Stage 3 of 51 — ")
    assert frames_for(view, lambda: view.page.keyboard.press("ArrowRight"), 3) == 0
    view.page.keyboard.press("ArrowLeft")
    view.wait_for_stage(2)
    view.page.keyboard.press("ArrowLeft")  # back out of the window
    view.wait_for_stage(1)
    assert view.page.evaluate(WINDOW)[1:3] == [0, 2]
    view.page.locator(".bp-end").click()
    view.wait_for_stage(50)
    assert view.title() == "Stage 51 of 51 — After the update"
    assert view.page.evaluate(WINDOW) == [50, 50, 51, 51]
    assert view.page.locator("[data-testid=stException]").count() == 0
