"""The page's CSS: layout fixes for every width, and lecture mode's larger type."""

from __future__ import annotations

import streamlit as st

from . import state

BASE = (
    # The Page Up/Down buttons exist only for presentation clickers; the arrows have visible buttons.
    ".st-key-next_pagedown, .st-key-prev_pageup {display: none;}"
    ".katex-display {overflow-x: auto; overflow-y: hidden; padding: 0.2em 0;}"
    "[data-testid=stMainBlockContainer] {padding-top: 2.5rem;}"
)
LECTURE = (
    "html {font-size: 22px;} .katex {font-size: 1.2em;}"
    "h1 {font-size: 1.8rem !important; padding: 0 !important;}"
    "[data-testid=stMainBlockContainer] {padding-top: 1.2rem; padding-bottom: 1rem;}"
)


def page_style() -> None:
    css = BASE + (LECTURE if state.get("lecture") else "")
    st.html(f"<style>{css}</style>")
