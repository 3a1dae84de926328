"""The engine imports numpy and the standard library only."""

import ast
import pathlib
import subprocess
import sys

ENGINE = pathlib.Path(__file__).parents[1] / "simulator"
ALLOWED_THIRD_PARTY = {"numpy"}
# Builders of Plotly figures, pandas tables and notebooks: they render what the math modules computed.
VIEW_SUFFIXES = {"figures.py": {"plotly"}, "tables.py": {"pandas"}, "notebook_export.py": {"nbformat"}}


def allowed_for(name: str) -> set[str]:
    return ALLOWED_THIRD_PARTY.union(*(libs for suffix, libs in VIEW_SUFFIXES.items() if name.endswith(suffix)))


def test_engine_modules_import_only_numpy_and_the_standard_library():
    offenders = []
    for path in sorted(ENGINE.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top not in allowed_for(path.name) and top not in sys.stdlib_module_names:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_importing_the_engine_loads_no_ui_library():
    code = (
        "import sys, simulator, simulator.cli; "
        "print(sorted(m for m in ('streamlit', 'plotly', 'pandas') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_the_ui_package_imports_streamlit():
    root = ENGINE.parent
    importers = set()
    for path in [*ENGINE.rglob("*.py"), root / "streamlit_app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            names += [node.module or ""] if isinstance(node, ast.ImportFrom) and node.level == 0 else []
            if any(n.split(".")[0] == "streamlit" for n in names):
                importers.add(path.relative_to(root).parts[:2])
    assert importers <= {("simulator", "ui"), ("streamlit_app.py",)}, importers
