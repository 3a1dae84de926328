"""Registries: a new activation is one entry, and no registry id is typed outside its registry."""

from __future__ import annotations

import ast
from pathlib import Path

import numpy as np
import pytest

from simulator import DATASETS, PRESETS, SEED, build_stages, gradient_check, step, train
from simulator.core.activations import ACTIVATIONS, Activation
from simulator.core.losses import LOSSES
from simulator.core.mistakes import MISTAKES
from simulator.core.training import MODES
from simulator.io.notebook_export import walkthrough_notebook
from simulator.views.forms import FORMS
from simulator.views.notation import NOTATIONS

from .test_notebook_export import assert_prints_engine_numbers, run_in_process

PACKAGE = Path(__file__).parents[1] / "simulator"


def softsign(z):
    return z / (1.0 + np.abs(z))


def softsign_backward(z, a, upstream):
    return upstream / ((1.0 + np.abs(z)) * (1.0 + np.abs(z)))


@pytest.fixture
def softsign_registered(monkeypatch):
    toy = Activation("softsign", "Softsign", softsign, softsign_backward, r"\frac{z}{1 + |z|}", r"\frac{1}{(1+|z|)^2}")
    monkeypatch.setitem(ACTIVATIONS, toy.name, toy)
    return toy


def test_a_new_activation_is_one_registry_entry(softsign_registered):
    data = PRESETS["two_outputs"]
    scenario = data.replace(activations=["softsign", data.activations[-1]])
    record = step(scenario)
    assert build_stages(record)
    assert all(row.relative_error < 1e-6 for row in gradient_check(scenario))
    for mode in ("example", "full"):
        run = train(scenario, 20, mode=mode)
        assert run.steps == 20 and run.losses[-1] < run.losses[0]
    np.testing.assert_array_equal(train(scenario, 1).scenario.weights[0], record.new_weights[0])
    notebook = walkthrough_notebook(scenario)
    assert "def softsign(" in notebook.cells[3].source
    assert_prints_engine_numbers(notebook, run_in_process(notebook), scenario)


def _registry_ids() -> dict[str, set[str]]:
    """Every registry id, with the modules that own it ("xor" is a preset and a data set)."""
    registries = {
        "core/activations.py": ACTIVATIONS,
        "core/losses.py": LOSSES,
        "core/mistakes.py": MISTAKES,
        "core/training.py": MODES,
        "core/presets.py": PRESETS,
        "core/datasets.py": DATASETS,
        "views/forms.py": FORMS,
        "views/notation.py": NOTATIONS,
        "views/stages.py": [stage.id for stage in build_stages(step(SEED)) if "." in stage.id],  # not kinds: "loss"
    }
    ids: dict[str, set[str]] = {}
    for owner, names in registries.items():
        for name in names:
            ids.setdefault(name, set()).add(owner)
    return ids


# Strings that spell an id but mean something else: (file, string).
NOT_IDS = {
    ("views/figures.py", "linear"),  # Plotly's axis type
    ("core/scenario.py", "matrix"),  # the word, in "must hold 2 matrices"
    ("views/lab_figures.py", "circle"),  # Plotly's marker symbol
}


def _names_in_all(tree: ast.AST) -> set[int]:
    """The ids of the string nodes in ``__all__ = [...]`` (function names, not registry ids)."""
    return {
        id(node)
        for statement in ast.walk(tree)
        if isinstance(statement, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in statement.targets)
        for node in ast.walk(statement.value)
    }


def test_registry_ids_are_not_typed_outside_their_registry():
    ids = _registry_ids()
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        tree = ast.parse(path.read_text(), str(path))
        exported = _names_in_all(tree)
        for node in ast.walk(tree):
            if id(node) in exported or (name, getattr(node, "value", None)) in NOT_IDS:
                continue
            is_text = isinstance(node, ast.Constant) and isinstance(node.value, str)
            if is_text and name not in ids.get(node.value, {name}):
                owners = ", ".join(sorted(ids[node.value]))
                found.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}: {node.value!r} ({owners})")
    assert not found, "registry ids typed as literals; use the registry's constants:\n" + "\n".join(found)
