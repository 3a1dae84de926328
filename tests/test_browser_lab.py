"""The Train tab's lab in a real browser: upload, train to a stated loss, the boundary, scrub, diff, pause.

Screenshots land in test-artifacts/ (lab-1280x800.png, lab-390x844.png, lab-diff-1280x800.png).
"""

from __future__ import annotations

import time
from urllib.parse import urlencode

import numpy as np
import pytest

from simulator import DATASETS, PRESETS, History, dataset_to_csv, with_dataset
from simulator.core.editing import with_layers
from simulator.io.share import encode

from .test_browser import ARTIFACTS, Visit, wait_for_code

pytestmark = pytest.mark.browser
WAIT = 60_000  # ms; the machine is shared, a run of 25 steps on 100 points can take seconds

NETWORK = with_layers(PRESETS["xor"], [2, 8, 1]).replace(learning_rate=2.0)
CIRCLE = DATASETS["circle"](100, 0.0, 0)
HAS_HEATMAP = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .some(gd => (gd.data || []).some(t => t.type === 'heatmap') && gd.querySelector('.hm, image'))"""


def open_lab(tabs, server, scenario=NETWORK, width: int = 1280, height: int = 800) -> Visit:  # noqa: F811
    view = Visit(tabs, f"{server}/?{urlencode(encode(scenario, 'forward.z1'))}", width, height)
    view.page.get_by_role("tab", name="Train").click()
    view.page.wait_for_selector(".st-key-train button", timeout=WAIT)
    view.settle()
    return view


def text_appears(view: Visit, text: str, timeout: int = WAIT) -> None:
    try:
        view.page.wait_for_function("text => document.body.innerText.includes(text)", arg=text, timeout=timeout)
    except Exception:
        view.page.screenshot(path=str(ARTIFACTS / "lab-failure.png"))
        raise


def upload(view: Visit, path) -> None:
    view.page.locator("[class*='st-key-lab_csv'] [data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))


def metric(view: Visit, label: str) -> str:
    return view.page.locator(f"[data-testid=stMetric]:has-text('{label}') [data-testid=stMetricValue]").inner_text()


def type_number(view: Visit, key: str, text: str) -> None:
    field = view.page.locator(f".st-key-{key} input")
    field.fill(text)
    field.press("Enter")
    view.settle()


def scrub_to(view: Visit, k: int, last: int) -> None:
    """Home, then Right k times; each key press reruns the page, so wait for each step to show."""
    for number, key in enumerate(["Home"] + ["ArrowRight"] * k):
        view.page.locator(".st-key-scrub input[type=range]").focus()
        view.page.keyboard.press(key)
        text_appears(view, f"Step {number} of {last}: loss")
        view.settle()


@pytest.fixture
def lab(tabs, server):  # noqa: F811
    opened: list[Visit] = []

    def open_page(*args, **kwargs) -> Visit:
        opened.append(open_lab(tabs, server, *args, **kwargs))
        return opened[-1]

    yield open_page
    for view in opened:
        view.close()


def test_upload_train_to_the_stated_loss_scrub_and_diff(lab, tmp_path):
    view = lab()
    bad = tmp_path / "bad.csv"
    bad.write_text("x1,x2,t1\n0,0,0\n0,abc,1\n")
    upload(view, bad)
    text_appears(view, 'row 3, column x2: "abc" is not a number')
    text_appears(view, '"bad.csv" was not used; the last good data is kept')  # the name quoted
    good = tmp_path / "circle.csv"
    good.write_text(dataset_to_csv(CIRCLE))
    upload(view, good)
    text_appears(view, "Training on 100 examples, 2 inputs and 1 target each.")
    # the message goes with the bad file (the default data is 100 examples too: wait for the upload's run)
    view.page.wait_for_function("() => !document.body.innerText.includes('abc')", timeout=30_000)
    view.settle()

    type_number(view, "target_loss", "0.01")
    view.page.locator(".st-key-train button").click()
    text_appears(view, "reached the target 0.01")
    view.page.wait_for_selector(".st-key-scrub", timeout=WAIT)
    last = int(metric(view, "Step"))
    assert last <= 25 and float(metric(view, "Loss now")) <= 0.01
    view.page.wait_for_function(HAS_HEATMAP, timeout=WAIT)
    view.page.locator(".st-key-lab_map").scroll_into_view_if_needed()
    view.settle()
    view.page.screenshot(path=str(ARTIFACTS / "lab-1280x800.png"))

    scrub_to(view, 3, last)
    step3 = History.begin(with_dataset(NETWORK, CIRCLE)).train(3).scenario_at(3)
    z1 = np.array(step3.x) @ step3.weights[0] + step3.biases[0]
    view.page.get_by_role("tab", name="Step through").click()
    view.wait_for_heading("Stage 1 of")
    wait_for_code(view, "z1 = " + np.array2string(z1, precision=8).split("\n")[0][:24])

    view.page.get_by_role("tab", name="Train").click()
    view.page.wait_for_selector(".st-key-scrub", timeout=WAIT)
    view.page.get_by_text("Diff two steps").click()
    text_appears(view, "Every weight over training")
    view.page.wait_for_function(
        "() => [...document.querySelectorAll('.js-plotly-plot')].some(gd => (gd.layout.shapes || []).length === 2)",
        timeout=WAIT,
    )
    assert view.page.locator(".st-key-lab_diff [data-testid=stDataFrame]").count() == 5  # E, W⁽¹⁾, W⁽²⁾, b⁽¹⁾, b⁽²⁾
    view.settle()
    view.page.locator(".st-key-lab_diff").scroll_into_view_if_needed()
    view.page.screenshot(path=str(ARTIFACTS / "lab-diff-1280x800.png"))
    view.check_clean()


def test_pause_keeps_what_was_trained_and_the_page_answers(lab):
    spiral = with_dataset(NETWORK, DATASETS["spiral"](200, 0.0, 0))
    view = lab(spiral)
    type_number(view, "train_steps", "20000")
    view.page.locator(".st-key-train button").click()
    text_appears(view, "Trained ")
    clicked = time.monotonic()
    view.page.locator(".st-key-pause button").click()
    view.page.wait_for_selector(".st-key-resume button", timeout=WAIT)
    answered = time.monotonic() - clicked
    text_appears(view, "(paused)")
    view.settle()
    paused_at = int(metric(view, "Step").replace(",", ""))
    assert paused_at > 0
    time.sleep(1.5)
    assert int(metric(view, "Step").replace(",", "")) == paused_at  # nothing trains while paused
    assert answered < 15, f"Pause took {answered:.1f} s to answer"
    view.page.locator(".st-key-stop button").click()
    view.page.wait_for_selector(".st-key-scrub", timeout=WAIT)  # the history is there to scrub
    assert int(metric(view, "Step").replace(",", "")) == paused_at
    view.check_clean()


def test_phone_screenshot(lab):
    view = lab(with_dataset(NETWORK, CIRCLE), width=390, height=844)
    type_number(view, "train_steps", "25")
    view.page.locator(".st-key-train button").click()
    view.page.wait_for_selector(".st-key-scrub", timeout=WAIT)
    view.page.wait_for_function(HAS_HEATMAP, timeout=WAIT)
    view.page.locator(".st-key-lab_map").scroll_into_view_if_needed()
    view.settle()
    view.page.screenshot(path=str(ARTIFACTS / "lab-390x844.png"))
    width = view.page.evaluate("() => document.querySelector('.st-key-lab_map').getBoundingClientRect().width")
    assert width <= 390
    view.check_clean()
