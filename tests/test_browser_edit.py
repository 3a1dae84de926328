"""An edit in Chromium reruns the editor and the stepper only (``ui.editor.refreshing``): the walk, the link and
the editor follow the new scenario, the rest of the page stays as it was and live; a message outside the
editor that the new scenario clears goes with a run of the whole page."""

from __future__ import annotations

import time
from urllib.parse import parse_qsl, urlencode

import pytest

from simulator import SEED
from simulator.core.mistakes import MISTAKES
from simulator.io.share import encode

from .test_app_hostile import CRASH
from .test_browser import Visit, type_into_cell, wait_for_code

pytestmark = pytest.mark.browser
OVERFLOWS = "slope_from_z"  # on CRASH's network this mistake's step overflows: refused under the controls


@pytest.fixture
def visit(server, tabs):  # noqa: F811
    opened = []

    def open_page(query: dict | None = None) -> Visit:
        opened.append(Visit(tabs, server + ("/?" + urlencode(query) if query else "/")))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def type_x(view: Visit, text: str) -> None:
    # After an edit the field is drawn again under a new key (it re-reads the value): until that run ends, the
    # old field and the new one are both on the page.
    view.settle()
    field = view.page.get_by_label("Input x")
    field.fill(text)
    field.press("Enter")


def test_an_edit_updates_the_walk_and_the_link_and_leaves_the_rest_live(visit):
    view = visit()
    view.wait_for_heading("Stage 1 of 12")
    type_x(view, "1, 0, 0")
    wait_for_code(view, "z1 = [ 0.5 -0.6]")  # x · W⁽¹⁾ of the seed with x = (1, 0, 0)
    view.page.wait_for_function("() => location.search.includes('x=1.0%2C0.0%2C0.0')", timeout=20_000)
    view.settle()
    assert view.page.get_by_label("Input x").input_value() == "1.0, 0.0, 0.0"
    assert view.page.locator(".st-key-learning").is_visible()  # the controls above the stepper stay
    assert view.page.locator("[data-stale=true]").count() == 0  # nothing left faded as if still running
    view.page.get_by_role("tab", name="Train").click()  # and the page around still answers
    view.page.get_by_role("heading", name="Train").wait_for(timeout=20_000)
    view.check_clean()


def test_an_edit_clears_the_refused_mistakes_message_above_the_stepper(visit):
    view = visit(dict(parse_qsl(CRASH.removesuffix(f"&mistake={OVERFLOWS}"))))
    view.wait_for_heading("Stage 1 of")
    view.page.locator(".st-key-l_mistake button[aria-label=Open]").click()
    view.page.get_by_role("option", name=MISTAKES[OVERFLOWS].title).click()
    warning = view.page.locator("[data-testid=stAlert]", has_text="cannot be shown")
    warning.first.wait_for(timeout=20_000)
    type_x(view, "0.5")
    view.page.wait_for_function("() => location.search.includes('x=0.5')", timeout=20_000)
    warning.first.wait_for(state="detached", timeout=20_000)
    view.settle()
    assert view.page.locator(".st-key-learning").is_visible()
    view.check_clean()


W1 = "[class*='st-key-weights0-'] [data-testid=stDataFrame]"  # W⁽¹⁾'s table; its key carries a revision


def test_each_section_edits_the_current_scenario_and_clears_the_others_message(visit):
    """The example and the weights are separate fragments: a weight typed after a new x is a change of the
    scenario with that x, and a message beside x goes once another section's edit is taken."""
    view = visit()
    view.wait_for_heading("Stage 1 of 12")
    type_x(view, "1, 0, 0")
    wait_for_code(view, "z1 = [ 0.5 -0.6]")  # row 1 of W⁽¹⁾
    type_x(view, "abc")
    message = view.page.locator("[data-testid=stSidebar] [data-testid=stAlert]", has_text='got "abc"')
    message.wait_for(timeout=20_000)
    time.sleep(1.0)  # the grid takes input once it has drawn
    type_into_cell(view, W1, 0, 0, "0,25", shows="0.25")
    wait_for_code(view, "z1 = [ 0.25 -0.6 ]")  # the new weight with x = (1, 0, 0), not the seed's x
    message.wait_for(state="detached", timeout=20_000)
    assert view.page.get_by_label("Input x").input_value() == "1.0, 0.0, 0.0"  # re-read, the typed "abc" gone
    view.page.wait_for_function("() => location.search.includes('w1=0.25')", timeout=20_000)
    view.check_clean()


def test_a_large_networks_tables_are_closed_until_opened(visit):
    """Six tables (3 weight matrices, 3 bias vectors) are more than the sidebar shows open: each is a closed
    expander named with its shape, and its table is built when opened, holding the scenario's values."""
    scenario = SEED.replace(
        layers=[3, 4, 4, 2],
        activations=["sigmoid", "sigmoid", "sigmoid"],
        weights=[[[0.125] * 4] * 3, [[0.25] * 4] * 4, [[0.5] * 2] * 4],
        biases=[[0.0] * 4, [0.0] * 4, [0.0] * 2],
        target=[0.5, 0.5],
    )
    view = visit(encode(scenario))
    view.wait_for_heading("Stage 1 of")
    sidebar = view.page.locator("[data-testid=stSidebar]")
    for title in ("W⁽¹⁾ (3 × 4)", "W⁽²⁾ (4 × 4)", "W⁽³⁾ (4 × 2)", "b⁽¹⁾ (1 × 4)", "b⁽³⁾ (1 × 2)"):
        sidebar.get_by_text(title, exact=True).wait_for(timeout=20_000)
    assert sidebar.locator("[data-testid=stDataFrame]").count() == 0
    sidebar.get_by_text("W⁽²⁾ (4 × 4)", exact=True).click()
    table = sidebar.locator("[class*='st-key-weights1-'] [data-testid=stDataFrame]")
    table.wait_for(timeout=20_000)
    view.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stSidebar] td')].some(c => c.innerText === '0.25')",
        timeout=20_000,
    )
    assert sidebar.locator("[data-testid=stDataFrame]").count() == 1  # only the one opened
    view.check_clean()


def test_a_click_on_next_takes_the_focus_from_a_field_but_not_for_itself(visit):
    """A step button does not take the focus on a click (that restyled the page in the stage's frame), yet a
    field loses it, so the clicker keys step next rather than move a caret."""
    view = visit()
    view.wait_for_heading("Stage 1 of 12")
    view.page.get_by_label("Input x").click()
    view.page.locator(".bp-next").click()
    view.wait_for_heading("Stage 2 of 12")
    assert view.page.evaluate("document.activeElement === document.body")
    view.page.keyboard.press("ArrowRight")
    view.wait_for_heading("Stage 3 of 12")
    view.check_clean()


def test_two_cells_of_one_table_typed_one_after_the_other_both_count(visit):
    """A table whose cell was taken is not drawn again (it shows what was typed), so its next edit arrives with
    both cells: each must count once, on the scenario of the moment."""
    view = visit()
    view.wait_for_heading("Stage 1 of 12")
    type_x(view, "1, 1, 0")
    wait_for_code(view, "z1 = [ 0.6 -0.8]")  # rows 1 and 2 of W⁽¹⁾: (0.5, −0.6) + (0.1, −0.2)
    time.sleep(1.0)  # the grid takes input once it has drawn
    type_into_cell(view, W1, 0, 0, "0,25", shows="0.35")
    wait_for_code(view, "z1 = [ 0.35 -0.8 ]")
    type_into_cell(view, W1, 1, 0, "0.5", shows="0.75")
    wait_for_code(view, "z1 = [ 0.75 -0.8 ]")
    view.page.wait_for_function("() => location.search.includes('w1=0.25%2C-0.6%3B0.5%2C-0.2')", timeout=20_000)
    view.check_clean()


def test_the_walks_code_comes_once_from_its_route_and_never_with_an_edit(server, browser):
    """``ui.walk_assets``: walk.js and its styles are two files the browser keeps; an edit sends the walk only."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    frames, files = [], []
    page.on("websocket", lambda ws: ws.on("framereceived", lambda payload: frames.append(len(payload))))
    page.on("response", lambda r: files.append(r) if "/bp-walk/" in r.url else None)
    page.goto(server + "/")
    page.wait_for_selector(".bp-walk.bp-styled h3:has-text('Stage 1 of 12')", timeout=60_000)
    assert sorted(r.url.rsplit("/", 1)[1] for r in files) == ["walk.css", "walk.js"]
    assert all(r.status == 200 and "immutable" in r.headers["cache-control"] for r in files)
    first_view = sum(frames)
    frames.clear()
    field = page.get_by_label("Input x")
    field.fill("1, 0, 0")
    field.press("Enter")
    page.wait_for_function("() => document.querySelector('.bp-code').textContent.includes('z1 = [ 0.5 -0.6]')")
    assert 0 < max(frames) < 30_000, frames  # the packed walk (13 KiB) and this run's switches: no code
    assert first_view < 60_000, first_view
    context.close()

    blocked = browser.new_context(viewport={"width": 1280, "height": 800})
    page = blocked.new_page()
    page.route("**/bp-walk/**", lambda route: route.abort())
    page.goto(server + "/")
    page.get_by_text("The stages could not be loaded").wait_for(timeout=60_000)  # said, not a blank frame
    blocked.close()
