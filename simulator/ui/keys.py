"""The clicker's keys and the page-wide pieces of the walk: CSS, and a guard for the other tabs.

Stepping itself lives in the walk component (:mod:`simulator.ui.walk_view`, ``walk.js``): it listens on
``window`` in the capture phase, so it hears Right/PageDown and Left/PageUp before the focused widget
does, from anywhere on the page, and never while someone types in a field, an open drop-down, a slider
or a data-editor cell (:data:`HELPERS`' ``typing``). In every tab the tab list never sees those keys
(no switching to Train); in a tab other than Step through they step nothing, and a short note says
where they work. The SVG download in the graph's mode bar is added here too.
"""

from __future__ import annotations

import re

import streamlit as st

# Global on purpose (isolate_styles=False): the focus frame and spotlight rules apply to the page.
CSS = """
[data-testid="stMain"]:focus, [data-testid="stMain"]:focus-visible { outline: none; box-shadow: none; }
[data-testid="stMain"]:focus::before, [data-testid="stMain"]:focus-visible::before { box-shadow: none; }
.bp-narration { font-size: 0.85rem; line-height: 1.45; color: var(--st-text-color); opacity: 0.8;
  border-left: 3px solid var(--st-border-color); padding: 0.1rem 0 0.1rem 0.6rem; }
.bp-narration:empty { display: none; }
.bp-narration.bp-visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; padding: 0; margin: -1px; }
body.bp-spotlight [data-testid="stSidebar"], body.bp-spotlight [data-testid="stMain"] h1,
body.bp-spotlight [data-baseweb="tab-list"], body.bp-spotlight [data-testid="stCaptionContainer"],
body.bp-spotlight [data-testid="stMain"] [data-testid="stExpander"], body.bp-spotlight .st-key-lecture,
body.bp-spotlight :is(.bp-explanation, .bp-code, .bp-narration, .bp-caption, .bp-details, .bp-check, .bp-compare) {
  opacity: 0.22; transition: opacity 0.2s; }
body.bp-spotlight .bp-strip { opacity: 0.5; transition: opacity 0.2s; }
body.bp-spotlight :is(.bp-strip, .bp-explanation, .bp-code, .bp-details, .bp-check, .bp-compare,
  [data-testid="stExpander"]):hover,
body.bp-spotlight [data-testid="stSidebar"]:hover { opacity: 1; }
.bp-keys-note { position: fixed; left: 50%; bottom: 1.5rem; transform: translateX(-50%); z-index: 1000;
  background: var(--st-secondary-background-color, #f0f2f6); color: var(--st-text-color); padding: 0.5rem 1rem;
  border-radius: 0.5rem; border: 1px solid var(--st-border-color, #ccc); opacity: 0; pointer-events: none;
  transition: opacity 0.2s; }
.bp-keys-note.bp-shown { opacity: 1; }
"""

HELPERS = r"""
const STEP = { ArrowRight: 1, PageDown: 1, ArrowLeft: -1, PageUp: -1 };
const MODIFIERS = new Set(["Shift", "Control", "Alt", "Meta", "CapsLock", "Tab"]);
const NOT_TYPING = new Set(["checkbox", "radio", "button", "submit", "reset", "color", "file", "image"]);
const KEEP_KEYS = ["slider", "spinbutton", "radio", "option", "listbox", "menu", "menuitem", "grid", "gridcell",
  "textbox", "searchbox"];
const SVG_ICON = '<span style="font: 700 10px/16px sans-serif; letter-spacing: 0.02em">SVG</span>';

// Is the user typing (or steering a widget that owns the arrow keys)?
function typing(element) {
  if (!element || !element.closest) return false;
  if (element.closest('[data-testid="stDataFrame"], [data-testid="stDataFrameResizable"], #portal, .gdg-overlay'))
    return true;
  if (element.isContentEditable || element.tagName === "TEXTAREA" || element.tagName === "SELECT") return true;
  const role = element.getAttribute("role");
  if (element.tagName === "INPUT") {
    if (role === "combobox") return element.getAttribute("aria-expanded") === "true";  // a closed picker is not typing
    return !NOT_TYPING.has((element.type || "text").toLowerCase());
  }
  return KEEP_KEYS.includes(role);
}

function svgButton() {
  for (const graph of document.querySelectorAll(".js-plotly-plot")) {
    const bar = graph.querySelector(".modebar");
    if (!bar || graph.querySelector(".bp-svg") || !window.Plotly) continue;
    const group = document.createElement("div");
    group.className = "modebar-group";
    const button = document.createElement("a");
    button.className = "modebar-btn bp-svg";
    button.setAttribute("rel", "tooltip");
    button.setAttribute("data-title", "Download the graph as SVG");
    button.setAttribute("aria-label", "Download the graph as SVG");
    button.setAttribute("role", "button");
    button.setAttribute("tabindex", "0");
    button.innerHTML = SVG_ICON;
    const download = () => {
      const layout = graph._fullLayout || {};
      window.Plotly.downloadImage(graph, { format: "svg", width: layout.width, height: layout.height,
        filename: (graph._context && graph._context.toImageButtonOptions || {}).filename || "backprop-graph" });
    };
    button.addEventListener("click", download);
    button.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") download(); });
    group.appendChild(button);
    bar.appendChild(group);
  }
}
"""

TAB_GUARD = """
if (!window.__bpTabGuard) {
  window.__bpTabGuard = true;
  window.addEventListener("keydown", (event) => {
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (STEP[event.key] && target && target.closest && target.closest('[role="tablist"]')) {
      event.preventDefault();
      event.stopPropagation();
    }
    const walk = window.__backpropWalk;
    if (!STEP[event.key] || (walk && walk.root && walk.root.isConnected) || typing(target)) return;
    let note = document.querySelector(".bp-keys-note");
    if (!note) {
      note = document.createElement("div");
      note.className = "bp-keys-note";
      note.setAttribute("role", "status");
      document.body.appendChild(note);
    }
    note.textContent = "The clicker keys step through the stages in the Step through tab.";
    note.classList.add("bp-shown");
    clearTimeout(note.timer);
    note.timer = setTimeout(() => note.classList.remove("bp-shown"), 2500);
  }, true);
}
"""

# DOMPurify drops a script whose text holds "<" before a letter or "/": written as \\x3c.
PAGE_SCRIPT = "<script>(() => {\n" + re.sub(r"<(?=[/\w])", r"\\x3c", HELPERS) + TAB_GUARD + "\n})();</script>"


def install() -> None:
    """The clicker's code and page-wide CSS; call once per run of the main script, outside any fragment."""
    st.html(f"<style>{CSS}</style>")  # one st.html each: Streamlit keeps only the styles of a mixed one
    st.html(PAGE_SCRIPT, unsafe_allow_javascript=True)
