"""The projector's bar chart (a pure builder) and the class's answer check (one answer key per question)."""

from __future__ import annotations

import plotly.graph_objects as go

from simulator import SEED
from simulator.live import classroom
from simulator.views.class_figures import OTHER_INK, tally_figure
from simulator.views.figures import NEGATIVE, POSITIVE


def test_the_tally_chart_is_valid_plotly_with_counts_as_text_and_right_first():
    bars = (("right", 5), ("No activation slope", 3), ("sign slip", 1), ("other", 2))
    figure = tally_figure(bars, lecture=True)
    go.Figure(figure.to_dict())  # validates every property
    (trace,) = figure.data
    assert list(trace.y) == [name for name, _ in bars] and list(trace.x) == [5, 3, 1, 2]
    assert list(trace.text) == ["5", "3", "1", "2"]  # colour is never the only cue
    assert list(trace.marker.color) == [POSITIVE, NEGATIVE, NEGATIVE, OTHER_INK]
    assert figure.layout.yaxis.autorange == "reversed"  # the first bar on top
    assert tally_figure((), dark=True).data[0].x == ()


def test_answers_to_one_question_share_one_answer_key():
    scenario = classroom.payload(SEED)
    classroom.class_answer_key.cache_clear()
    texts = ("0.108040 -0.294441", "0,132191 -0,277743", "-0.108040 0.294441", "1 2", "0.5 0.5")
    labels = [classroom.diagnose(scenario, "update.W2", "new_W2", text)[0] for text in texts]
    assert labels == ["right", "no_activation_slope", "sign", "other", "other"]
    assert classroom.class_answer_key.cache_info().misses == 1
