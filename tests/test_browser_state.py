"""Every view agrees after an action, and a typed cell means what was typed (issue 6, items 1 and 8)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from simulator import SEED
from simulator.io.share import encode

from .test_browser import Visit, type_into_cell, wait_for_code

pytestmark = pytest.mark.browser
EDITOR = "[class*='st-key-weights0-'] [data-testid=stDataFrame]"  # W⁽¹⁾; the key carries a revision


@pytest.fixture
def view(server, tabs):  # noqa: F811
    opened = Visit(tabs, server + "/?" + "&".join(f"{k}={v}" for k, v in encode(SEED, "apply").items()))
    yield opened
    opened.close()


def first_cell_text(view: Visit) -> str:
    """The W⁽¹⁾ editor's first cell, read from the grid's accessible table."""
    return view.page.locator(EDITOR).locator("table tbody tr").first.locator("td").nth(1).inner_text()


def test_take_this_step_updates_the_sidebar_the_link_and_the_download(view):
    view.wait_for_heading("Stage 12 of 12")
    view.page.get_by_role("button", name="Take this step and start the next one").click()
    view.wait_for_heading("Stage 1 of 12")
    view.page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=stSidebar] td')].some(c => c.innerText === '0.50017701')",
        timeout=20_000,
    )
    assert first_cell_text(view) == "0.50017701"
    assert (
        view.page.locator("[data-testid=stSidebar] [data-testid=stSelectbox]").first.inner_text().find("Seed notebook")
        == -1
    )  # the preset no longer claims the seed's weights
    assert "w1=0.50017700554" in view.page.url
    with view.page.expect_download() as download:
        view.page.get_by_role("button", name="Download scenario (JSON)").click()
    saved = json.loads(Path(download.value.path()).read_text())
    assert saved["weights"][0][0][0] == pytest.approx(0.5001770055466374, abs=1e-15)
    view.check_clean()


@pytest.fixture(scope="module")
def plain(server, tabs):  # noqa: F811
    """The plain link, one visit for the typing tests (a page load costs seconds): a refused cell changes nothing,
    and the one that changes the weight runs last."""
    opened = Visit(tabs, server + "/")
    opened.page.wait_for_selector(EDITOR)
    time.sleep(1.0)  # the grid takes input once it has drawn
    yield opened
    opened.close()


@pytest.mark.parametrize(
    ("typed", "shows"),
    [
        ("abc", "is not a number"),
        ("1e9", "is beyond ±1e6"),
    ],
)
def test_a_cell_that_cannot_be_used_is_quoted_and_the_last_good_value_kept(plain, typed, shows):
    view = plain
    type_into_cell(view, EDITOR, 0, 0, typed, shows=shows)
    body = view.page.inner_text("body")
    assert "The last good value is kept" in body and typed in body and "row x₁, column h₁" in body
    assert "z1 = [ 0.24 -0.46]" in view.code()
    view.check_clean()


def test_a_decimal_comma_is_understood(plain):
    view = plain
    type_into_cell(view, EDITOR, 0, 0, "-0,5", shows="-0.26")  # z₁ = −0.25 + 0.01 − 0.02
    wait_for_code(view, "z1 = [-0.26 -0.46]")
    view.check_clean()
