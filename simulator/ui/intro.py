"""A first-time "Start here": what the network is, what a stage is, press Next, then try the quiz.

Skippable, and never shown again in that browser once dismissed: a tiny Components v2 piece keeps the
choice in ``localStorage`` (and hides the panel before Python hears of it, so a returning visitor sees
no flash). A lecturer's link switches it off with ``intro=0``.
"""

from __future__ import annotations

import streamlit as st

from . import state

STORAGE_KEY = "backprop-sim.intro-dismissed"
CSS = "body.bp-intro-off .st-key-intro { display: none !important; }"
JS = """
export default function ({ data, setTriggerValue }) {
  const KEY = "STORAGE_KEY";
  if (!window.__bpIntroClicks) {  // stored at the click itself: a reload before the server's answer remembers it
    window.__bpIntroClicks = true;
    document.addEventListener("click", (event) => {
      const buttons = ".st-key-intro_got, .st-key-intro_quiz, .st-key-intro_skip";
      if (!event.target.closest || !event.target.closest(buttons)) return;
      try { window.localStorage.setItem(KEY, "1"); } catch (error) { /* private mode: this session only */ }
    }, true);
  }
  let stored = null;
  try { stored = window.localStorage.getItem(KEY); } catch (error) { stored = null; }
  if (data.dismiss) {
    try { window.localStorage.setItem(KEY, "1"); } catch (error) { /* private mode: this session only */ }
    document.body.classList.add("bp-intro-off");
  } else if (stored === "1") {
    document.body.classList.add("bp-intro-off");
    if (data.showing) setTriggerValue("seen", true);
  } else {
    document.body.classList.remove("bp-intro-off");
  }
}
""".replace("STORAGE_KEY", STORAGE_KEY)
_MEMORY = st.components.v2.component("backprop_intro", html="<span></span>", css=CSS, js=JS, isolate_styles=False)

STEPS = (
    "**The network.** Circles are units; numbers flow from the inputs on the left to the output on the "
    "right, each multiplied by the weight on its edge. It starts as the seed notebook's 3-2-1 network.",
    "**A stage** is one step of the computation: the weighted sums z and activations a layer by layer, the "
    "error, the deltas δ going backward, then each gradient and the new weights. The graph fills in as you go.",
    "**Press Next** (or → on the keyboard) to take the first stage. Click a unit to see how its numbers were "
    "computed, factor by factor.",
    "**Then try the quiz**: predict each number before it appears. Classic mistakes, paper mode and the "
    "other views wait in the row of controls.",
)


def dismiss(quiz: bool = False) -> None:
    """Never again in this browser (the component stores it); ``quiz`` also switches the quiz on."""
    state.put("intro_dismissed", True)
    if quiz:
        state.put("quiz", True)


def _remembered() -> None:
    if (st.session_state.get("intro_memory") or {}).get("seen"):
        state.put("intro_dismissed", True)


def showing() -> bool:
    return bool(state.get("intro")) and not state.get("intro_dismissed")


def start_here() -> None:
    """The guided start above the stepper, and the piece that remembers it was dismissed."""
    _MEMORY(
        key="intro_memory",
        data={"dismiss": bool(state.get("intro_dismissed")), "showing": showing()},
        on_seen_change=_remembered,
    )
    if not showing():
        return
    with st.container(key="intro", border=True):
        st.markdown("#### Start here")
        st.markdown("\n".join(f"{k}. {step}" for k, step in enumerate(STEPS, start=1)))
        got, quiz, skip = st.columns(3)
        got.button("Got it", key="intro_got", type="primary", on_click=dismiss, icon=":material/check:")
        quiz.button("Start with the quiz", key="intro_quiz", on_click=dismiss, args=(True,), icon=":material/quiz:")
        skip.button("Skip, don't show again", key="intro_skip", on_click=dismiss)
