"""User text shown as text: links, file names and typed values never become Markdown."""

from __future__ import annotations

import re

import streamlit as st

MAX_SHOWN = 300  # characters of one message; longer ones are cut with "…"
# Backslash-escaped, these can start no link, image, emphasis, HTML, math, directive or autolink;
# newlines become spaces, so no block (heading, list, quote) can start inside user text either.
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#!|~:$&@])|(?<=www)(\.)", re.IGNORECASE)


def escaped(text: str, limit: int = MAX_SHOWN) -> str:
    """``text`` cut to ``limit`` characters with every Markdown, HTML and LaTeX character escaped."""
    text = str(text)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MARKDOWN.sub(lambda m: "\\" + m.group(0), " ".join(text.splitlines()))


def problems_box(messages: list[str], intro: str = "", icon: str = "⚠️", kind: str = "error") -> None:
    """Messages (which may quote user text) in one alert, every line escaped."""
    if not messages:
        return
    text = "\n".join(f"- {escaped(m)}" for m in messages)
    if intro:
        text = f"{escaped(intro)}\n\n{text}"
    (st.error if kind == "error" else st.warning)(text, icon=icon)
