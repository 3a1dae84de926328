"""An edit reruns the editor and the stepper only when nothing else on the page shows the scenario.

The editor and the stepper are keyed fragments (``ui.editor.refreshing``): an edit on the Step-through
tab reruns those two (the walk, the URL, the editor's fields), the rest of the page stays as it was; a
message outside the editor that the new scenario clears, another tab or a live class rerun the page.
(The Train tab's case: ``test_app_lab.test_an_edit_or_a_new_batch_mode_starts_a_new_history``.)
"""

from __future__ import annotations

from .test_app import field, shown_code, start
from .test_app_hostile import CRASH, params, warnings


def test_an_edit_updates_the_walk_the_link_and_the_editor_and_keeps_the_rest_of_the_page():
    app = start()
    field(app, "Input x").input("1, 0, 0").run()
    assert not app.exception
    assert "z1 = [ 0.5 -0.6]" in shown_code(app)  # the walk: x · W⁽¹⁾ of the seed with x = (1, 0, 0)
    assert app.query_params["x"] == "1.0,0.0,0.0"
    assert field(app, "Input x").value == "1.0, 0.0, 0.0"  # the editor re-read the scenario
    assert app.selectbox(key="l_mistake").value == ""  # the learning controls are still on the page
    assert [t.label for t in app.tabs][:2] == ["Step through", "Train"]
    assert app.toggle(key="lecture").value is False


def test_an_edit_clears_a_message_the_old_scenario_left_above_the_stepper():
    app = start(params(CRASH.removesuffix("&mistake=slope_from_z")))
    app.selectbox(key="l_mistake").select("slope_from_z").run()
    assert any("cannot be shown" in w for w in warnings(app))  # under the learning controls, outside the editor
    field(app, "Input x").input("0.5").run()
    assert not app.exception
    assert app.query_params["x"] == "0.5"
    assert not any("cannot be shown" in w for w in warnings(app))
