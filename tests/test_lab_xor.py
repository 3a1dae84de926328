"""The XOR preset in the lab: on the lab's quadrant XOR data a 2-2-1 network cannot fit, so the lab says what
to change (4 hidden units), and with that change the preset's own learning rate reaches a good fit."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from simulator import PRESETS
from simulator.core.datasets import DATASETS, capacity_advice, with_dataset
from simulator.core.editing import with_layers
from simulator.core.training import train

from .test_app import APP, open_tab

XOR = PRESETS["xor"]


def test_the_lab_says_what_to_change_and_the_change_fits():
    advice, layers = capacity_advice("xor", XOR)
    assert layers == [2, 4, 1] and "4 hidden units" in advice
    data = DATASETS["xor"]()
    widened = with_dataset(with_layers(XOR, layers), data)
    assert capacity_advice("xor", widened) is None
    assert train(widened, 300).losses[-1] < 0.005  # η 2, one update per example: below 0.001 in the lab
    assert train(with_dataset(XOR, data), 300).losses[-1] > 0.05  # as shipped it stalls


def test_no_advice_where_the_network_is_wide_enough():
    assert capacity_advice("circle", XOR) is None


def test_the_lab_page_offers_the_change():
    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["preset"] = "xor"
    app = open_tab(app.run(), "Train")
    assert any("needs at least 4 hidden units" in i.value for i in app.info)
    app.button(key="widen").click().run()
    assert not app.exception
    assert list(app.session_state["scenario"].layers) == [2, 4, 1]
