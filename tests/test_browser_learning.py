"""Learning by doing in Chromium: a quiz answer checked with its diagnosis, a mistake's marks, the nudge plot.

Screenshots land in test-artifacts/; the small ones for the docs (≤ 150 KB) go to test-artifacts/doc-img/, and to
docs/img/ itself with UPDATE_DOC_IMAGES=1 (a test run never rewrites a tracked file by itself).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from . import test_browser
from .test_browser import ARTIFACTS, Visit, wait_for_code

visit = test_browser.visit  # the same fixture, against this module's server

pytestmark = pytest.mark.browser
DOCS_IMG = Path(__file__).parents[1] / "docs" / "img" if os.environ.get("UPDATE_DOC_IMAGES") else ARTIFACTS / "doc-img"
MAX_DOC_BYTES = 150_000
NO_SLOPE_DELTA = "-0.11502656915007464"


def doc_image(view: Visit, name: str, selector: str | None = None) -> Path:
    """A screenshot in test-artifacts/, and a small copy (palette PNG, ≤ 150 KB) for the docs (:data:`DOCS_IMG`)."""
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    full = ARTIFACTS / f"{name}.png"
    (view.page.locator(selector).first if selector else view.page).screenshot(path=str(full))
    image = Image.open(full).convert("RGB")
    small = DOCS_IMG / f"{name}.png"
    width = image.width
    while True:
        shrunk = image.resize((width, round(image.height * width / image.width)), Image.LANCZOS)
        shrunk.quantize(colors=64, method=Image.Quantize.MEDIANCUT).save(small, optimize=True)
        if small.stat().st_size <= MAX_DOC_BYTES or width < 500:
            return small
        width = int(width * 0.85)


def plot_has(view: Visit, test: str) -> bool:
    return view.page.evaluate(
        f"() => [...document.querySelectorAll('.js-plotly-plot')].some(p => (p.data || []).some(t => {test}))"
    )


def test_a_quiz_answer_is_checked_and_the_forgotten_slope_named(visit):
    view = visit({"quiz": "1", "stage": "delta.2"})
    wait_for_code(view, "delta2 = ?")
    field = view.page.locator("[class*='st-key-quiz_delta'] input").first
    field.fill(NO_SLOPE_DELTA)
    view.page.get_by_role("button", name="Check").click()
    diagnosis = view.page.get_by_text("matches forgetting the activation's slope")
    diagnosis.wait_for(timeout=20_000)
    view.settle()
    assert "delta2 = ?" in view.code()  # still hidden: the answer was wrong
    assert view.page.get_by_text("within 0.1 % of the exact value").count() >= 1
    view.page.locator(".st-key-quiz_room").scroll_into_view_if_needed()
    doc_image(view, "quiz", ".st-key-quiz_room")
    view.page.screenshot(path=str(ARTIFACTS / "quiz-1280.png"))
    field.fill("-0.02873")
    view.page.get_by_role("button", name="Check").click()
    wait_for_code(view, "delta2 = -0.028730669543515018")
    # The same quiz on a phone: stage 1 answered with decimal commas.
    view.page.set_viewport_size({"width": 390, "height": 844})
    view.page.locator(".bp-reset").first.click()
    field = view.page.locator("[class*='st-key-quiz_forward'] input").first
    field.wait_for(timeout=20_000)
    field.fill("0,24 -0,46")
    view.page.get_by_role("button", name="Check").click()
    view.page.get_by_text("Right at the first try. The numbers are below.").wait_for(timeout=20_000)
    # δ⁽²⁾ was wrong at the first try, stage 1 right: one of the twelve counts
    assert view.page.get_by_text("Quiz · score 1 of 12 stages right at the first try").count() == 1
    wait_for_code(view, "z1 = [ 0.24 -0.46]")
    view.page.locator(".st-key-quiz_room").scroll_into_view_if_needed()
    view.page.screenshot(path=str(ARTIFACTS / "quiz-390.png"))
    box = view.page.locator(".st-key-quiz_room").bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # nothing runs off a phone's screen
    view.check_clean()


def test_a_mistake_marks_what_differs(visit):
    view = visit({"mistake": "no_activation_slope", "stage": "delta.1", "intro": "0"})  # the picture: the mistake
    view.page.get_by_text("first parts from the correct step at stage 6").wait_for(timeout=20_000)
    view.settle()
    assert plot_has(view, "t.marker && t.marker.symbol === 'circle-open-dot' && t.x.length === 3")  # o₁, h₁, h₂
    assert plot_has(view, "t.name === 'No activation slope'")  # the loss curves
    shown = view.page.locator(".bp-piece:not(.bp-away)")  # other stages' pieces are built ahead, put aside
    assert shown.get_by_text("Dotted vermillion: differs from the correct step").count() == 1
    view.page.screenshot(path=str(ARTIFACTS / "mistake-1280.png"))
    doc_image(view, "mistake")
    view.check_clean()


def test_the_gradient_check_and_nudge_plot_render(visit):
    view = visit({"stage": "gradient.W2", "mistake": "slope_from_z"})
    view.page.get_by_text("Nudge one weight and watch the loss").click()  # built when opened
    view.page.locator(".st-key-nudge .js-plotly-plot").wait_for(timeout=20_000)
    view.settle()
    assert plot_has(view, "t.name === 'actual ΔE'")
    # the walk keeps every stage's check in the page, those put aside skipped: the shown one says it once
    assert view.page.locator(".bp-check").get_by_text("2 of 2 disagree").filter(visible=True).count() == 1
    view.page.locator(".bp-check").scroll_into_view_if_needed()
    view.page.screenshot(path=str(ARTIFACTS / "gradcheck-1280.png"))
    doc_image(view, "gradcheck", ".bp-check")
    view.check_clean()


def test_paper_mode_shows_the_drift(visit):
    view = visit({"round": "3", "stage": "update.W1", "intro": "0"})
    view.page.get_by_text("Paper mode: every value rounded to 3 significant digits").wait_for(timeout=20_000)
    view.page.get_by_text("Paper mode: drift from full precision").click()
    view.page.locator(".st-key-paper_drift .js-plotly-plot").wait_for(timeout=20_000)
    view.settle()
    view.page.screenshot(path=str(ARTIFACTS / "paper-1280.png"))
    doc_image(view, "paper")
    view.check_clean()
