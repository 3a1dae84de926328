"""The page's CSS: layout fixes for every width, lecture mode's larger type, and formulas that fit.

Nothing here is wider than its column: table cells never break inside a number (tables wrap onto
more rows instead), code wraps, and a display formula wider than its column is scaled down to fit
by a few lines of script (CSS alone cannot measure it).
"""

from __future__ import annotations

import streamlit as st

from . import state

BASE = (
    # The Page Up/Down buttons exist only for presentation clickers; the arrows have visible buttons.
    ".st-key-next_pagedown, .st-key-prev_pageup {display: none;}"
    # KaTeX's 2 px struts overhang every formula: hidden, so no needless scroll bar (FIT scales real overflow).
    ".katex-display {overflow: hidden; padding: 0.2em 0;}"
    "[data-testid=stMainBlockContainer] {padding-top: 2.5rem;}"
    # Tables: a cell never wraps mid-number ("-3.540e-" / "04").
    "[data-testid=stTable] th, [data-testid=stTable] td {white-space: nowrap !important;}"
    "[data-testid=stTable] table {width: auto;}"
    # NumPy blocks wrap rather than run off the right edge.
    "[data-testid=stCode] pre, [data-testid=stCode] code {white-space: pre-wrap !important;"
    " overflow-wrap: anywhere; word-break: normal;}"
    # The header's toggle keeps its whole label ("Lecture mode", not "Lecture mo…").
    "[data-testid=stHorizontalBlock]:has(.st-key-lecture) > [data-testid=stColumn]:last-child"
    " {flex: 0 0 auto !important; width: auto !important; min-width: max-content !important;}"
    ".st-key-lecture label p {white-space: nowrap; overflow: visible;}"
    # The controls and the stage title stay at hand at every scroll position.
    # (Streamlit wraps the container in a box its own height: that wrapper is what sticks.)
    "[data-testid=stLayoutWrapper]:has(> .st-key-controls) {position: sticky; top: 3.75rem; z-index: 90;"
    " background: var(--page-bg, transparent); padding-bottom: 0.6rem;}"
    ".st-key-controls [data-testid=stHeading], .st-key-controls h3 {margin-bottom: 0 !important;}"
    ".st-key-controls {background: var(--page-bg, transparent); padding: 0.35rem 0 0.4rem 0;}"
    # Clicks and hovers go through the graph's labels to the units and edges under them.
    ".js-plotly-plot .annotation, .js-plotly-plot .annotation * {pointer-events: none !important;}"
    ".st-key-controls h3 {padding: 0.25rem 0 0 0; font-size: 1.35rem;}"
    ".st-key-inspector button {min-height: 1.8rem; padding: 0 0.6rem;}"
    # Phones: four small icon buttons on one row, the stage picker under them.
    "@media (max-width: 640px) {"
    " [data-testid=stLayoutWrapper]:has(> .st-key-controls) {top: 3rem;}"
    " .st-key-controls [data-testid=stHorizontalBlock] {flex-flow: row wrap !important; gap: 0.4rem !important;}"
    " .st-key-controls [data-testid=stColumn] {flex: 1 1 2.6rem !important; width: auto !important;"
    " min-width: 2.6rem !important;}"
    " .st-key-controls [data-testid=stColumn]:has([data-testid=stSelectbox]) {flex: 1 1 100% !important;}"
    " .st-key-controls button [data-testid=stMarkdownContainer] {display: none;}"
    " .st-key-controls button {padding: 0.25rem 0.4rem; min-height: 2.4rem;}"
    " .st-key-controls h3 {font-size: 1.05rem; padding-top: 0.1rem;}"
    " [data-testid=stTable] {font-size: 0.85rem;}"
    " [data-testid=stMainBlockContainer] {padding-top: 1rem;}"
    "}"
)
LECTURE = (
    "html {font-size: 22px;} .katex {font-size: 1.2em;}"
    "h1 {font-size: 1.8rem !important; padding: 0 !important;}"
    "[data-testid=stMainBlockContainer] {padding-top: 1.2rem; padding-bottom: 1rem;}"
    ".st-key-controls h3 {font-size: 1.3rem;}"
    # A 1280×720 projector: a little smaller, so the formula is above the fold.
    "@media (max-height: 800px) {html {font-size: 19px;} h1 {font-size: 1.5rem !important;}"
    " [data-testid=stMainBlockContainer] {padding-top: 0.6rem;}}"
)
# Scales each display formula wider than its column down to fit (never below 9 px; past that it scrolls),
# and records the page's background for the sticky bar. Runs again whenever the page changes.
FIT = """<script>
(() => {
  if (window.__backpropFit) return;
  window.__backpropFit = true;
  const fit = () => {
    const app = document.querySelector('.stApp');
    if (app) document.documentElement.style.setProperty('--page-bg', getComputedStyle(app).backgroundColor);
    for (const box of document.querySelectorAll('.katex-display')) {
      const formula = box.querySelector(':scope > .katex');
      if (!formula || box.clientWidth === 0) continue;
      formula.style.fontSize = '';
      box.style.overflowX = '';
      const room = box.clientWidth, need = box.scrollWidth - 2;  // less KaTeX's 2 px strut
      if (need > room) {
        const size = parseFloat(getComputedStyle(formula).fontSize);
        // scaled to the whole width, strut included: to the strut-less one, the last digit stayed 2 px outside
        formula.style.fontSize = Math.max(9, Math.floor(size * room / (need + 2) * 10) / 10) + 'px';
        if (box.scrollWidth - 2 > box.clientWidth) box.style.overflowX = 'auto';  // even 9 px is too wide
      }
    }
  };
  let queued = false;
  const later = () => {
    if (queued) return;
    queued = true;
    requestAnimationFrame(() => { queued = false; fit(); });
  };
  new MutationObserver(later).observe(document.body, {childList: true, subtree: true});
  window.addEventListener('resize', later);
  later();
})();
</script>"""


def page_style() -> None:
    css = BASE + (LECTURE if state.get("lecture") else "")
    st.html(f"<style>{css}</style>")
    st.html(FIT, unsafe_allow_javascript=True)
