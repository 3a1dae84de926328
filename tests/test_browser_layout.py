"""Layout in a real browser, at the viewports where issue 6 saw it break: nothing clipped or wrapped
mid-number, the graph legible in lecture mode, small updates visible, the unit inspector kept across
steps, the phone's sticky controls, and the dark theme. One server for the module; each test loops
over stages within one page visit. Screenshots land in test-artifacts/."""

from __future__ import annotations

import os
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlencode

import pytest

from simulator import PRESETS, build_stages, step
from simulator.io.share import encode
from simulator.views.graph import graph_model

from .appserver import CHROMIUM

ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists():
    message = f"Chromium not found at {CHROMIUM}: install Debian's chromium (apt-get install -y chromium)"
    if os.environ.get("CI"):
        raise RuntimeError(message + " — CI must not skip the browser tests")
    pytest.skip(message, allow_module_level=True)


TITLE = "() => (document.querySelector('.bp-title') || {}).innerText || ''"
# Every table, display formula and code block wider than its box, and every table cell on more than one line.
OVERFLOWS = """() => {
  const found = [];
  for (const selector of ['[data-testid=stTable]', '.bp-table', '.bp-check', '.katex-display',
                          '[data-testid=stCode] pre', '.bp-code']) {
    for (const box of document.querySelectorAll('[data-testid=stMain] ' + selector)) {
      if (box.offsetParent === null || box.clientWidth === 0) continue;
      const strut = selector === '.katex-display' ? 2 : 0;  // KaTeX's 2 px strut, hidden by the page's CSS
      if (box.scrollWidth - strut > box.clientWidth + 1)
        found.push(`${selector} ${box.scrollWidth}>${box.clientWidth}: ${box.innerText.slice(0, 40)}`);
    }
  }
  for (const cell of document.querySelectorAll('[data-testid=stMain] .bp-walk td')) {
    const range = document.createRange();
    range.selectNodeContents(cell);
    if (range.getBoundingClientRect().height > 1.9 * parseFloat(getComputedStyle(cell).fontSize))
      found.push('wraps: ' + cell.innerText);
  }
  return found;
}"""


@pytest.fixture(scope="module")
def _visits(server, tabs):
    """The module's pages, by link (less its stage), window and colour scheme: tests asking for the same one share
    one visit and turn it to their stage in the browser (the picker), as a user does; a page load costs seconds."""
    opened, errors = {}, []

    def visit(query: dict, width: int, height: int, scheme: str):
        key = (tuple(sorted(query.items())), width, height, scheme)
        if key not in opened:
            page = tabs.open(server, width, height, scheme)
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(server + "/?" + urlencode(query))
            page.wait_for_function(TITLE, timeout=60_000)
            page.wait_for_selector(".bp-graph .annotation", timeout=30_000)
            time.sleep(1.0)
            opened[key] = page
        return opened[key]

    yield visit, errors
    for page in opened.values():
        tabs.release(page)


@pytest.fixture
def open_page(_visits):
    visit, errors = _visits
    used = []

    def opened(query: dict, width: int, height: int, scheme: str = "light"):
        """The page for ``query`` at this window, on the query's stage (the first if it names none)."""
        rest = {k: v for k, v in query.items() if k != "stage"}
        page = visit(rest, width, height, scheme)
        used.append(page)
        go_to(page, query.get("stage"))
        return page

    yield opened
    for page in used:
        assert page.locator("[data-testid=stException]").count() == 0
    assert errors == []


def go_to(page, stage: str | None) -> None:
    """Turn the walk to ``stage`` (None: the first) with the picker, in the browser (no page load, no rerun)."""
    index = page.evaluate("id => window.__backpropWalk.data.ids.indexOf(id)", stage) if stage else 0
    assert index >= 0, stage
    if not page.evaluate(TITLE).startswith(f"Stage {index + 1} of"):
        page.locator(".bp-picker").select_option(str(index))
        page.wait_for_function(f"() => ({TITLE})().startsWith('Stage {index + 1} of')", timeout=20_000)
        painted(page)


def title(page) -> str:
    return page.evaluate(TITLE)


RUNNING = "[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]"


def settle(page) -> None:
    page.wait_for_function(f"() => !document.querySelector('{RUNNING}')", timeout=20_000)
    time.sleep(0.5)


# Resolves once the page has painted twice with a task between: the walk turns a stage in one task (title, pieces,
# graph) and refits its formulas a frame and a task later when the width changed (walk.js, show and refit).
PAINTED = "() => new Promise(done => requestAnimationFrame(() => setTimeout(() => requestAnimationFrame(done))))"


def painted(page) -> None:
    """After a step in the browser, until the new stage is on screen (and no script run is in progress, as settle
    waits, without settle's fixed half second: stepping sends the server nothing)."""
    page.wait_for_function(f"() => !document.querySelector('{RUNNING}')", timeout=20_000)
    page.evaluate(PAINTED)


def next_stage(page, number: int) -> None:
    page.locator(".bp-next").first.click()
    page.wait_for_function(f"() => ({TITLE})().startsWith('Stage {number} of')", timeout=20_000)
    painted(page)


def shot(page, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


# Each viewport and each preset at least once (all six pairs take twice as long; the pure layout test
# covers every preset at every stage).
@pytest.mark.parametrize(
    ("preset", "width", "height", "mode"),
    [("two_outputs", 1280, 800, ""), ("seed", 1280, 720, "lecture"), ("two_outputs", 390, 844, "")],
)
def test_nothing_is_clipped_or_wrapped_mid_number_at_any_stage(open_page, preset, width, height, mode):
    page = open_page({**encode(PRESETS[preset]), **({"mode": mode} if mode else {})}, width, height)
    stages = int(title(page).split(" of ")[1].split()[0])
    problems = []
    for number in range(1, stages + 1):
        if number > 1:
            next_stage(page, number)
        problems += [f"stage {number}: {p}" for p in page.evaluate(OVERFLOWS)]
    assert problems == []


def test_lecture_at_1280x720_keeps_the_toggle_label_o1_and_the_formula_in_view(open_page):
    page = open_page({**encode(PRESETS["seed"]), "mode": "lecture", "stage": "update.W1"}, 1280, 720)
    settle(page)
    shot(page, "lecture-update-W1-1280x720")
    label = page.locator(".st-key-lecture label p").first
    assert label.evaluate("p => p.scrollWidth <= p.clientWidth") and label.inner_text() == "Lecture mode"
    formula = page.locator("[data-testid=stMain] .katex-display").first.bounding_box()
    assert formula["y"] + formula["height"] <= 720  # the stage-11 formula above the fold
    plot = page.locator(".bp-graph").first.bounding_box()
    for note in page.locator(".bp-graph .annotation").all():
        box = note.bounding_box()
        if box and box["width"]:
            assert plot["x"] - 1 <= box["x"] and box["x"] + box["width"] <= plot["x"] + plot["width"] + 1


def test_lecture_labels_are_at_least_20px_at_1920(open_page):
    page = open_page({**encode(PRESETS["two_outputs"]), "mode": "lecture", "stage": "apply"}, 1920, 1080)
    settle(page)
    shot(page, "lecture-apply-1920x1080")
    sizes = page.evaluate(
        "() => [...document.querySelectorAll('.bp-graph .annotation-text')]"
        ".map(t => parseFloat(getComputedStyle(t).fontSize))"
    )
    assert len(sizes) > 20 and min(sizes) >= 20
    graph = page.locator(".bp-graph").first.bounding_box()
    text = page.locator("[data-testid=stMain] .katex-display").first.bounding_box()
    assert graph["width"] >= text["width"]  # the graph gets at least as much width as the text


def test_small_updates_show_on_edges_and_in_tables(open_page):
    page = open_page({**encode(PRESETS["seed"]), "stage": "update.W1"}, 1280, 800)
    settle(page)
    shot(page, "laptop-update-W1-light-1280x800")
    edges = " ".join(page.locator(".bp-graph .annotation-text").all_text_contents())
    assert "0.10004" in edges and "0.1→0.1 " not in edges + " "
    assert "0.10004" in page.locator(".bp-tables").inner_text()


# The shown graph (the walk puts it first in .bp-graph): Plotly's class kept, its SVG layers on top of one
# another (not stacked down the page), every label inside the picture.
ONE_PICTURE = """() => {
  const plot = document.querySelector('.bp-graph > .bp-plot:not(.bp-away)');  // the shown piece
  const box = plot.getBoundingClientRect();
  const labels = [...plot.querySelectorAll('.annotation')].map(a => a.getBoundingClientRect()).filter(r => r.height);
  return {plotly: plot.classList.contains('js-plotly-plot'),
          layers: [...new Set([...plot.querySelectorAll('svg.main-svg')]
                               .map(s => Math.round(s.getBoundingClientRect().top - box.top)))],
          outside: labels.filter(r => r.top < box.top - 1 || r.bottom > box.bottom + 1).length, count: labels.length};
}"""


@pytest.mark.parametrize("mode", [{}, {"mode": "lecture"}])
def test_every_graph_drawn_ahead_is_one_picture(open_page, mode):
    page = open_page({**encode(PRESETS["seed"]), "stage": "forward.z1", **mode}, 1280, 800)
    settle(page)
    time.sleep(1.0)  # the later stages' graphs are drawn while the page is idle
    for number in range(1, 13):
        if number > 1:
            next_stage(page, number)
        drawn = page.evaluate(ONE_PICTURE)
        assert drawn["plotly"] and drawn["layers"] == [0], (number, drawn)
        assert drawn["count"] >= 8 and drawn["outside"] == 0, (number, drawn)  # 6 units, 3 column titles, …


def test_inspected_unit_stays_legible_and_follows_the_steps(open_page):
    page = open_page({**encode(PRESETS["seed"]), "stage": "forward.a1"}, 1280, 800)
    settle(page)
    page.locator(".bp-graph").first.scroll_into_view_if_needed()  # below the fold under "Start here"
    points = [p.bounding_box() for p in page.locator(".bp-graph .scatterlayer .point").all()]
    box = max((b for b in points if b and b["width"] > 30), key=lambda b: b["x"])  # the rightmost unit: o₁
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_selector(".bp-inspector:not([hidden])", timeout=20_000)
    settle(page)
    opacities = page.evaluate(
        "() => [...document.querySelectorAll('.bp-graph .annotation')].map(a => getComputedStyle(a).opacity)"
    )
    assert min(map(float, opacities)) >= 0.5  # no label faded to near-invisible
    inspector = page.locator(".bp-inspector")
    assert "How o₁ was computed so far" in inspector.inner_text()
    assert inspector.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # the z-sum wraps
    next_stage(page, 3)
    next_stage(page, 4)  # forward.a2: o₁'s output is now shown
    assert "How o₁ was computed so far" in inspector.inner_text()
    assert "0.48497343" in " ".join(page.locator(".bp-inspector annotation").all_text_contents())
    assert "The chain rule at o₁" not in inspector.inner_text()  # no δ before the backward pass
    next_stage(page, 5)
    next_stage(page, 6)  # delta.2: the chain rule at o₁, factor by factor, with the engine's numbers
    tex = " ".join(page.locator(".bp-inspector annotation").all_text_contents())
    assert "The chain rule at o₁" in inspector.inner_text()
    assert r"\delta_{1}^{(2)} = \frac{\partial E}{\partial z_{1}^{(2)}} = -0.0287307" in tex
    assert r"= (-0.115) \cdot  0.2498 = -0.02873" in tex
    assert "∂E/∂o₁ = o₁ − t₁ = −0.115" in inspector.inner_text()
    assert r"\partial E/\partial w^{(2)}_{11}" not in tex  # the weights' gradients come at stage 8
    assert inspector.evaluate("e => e.scrollWidth <= e.clientWidth + 1")  # the chain wraps too
    page.locator(".bp-prev").first.click()
    page.wait_for_function(f"() => ({TITLE})().startsWith('Stage 5 of')", timeout=20_000)
    assert "The chain rule at o₁" not in inspector.inner_text()  # a step back takes it away again
    page.locator(".bp-close").first.click()
    page.wait_for_function("() => document.querySelector('.bp-inspector').hidden", timeout=20_000)


def test_phone_keeps_controls_and_title_at_hand(open_page):
    page = open_page({**encode(PRESETS["seed"]), "stage": "update.W1"}, 390, 844)
    settle(page)
    shot(page, "phone-update-W1-390x844")
    buttons = [page.locator(f".bp-{key}").first.bounding_box() for key in ("reset", "prev", "next", "end")]
    assert len({round(b["y"]) for b in buttons}) == 1 and max(b["width"] for b in buttons) < 120  # one compact row
    page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTo(0, 1e6)")
    page.mouse.wheel(0, 4000)
    time.sleep(0.8)
    shot(page, "phone-scrolled-390x844")
    for selector in (".bp-title", ".bp-next"):
        box = page.locator(selector).first.bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 844, selector
    next_stage(page, 12)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_both_themes_are_readable(open_page, scheme):
    page = open_page({**encode(PRESETS["two_outputs"]), "stage": "update.W2"}, 1280, 800, scheme)
    settle(page)
    shot(page, f"laptop-update-W2-{scheme}-1280x800")
    background = page.evaluate("() => getComputedStyle(document.querySelector('.stApp')).backgroundColor")
    dark = sum(int(c) for c in background[background.index("(") + 1 : -1].split(",")[:3]) < 200
    assert dark == (scheme == "dark")
    paper = page.locator(".bp-graph .main-svg").first.evaluate("s => getComputedStyle(s).backgroundColor")
    assert paper in ("rgba(0, 0, 0, 0)", "transparent")  # no white box on a dark page
    contrast = page.evaluate(
        """() => {
          const rgb = s => s.match(/[\\d.]+/g).map(Number);
          const linear = c => (c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
          const lum = ([r, g, b]) => [r, g, b].map(linear)
            .reduce((s, c, i) => s + c * [0.2126, 0.7152, 0.0722][i], 0);
          const page = rgb(getComputedStyle(document.querySelector('.stApp')).backgroundColor);
          return [...document.querySelectorAll('.bp-tables td')].map(td => {
            const [r, g, b, a = 1] = rgb(getComputedStyle(td).backgroundColor);
            const under = [r, g, b].map((c, i) => a * c + (1 - a) * page[i]);
            const [l1, l2] = [lum(rgb(getComputedStyle(td).color)), lum(under)].sort((x, y) => y - x);
            return (l1 + 0.05) / (l2 + 0.05);
          });
        }"""
    )
    assert contrast and min(contrast) >= 4.5  # WCAG AA for every coloured cell


SEED_RECORD = step(PRESETS["seed"])
SEED_STAGES = build_stages(SEED_RECORD)


def lit_edge_texts(index: int) -> Counter:
    """The labels of the edges stage ``index`` computes, as the graph shows them (lines run together)."""
    model = graph_model(SEED_RECORD, SEED_STAGES, index)
    return Counter(e.text.replace("<br>", "") for e in model.edges if e.highlighted and e.text)


@pytest.mark.parametrize(("width", "height"), [(1280, 720), (1920, 1080)])
def test_lecture_slide_fits_above_the_fold_and_labels_every_edge_the_stage_computes(open_page, width, height):
    page = open_page({**encode(PRESETS["seed"]), "mode": "lecture", "stage": "delta.1"}, width, height)
    settle(page)
    first = [s.id for s in SEED_STAGES].index("delta.1")
    for index in range(first, len(SEED_STAGES)):
        if index > first:
            page.keyboard.press("ArrowRight")
            page.wait_for_function(f"() => ({TITLE})().startsWith('Stage {index + 1} of')", timeout=20_000)
            painted(page)
        stage = SEED_STAGES[index].id
        for selector in (".bp-graph", ".bp-formula .katex-display", ".bp-title"):
            box = page.locator(selector).first.bounding_box()
            assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height, (stage, selector, box)
        shown = Counter(page.locator(".bp-graph .annotation-text").all_text_contents())
        wanted = lit_edge_texts(index)
        assert wanted and all(shown[text] >= count for text, count in wanted.items()), (stage, wanted, shown)
    shot(page, f"lecture-apply-{width}x{height}")
