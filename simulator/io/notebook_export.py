"""The walkthrough as a runnable Jupyter notebook in the seed notebook's style.

The notebook needs only NumPy: the activations and the loss it uses are written out in a cell,
each stage is a markdown cell (title, explanation, formula) and a code cell that computes the
stage with ``np.dot`` and prints its values as the app does (arrays to 8 digits, a single number
in full). Run it and it prints the engine's numbers: the code repeats the engine's operations in
the engine's order, so the floats agree bit for bit.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import nbformat
from nbformat import v4

from ..core.mistakes import mistake_entry, rules_of
from ..core.presets import PRESET_TITLES, PRESETS
from ..core.record import step
from ..core.scenario import Scenario, scenario_to_dict
from ..views.stages import Stage, build_stages
from .exercises import DEFAULT_APP_URL
from .notebook_code import NotebookCode
from .share import ViewOptions, encode


def scenario_text(scenario: Scenario) -> str:
    """The scenario file's JSON, one field a line (the app and ``backprop-sim`` read it)."""
    data = scenario_to_dict(scenario)
    return "{\n" + ",\n".join(f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in data.items()) + "\n}"


def _show(stage: Stage) -> list[str]:
    return [f'show("{name}", {name})' for name in stage.values]


def _scenario_name(scenario: Scenario) -> str:
    for name, preset in PRESETS.items():
        if preset == scenario:
            return PRESET_TITLES.get(name, name)
    return "your scenario"


def app_link(
    scenario: Scenario, *, mistake: str | None = None, digits: int | None = None, app_url: str = DEFAULT_APP_URL
) -> str:
    """A link that opens the scenario in the app, with the mistake and the paper-mode rounding chosen."""
    params = encode(scenario, options=ViewOptions(mistake=mistake, round=digits))
    return app_url + ("&" if "?" in app_url else "?") + urlencode(params, safe=",;:|")


def _variant_notes(mistake: str | None, digits: int | None) -> list[str]:
    notes = []
    entry = mistake_entry(mistake)
    if entry is not None:
        notes += [
            f"**This notebook makes a classic mistake on purpose: {entry.title}.** {entry.description} "
            "The lines marked `# MISTAKE` are where it differs from correct backpropagation.",
            "",
        ]
    if digits is not None:
        notes += [
            f"**Paper mode: {digits} significant digits.** `r(...)` rounds every value a stage computes to "
            f"{digits} significant digits before a later stage uses it, as you would on paper; the inputs, "
            "target, weights and learning rate are used as given.",
            "",
        ]
    return notes


def _first_cell(scenario: Scenario, stages: tuple[Stage, ...], link: str, notes: list[str]) -> str:
    return "\n".join(
        [
            f"# Understanding Backpropagation: one training step of {_scenario_name(scenario)}",
            "",
            "Exported from Backprop Simulator. Every cell below is one stage of the walkthrough the app shows "
            f"({len(stages)} stages); run them in order and each prints the numbers the app shows. "
            "It needs only NumPy.",
            "",
            f"[Open this scenario in the app]({link})",
            "",
            *notes,
            *(
                [
                    f"The scenario has a dataset of {len(scenario.dataset)} examples; this walkthrough is one step "
                    "on its example `x`, `target` (the app's training goes over the whole dataset).",
                    "",
                ]
                if scenario.dataset is not None
                else []
            ),
            "The scenario (a file the app and `backprop-sim` read):",
            "",
            "```json",
            scenario_text(scenario),
            "```",
            "",
            "Layout: row vectors and `z = np.dot(a, W) + b`, as the seed notebook's `np.dot(x, weights_input_hidden)`; "
            "`W1[i][j]` joins unit i of the input to unit j of the first layer. `dW` means ∂E/∂W.",
        ]
    )


def _stage_cell(k: int, count: int, stage: Stage) -> str:
    return "\n".join(
        [
            f"## Stage {k} of {count}: {stage.title}",
            "",
            stage.explanation,
            "",
            f"$${stage.formula}$$",
            "",
            "With the numbers in (rounded to 4 digits):",
            "",
            f"$${stage.substituted}$$",
        ]
    )


def _cell_id(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text)


def walkthrough_notebook(
    scenario: Scenario, *, mistake: str | None = None, digits: int | None = None, app_url: str = DEFAULT_APP_URL
) -> nbformat.NotebookNode:
    """The walkthrough of ``scenario`` as a notebook: a markdown and a code cell per stage."""
    record = step(scenario, mistake=mistake, digits=digits)
    stages = build_stages(record)
    code = NotebookCode(scenario, rules_of(mistake), digits)
    link = app_link(scenario, mistake=mistake, digits=digits, app_url=app_url)
    cells = [
        v4.new_markdown_cell(_first_cell(scenario, stages, link, _variant_notes(mistake, digits)), id="scenario"),
        v4.new_code_cell("import numpy as np", id="import"),
        v4.new_markdown_cell(
            "## Activation functions and loss\n\nWritten out here so the notebook needs nothing but NumPy. "
            "`show` prints a value the way the app does.",
            id="functions-text",
        ),
        v4.new_code_cell(code.definitions(), id="functions"),
        v4.new_markdown_cell("## Inputs, target and weights", id="given-text"),
        v4.new_code_cell(code.given(), id="given"),
    ]
    for k, stage in enumerate(stages, start=1):
        cells.append(v4.new_markdown_cell(_stage_cell(k, len(stages), stage), id=_cell_id(stage.id) + "-text"))
        source = "\n".join([*code.stage(stage), "", *_show(stage)])
        cells.append(v4.new_code_cell(source, id=_cell_id(stage.id), metadata={"stage": stage.id}))
    notebook = v4.new_notebook(cells=cells)
    notebook.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.validate(notebook)
    return notebook


def notebook_bytes(
    scenario: Scenario, *, mistake: str | None = None, digits: int | None = None, app_url: str = DEFAULT_APP_URL
) -> bytes:
    """The notebook file (.ipynb) as UTF-8 bytes; the same for the same arguments."""
    notebook = walkthrough_notebook(scenario, mistake=mistake, digits=digits, app_url=app_url)
    return (nbformat.writes(notebook) + "\n").encode("utf-8")


__all__ = ["app_link", "notebook_bytes", "walkthrough_notebook"]
