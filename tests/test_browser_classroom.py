"""The clicker, browser history and the presenter's tools in headless Chromium, one app server for the module.

Each test runs at the viewport where the problem was seen (1280×800 unless named). Screenshots land
in test-artifacts/.
"""

from __future__ import annotations

import contextlib
import os
import re
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from simulator import SEED, build_stages, step

from .appserver import CHROMIUM

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
ARTIFACTS.mkdir(exist_ok=True)
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    message = f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI"):
        raise RuntimeError(message + " — CI must not skip the browser tests")
    pytest.skip(message, allow_module_level=True)

from playwright.sync_api import Page  # noqa: E402

WAIT = 60_000  # ms; the machine may be shared
STAGES = build_stages(step(SEED))


class Visit:
    def __init__(self, tabs, url: str, width: int, height: int):
        self.tabs = tabs
        self.page: Page = tabs.open(url, width, height)  # downloads are accepted (Playwright's default)
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_selector(".js-plotly-plot", timeout=WAIT)
        self.page.wait_for_function("() => !!window.__backpropWalk", timeout=WAIT)
        self.settle()

    def heading(self) -> str:
        return self.page.locator("h3").first.inner_text()

    def stage(self) -> int:
        return int(re.match(r"Stage (\d+) of", self.heading()).group(1))

    def settle(self) -> None:
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]')",
            timeout=WAIT,
        )
        time.sleep(0.4)

    def wait_for_stage(self, k: int) -> None:
        self.page.wait_for_function(
            "k => [...document.querySelectorAll('h3')].some(h => h.innerText.startsWith(`Stage ${k} of`))",
            arg=k,
            timeout=WAIT,
        )
        self.settle()

    def press(self, key: str, expected: int) -> None:
        self.page.keyboard.press(key)
        self.wait_for_stage(expected)

    def url_stage(self, expected: str | None = None) -> str | None:
        """The URL's stage; with ``expected``, once the URL has caught up with the screen (the walk writes it in
        the task after the new stage is painted) or WAIT has passed."""
        if expected is not None:
            with contextlib.suppress(PlaywrightTimeout):
                self.page.wait_for_function(
                    "id => new URLSearchParams(location.search).get('stage') === id", arg=expected, timeout=WAIT
                )
        found = re.search(r"[?&]stage=([^&]+)", self.page.url)
        return found.group(1) if found else None

    def selected_tab(self) -> str:
        return self.page.locator("[role=tab][aria-selected=true]").inner_text()

    def code(self) -> str:
        return "\n".join(self.page.locator("[data-testid=stCode] code, pre.bp-code").all_inner_texts())

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(ARTIFACTS / name))

    def check_clean(self) -> None:
        assert self.page.locator("[data-testid=stException]").count() == 0
        assert self.errors == []


@pytest.fixture
def visit(server, tabs):
    opened = []

    def open_page(query: dict | None = None, width: int = 1280, height: int = 800) -> Visit:
        opened.append(Visit(tabs, server + "/?" + urlencode(query or {}), width, height))
        return opened[-1]

    yield open_page
    for view in opened:
        view.tabs.release(view.page)


@pytest.fixture(scope="module")
def _home(server, tabs):
    opened = Visit(tabs, server + "/?", 1280, 800)
    yield opened
    tabs.release(opened.page)


@pytest.fixture
def home(_home):
    """The app's plain link, one visit shared by the tests that only step it, type in a field or read it (a page
    load costs seconds); each starts from stage 1, turned there with Reset as a user does (the click also takes
    the focus out of any field the test before typed in)."""
    _home.page.locator(".bp-reset").first.click()
    _home.wait_for_stage(1)
    return _home


def test_keys_step_after_the_picker_a_tab_the_toggle_and_a_blank_click(visit):
    view = visit()
    view.press("ArrowRight", 2)
    view.press("PageDown", 3)
    view.press("ArrowLeft", 2)
    view.press("PageUp", 1)

    view.page.get_by_role("tab", name="Step through").click()  # focus on the tab list
    view.press("ArrowRight", 2)
    view.press("PageDown", 3)
    assert view.selected_tab() == "Step through"

    view.page.locator(".bp-picker").select_option(index=5)  # "6. …"
    view.wait_for_stage(6)
    view.press("ArrowRight", 7)
    view.press("PageDown", 8)

    view.page.locator(".st-key-lecture label").click()
    view.page.wait_for_selector("[data-testid=stExpander]:has-text('Edit the network')", timeout=WAIT)
    view.settle()
    view.press("ArrowRight", 9)  # the toggle mounts the walk anew: the keys still step, once per press
    time.sleep(1.0)  # a second listener would have moved again by now
    assert view.stage() == 9
    view.press("ArrowLeft", 8)

    view.page.locator("[data-testid=stExpander] summary:has-text('Edit the network')").click()
    field = view.page.get_by_label("Input x")
    field.click()
    field.press("End")
    field.press("ArrowLeft")  # in a field the arrow moves the caret, not the stage
    assert field.evaluate("el => el.selectionStart") == len(field.input_value()) - 1
    time.sleep(1.0)
    assert view.stage() == 8

    box = view.page.locator("[data-testid=stMain]").bounding_box()
    view.page.mouse.click(box["x"] + box["width"] - 12, box["y"] + box["height"] - 12)  # a blank area
    frame = "el => [getComputedStyle(el).outlineStyle, getComputedStyle(el, '::before').boxShadow]"
    assert view.page.evaluate(f"({frame})(document.activeElement)") == ["none", "none"], "a grey frame on the page"
    view.press("PageDown", 9)
    main = view.page.locator("[data-testid=stMain]")  # focused by the click; a key makes Streamlit's frame show
    assert main.evaluate(frame) == ["none", "none"], "a grey focus frame appears around the main area"
    assert view.selected_tab() == "Step through"
    assert view.url_stage(STAGES[8].id) == STAGES[8].id
    view.check_clean()


def test_one_press_moves_exactly_one_stage(home):
    view = home
    for k, key in enumerate(["ArrowRight", "PageDown", "ArrowRight"], start=2):
        view.page.keyboard.press(key)
        view.wait_for_stage(k)
        time.sleep(1.0)  # a second handler would have moved again by now
        assert view.stage() == k
    view.page.locator(".bp-next").first.click()  # the visible button, no shortcut of its own
    view.wait_for_stage(5)
    time.sleep(1.0)
    assert view.stage() == 5
    view.check_clean()


def test_typing_in_a_text_field_moves_the_caret_not_the_stage(home):
    view = home
    field = view.page.get_by_label("Input x")
    field.click()
    field.press("End")
    field.press("ArrowLeft")
    field.press("ArrowLeft")
    caret = field.evaluate("el => el.selectionStart")
    assert caret == len(field.input_value()) - 2
    time.sleep(1.0)
    view.settle()
    assert view.stage() == 1
    view.check_clean()


def test_the_keys_never_switch_tabs_even_where_there_is_nothing_to_step(home):
    view = home
    view.page.get_by_role("tab", name="Train").click()
    view.page.get_by_role("tab", name="Train").wait_for(timeout=WAIT)
    view.settle()
    for key in ("ArrowRight", "ArrowLeft", "ArrowRight"):
        view.page.keyboard.press(key)
        time.sleep(0.3)
        assert view.selected_tab() == "Train"
    view.page.get_by_role("tab", name="Step through").click()
    view.page.wait_for_function("() => window.__backpropWalk", timeout=WAIT)
    view.wait_for_stage(1)
    view.press("ArrowRight", 2)
    assert view.selected_tab() == "Step through"
    view.check_clean()


def test_back_and_forward_agree_with_the_screen(home):
    view = home
    view.press("ArrowRight", 2)
    view.press("ArrowRight", 3)
    view.page.wait_for_function("() => location.search.includes('stage=forward.z2')", timeout=20_000)
    view.page.go_back()
    view.wait_for_stage(2)
    assert view.url_stage("forward.a1") == "forward.a1"
    assert "a1 = [0.55971365 0.38698582]" in view.code()
    view.page.go_forward()
    view.wait_for_stage(3)
    assert view.url_stage("forward.z2") == "forward.z2"
    view.check_clean()


def test_blank_hides_the_numbers_until_reveal_or_the_next_press(visit):
    view = visit({"mode": "lecture", "blank": "1", "stage": "forward.z1"}, 1920, 1080)
    stage = STAGES[0]  # z1 = [0.24, -0.46]
    graph = view.page.locator(".js-plotly-plot").first
    formula = " ".join(view.page.locator("annotation[encoding='application/x-tex']").all_text_contents())
    assert "z1 = ?" in view.code() and "-0.46" not in view.code()
    assert "0.24" not in formula and "-0.46" not in formula and r"\text{?}" in formula
    assert "z=?" in graph.inner_text() and "0.24" not in graph.inner_text()
    assert "0.24" not in view.page.locator(".bp-narration").inner_text()
    assert view.page.locator(".bp-table:visible").count() == 0
    view.shot("presenter-blank-1920x1080.png")

    view.page.locator(".bp-reveal").first.click()
    view.page.wait_for_function("() => document.body.innerText.includes('z1 = [ 0.24 -0.46]')", timeout=WAIT)
    view.settle()
    assert view.stage() == 1 and "z=0.24" in graph.inner_text()

    view.press("ArrowRight", 2)  # the next stage arrives blank
    assert "a1 = ?" in view.code()
    view.page.keyboard.press("ArrowRight")  # the next press reveals instead of moving on
    view.page.wait_for_function("() => document.body.innerText.includes('a1 = [0.55971365 0.38698582]')", timeout=WAIT)
    view.settle()
    assert view.stage() == 2
    assert "blank=1" in view.page.url
    assert stage.id == "forward.z1"
    view.check_clean()


def test_spotlight_dims_what_the_stage_does_not_touch(visit):
    plain = visit({"stage": "forward.z2"})
    lit = visit({"stage": "forward.z2", "spotlight": "1"})

    def opacities(view: Visit) -> list[float]:
        return view.page.evaluate(
            "() => document.querySelector('.js-plotly-plot').data"
            ".filter(t => t.mode === 'lines').map(t => t.opacity ?? 1)"
        )

    assert min(opacities(lit)) < min(opacities(plain)) < 1.0
    explanation = lit.page.locator(".bp-explanation").first
    lit.page.bring_to_front()  # of two pages open, only the one in front runs its transitions (a reused tab)
    lit.page.mouse.move(0, 0)
    lit.page.wait_for_timeout(400)  # the dimming fades in over 0.2 s from the walk's mount
    assert float(explanation.evaluate("el => getComputedStyle(el).opacity")) < 0.5
    assert lit.page.evaluate("document.body.classList.contains('bp-spotlight')")
    plain.check_clean()
    lit.check_clean()


def test_autoplay_advances_and_any_key_pauses_it(visit):
    view = visit({"speed": "1"})
    view.page.locator(".st-key-presenter button").first.click()
    view.page.get_by_text("Auto-play").click()
    view.wait_for_stage(2)
    view.wait_for_stage(3)
    view.page.keyboard.press("Escape")
    view.settle()
    time.sleep(2.5)
    paused_at = view.stage()
    time.sleep(2.5)
    assert view.stage() == paused_at
    view.check_clean()


def test_graph_mode_bar_offers_png_and_svg(visit):
    view = visit({"stage": "update.W1"})
    graph = view.page.locator(".js-plotly-plot").first
    graph.hover()
    assert graph.locator(".modebar-btn[data-title*='png' i], .modebar-btn[data-title*='Download' i]").count() >= 1
    config = view.page.evaluate("() => document.querySelector('.js-plotly-plot')._context.toImageButtonOptions")
    assert config["format"] == "png" and config["scale"] == 2 and config["filename"] == "backprop-update.W1"
    with view.page.expect_download() as download:
        graph.locator(".bp-svg").click()
    assert download.value.suggested_filename == "backprop-update.W1.svg"
    view.check_clean()


def test_hide_editor_and_tabs_by_link(visit):
    view = visit({"hide": "editor,tabs"})
    assert view.page.locator("[role=tab]").count() == 0
    assert view.page.get_by_text("Edit the network").count() == 0
    assert view.page.get_by_label("Input x").count() == 0
    assert "hide=editor%2Ctabs" in view.page.url or "hide=editor,tabs" in view.page.url
    view.check_clean()


def test_live_region_speaks_each_stage(home):
    view = home
    region = view.page.locator(".bp-narration")
    assert region.get_attribute("aria-live") == "polite"
    assert "z of h₁ is the weighted sum of its inputs" in region.inner_text()
    view.press("ArrowRight", 2)
    assert "a of h₁ equals sigmoid of z, sigmoid of 0.24, which equals 0.5597." in region.inner_text()
    view.page.locator(".bp-details summary").click()
    view.page.wait_for_selector(".bp-graph-table:has-text('0.559714')", timeout=WAIT)
    view.check_clean()


@pytest.mark.parametrize(
    ("name", "width", "height", "query"),
    [
        ("lecture-1280x720.png", 1280, 720, {"mode": "lecture", "stage": "update.W1"}),
        ("lecture-blank-spotlight-1920x1080.png", 1920, 1080,
         {"mode": "lecture", "blank": "1", "spotlight": "1", "stage": "delta.1"}),
    ],
)  # fmt: skip
def test_presenter_screenshots(visit, name, width, height, query):
    view = visit(query, width, height)
    view.shot(name)
    if width == 1920:  # on a projector the graph, blanked, fits on the first screen
        box = view.page.locator(".js-plotly-plot").first.bounding_box()
        assert box["y"] + box["height"] <= height
        assert "δ=?" in view.page.locator(".js-plotly-plot").first.inner_text()
    view.check_clean()
