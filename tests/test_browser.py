"""The app in a real browser: Debian's Chromium driven by Playwright against one server per module.

Screenshots land in test-artifacts/. In CI (CI set) a missing Chromium fails the run;
on a developer machine without it these tests are skipped with the reason.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from simulator import SEED
from simulator.io.share import encode

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


class Visit:
    """One page, with the console errors it logged."""

    def __init__(self, tabs, url: str, width: int = 1280, height: int = 800):
        self.tabs = tabs
        self.page: Page = tabs.open(url, width, height)
        self.console_errors: list[str] = []
        self.page.on("console", lambda m: self.console_errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.console_errors.append(str(e)))
        self.page.goto(url)
        self.page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        self.page.wait_for_selector("h3:has-text('Stage ')", timeout=60_000)
        # The clicker (simulator/ui/keys.py) listens once its component has mounted.
        self.page.wait_for_function("() => window.__backpropWalk", timeout=60_000)
        time.sleep(0.3)

    def heading(self) -> str:
        return self.page.locator("h3").first.inner_text()

    def wait_for_heading(self, start: str) -> None:
        self.page.wait_for_function(
            "start => [...document.querySelectorAll('h3')].some(h => h.innerText.startsWith(start))",
            arg=start,
            timeout=20_000,
        )
        self.settle()

    def settle(self) -> None:
        self.page.wait_for_function(
            "() => !document.querySelector('[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]')",
            timeout=20_000,
        )
        time.sleep(0.3)

    def code(self) -> str:
        return "\n".join(self.page.locator("code, pre.bp-code").all_inner_texts())  # the walk's code is a <pre>

    def check_clean(self) -> None:
        assert self.page.locator("[data-testid=stException]").count() == 0
        assert self.console_errors == []

    def close(self) -> None:
        self.tabs.release(self.page)


def wait_for_code(view: Visit, text: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while text not in view.code():
        if time.monotonic() > deadline:
            view.page.screenshot(path=str(ARTIFACTS / "failure.png"))
            raise AssertionError(f"{text!r} never appeared in the code blocks:\n{view.code()}")
        time.sleep(0.25)


@pytest.fixture
def visit(server, tabs):
    opened = []

    def open_page(query: dict | None = None, width: int = 1280, height: int = 800) -> Visit:
        url = server + ("/?" + urlencode(query) if query else "/")
        opened.append(Visit(tabs, url, width, height))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


@pytest.fixture(scope="module")
def _home(server, tabs):
    opened = Visit(tabs, server + "/")
    yield opened
    opened.close()


@pytest.fixture
def home(_home):
    """The app's plain link, one visit shared by the tests that only step it (a page load costs seconds); each
    starts from stage 1, turned there with Reset as a user does (the click also takes the focus out of any field)."""
    _home.page.locator(".bp-reset").first.click()
    _home.wait_for_heading("Stage 1 of 12")
    return _home


def test_every_stage_by_clicking_next(home):
    view = home
    seen = []
    for k in range(1, 13):
        view.wait_for_heading(f"Stage {k} of 12")
        seen.append(view.code())
        if k < 12:
            view.page.locator(".bp-next").first.click()
    everything = "\n".join(seen)
    assert "a1 = [0.55971365 0.38698582]" in everything
    assert "a2 = 0.48497343084992534" in everything
    assert "-1.77005547e-04" in everything and "-0.00804047" in everything
    assert view.page.locator(".bp-next").first.is_disabled()
    view.check_clean()


def test_arrow_and_page_keys_step_like_a_presentation_clicker(home):
    view = home
    for key, expected in [
        ("ArrowRight", 2),
        ("ArrowRight", 3),
        ("ArrowLeft", 2),
        ("PageDown", 3),
        ("PageDown", 4),
        ("PageUp", 3),
    ]:
        view.page.keyboard.press(key)
        view.wait_for_heading(f"Stage {expected} of 12")
    assert "stage=forward.z2" in view.page.url
    view.check_clean()


def type_into_cell(view: Visit, selector: str, row: int, column: int, text: str, shows: str) -> None:
    """Double-click a data-editor cell, type ``text`` over its value and commit, until the page ``shows`` it.

    The canvas grid sometimes drops the first gesture while it redraws, so the gesture is retried.
    """
    editing = "() => ['INPUT', 'TEXTAREA'].includes(document.activeElement && document.activeElement.tagName)"
    for _ in range(4):
        view.settle()
        box = view.page.locator(selector).bounding_box()
        x = box["x"] + box["width"] / 3 * (column + 1.5)
        y = box["y"] + 35 * (row + 1.5)
        view.page.mouse.dblclick(x, y)
        try:
            view.page.wait_for_function(editing, timeout=3_000)
        except Exception:
            continue
        time.sleep(0.5)  # the editor fills in the old value just after it takes focus
        view.page.keyboard.press("Control+A")
        view.page.keyboard.type(text)
        time.sleep(0.2)
        if view.page.evaluate("() => document.activeElement && document.activeElement.value") != text:
            view.page.keyboard.press("Escape")  # the old value arrived mid-typing (a loaded machine): again
            continue
        view.page.keyboard.press("Enter")
        try:
            view.page.wait_for_function("text => document.body.innerText.includes(text)", arg=shows, timeout=8_000)
            return
        except Exception:
            view.page.keyboard.press("Escape")
    view.page.screenshot(path=str(ARTIFACTS / "failure.png"))
    raise AssertionError(f"typing {text!r} into the cell never showed {shows!r}")


def test_editing_a_weight_cell_updates_the_numbers(visit):
    view = visit()
    editor = "[class*='st-key-weights0-'] [data-testid=stDataFrame]"  # the key carries a revision
    view.page.wait_for_selector(editor)
    time.sleep(1.0)  # the grid takes input once it has drawn
    type_into_cell(view, editor, 0, 0, "0.9", shows="0.44")  # row x₁, column h₁
    wait_for_code(view, "z1 = [ 0.44 -0.46]")
    assert "w1=0.9%2C-0.6" in view.page.url

    type_into_cell(view, editor, 0, 0, "5000000", shows="is beyond ±1e6")
    assert '"5000000" is beyond ±1e6' in view.page.inner_text("body")
    assert "z1 = [ 0.44 -0.46]" in view.code()  # the last good weights stay in force
    view.check_clean()


def test_share_link_opens_the_exact_view(visit):
    scenario = SEED.replace(x=[1.0, 0.0, 0.0])
    view = visit(encode(scenario, "loss"))
    view.wait_for_heading("Stage 5 of 12 — Error and loss")
    assert "error = -0.11101251250492777" in view.code()
    view.settle()
    view.page.locator(".bp-reset").first.click()
    view.wait_for_heading("Stage 1 of 12")
    assert "z1 = [ 0.5 -0.6]" in view.code()
    view.check_clean()


def test_tampered_link_warns_per_field(visit):
    params = encode(SEED, "forward.a1")
    params.update(lr="NaN", w2="0.1;oops")
    view = visit(params)
    view.wait_for_heading("Stage 2 of 12")
    warning = view.page.locator("[data-testid=stAlertContentWarning]").inner_text()
    assert 'learning_rate: must be a finite number, got "NaN"' in warning
    assert 'weights[1][1][0]: must be a finite number, got "oops"' in warning
    view.check_clean()


def test_uploading_a_bad_file_says_why(visit, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"version": 1, "layers": [3, 2, 1], "x": "abc"}))
    view = visit()
    view.page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(bad))
    view.page.get_by_text('"bad.json": activations: is missing').first.wait_for(timeout=20_000)  # the name quoted
    assert "z1 = [ 0.24 -0.46]" in view.code()
    view.check_clean()


def test_uploading_a_scenario_loads_it(visit, tmp_path):
    from simulator import PRESETS, save_scenario

    path = tmp_path / "xor.json"
    save_scenario(PRESETS["xor"], str(path))
    view = visit({"stage": "loss"})
    view.page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    view.wait_for_heading("Stage 1 of 16")
    wait_for_code(view, "z1 = [-1.  -0.2]")
    assert "data=" in view.page.url
    view.check_clean()


def test_clicking_a_unit_explains_it(home):
    view = home
    view.page.locator(".bp-picker").select_option("1")  # forward.a1
    view.wait_for_heading("Stage 2 of 12")
    # The units are the last trace of the shown graph with markers; in the seed's 3-2-1 point 3 is h₁.
    traces = view.page.locator(".bp-graph .js-plotly-plot:not(.bp-away)").first.locator(".scatterlayer .trace")
    with_points = [k for k in range(traces.count()) if traces.nth(k).locator(".point").count()]
    unit = traces.nth(with_points[-1]).locator(".point").nth(3)
    unit.scroll_into_view_if_needed()  # below the fold at 1280×800 under "Start here": scroll to it, as a user does
    box = unit.bounding_box()
    view.page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    view.page.wait_for_selector(".bp-inspector >> text=How h₁ was computed so far", timeout=20_000)
    tex = view.page.locator(".bp-inspector annotation[encoding='application/x-tex']").all_text_contents()
    assert any(r"= 0.5 \cdot 0.5 + 0.1 \cdot 0.1 + (-0.2) \cdot 0.1 = 0.24" in t for t in tex)
    assert any(r"\mathrm{sigmoid}(0.24) = 0.55971365" in t for t in tex)
    assert not any(r"\delta_{1}^{(1)}" in t for t in tex)  # not revealed before the backward pass
    view.check_clean()


@pytest.mark.parametrize(
    ("name", "width", "height", "query"),
    [
        ("laptop-update-W1", 1280, 800, {"stage": "update.W1"}),
        ("projector-lecture-update-W1", 1920, 1080, {"stage": "update.W1", "mode": "lecture"}),
    ],
)
def test_screenshots(visit, name, width, height, query):
    view = visit({**encode(SEED), **query}, width, height)
    view.settle()
    ARTIFACTS.mkdir(exist_ok=True)
    view.page.screenshot(path=str(ARTIFACTS / f"{name}-{width}x{height}.png"))
    if query.get("mode") == "lecture":
        # On a projector the graph, the formula and the current table fit on one screen.
        for selector in (".bp-graph", ".bp-formula .katex-display", ".bp-table"):
            box = view.page.locator(selector).first.bounding_box()
            assert box is not None and box["y"] + box["height"] <= height, selector
        assert (
            view.page.locator("[data-testid=stSidebar]").count() == 0
            or not view.page.locator("[data-testid=stSidebar]").is_visible()
        )
    view.check_clean()
