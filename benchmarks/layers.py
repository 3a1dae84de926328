"""Print the package's tree with line counts and its import graph by layer (for reviews and notes)."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parents[1]))

from tests.test_layers import LAYERS, cycles, import_graph, layer_of, module_name, modules  # noqa: E402


def main() -> None:
    paths = modules()
    for path in paths:
        print(f"{len(path.read_text().splitlines()):5d}  {path.relative_to(path.parents[2])}")
    graph = import_graph(paths)
    edges = Counter((layer_of(a), layer_of(b)) for a, deps in graph.items() for b in deps if layer_of(b))
    per_layer = Counter(layer_of(module_name(p)) for p in paths)
    print("\nmodules per layer:", ", ".join(f"{layer} {per_layer[layer]}" for layer in LAYERS))
    print("imports between layers (from → to: count):")
    for (src, dst), count in sorted(edges.items(), key=lambda e: (LAYERS.index(e[0][0]), LAYERS.index(e[0][1]))):
        print(f"  {src} → {dst}: {count}")
    print("cycles:", cycles(graph) or "none")


if __name__ == "__main__":
    main()
