"""The walkthrough as a runnable Jupyter notebook in the seed notebook's style.

The notebook needs only NumPy: the activations and the loss it uses are written out in a cell,
each stage is a markdown cell (title, explanation, formula) and a code cell that computes the
stage with ``np.dot`` and prints its values as the app does (arrays to 8 digits, a single number
in full). Run it and it prints the engine's numbers: the code repeats the engine's operations in
the engine's order, so the floats agree bit for bit.
"""

from __future__ import annotations

import json

import nbformat
from nbformat import v4

from .backprop import step
from .exercises import DEFAULT_APP_URL
from .presets import PRESET_TITLES, PRESETS
from .scenario import Scenario, scenario_to_json
from .share import encode
from .stages import Stage, build_stages

# Each function as the engine computes it (same operations, same order), in the seed notebook's style.
ACTIVATION_CODE = {
    "sigmoid": (
        "def sigmoid(arr):\n"
        "    # np.maximum keeps exp from overflowing for z < -709; otherwise the seed notebook's sigmoid\n"
        "    return 1 / (1 + np.exp(-np.maximum(arr, -709.0)))"
    ),
    "tanh": "def tanh(arr):\n    return np.tanh(arr)",
    "relu": "def relu(arr):\n    return np.maximum(0.0, arr)",
    "linear": "def linear(arr):\n    return np.array(arr, dtype=float)",
    "softmax": (
        "def softmax(arr):\n"
        "    # shifted by max(arr) so exp never overflows; the seed's np.exp(arr) / np.sum(np.exp(arr)) otherwise\n"
        "    shifted = np.exp(arr - np.max(arr))\n"
        "    return shifted / np.sum(shifted)"
    ),
}

# dE/dz from dE/da (``upstream``); sigmoid's is written inline as the seed does: upstream * a * (1 - a).
BACKWARD_CODE = {
    "sigmoid": "def sigmoid_backward(z, a, upstream):\n    return upstream * a * (1 - a)",
    "tanh": "def tanh_backward(z, a, upstream):\n    return upstream * (1 - a * a)",
    "relu": (
        "def relu_backward(z, a, upstream):\n"
        "    # the slope at exactly z = 0 is taken as 0\n"
        "    return upstream * (z > 0)"
    ),
    "linear": "def linear_backward(z, a, upstream):\n    return np.array(upstream, dtype=float)",
    "softmax": (
        "def softmax_backward(z, a, upstream):\n"
        "    # the transposed Jacobian diag(a) - a aᵀ applied to upstream, without building it\n"
        "    return a * (upstream - np.dot(upstream, a))"
    ),
}

LOSS_CODE = {
    "half_squared_error": (
        "def half_squared_error(z, a, target):\n    error = a - target\n    return 0.5 * np.dot(error, error)"
    ),
    "cross_entropy": {
        "sigmoid": (
            "def cross_entropy(z, a, target):\n"
            "    # -Σ [t ln σ(z) + (1 - t) ln(1 - σ(z))], computed from z so it never takes log 0\n"
            "    return np.sum(np.logaddexp(0.0, z) - target * z)"
        ),
        "softmax": (
            "def cross_entropy(z, a, target):\n"
            "    # -Σ t ln softmax(z), computed from z so it never takes log 0\n"
            "    peak = np.max(z)\n"
            "    log_sum_exp = peak + np.log(np.sum(np.exp(z - peak)))\n"
            "    return np.sum(target) * log_sum_exp - np.dot(target, z)"
        ),
    },
}

SHOW_CODE = '''def show(name, value):
    """Print a value as the app does: arrays to 8 digits, a single number in full."""
    value = np.asarray(value, dtype=float)
    text = repr(float(value.ravel()[0])) if value.size == 1 else str(value)
    print(f"{name} = " + text.replace("\\n", "\\n" + " " * (len(name) + 3)))'''


def _array(values) -> str:
    """``np.array([...])`` with exact floats; a matrix one row a line, as the seed writes weights."""
    rows = values.tolist()
    if values.ndim == 1:
        return f"np.array({json.dumps(rows)})"
    pad = " " * len("np.array([")
    return "np.array([" + f",\n{pad}".join(json.dumps(row) for row in rows) + "])"


class _Code:
    """Generates the NumPy lines of each stage for one scenario."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario
        self.last = len(scenario.layers) - 1
        self.biased = scenario.biases is not None

    def prev(self, l: int, suffix: str = "") -> str:
        return "x" if l == 1 else f"a{l - 1}{suffix}"

    def activation(self, l: int) -> str:
        return self.scenario.activations[l - 1]

    def given(self) -> str:
        s = self.scenario
        lines = [f"x = {_array(s.x)}", f"target = {_array(s.target)}", f"learning_rate = {s.learning_rate!r}", ""]
        for l, w in enumerate(s.weights, start=1):
            lines.append(f"W{l} = {_array(w)}")
        if self.biased:
            lines += [f"b{l} = {_array(b)}" for l, b in enumerate(s.biases, start=1)]
        return "\n".join(lines)

    def definitions(self) -> str:
        s = self.scenario
        names = list(dict.fromkeys(s.activations))
        blocks = [ACTIVATION_CODE[name] for name in names]
        cross_entropy = s.loss == "cross_entropy"
        needs_backward = [name for name in names if name != "sigmoid"]
        if cross_entropy:  # the output's slope cancels with cross-entropy
            needs_backward = [n for n in dict.fromkeys(s.activations[:-1]) if n != "sigmoid"]
        blocks += [BACKWARD_CODE[name] for name in needs_backward]
        loss = LOSS_CODE[s.loss]
        blocks.append(loss[s.activations[-1]] if cross_entropy else loss)
        blocks.append(SHOW_CODE)
        return "\n\n\n".join(blocks)

    def stage(self, stage: Stage) -> list[str]:
        kind, l = stage.kind, stage.layer
        if stage.id.startswith("forward.z"):
            bias = f" + b{l}" if self.biased else ""
            return [f"z{l} = np.dot({self.prev(l)}, W{l}){bias}"]
        if stage.id.startswith("forward.a"):
            return [f"a{l} = {self.activation(l)}(z{l})"]
        if kind == "loss":
            return [f"error = a{l} - target", f"loss = {self.scenario.loss}(z{l}, a{l}, target)"]
        if kind == "delta":
            return [self.delta(l)]
        if stage.id.startswith("gradient.W"):
            return [f"dW{l} = np.outer({self.prev(l)}, delta{l})"]
        if stage.id.startswith("update.W"):
            return [
                f"lr_dW{l} = learning_rate * dW{l}  # the seed notebook prints this as the change in weights",
                f"update_W{l} = -lr_dW{l}  # the weights move against the gradient",
                f"new_W{l} = W{l} + update_W{l}  # = W{l} - learning_rate * dW{l}",
            ]
        if stage.id.startswith("gradient.b"):
            return [f"db{l} = delta{l}  # a bias is a weight on an input that is always 1"]
        if stage.id.startswith("update.b"):
            if not self.scenario.train_biases:
                return [f"update_b{l} = np.zeros_like(b{l})  # biases frozen", f"new_b{l} = b{l}"]
            return [f"update_b{l} = -learning_rate * db{l}", f"new_b{l} = b{l} + update_b{l}"]
        if kind == "apply":
            return self.apply()
        raise ValueError(f"no notebook code for stage {stage.id}")

    def delta(self, l: int) -> str:
        activation = self.activation(l)
        if l == self.last:
            if self.scenario.loss == "cross_entropy":
                return f"delta{l} = a{l} - target  # with cross-entropy the output's slope cancels"
            upstream = "error"
        else:
            upstream = f"np.dot(W{l + 1}, delta{l + 1})"
        if activation == "sigmoid":
            return f"delta{l} = {upstream} * a{l} * (1 - a{l})"
        return f"delta{l} = {activation}_backward(z{l}, a{l}, {upstream})"

    def apply(self) -> list[str]:
        lines = []
        for l in range(1, self.last + 1):
            bias = f" + new_b{l}" if self.biased else ""
            lines += [
                f"z{l}_new = np.dot({self.prev(l, '_new')}, new_W{l}){bias}",
                f"a{l}_new = {self.activation(l)}(z{l}_new)",
            ]
        last = self.last
        return [
            *lines,
            f"new_output = a{last}_new",
            f"new_loss = {self.scenario.loss}(z{last}_new, a{last}_new, target)",
        ]


def _show(stage: Stage) -> list[str]:
    return [f'show("{name}", {name})' for name in stage.values]


def _scenario_name(scenario: Scenario) -> str:
    for name, preset in PRESETS.items():
        if preset == scenario:
            return PRESET_TITLES.get(name, name)
    return "your scenario"


def app_link(scenario: Scenario, app_url: str = DEFAULT_APP_URL) -> str:
    from urllib.parse import urlencode

    return app_url + ("&" if "?" in app_url else "?") + urlencode(encode(scenario), safe=",;:|")


def _first_cell(scenario: Scenario, stages: tuple[Stage, ...], app_url: str) -> str:
    return "\n".join(
        [
            f"# Understanding Backpropagation: one training step of {_scenario_name(scenario)}",
            "",
            "Exported from Backprop Simulator. Every cell below is one stage of the walkthrough the app shows "
            f"({len(stages)} stages); run them in order and each prints the numbers the app shows. "
            "It needs only NumPy.",
            "",
            f"[Open this scenario in the app]({app_link(scenario, app_url)})",
            "",
            "The scenario (a file the app and `backprop-sim` read):",
            "",
            "```json",
            scenario_to_json(scenario),
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
    record = step(scenario)
    stages = build_stages(record)
    code = _Code(scenario)
    cells = [
        v4.new_markdown_cell(_first_cell(scenario, stages, app_url), id="scenario"),
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
