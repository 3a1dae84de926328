"""User text shown as text: links, file names and typed values never become Markdown.

Streamlit's alerts and captions render Markdown, and its GitHub-flavoured autolinking runs
after backslash escapes are resolved, so escaping is not enough: ``http://…`` would still
become a link. Inside a code span nothing is parsed, linked or fetched, and the text keeps
every character the user typed.
"""

from __future__ import annotations

import re

import streamlit as st

from simulator.core.messages import MESSAGE_LIMIT, capped, listed


def escaped(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """``text`` cut to ``limit`` characters, on one line, as a Markdown code span."""
    text = capped(" ".join(str(text).splitlines()), limit)
    fence = "`" * (1 + max((len(run) for run in re.findall(r"`+", text)), default=0))
    padding = " " if text.startswith("`") or text.endswith("`") or not text.strip(" ") else ""
    return f"{fence}{padding}{text}{padding}{fence}"


def problems_box(messages: list[str], intro: str = "", icon: str = "⚠️", kind: str = "error") -> None:
    """Messages (which may quote user text) in one alert, each in a code span under our own ``intro``."""
    if not messages:
        return
    text = "\n".join(f"- {escaped(m)}" for m in listed(messages, 20))
    if intro:
        text = f"{intro}\n\n{text}"
    (st.error if kind == "error" else st.warning)(text, icon=icon)
