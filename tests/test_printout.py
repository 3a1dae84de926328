"""The seed notebook's own printout: delta_w_h_o as the flat row it prints, in the code panel and the CLI,
and the CLI's walkthrough opening with the givens the notebook sets up first."""

from __future__ import annotations

import re
from pathlib import Path

from simulator import SEED, build_stages, step
from simulator.io.cli import main
from simulator.views.formatting import notebook_values

SEED_NOTEBOOK = Path(__file__).parents[2] / "shared/seed/understanding_backpropagation.txt"
DELTA_W_H_O = "[-0.00804047 -0.00555918]"  # print(delta_w_h_o) in the seed notebook


def seed_printout_of_delta_w_h_o() -> str:
    if not SEED_NOTEBOOK.exists():  # outside this workspace: the line as the notebook prints it
        return DELTA_W_H_O
    text = SEED_NOTEBOOK.read_text()
    return text.split("Change in weights for hidden layer to output layer:\n")[-1].splitlines()[0]


def test_the_code_panel_prints_delta_w_h_o_as_the_notebook_does():
    assert seed_printout_of_delta_w_h_o() == "[-0.00804047 -0.00555918]"
    stage = next(s for s in build_stages(step(SEED)) if s.id == "update.W2")
    printed = notebook_values(stage.values)
    assert printed.splitlines()[0] == "lr_dW2 = " + seed_printout_of_delta_w_h_o()


def test_the_cli_prints_the_givens_first_then_the_notebook_row(capsys):
    assert main(["walkthrough"]) == 0
    out = capsys.readouterr().out
    given = out.split("[ 1/")[0]
    names = re.findall(r"^\s+(\w+) = ", given, flags=re.M)
    assert names == ["x", "target", "learning_rate", "W1", "W2"]  # the notebook's order
    assert "x = [ 0.5  0.1 -0.2]" in given and "target = 0.6" in given and "learning_rate = 0.5" in given
    assert "W2 = [ 0.1 -0.3]" in given  # weights_hidden_output, a vector as in the notebook
    assert "lr_dW2 = " + seed_printout_of_delta_w_h_o() in out


def test_the_page_code_panel_shows_the_row():
    from streamlit.testing.v1 import AppTest

    from .test_app import APP, shown_code

    app = AppTest.from_file(APP, default_timeout=60)
    app.query_params["stage"] = "update.W2"
    app.run()
    assert "lr_dW2 = [-0.00804047 -0.00555918]" in shown_code(app)
