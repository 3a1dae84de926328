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

from ..core.backprop import step
from ..core.mistakes import Rules, mistake_entry, rules_of
from ..core.presets import PRESET_TITLES, PRESETS
from ..core.scenario import Scenario, scenario_to_dict
from ..views.stages import Stage, build_stages
from .exercises import DEFAULT_APP_URL
from .share import ViewOptions, encode

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


def _array(name: str, values) -> str:
    """``name = np.array([...])`` with exact floats; a matrix one row a line, as the seed writes weights."""
    rows = values.tolist()
    if values.ndim == 1:
        return f"{name} = np.array({json.dumps(rows)})"
    pad = " " * len(f"{name} = np.array([")
    return f"{name} = np.array([" + f",\n{pad}".join(json.dumps(row) for row in rows) + "])"


def scenario_text(scenario: Scenario) -> str:
    """The scenario file's JSON, one field a line (the app and ``backprop-sim`` read it)."""
    data = scenario_to_dict(scenario)
    return "{\n" + ",\n".join(f"  {json.dumps(key)}: {json.dumps(value)}" for key, value in data.items()) + "\n}"


ROUND_CODE = '''K = {digits}  # paper mode: significant digits


def r(v):
    """Round to K significant digits, as on paper: float(f"{{v:.{{K}}g}}") for every entry."""
    if np.ndim(v) == 0:
        return float(f"{{float(v):.{{K}}g}}")
    return np.array([float(f"{{x:.{{K}}g}}") for x in np.ravel(v)]).reshape(np.shape(v))'''


class _Code:
    """The NumPy lines of each stage for one scenario, under a mistake's rules and paper-mode rounding.

    The lines repeat the engine's operations in its order; in paper mode ``r(...)`` wraps every value
    the engine rounds, so the floats agree bit for bit.
    """

    def __init__(self, scenario: Scenario, rules: Rules, digits: int | None):
        self.scenario, self.rules, self.digits = scenario, rules, digits
        self.last = len(scenario.layers) - 1
        self.biased = scenario.biases is not None

    def kept(self, name: str, expression: str, comment: str = "") -> str:
        """``name = expression``, rounded in paper mode, with an optional comment."""
        value = f"r({expression})" if self.digits is not None else expression
        return f"{name} = {value}" + (f"  # {comment}" if comment else "")

    def prev(self, l: int, suffix: str = "") -> str:
        return "x" if l == 1 else f"a{l - 1}{suffix}"

    def activation(self, l: int) -> str:
        return self.scenario.activations[l - 1]

    def given(self) -> str:
        s = self.scenario
        lines = [_array("x", s.x), _array("target", s.target), f"learning_rate = {s.learning_rate!r}", ""]
        lines += [_array(f"W{l}", w) for l, w in enumerate(s.weights, start=1)]
        if self.biased:
            lines += [_array(f"b{l}", b) for l, b in enumerate(s.biases, start=1)]
        return "\n".join(lines)

    def definitions(self) -> str:
        s = self.scenario
        names = list(dict.fromkeys(s.activations))
        blocks = [ACTIVATION_CODE[name] for name in names]
        cross_entropy = s.loss == "cross_entropy"
        differentiated = s.activations[:-1] if cross_entropy else s.activations  # CE: the output's slope cancels
        blocks += [BACKWARD_CODE[name] for name in dict.fromkeys(differentiated) if name != "sigmoid"]
        loss = LOSS_CODE[s.loss]
        blocks.append(loss[s.activations[-1]] if cross_entropy else loss)
        if self.digits is not None:
            blocks.append(ROUND_CODE.format(digits=self.digits))
        blocks.append(SHOW_CODE)
        return "\n\n\n".join(blocks)

    def stage(self, stage: Stage) -> list[str]:
        kind, l = stage.kind, stage.layer
        if stage.id.startswith("forward.z"):
            bias = f" + b{l}" if self.biased else ""
            return [self.kept(f"z{l}", f"np.dot({self.prev(l)}, W{l}){bias}")]
        if stage.id.startswith("forward.a"):
            return [self.kept(f"a{l}", f"{self.activation(l)}(z{l})")]
        if kind == "loss":
            return [self.error(l), self.kept("loss", f"{self.scenario.loss}(z{l}, a{l}, target)")]
        if kind == "delta":
            return self.delta(l)
        if stage.id.startswith("gradient.W"):
            return self.weight_gradient(l)
        if stage.id.startswith("update.W"):
            return self.weight_update(l)
        if stage.id.startswith("gradient.b"):
            return [self.kept(f"db{l}", f"delta{l}", "a bias is a weight on an input that is always 1")]
        if stage.id.startswith("update.b"):
            return self.bias_update(l)
        if kind == "apply":
            return self.apply()
        raise ValueError(f"no notebook code for stage {stage.id}")

    def error(self, l: int) -> str:
        if self.rules.error_sign > 0:
            return self.kept("error", f"a{l} - target")
        return self.kept("error", f"target - a{l}", "MISTAKE: t − o instead of o − t")

    def _slope(self, l: int, upstream: str) -> tuple[str, str]:
        """dE/dz from ``upstream`` = dE/da, with the slope as the rules take it; and a comment."""
        activation, slope_of = self.activation(l), self.rules.slope_of
        if slope_of is None:
            return upstream, "MISTAKE: the activation's slope is left out"
        a = f"a{l}" if slope_of == "a" else f"z{l}"
        comment = "" if slope_of == "a" else "MISTAKE: the slope computed from z as if it were a"
        if activation == "sigmoid":
            return f"{upstream} * {a} * (1 - {a})", comment
        return f"{activation}_backward(z{l}, {a}, {upstream})", comment

    def delta(self, l: int) -> list[str]:
        if l == self.last:
            if self.scenario.loss == "cross_entropy":
                flipped = self.rules.error_sign < 0
                expression = f"target - a{l}" if flipped else f"a{l} - target"
                comment = "MISTAKE: t − o" if flipped else "with cross-entropy the output's slope cancels"
                return [self.kept(f"delta{l}", expression, comment)]
            return [self.kept(f"delta{l}", *self._slope(l, "error"))]
        weights = f"W{l + 1}"
        lines = []
        if self.rules.hidden_delta_uses_updated:
            lines = [
                f"# MISTAKE: W{l + 1} is updated first and δ is sent back along the updated weights",
                *self.weight_gradient(l + 1),
                *self.weight_update(l + 1),
            ]
            weights = f"new_W{l + 1}"
        return [*lines, self.kept(f"delta{l}", *self._slope(l, f"np.dot({weights}, delta{l + 1})"))]

    def weight_gradient(self, l: int) -> list[str]:
        return [self.kept(f"dW{l}", f"np.outer({self.prev(l)}, delta{l})")]

    def _update(self, name: str, l: int) -> list[str]:
        """η·∂E/∂p, the update and the new value of parameter ``name`` (W or b) of layer l."""
        gradient = "dW" if name == "W" else "db"
        change = f"lr_d{name}{l}" if name == "W" else f"learning_rate * {gradient}{l}"
        lines = []
        if name == "W":
            lines.append(
                self.kept(
                    change, f"learning_rate * {gradient}{l}", "what the seed notebook prints as the change in weights"
                )
            )
        if self.rules.update_sign < 0:
            update = f"update_{name}{l} = -{change}" if name == "W" else self.kept(f"update_{name}{l}", f"-{change}")
            lines.append(update + ("  # the step goes against the gradient" if name == "W" else ""))
        else:
            update = f"update_{name}{l} = {change}" if name == "W" else self.kept(f"update_{name}{l}", change)
            lines.append(update + "  # MISTAKE: + instead of −, the step climbs the loss")
        lines.append(self.kept(f"new_{name}{l}", f"{name}{l} + update_{name}{l}"))
        return lines

    def weight_update(self, l: int) -> list[str]:
        return self._update("W", l)

    def bias_update(self, l: int) -> list[str]:
        if not self.scenario.train_biases:
            return [f"update_b{l} = np.zeros_like(b{l})  # biases frozen", f"new_b{l} = b{l}"]
        if not self.rules.update_biases:
            return [f"update_b{l} = np.zeros_like(b{l})  # MISTAKE: the biases are not updated", f"new_b{l} = b{l}"]
        return self._update("b", l)

    def apply(self) -> list[str]:
        lines = []
        for l in range(1, self.last + 1):
            bias = f" + new_b{l}" if self.biased else ""
            lines += [
                self.kept(f"z{l}_new", f"np.dot({self.prev(l, '_new')}, new_W{l}){bias}"),
                self.kept(f"a{l}_new", f"{self.activation(l)}(z{l}_new)"),
            ]
        last = self.last
        loss = self.kept("new_loss", f"{self.scenario.loss}(z{last}_new, a{last}_new, target)")
        return [*lines, f"new_output = a{last}_new", loss]


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
    code = _Code(scenario, rules_of(mistake), digits)
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
