"""The NumPy lines of each walkthrough stage, as the exported notebook runs them.

The activations and the loss are the engine's own functions, their source printed as it stands
(see :mod:`simulator.core.activations`); every stage's code repeats the engine's operations in
the engine's order, under a mistake's rules and paper-mode rounding, so the floats agree bit for bit.
"""

from __future__ import annotations

import inspect
import json

from ..core.activations import ACTIVATIONS, row_dot
from ..core.losses import LOSSES
from ..core.mistakes import Rules
from ..core.scenario import Scenario
from ..views.stages import Stage

_NOT_ZEROED = "not zeroed, the buffer still holds an earlier pass's gradient"

SHOW_CODE = '''def show(name, value):
    """Print a value as the app does: arrays to 8 digits, a single number in full."""
    value = np.asarray(value, dtype=float)
    value = value.ravel() if value.ndim == 2 and value.shape[1] == 1 else value  # as the seed: one output, a row
    text = repr(float(value.ravel()[0])) if value.size == 1 else str(value)
    print(f"{name} = " + text.replace("\\n", "\\n" + " " * (len(name) + 3)))'''


def _source(function, name: str | None = None) -> str:
    """The source of ``function`` as the engine defines it, its ``def`` renamed to ``name`` if given."""
    text = inspect.getsource(function).rstrip()
    return text if name is None else text.replace(f"def {function.__name__}(", f"def {name}(", 1)


def _array(name: str, values) -> str:
    """``name = np.array([...])`` with exact floats; a matrix one row a line, as the seed writes weights."""
    rows = values.tolist()
    if values.ndim == 1:
        return f"{name} = np.array({json.dumps(rows)})"
    pad = " " * len(f"{name} = np.array([")
    return f"{name} = np.array([" + f",\n{pad}".join(json.dumps(row) for row in rows) + "])"


ROUND_CODE = '''K = {digits}  # paper mode: significant digits


def r(v):
    """Round to K significant digits, as on paper: float(f"{{v:.{{K}}g}}") for every entry."""
    if np.ndim(v) == 0:
        return float(f"{{float(v):.{{K}}g}}")
    return np.array([float(f"{{x:.{{K}}g}}") for x in np.ravel(v)]).reshape(np.shape(v))'''


class NotebookCode:
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
        """The name of layer l's activation function in the notebook."""
        return ACTIVATIONS[self.scenario.activations[l - 1]].forward.__name__

    def given(self) -> str:
        s = self.scenario
        lines = [_array("x", s.x), _array("target", s.target), f"learning_rate = {s.learning_rate!r}", ""]
        lines += [_array(f"W{l}", w) for l, w in enumerate(s.weights, start=1)]
        if self.biased:
            lines += [_array(f"b{l}", b) for l, b in enumerate(s.biases, start=1)]
        return "\n".join(lines)

    def definitions(self) -> str:
        """The activations, their slopes and the loss this scenario uses, as the engine defines them."""
        s = self.scenario
        activations = [ACTIVATIONS[name] for name in dict.fromkeys(s.activations)]
        loss = LOSSES[s.loss]
        differentiated = s.activations[:-1] if loss.slope_cancels else s.activations  # CE: the output's slope cancels
        functions = [a.forward for a in activations]
        functions += [ACTIVATIONS[name].backward for name in dict.fromkeys(differentiated)]
        blocks = [_source(f) for f in functions]
        blocks.append(_source(loss.rows(ACTIVATIONS[s.activations[-1]]), name=loss.name))
        if any("row_dot(" in block for block in blocks):
            blocks.insert(0, _source(row_dot))
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
            return self.bias_gradient(l)
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
        backward, slope_of = (
            ACTIVATIONS[self.scenario.activations[l - 1]].backward,
            self.rules.at(l, self.last).slope_of,
        )
        if slope_of is None:
            return upstream, "MISTAKE: the activation's slope is left out"
        a = f"a{l}" if slope_of == "a" else f"z{l}"
        comment = "" if slope_of == "a" else "MISTAKE: the slope computed from z as if it were a"
        return f"{backward.__name__}(z{l}, {a}, {upstream})", comment

    def delta(self, l: int) -> list[str]:
        if l == self.last:
            if LOSSES[self.scenario.loss].slope_cancels:
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
        gradient = f"np.outer({self.prev(l)}, delta{l})"
        if self.rules.gradient_input(l) == "z":
            return [self.kept(f"dW{l}", f"np.outer(z{l - 1}, delta{l})", "MISTAKE: z where a belongs")]
        if not self.rules.accumulate:
            return [self.kept(f"dW{l}", gradient)]
        return [
            self.kept(f"dW{l}_left", gradient, f"MISTAKE: {_NOT_ZEROED}"),
            self.kept(f"dW{l}", f"dW{l}_left + {gradient}"),
        ]

    def bias_gradient(self, l: int) -> list[str]:
        if not self.rules.accumulate:
            return [self.kept(f"db{l}", f"delta{l}", "a bias is a weight on an input that is always 1")]
        return [
            self.kept(f"db{l}_left", f"delta{l}", f"MISTAKE: {_NOT_ZEROED}"),
            self.kept(f"db{l}", f"db{l}_left + delta{l}"),
        ]

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
