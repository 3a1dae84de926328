"""Issue 17 in Chromium, on the walk: the chain rule as a chain at an output and a hidden unit, the first-time
"Start here", and every classic mistake's page with each formula typeset. Shots at 1280×800 and 390×844 go to
test-artifacts/teach-*.png.

Every number the chain shows is read back from the page's KaTeX source and compared with the engine's own
record: each factor, their product and the δ or ∂E/∂w it claims.
"""

from __future__ import annotations

import math
import re
import time
from urllib.parse import urlencode

import pytest

from simulator import PRESETS, SEED, step
from simulator.core.mistakes import MISTAKES, divergence, mistake_entry
from simulator.io.share import encode
from simulator.views.forms import FORMS, MATRIX
from simulator.views.stages import build_stages
from simulator.views.walk import WalkView, walk

from .test_browser import ARTIFACTS, Visit

pytestmark = pytest.mark.browser
SIZES = ((1280, 800), (390, 844))
SHOWN = 5e-4  # a number shown with 4 significant digits is within this of the engine's, relatively
RAW_TEX = re.compile(r"\\[A-Za-z]+")  # \small, \underset, \frac … written out instead of typeset
E_NOTATION = re.compile(r"\d[eE][-+−]?\d")  # "7.080e-04" inside a formula: KaTeX draws it as "e − 04"
NUMBER = r"-?\d+(?:\.\d+)?(?:\{\\times\}10\^\{-?\d+\})?"


@pytest.fixture
def visit(server, tabs):
    """test_browser's visit, with one more try when a busy machine loads the page past Visit's 60 s."""
    from playwright.sync_api import TimeoutError as PageTimeout

    opened = []

    def open_page(query: dict | None = None, width: int = 1280, height: int = 800) -> Visit:
        url = server + ("/?" + urlencode(query) if query else "/")
        for attempt in range(3):
            try:
                opened.append(Visit(tabs, url, width, height))
                return opened[-1]
            except PageTimeout:
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    yield open_page
    for page in opened:
        page.close()


def shot(view: Visit, name: str, width: int, height: int) -> None:
    view.page.screenshot(path=str(ARTIFACTS / f"teach-{name}-{width}x{height}.png"))


# --- the chain rule -----------------------------------------------------------------------------------------

# Where the shown graph draws a unit (Plotly keeps each point's trace, and its customdata holds the unit id).
UNIT_AT = """unit => {
  const plot = document.querySelector('.bp-graph .bp-plot:not(.bp-away)');
  for (const point of plot.querySelectorAll('.scatterlayer .point')) {
    const trace = point.closest('.trace').__data__[0].trace;
    if (trace.customdata && trace.customdata[point.__data__.i] === unit) {
      const box = point.getBoundingClientRect();
      return [box.x + box.width / 2, box.y + box.height / 2];
    }
  }
  return null;
}"""
# The inspector's chain part, in order: each item a typeset line (its TeX source) or a sentence.
CHAIN_ITEMS = """() => {
  const items = [];
  let on = false;
  for (const element of document.querySelector('.bp-inspector-lines').children) {
    if (element.classList.contains('bp-chain-title')) { on = true; continue; }
    if (!on) continue;
    const tex = element.querySelector('annotation[encoding="application/x-tex"]');
    items.push(tex ? ['tex', tex.textContent] : ['text', element.innerText]);
  }
  return items;
}"""


def click_unit(view: Visit, unit: str) -> None:
    """Click the unit on the graph with the mouse, as a student does, and wait for its inspector."""
    view.page.locator(".bp-graph").first.scroll_into_view_if_needed()
    view.page.mouse.wheel(0, -120)  # out from under the sticky stage strip
    time.sleep(0.3)
    x, y = view.page.evaluate(UNIT_AT, unit)
    view.page.mouse.click(x, y)
    view.page.wait_for_selector(".bp-inspector:not([hidden])", timeout=20_000)
    time.sleep(0.3)


def chains(view: Visit) -> list[dict]:
    """The shown chains: each its TeX lines (symbols, formulas, numbers, and a hidden unit's sum) and sentences."""
    found = []
    for kind, item in view.page.evaluate(CHAIN_ITEMS):
        item = " ".join(item.split())
        if kind == "tex" and not item.startswith(("=", r"\text{where")):
            found.append({"tex": [item], "text": []})
        else:
            found[-1][kind].append(item)
    return found


def shown(text: str) -> float:
    """A number as the chain writes it in TeX: -0.115, (-0.2), 7.080{\\times}10^{-4}."""
    mantissa, _, exponent = text.strip("()").partition(r"{\times}10^{")
    return float(mantissa) * 10 ** int(exponent.rstrip("}") or 0)


def product_line(line: str) -> tuple[list[float], float]:
    """ "= (-0.115) \\cdot 0.2498 = -0.02873" → ([-0.115, 0.2498], -0.02873)."""
    *_, factors, result = line.split(" = ")
    return [shown(f) for f in re.findall(NUMBER, factors)], shown(result)


def assert_is(value: float, engine: float, tolerance: float = SHOWN) -> None:
    assert math.isclose(value, engine, rel_tol=tolerance, abs_tol=1e-12), (value, engine)


def assert_multiplies_to(chain: dict, factors: list[float], engine: float) -> None:
    """The chain's numbers line shows these factors (the engine's, to 4 digits), their product is the engine's
    value, and so is the result it writes."""
    numbers, result = product_line(chain["tex"][2])
    assert len(numbers) == len(factors)
    for number, expected in zip(numbers, factors):
        assert_is(number, expected)
    assert_is(math.prod(numbers), engine, len(numbers) * SHOWN)
    assert_is(result, engine)


def meaning(chain: dict, start: str) -> str:
    (sentence,) = [t for t in chain["text"] if t.startswith(start)]
    return sentence


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_the_chain_rule_at_an_output_and_a_hidden_unit(visit, width, height):
    """Mazur's 2-2-2 at the gradient of W⁽¹⁾: o₁'s δ = ∂E/∂o · ∂o/∂z and its weights' ∂z/∂w = a; h₁'s ∂E/∂a is
    the sum over o₁ and o₂, both paths named. Every factor shown is the engine's and they multiply to its δ."""
    scenario = PRESETS["two_outputs"]
    record = step(scenario)
    view = visit({**encode(scenario), "stage": "gradient.W1", "intro": "0"}, width, height)
    e, o = record.error[0], record.output[0]

    click_unit(view, "o1")
    inspector = view.page.locator(".bp-inspector")
    assert "The chain rule at o₁" in inspector.inner_text()
    delta, *weights, bias = chains(view)
    assert r"\partial E/\partial o_{1} \cdot \partial o_{1}/\partial z^{(2)}_{1}" in delta["tex"][0]
    assert delta["tex"][1] == r"= (o_{1} - t_{1}) \cdot o_{1}(1 - o_{1})"
    assert_multiplies_to(delta, [e, o * (1 - o)], record.deltas[1][0])
    assert "(o − t)" in meaning(delta, "∂E/∂o₁ = o₁ − t₁ =")  # why ∂E/∂o = o − t
    assert "σ(z)·(1 − σ(z))" in meaning(delta, "∂o₁/∂z⁽²⁾₁ = o₁(1 − o₁) =")  # why σ′ = o(1 − o)
    assert len(weights) == 2  # one per edge coming in
    for i, chain in enumerate(weights):
        assert chain["tex"][0].startswith(rf"\partial E/\partial w^{{(2)}}_{{{i + 1}1}} =")
        a = record.activations[1][i]
        assert_multiplies_to(chain, [e, o * (1 - o), a], record.weight_gradients[1][i, 0])
        assert "is a sum, so moving" in meaning(chain, f"∂z⁽²⁾₁/∂w⁽²⁾{'₁₂'[i]}₁ = a⁽¹⁾{'₁₂'[i]} =")  # why ∂z/∂w = a
    assert_multiplies_to(bias, [e, o * (1 - o), 1.0], record.bias_gradients[1][0])
    assert_clean_inspector(view)
    inspector.scroll_into_view_if_needed()
    shot(view, "chain-output", width, height)

    view.page.locator(".bp-close").first.click()
    click_unit(view, "h1")
    assert "The chain rule at h₁" in inspector.inner_text()
    delta, *weights = chains(view)
    feeds = r"\delta ^{(2)}_{1}\cdot w^{(2)}_{11} + \delta ^{(2)}_{2}\cdot w^{(2)}_{12}"
    assert delta["tex"][1].startswith(f"= ({feeds})")  # the sum over both units h₁ feeds
    where = delta["tex"][3]
    assert where.startswith(r"\text{where } \partial E/\partial a^{(1)}_{1} = " + feeds)
    *_, terms, total = where.split(" = ")
    pairs = [[shown(f) for f in re.findall(NUMBER, term)] for term in terms.split(" + ")]
    for k, (d, w) in enumerate(pairs):  # each path: δ of the unit fed times the weight to it
        assert_is(d, record.deltas[1][k])
        assert_is(w, scenario.weights[1][0, k])
    upstream = float(scenario.weights[1][0] @ record.deltas[1])
    rounding = 2 * SHOWN * sum(abs(d * w) for d, w in pairs)  # each share is off by at most this much
    assert math.isclose(sum(d * w for d, w in pairs), upstream, rel_tol=0, abs_tol=rounding)
    assert_is(shown(total), upstream)
    a = record.activations[1][0]
    assert_multiplies_to(delta, [upstream, a * (1 - a)], record.deltas[0][0])
    paths = meaning(delta, "Paths its gradient comes back along:")
    assert "h₁ → o₁" in paths and "h₁ → o₂" in paths
    assert "the shares add up" in meaning(delta, "∂E/∂a⁽¹⁾₁ =")
    for i, chain in enumerate(weights[:2]):
        x = scenario.x[i]
        assert_multiplies_to(chain, [upstream, a * (1 - a), x], record.weight_gradients[0][i, 0])
    assert_clean_inspector(view)
    inspector.scroll_into_view_if_needed()
    shot(view, "chain-hidden", width, height)
    view.check_clean()


def assert_clean_inspector(view: Visit) -> None:
    inspector = view.page.locator(".bp-inspector")
    assert inspector.locator(".katex-error").count() == 0
    assert not RAW_TEX.search(inspector.inner_text())
    assert inspector.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # nothing runs off the side


# --- the first-time path ------------------------------------------------------------------------------------


def intro_visible(view: Visit) -> bool:
    view.settle()
    time.sleep(0.5)  # the memory component hides the panel as soon as it mounts
    panel = view.page.locator(".st-key-intro")
    return panel.count() > 0 and panel.first.is_visible()


@pytest.mark.parametrize(("width", "height"), [(390, 844)])  # a first-time student: most open the link on a phone
def test_start_here_is_shown_once_per_browser_and_a_link_switches_it_off(visit, width, height):
    view = visit({"stage": "forward.z1"}, width, height)
    assert intro_visible(view)
    text = view.page.locator(".st-key-intro").inner_text()
    assert "Start here" in text and "Press Next" in text and "quiz" in text
    shot(view, "start-here", width, height)
    view.page.locator(".st-key-intro_got button").click()
    # stored at the click itself, before the server answers: a reload right away remembers it too
    assert view.page.evaluate("() => localStorage.getItem('backprop-sim.intro-dismissed')") == "1"
    view.page.wait_for_function("() => !document.querySelector('.st-key-intro')", timeout=20_000)
    view.page.reload()
    view.page.wait_for_selector(".bp-title", timeout=60_000)
    # this browser remembers (localStorage): the memory component hides the panel once it has mounted,
    # before the server hears of it (the rerun that drops the panel can take long on a loaded machine)
    view.page.wait_for_function(
        "() => { const p = document.querySelector('.st-key-intro'); return !p || p.offsetParent === null; }",
        timeout=60_000,
    )
    assert not intro_visible(view)
    assert view.page.evaluate("() => localStorage.getItem('backprop-sim.intro-dismissed')") == "1"
    assert intro_visible(visit({"stage": "forward.z1"}, width, height))  # a new visitor sees it (storage cleared)
    assert not intro_visible(visit({"stage": "forward.z1", "intro": "0"}, width, height))  # the lecturer's link
    view.check_clean()


# --- a mistake's page ---------------------------------------------------------------------------------------

# Every typeset formula on the page: its TeX source, and whether its box cuts it off.
FORMULAS = """() => [...document.querySelectorAll('[data-testid=stMain] .katex')].filter(k => k.offsetParent)
  .map(k => {
    const tex = k.querySelector('annotation[encoding="application/x-tex"]');
    const box = k.closest('.katex-display');
    const clips = box && getComputedStyle(box).overflowX === 'hidden' && box.scrollWidth - 2 > box.clientWidth + 1;
    return [tex ? tex.textContent : '', Boolean(clips)];
  })"""


def assert_typeset(view: Visit, where: str) -> int:
    """Every formula on the page is KaTeX: no red error, no LaTeX source as text, no e-notation inside a
    formula, none cut off by its box. Returns how many formulas there are."""
    page = view.page
    assert page.locator("[data-testid=stMain] .katex-error").count() == 0, where
    assert not RAW_TEX.findall(page.locator("[data-testid=stMain]").inner_text()), where
    formulas = page.evaluate(FORMULAS)
    assert not [tex for tex, _ in formulas if E_NOTATION.search(tex)], where
    # A part whose column the page's settling layout narrows is fitted again a frame later (walk.js, narrowed): on
    # a loaded machine that frame can come after the measure. Cut off is a formula that stays cut off.
    deadline = time.monotonic() + 5
    while [tex for tex, clips in formulas if clips] and time.monotonic() < deadline:
        time.sleep(0.25)
        formulas = page.evaluate(FORMULAS)
    assert not [tex for tex, clips in formulas if clips], where
    return len(formulas)


@pytest.mark.parametrize(("width", "height"), [(1280, 800)])  # the phone's formulas: the chain-rule test
def test_a_mistake_page_renders_every_formula(visit, width, height):
    mistake = "updated_weights_for_hidden_delta"
    view = visit({"mistake": mistake, "stage": "delta.1", "intro": "0"}, width, height)
    assert view.page.locator(".bp-title").inner_text().startswith("Stage 7 of 12")
    assert assert_typeset(view, mistake) >= 5  # the formula, its shapes, the numbers, correct and mistaken
    compare = view.page.locator(".bp-compare > .bp-piece:not(.bp-away)")  # the shown stage's piece
    fitted = compare.locator(".katex-display").evaluate_all(
        "es => es.map(e => [parseFloat(getComputedStyle(e.firstElementChild).fontSize),"
        " e.scrollWidth - 2 - e.clientWidth])"
    )
    assert len(fitted) == 2  # correct and mistaken, each scaled to the column (style.FIT), none cut off
    assert all(size >= 10 and over <= 1 for size, over in fitted), fitted
    correct, mistaken = compare.locator("annotation[encoding='application/x-tex']").all_text_contents()
    updated = step(SEED, mistake=mistake).new_weights[1][0, 0]  # δ went back along the updated weight
    assert f"{updated:.4g}" in mistaken and f"{updated:.4g}" not in correct
    compare.scroll_into_view_if_needed()
    shot(view, "mistake", width, height)
    view.check_clean()


# Each formula rendered by the page's own KaTeX as walk.js renders it; the ones that fail or show LaTeX source.
RENDER = """items => {
  const box = document.createElement('div');
  document.body.append(box);
  const failed = [];
  for (const [latex, display] of items) {
    box.innerHTML = window.__bpKatex.renderToString(latex, { displayMode: display, throwOnError: false });
    const drawn = box.querySelector('.katex-html');
    if (box.querySelector('.katex-error') || !drawn || /\\\\[A-Za-z]+/.test(drawn.innerText)) failed.push(latex);
  }
  box.remove();
  return failed;
}"""


def walk_formulas(mistake: str, form: str) -> set[tuple[str, bool]]:
    """Every formula the walk of the seed with ``mistake`` sends in ``form``, as walk.js hands it to KaTeX:
    (LaTeX, display mode). Built as simulator.ui.walk_view builds the walk."""
    record = step(SEED, mistake=mistake)
    stages = build_stages(record, form=form)
    correct = build_stages(step(SEED), form=form)
    data = walk(record, stages, WalkView(), correct_stages=correct, divergence=divergence(correct, stages))
    formulas = set()
    for page in data["stages"]:
        formulas |= {(page["formula"], True), (r"\small " + page["substituted"], True)}
        if page["shapes"] and form == MATRIX:
            formulas.add((r"\small " + page["shapes"], True))
        if page["compare"] and not page["compare"].get("same"):
            formulas |= {(page["compare"]["correct"], True), (page["compare"]["mistaken"], True)}
    for unit in data["units"].values():
        formulas |= {(line, False) for line, _ in unit["lines"]}
        formulas |= {(item, False) for item, kind, _ in unit["chain"] if kind == "tex"}
    return formulas


def test_every_formula_of_every_mistake_is_typeset(visit):
    """Every formula of every mistake's walk, in both forms, typeset by the page's KaTeX: no error, no LaTeX
    source left as text, no e-notation (KaTeX draws 7.08e-04 as "7.08e − 04"). And where the loss does not fall
    because of the sign, the last stage blames the sign, not the learning rate."""
    uphill = ("plus_update", "target_minus_output")
    view = visit({"mistake": uphill[0], "intro": "0", "stage": "apply"})  # its KaTeX renders them all first
    formulas = {f for mistake in MISTAKES for form in FORMS for f in walk_formulas(mistake, form)}
    assert len(formulas) > 300
    assert not [latex for latex, _ in formulas if E_NOTATION.search(latex)]
    assert view.page.evaluate(RENDER, sorted(formulas)) == []
    for k, mistake in enumerate(uphill):
        if k:  # the first is the page already open
            go(view, {"mistake": mistake, "intro": "0", "stage": "apply"})
        said = view.page.locator(".bp-explanation").inner_text()
        assert "The loss did not fall: " + mistake_entry(mistake).uphill in said
        assert "smaller learning rate only climbs slower" in said and "(try a smaller learning rate)" not in said
    view.check_clean()


def go(view: Visit, query: dict) -> None:
    """Open another link in the same browser (its cache keeps Streamlit's scripts: only the app reruns)."""
    view.page.goto(view.page.url.split("/?")[0] + "/?" + urlencode(query))
    view.page.wait_for_function(
        "() => window.__backpropWalk && document.querySelector('.bp-title').innerText", timeout=90_000
    )
