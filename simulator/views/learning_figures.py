"""Plotly figures for learning by doing: the nudge plot, correct vs mistaken loss curves, paper-mode drift.

Pure builders of plain data (no Streamlit), validated by the tests.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from ..core.experiments import PaperDrift
from ..core.gradcheck import NudgeCurve
from ..core.mistakes import MISTAKES
from .figures import NEGATIVE, POSITIVE, _figure, _scatter, font_sizes


def _layout(sizes: dict, x_title: str, y_title: str, **extra) -> dict:
    return dict(
        height=320,
        margin={"l": 10, "r": 10, "t": 30, "b": 10},
        xaxis={"title": {"text": x_title}, "zeroline": True, "zerolinecolor": "#C9CCD3"},
        yaxis={"title": {"text": y_title}, "zeroline": True, "zerolinecolor": "#C9CCD3", "tickformat": ".3~g"},
        font={"size": sizes["value"] + 1},  # text and background follow the page's light or dark theme
        plot_bgcolor="rgba(0,0,0,0)",
        legend={"orientation": "h", "y": 1.12},
        **extra,
    )


def nudge_figure(curve: NudgeCurve, lecture: bool = False) -> go.Figure:
    """ΔE against Δw: the true curve (solid) and the tangent ∂E/∂w·Δw (dashed), the nudge at Δw = 0."""
    sizes = font_sizes(lecture)
    order = np.argsort(curve.deltas)
    deltas = curve.deltas[order]
    true = _scatter(
        x=deltas,
        y=curve.actual[order],
        mode="lines+markers",
        name="actual ΔE",
        line={"color": POSITIVE, "width": 3},
        hovertemplate="Δw %{x:.4g}: ΔE %{y:.6g}<extra></extra>",
    )
    tangent = _scatter(
        x=deltas,
        y=curve.predicted[order],
        mode="lines",
        name=f"∂E/∂w·Δw (∂E/∂w = {curve.gradient:.4g})",
        line={"color": NEGATIVE, "width": 2, "dash": "dash"},
        hovertemplate="Δw %{x:.4g}: predicted %{y:.6g}<extra></extra>",
    )
    title = f"Nudging {curve.parameter} (now {curve.value:.4g})"
    if curve.mistake:
        title += f" — gradient from the mistake “{MISTAKES[curve.mistake].title}”"
    return _figure([true, tangent], _layout(sizes, "Δw", "ΔE", title={"text": title, "font": {"size": sizes["title"]}}))


def mistake_loss_figure(correct: np.ndarray, mistaken: np.ndarray, mistake: str, lecture: bool = False) -> go.Figure:
    """Loss per step, correct (solid blue) and with the mistake (dashed vermillion) on one plot.

    A curve that stops early stopped because training diverged.
    """
    sizes = font_sizes(lecture)
    traces = [
        _scatter(
            x=np.arange(len(values)),
            y=np.asarray(values, dtype=float),
            mode="lines",
            name=name,
            line={"color": colour, "width": 3, "dash": dash},
            hovertemplate=f"{name}: step %{{x}}, loss %{{y:.6g}}<extra></extra>",
        )
        for values, name, colour, dash in (
            (correct, "correct", POSITIVE, "solid"),
            (mistaken, MISTAKES[mistake].title if mistake else "correct", NEGATIVE, "dash"),
        )
    ]
    return _figure(traces, _layout(sizes, "Step", "Loss E"))


def paper_drift_figure(drifts: list[PaperDrift], lecture: bool = False) -> go.Figure:
    """Drift of the new weights and the new loss from full precision against the digits kept (log scale)."""
    sizes = font_sizes(lecture)
    digits = [d.digits for d in drifts]
    traces = [
        _scatter(
            x=digits,
            y=[max(getattr(d, field), 1e-18) for d in drifts],
            mode="lines+markers",
            name=name,
            line={"color": colour, "width": 3},
            hovertemplate=f"{name}: %{{x}} digits, %{{y:.3g}}<extra></extra>",
        )
        for field, name, colour in (
            ("weight_drift", "largest weight drift", POSITIVE),
            ("loss_drift", "loss drift", NEGATIVE),
        )
    ]
    layout = _layout(sizes, "Significant digits kept", "Drift from full precision")
    layout["yaxis"] = {"title": {"text": "Drift from full precision"}, "type": "log", "exponentformat": "power"}
    return _figure(traces, layout)
