"""Mazur's notation on the whole page: the link that names a preset, the graph, the tables, the code and
its printout, and the weights listed in his order (w5, w6, w7, w8)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from simulator import PRESETS, SEED, build_stages, step
from simulator.io.share import decode
from simulator.views.graph import graph_model
from simulator.views.tables import stage_tables

from .test_app import APP, shown_code

TWO = PRESETS["two_outputs"]


def test_the_documented_link_is_accepted():
    view = decode({"preset": "two_outputs", "notation": "mazur"}, SEED)
    assert view.problems == () and view.scenario == TWO and view.options.notation == "mazur"
    assert decode({"preset": "nope"}, SEED).problems == (
        'preset: ignored, "nope" is not one of seed, xor, two_outputs',
    )


def test_weights_in_mazurs_order():
    stages = {s.id: s for s in build_stages(step(TWO), notation="mazur", form="scalar")}
    names = [line.split(" ")[0] for line in stages["update.W2"].worked]
    assert names == ["w5", "w6", "w7", "w8"]
    assert stages["update.W2"].worked[0] == "w5 ← 0.4 − 0.5·0.08217 = 0.3589"
    assert [line.split(" ")[0] for line in stages["update.W1"].worked] == ["w1", "w2", "w3", "w4"]


def test_graph_tables_and_code_speak_net_and_out():
    record = step(TWO)
    stages = build_stages(record, notation="mazur")
    index = [s.id for s in stages].index("delta.2")
    model = graph_model(record, stages, index, notation="mazur")
    h1 = next(n for n in model.nodes if n.id == "h1")
    assert "net=0.3775" in h1.text and "out=0.5933" in h1.text and "z=" not in h1.text
    a1 = next(s for s in stages if s.id == "forward.a1")
    assert list(stage_tables(record, a1, "mazur")["Layer 1"].index) == ["net", "out"]
    assert a1.code == "out_h = sigmoid(net_h)"
    assert next(s for s in stages if s.id == "delta.1").code.startswith("delta_h = np.dot(W2, delta_o)")


def test_the_page_opens_the_link():
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in {"preset": "two_outputs", "notation": "mazur", "stage": "forward.a1"}.items():
        app.query_params[key] = value
    app.run()
    assert not app.exception
    assert not [w.value for w in app.warning if "ignored" in w.value]
    assert "out_h = [0.59326999 0.59688438]" in shown_code(app)
