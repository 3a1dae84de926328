"""The walk component seen from AppTest: its data, the stage on screen, and stepping as the browser does.

The browser steps on its own and keeps the stage in the URL; the server follows it on the next rerun.
Here a step sets the URL's stage and reruns, which is what reaches the server from a real page.
"""

from __future__ import annotations

import json

from streamlit.testing.v1 import AppTest

from simulator.views.walk import unpacked

STEPS = {"next": 1, "prev": -1}


def walk_data(app: AppTest) -> dict:
    (element,) = [e for e in app.get("bidi_component") if e.proto.component_name == "backprop_walk"]
    proto = element.proto
    data = json.loads(proto.mixed.json if proto.WhichOneof("data") == "mixed" else proto.json)
    return {**unpacked(data.pop("walk")), **data}  # as walk.js reads it


def page(data: dict, index: int) -> dict:
    """Stage ``index``'s page (a large network's walk holds a window of stages, from ``first``)."""
    return data["stages"][index - data.get("first", 0)]


def current(app: AppTest) -> dict:
    data = walk_data(app)
    return page(data, data["index"])


def heading(app: AppTest) -> str:
    return current(app)["heading"]


def walk_code(app: AppTest) -> str:
    return current(app)["code"]


def disabled(app: AppTest, key: str) -> bool:
    data = walk_data(app)
    shown = page(data, data["index"])
    if key == "prev":
        return data["index"] == 0
    return data["index"] == data["count"] - 1 and not (shown["hidden"] and data["blank"])


def step(app: AppTest, key: str) -> AppTest:
    """Reset / Prev / Next / End or Reveal, as the browser does them (a Reveal, and a step past the stages the
    browser holds, ask the server: here, like there, they land in session state before the rerun)."""
    data = walk_data(app)
    index, shown = data["index"], page(data, data["index"])
    if key == "reveal" or (key == "next" and shown["hidden"] and data["blank"]):
        app.session_state["revealed"] = shown["id"]
    else:
        target = {"reset": 0, "end": data["count"] - 1}.get(key, index + STEPS.get(key, 0))
        app.query_params["stage"] = data["ids"][max(0, min(target, data["count"] - 1))]
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def pick(app: AppTest, stage_id: str) -> AppTest:
    app.query_params["stage"] = stage_id
    app.run()
    assert not app.exception, [e.value for e in app.exception]
    return app
