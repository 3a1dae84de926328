"""The walk's KaTeX stylesheet matches the KaTeX module it imports from Streamlit's bundle.

Streamlit's page stylesheet carries KaTeX 0.16's rules, while the module the walk imports
(``static/js/katex.*.js``) is newer and names its classes differently (``katex-sizing``, ``katex-strut``):
with the wrong rules every script and ``\\underset`` row of a formula is drawn full size and overlaps.
"""

from __future__ import annotations

import re
from pathlib import Path

from simulator.ui import walk_assets, walk_view

UI = Path(walk_view.__file__).parent


def test_the_vendored_stylesheet_is_for_the_module_streamlit_ships():
    module = (walk_view._STREAMLIT_JS / walk_view.KATEX).read_text()
    shipped = set(re.findall(r"version:`(\d+\.\d+\.\d+)`", module))
    vendored = re.findall(r'katex-version:after\{content:"([\d.]+)"\}', (UI / "katex.css").read_text())
    assert vendored and shipped == set(vendored), (shipped, vendored)
    assert "katex-sizing" in module  # the class names the vendored rules style


def test_the_stylesheet_only_styles_the_walk():
    rules = re.findall(r"([^{}]+)\{[^{}]*\}", re.sub(r"/\*.*?\*/", "", (UI / "katex.css").read_text(), flags=re.S))
    selectors = [s.strip() for rule in rules for s in rule.split(",")]
    assert len(selectors) > 200 and all(s.startswith(".bp-walk ") for s in selectors)
    assert walk_assets.CSS.startswith((UI / "katex.css").read_text())  # first: walk.css may override it
