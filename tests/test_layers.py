"""The package reads bottom-up: core → views → io → live → ui, every import counted.

Imports written inside functions count the same as those at the top: a function-local import
that dodges a cycle is still a cycle. Each layer also has a fixed list of third-party libraries.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
PACKAGE = ROOT / "simulator"
LAYERS = ("core", "views", "io", "live", "ui")  # each may import only from those before it (and itself)
# The package's own __init__ is the public API: it re-exports core, views and io, so it sits at io.
API_LAYER = "io"
THIRD_PARTY = {
    "core": {"numpy"},
    "views": {"numpy", "plotly", "pandas"},
    "io": {"numpy", "nbformat"},
    "live": {"numpy", "redis", "segno"},
    "ui": {"numpy", "streamlit", "starlette", "plotly", "pandas"},  # starlette: Streamlit's server (live_poll's route)
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> str | None:
    """``simulator.core.backprop`` → core; the package itself → the API layer; others → None."""
    parts = module.split(".")
    if parts[0] != "simulator":
        return None
    if len(parts) == 1 or parts[1] in ("__main__",):
        return API_LAYER
    return parts[1] if parts[1] in LAYERS else API_LAYER


def imports_of(path: Path) -> list[tuple[str, int]]:
    """Every module ``path`` imports (top level and inside functions), absolute, with its line."""
    package = module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            found.append((base, node.lineno))
            for alias in node.names:  # `from . import state` imports the module simulator.ui.state
                candidate = f"{base}.{alias.name}"
                if _is_module(candidate):
                    found.append((candidate, node.lineno))
    return found


def _is_module(dotted: str) -> bool:
    relative = Path(*dotted.split("."))
    return (ROOT / relative).with_suffix(".py").exists() or (ROOT / relative / "__init__.py").exists()


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def upward_imports(paths: list[Path]) -> list[str]:
    offenders = []
    for path in paths:
        own = layer_of(module_name(path))
        for name, line in imports_of(path):
            theirs = layer_of(name)
            if theirs is not None and LAYERS.index(theirs) > LAYERS.index(own):
                offenders.append(f"{path.relative_to(ROOT)}:{line} ({own}) imports {name} ({theirs})")
    return offenders


def import_graph(paths: list[Path]) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in paths:
        own = module_name(path)
        graph[own] = {name for name, _ in imports_of(path) if name.startswith("simulator") and name != own}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan), each a cycle's members.

    The package's __init__ is left out: Python runs it before any submodule, so every module
    "imports" it; what counts is that no module imports the API back, checked by the layer rule.
    """
    graph = {m: {n for n in deps if n in graph and n != "simulator"} for m, deps in graph.items() if m != "simulator"}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_every_module_sits_in_a_layer():
    loose = [p.name for p in PACKAGE.glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert loose == [], "modules belong in simulator/core, views, io, live or ui"


def test_no_module_imports_a_higher_layer():
    assert upward_imports(modules()) == []


def test_no_import_cycles_even_through_function_local_imports():
    assert cycles(import_graph(modules())) == []


def test_no_layer_module_imports_the_public_api():
    """``from simulator import X`` inside the package would run every layer's code first."""
    offenders = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in modules()
        if layer_of(module_name(path)) in ("core", "views", "io") and module_name(path) != "simulator"
        for name, line in imports_of(path)
        if name == "simulator"
    ]
    assert offenders == []


def test_each_layer_uses_only_its_libraries():
    offenders = []
    for path in modules():
        allowed = THIRD_PARTY[layer_of(module_name(path))]
        for name, line in imports_of(path):
            top = name.split(".")[0]
            if top and top != "simulator" and top not in sys.stdlib_module_names and top not in allowed:
                offenders.append(f"{path.relative_to(ROOT)}:{line} imports {name}")
    assert offenders == []


def test_only_the_ui_package_and_the_page_import_streamlit():
    importers = {
        path.relative_to(ROOT).parts[:2]
        for path in [*modules(), ROOT / "streamlit_app.py"]
        for name, _ in imports_of(path)
        if name.split(".")[0] == "streamlit"
    }
    assert importers <= {("simulator", "ui"), ("streamlit_app.py",)}, importers


def test_importing_the_engine_and_cli_loads_no_ui_library():
    code = (
        "import sys, simulator, simulator.io.cli; "
        "print(sorted(m for m in ('streamlit', 'plotly', 'pandas') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


# --- the rules catch what they are for -----------------------------------------------------------


@pytest.fixture
def planted(tmp_path, monkeypatch):
    """A copy of the package in which a test may plant a bad import."""
    import shutil

    copy = tmp_path / "simulator"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGE", copy)
    return copy


def _plant(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n\ndef _planted():\n    {line}\n")


def test_a_planted_upward_import_inside_a_function_fails(planted):
    _plant(planted / "core" / "backprop.py", "from ..views.stages import build_stages  # noqa")
    assert any("core/backprop.py" in o and "simulator.views.stages" in o for o in upward_imports(modules()))


def test_a_planted_cycle_inside_the_core_fails(planted):
    _plant(planted / "core" / "activations.py", "from .backprop import step  # noqa")
    found = cycles(import_graph(modules()))
    assert any("simulator.core.activations" in c and "simulator.core.backprop" in c for c in found)
