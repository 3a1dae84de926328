"""An edit in Chromium reruns the editor and the stepper only (``ui.editor.refreshing``): the walk, the link and
the editor follow the new scenario, the rest of the page stays as it was and live; a message outside the
editor that the new scenario clears goes with a run of the whole page."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

import pytest

from simulator.core.mistakes import MISTAKES

from .test_app_hostile import CRASH
from .test_browser import Visit, wait_for_code

pytestmark = pytest.mark.browser
OVERFLOWS = "slope_from_z"  # on CRASH's network this mistake's step overflows: refused under the controls


@pytest.fixture
def visit(server, browser):  # noqa: F811
    opened = []

    def open_page(query: dict | None = None) -> Visit:
        opened.append(Visit(browser, server + ("/?" + urlencode(query) if query else "/")))
        return opened[-1]

    yield open_page
    for page in opened:
        page.close()


def type_x(view: Visit, text: str) -> None:
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
