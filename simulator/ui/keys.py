"""The clicker: one small component that steps on Right/PageDown and Left/PageUp from anywhere.

It listens on ``window`` in the capture phase, so it hears a key before the focused widget does:
after the stage picker, the Lecture toggle, a tab or a click on a blank area the keys still step,
and the tab list never sees them (no switching to Train). While someone types in a text or number
field, a textarea, an open drop-down, a slider or a data-editor cell, the keys are left alone.
The same component runs auto-play (a timer in the browser that asks for "next"; any key pauses it),
announces the stage in words in an ``aria-live`` region, and adds an SVG download to the graph's
mode bar. Back/Forward need nothing here: Streamlit reruns the page with the old URL and
:func:`simulator.ui.state.read_link_once` follows it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import partial

import streamlit as st

from . import state

HTML = """
<div class="bp-narration" role="status" aria-live="polite" aria-atomic="true"
     aria-label="The stage in words"></div>
"""

# Global on purpose (isolate_styles=False): the focus frame and spotlight rules apply to the page.
CSS = """
[data-testid="stMain"]:focus, [data-testid="stMain"]:focus-visible { outline: none; box-shadow: none; }
.bp-narration { font-size: 0.85rem; line-height: 1.45; color: var(--st-text-color); opacity: 0.8;
  border-left: 3px solid var(--st-border-color); padding: 0.1rem 0 0.1rem 0.6rem; }
.bp-narration:empty { display: none; }
.bp-narration.bp-visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden;
  clip: rect(0 0 0 0); clip-path: inset(50%); white-space: nowrap; border: 0; padding: 0; margin: -1px; }
body.bp-spotlight [data-testid="stSidebar"], body.bp-spotlight [data-testid="stMain"] h1,
body.bp-spotlight [data-baseweb="tab-list"], body.bp-spotlight [data-testid="stCaptionContainer"],
body.bp-spotlight [data-testid="stMain"] [data-testid="stExpander"], body.bp-spotlight [data-testid="stCode"],
body.bp-spotlight .bp-narration, body.bp-spotlight .st-key-lecture,
body.bp-spotlight [data-testid="stColumn"]:has(.bp-narration) [data-testid="stMarkdown"]:not(:has(.katex)) {
  opacity: 0.22; transition: opacity 0.2s; }
body.bp-spotlight [data-testid="stHorizontalBlock"]:has(.st-key-next) { opacity: 0.5; transition: opacity 0.2s; }
body.bp-spotlight [data-testid="stMain"] :is([data-testid="stExpander"], [data-testid="stCode"],
  [data-testid="stHorizontalBlock"]):hover,
body.bp-spotlight [data-testid="stSidebar"]:hover { opacity: 1; }
"""

JS = r"""
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

// Streamlit calls this again with new data on every rerun, without the cleanup in between
// (that runs on unmount only): one listener for the page, reading the latest data.
export default function ({ data, setTriggerValue, parentElement }) {
  const region = parentElement.querySelector(".bp-narration");
  const words = data.narration.join(" ");
  if (region.textContent !== words) region.textContent = words;  // a change is what a screen reader announces
  region.classList.toggle("bp-visually-hidden", data.hide_narration);
  document.body.classList.toggle("bp-spotlight", data.spotlight);

  let clicker = window.__backpropClicker;
  if (!clicker) {
    clicker = window.__backpropClicker = { timer: null };
    clicker.send = (value) => {  // one key press, one action
      clearTimeout(clicker.timer);
      clicker.setTriggerValue("action", value);
    };
    clicker.onKey = (event) => {
      if (event.altKey || event.ctrlKey || event.metaKey || MODIFIERS.has(event.key)) return;
      const target = event.composedPath ? event.composedPath()[0] : event.target;
      if (typing(target)) return;
      const move = STEP[event.key] || 0;
      if (move) {
        event.preventDefault();
        event.stopImmediatePropagation();
      }
      if (clicker.data.autoplay) clicker.send({ move, pause: true });
      else if (move) clicker.send({ move, pause: false });
    };
    window.addEventListener("keydown", clicker.onKey, true);
    clicker.observer = new MutationObserver(() => svgButton());
    clicker.observer.observe(document.body, { childList: true, subtree: true });
  }
  clicker.data = data;
  clicker.setTriggerValue = setTriggerValue;
  clearTimeout(clicker.timer);
  if (data.autoplay) {
    clicker.timer = setTimeout(() => clicker.send({ move: 1, pause: false, tick: true }), data.speed * 1000);
  }
  svgButton();
  return () => {
    window.removeEventListener("keydown", clicker.onKey, true);
    clearTimeout(clicker.timer);
    clicker.observer.disconnect();
    document.body.classList.remove("bp-spotlight");
    window.__backpropClicker = null;
  };
}
"""

# The code is sent once per page load (``install``, in the main script), not with every Next click:
# the component itself carries only this loader, which waits for it.
# DOMPurify drops a script whose text holds "<" before a letter or "/": write those as \x3c.
_CLASSIC = re.sub(r"<(?=[/\w])", r"\\x3c", JS).replace(
    "export default function (", "window.__bpClickerMain = function ("
)
# In every tab, the clicker's keys never switch tabs: the tab list does not get them. (In Step through the
# clicker's own listener, on the same window, still hears them and steps.)
TAB_GUARD = """
if (!window.__bpTabGuard) {
  window.__bpTabGuard = true;
  window.addEventListener("keydown", (event) => {
    const target = event.composedPath ? event.composedPath()[0] : event.target;
    if (STEP[event.key] && target && target.closest && target.closest('[role="tablist"]')) {
      event.preventDefault();
      event.stopPropagation();
    }
  }, true);
}
"""
PAGE_SCRIPT = f"<script>(() => {{\n{_CLASSIC}\n{TAB_GUARD}\n}})();</script>"
LOADER = """
export default function (component) {
  if (window.__bpClickerMain) return window.__bpClickerMain(component);
  let cleanup = null;
  const wait = setInterval(() => {
    if (window.__bpClickerMain) { clearInterval(wait); cleanup = window.__bpClickerMain(component); }
  }, 30);
  return () => { clearInterval(wait); if (cleanup) cleanup(); };
}
"""
_CLICKER = st.components.v2.component("backprop_clicker", html=HTML, js=LOADER, isolate_styles=False)


def install() -> None:
    """The clicker's code and page-wide CSS; call once per run of the main script, outside any fragment."""
    st.html(f"<style>{CSS}</style>")  # one st.html each: Streamlit keeps only the styles of a mixed one
    st.html(PAGE_SCRIPT, unsafe_allow_javascript=True)


def _on_action(on_move: Callable[[int], None], more: Callable[[], bool]) -> None:
    action = st.session_state["clicker"].get("action") or {}
    if action.get("pause"):
        state.put("autoplay", False)
    move = action.get("move", 0)
    if move in (1, -1):
        on_move(move)
    if not more():
        state.put("autoplay", False)  # auto-play stops at the last stage


def clicker(
    index: int, count: int, narration: tuple[str, ...], on_move: Callable[[int], None], more: Callable[[], bool]
) -> None:
    """Mount the clicker; ``on_move(+1 / -1)`` runs for each key press or auto-play tick.

    ``more()`` says whether a step forward is left (a later stage, or numbers still to reveal).
    """
    _CLICKER(
        key="clicker",
        data={
            "index": index,
            "count": count,
            "narration": list(narration),
            "hide_narration": "narration" in state.get("hide"),
            "spotlight": bool(state.get("spotlight")),
            "autoplay": bool(state.get("autoplay")) and more(),
            "speed": float(state.get("speed")),
        },
        on_action_change=partial(_on_action, on_move, more),
    )
