"""The walk in Chromium: stepping sends nothing to the server, the screen shows the engine's numbers, hidden
numbers never reach the browser, and links, reloads and Back/Forward land on the same stage."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from simulator import PRESETS, SEED, build_stages, step
from simulator.io.share import encode
from simulator.views.formatting import notebook_values
from simulator.views.graph import graph_model
from simulator.views.graph_layout import graph_layout

from .appserver import CHROMIUM

pytestmark = pytest.mark.browser
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
ARTIFACTS.mkdir(exist_ok=True)

if not Path(CHROMIUM).exists():
    message = f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI"):
        raise RuntimeError(message + " — CI must not skip the browser tests")
    pytest.skip(message, allow_module_level=True)

WAIT = 60_000
STATE = "() => { const w = window.__backpropWalk; return w && w.data ? [w.index, w.data.stages.length] : null; }"


class Walk:
    """One page of the app, with the websocket frames it sent and the ones it received."""

    def __init__(self, tabs, url: str, width: int = 1280, height: int = 800):
        self.tabs = tabs
        self.page = tabs.open(url, width, height)
        self.sent: list[str | bytes] = []
        self.received: list[str | bytes] = []
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("websocket", self._watch)
        self.open(url)

    def _watch(self, socket) -> None:
        socket.on("framesent", lambda payload: self.sent.append(payload))
        socket.on("framereceived", lambda payload: self.received.append(payload))

    def open(self, url: str) -> None:
        self.page.goto(url)
        self.page.wait_for_selector(".bp-title:has-text('Stage ')", timeout=WAIT)
        self.page.wait_for_selector(".bp-graph .main-svg", timeout=WAIT)
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]')",
            timeout=WAIT,
        )
        time.sleep(0.5)

    def index(self) -> int:
        return self.page.evaluate(STATE)[0]

    def title(self) -> str:
        return self.page.locator(".bp-title").inner_text()

    def wait_for_stage(self, k: int) -> None:
        self.page.wait_for_function("k => window.__backpropWalk && window.__backpropWalk.index === k", arg=k)
        self.page.wait_for_selector(f".bp-title:has-text('Stage {k + 1} of')", timeout=WAIT)

    def screen(self) -> dict[str, str]:
        """What a reader sees: graph labels, formulas (KaTeX's TeX source), code, tables. The walk keeps every
        stage's pieces in the page, those put aside skipped (content-visibility): only the shown ones count."""
        return self.page.evaluate(
            """() => ({
              labels: [...document.querySelectorAll('.bp-graph .annotation-text')].filter(t => t.checkVisibility())
                     .map(t => t.textContent),
              tex: [...document.querySelectorAll('.bp-walk annotation[encoding="application/x-tex"]')]
                     .filter(a => a.closest('.katex').checkVisibility()).map(a => a.textContent),
              code: document.querySelector('.bp-code').innerText,
              tables: document.querySelector('.bp-tables').innerText,
            })"""
        )

    def close(self) -> None:
        self.tabs.release(self.page)


@pytest.fixture
def walk(server, tabs):
    opened = []

    def open_page(query: dict | None = None, **size) -> Walk:
        opened.append(Walk(tabs, server + ("/?" + urlencode(query) if query else "/"), **size))
        return opened[-1]

    yield open_page
    for view in opened:
        assert view.errors == []
        view.close()


def _through_all(view: Walk, press) -> int:
    """Step from the first stage to the last with ``press``; returns the frames sent meanwhile."""
    count = view.page.evaluate("() => window.__backpropWalk.data.count")
    before = len(view.sent)
    for k in range(1, count):
        press()
        view.wait_for_stage(k)
    time.sleep(0.5)
    return len(view.sent) - before


def test_stepping_by_button_key_and_autoplay_sends_no_frame(walk):
    view = walk()
    assert _through_all(view, lambda: view.page.locator(".bp-next").click()) == 0
    view.page.locator(".bp-reset").click()
    view.wait_for_stage(0)
    assert _through_all(view, lambda: view.page.keyboard.press("ArrowRight")) == 0
    for key in ("PageUp", "ArrowLeft", "PageDown"):
        view.page.keyboard.press(key)
    view.wait_for_stage(11 - 1)
    playing = walk({"speed": "0.5", "stage": "forward.z1"})
    playing.page.locator(".st-key-presenter button").first.click()
    playing.page.get_by_text("Auto-play").click()  # the switch is the server's: one rerun to start
    playing.wait_for_stage(1)
    before = len(playing.sent)
    playing.page.wait_for_function("() => window.__backpropWalk.index === 11", timeout=WAIT)
    # Every tick in the browser. At the end auto-play pauses, one message to the server (the switch is its own),
    # half a second later: on a loaded machine it can be out before the wait above returns.
    assert len(playing.sent) - before <= 1
    view.page.locator(".bp-picker").select_option("3")
    view.wait_for_stage(3)


@pytest.mark.parametrize(
    ("name", "scenario", "mistake"),
    [("seed", SEED, None), ("two_outputs", PRESETS["two_outputs"], None), ("slope_from_z", SEED, "slope_from_z")],
)
def test_every_stage_shows_the_engines_numbers(walk, name, scenario, mistake):
    query = encode(scenario) | ({"mistake": mistake} if mistake else {})
    view = walk(query)
    record = step(scenario, mistake=mistake)
    stages = build_stages(record)
    for k, stage in enumerate(stages):
        if k:
            view.page.keyboard.press("ArrowRight")
            view.wait_for_stage(k)
        shown = view.screen()
        placed = [re.sub(r"<[^>]+>", "", box.text) for box in graph_layout(graph_model(record, stages, k)).labels]
        labels = " ".join(shown["labels"])
        for text in placed:
            assert all(part in labels for part in text.split("<br>")), (name, stage.id, text)
        assert shown["code"] == f">>> {stage.code}\n{notebook_values(stage.values)}", (name, stage.id)
        assert any(stage.substituted in tex for tex in shown["tex"]), (name, stage.id)
        assert stage.title in view.title()
    view.page.screenshot(path=str(ARTIFACTS / f"walk-{name}.png"))


@pytest.mark.parametrize("mode", [{"blank": "1"}, {"quiz": "1"}])
def test_blank_and_quiz_send_no_hidden_number(walk, mode):
    view = walk({**mode, "stage": "delta.1"})
    record = step(SEED)
    hidden = ["7.080e-04", "0.002045", "-0.00070802", "0.00204471"]
    later = ["-1.770e-04", "5.112e-04", "0.1080", "0.48664"]  # gradients and updates of later stages
    received = "".join(f if isinstance(f, str) else f.decode("latin-1") for f in view.received)
    page = view.page.content()
    for text in hidden + later:
        assert text not in received and text not in page, (mode, text)
    assert view.page.evaluate(STATE) == [6, 7]  # only up to the current stage was sent
    assert record.deltas[0][0] < 0


def test_share_link_reload_and_back_forward_land_on_the_same_stage(walk):
    view = walk()
    for _ in range(4):
        view.page.keyboard.press("ArrowRight")
    view.wait_for_stage(4)
    view.page.wait_for_function("() => location.search.includes('stage=loss')", timeout=WAIT)  # after the paint
    assert "stage=loss" in view.page.url
    link = view.page.url
    before = len(view.sent)
    view.page.go_back()
    view.wait_for_stage(3)
    view.page.go_back()
    view.wait_for_stage(2)
    view.page.go_forward()
    view.wait_for_stage(3)
    assert "stage=forward.a2" in view.page.url
    # The walk turns the page at once; Streamlit's own popstate listener (registered before any component
    # can register one) still sends one rerun per Back/Forward, and that rerun keeps the stage.
    view.settle()
    assert view.index() == 3 and len(view.sent) - before <= 3
    view.page.go_forward()
    view.wait_for_stage(4)
    view.page.reload()
    view.page.wait_for_selector(".bp-graph .main-svg", timeout=WAIT)
    view.wait_for_stage(4)
    assert "Error and loss" in view.title()
    other = walk(dict(parse_qsl(urlsplit(link).query)))  # a share link, opened elsewhere
    other.wait_for_stage(4)
