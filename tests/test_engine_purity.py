"""The engine imports numpy and the standard library only."""

import ast
import pathlib
import subprocess
import sys

ENGINE = pathlib.Path(__file__).parents[1] / "simulator"
ALLOWED_THIRD_PARTY = {"numpy"}
# Builders of Plotly figures and pandas tables: they render what the math modules computed.
VIEW_MODULES = {"figures.py": {"plotly"}, "tables.py": {"pandas"}}


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
                allowed = ALLOWED_THIRD_PARTY | VIEW_MODULES.get(path.name, set())
                if top not in allowed and top not in sys.stdlib_module_names:
                    offenders.append(f"{path.name}: {name}")
    assert offenders == []


def test_importing_the_engine_loads_no_ui_library():
    code = (
        "import sys, simulator, simulator.cli; "
        "print(sorted(m for m in ('streamlit', 'plotly', 'pandas') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
