"""The walk's JSON for a broad set of scenarios × views, as hashes: the fixture ``tests/walk_hashes.json``.

Speed-ups of the walk's build must not change one byte of what the page receives. Each case below builds
the walk the way the page does (``simulator.ui.walk_view._built``, then ``packed``) and hashes the JSON text
``packed`` compresses (unpacked again, so the hash covers the packing too). The fixture was recorded from
main's code at ccfcf9c (this branch's start); regenerate it from any revision's code with

    python -m tests.walk_hashes --from ccfcf9c     (the revision's simulator/, exported with git archive)
    python -m tests.walk_hashes                    (this tree's code)

Cases: every preset, each notation and form, lecture / dark / spotlight, blank (one hidden stage, as the
quiz and Blank the answer send), code and tables off, paper mode, every classic mistake that applies to the
seed and to XOR (one with paper mode, one blanked), scenarios with biases, tanh, ReLU, softmax with
cross-entropy, and windows of large networks (4 × 8, 8 × 16).
"""

from __future__ import annotations

import argparse
import base64
import dataclasses
import gzip
import hashlib
import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import numpy as np

FIXTURE = Path(__file__).with_name("walk_hashes.json")
ROOT = Path(__file__).resolve().parents[1]


def network_data(layers: int, units: int, seed: int = 15) -> dict:
    """n layers of n units, tanh then sigmoid, with biases, random weights (``tests/test_walk_window.network``)."""
    rng = np.random.default_rng(seed)
    return {
        "version": 1,
        "layers": [units] * layers,
        "activations": ["tanh"] * (layers - 2) + ["sigmoid"],
        "loss": "half_squared_error",
        "weights": [rng.uniform(-1, 1, (units, units)).tolist() for _ in range(layers - 1)],
        "biases": [rng.uniform(-1, 1, units).tolist() for _ in range(layers - 1)],
        "learning_rate": 0.5,
        "x": rng.uniform(-1, 1, units).tolist(),
        "target": rng.uniform(0, 1, units).tolist(),
    }


SOFTMAX = {
    "version": 1,
    "layers": [3, 4, 3],
    "activations": ["relu", "softmax"],
    "loss": "cross_entropy",
    "weights": [
        [[0.5, -0.6, 0.2, 0.05], [0.1, -0.2, 0.4, -0.3], [0.1, 0.7, -0.5, 0.25]],
        [[0.1, -0.3, 0.2], [-0.3, 0.6, 0.1], [0.25, 0.15, -0.45], [0.05, -0.2, 0.35]],
    ],
    "biases": [[0.1, -0.1, 0.0, 0.2], [0.0, 0.05, -0.05]],
    "learning_rate": 0.3,
    "x": [0.5, -1.2, 2.0],
    "target": [0.0, 1.0, 0.0],
}
TANH_NET = {
    "version": 1,
    "layers": [2, 3, 2],
    "activations": ["tanh", "linear"],
    "loss": "half_squared_error",
    "weights": [[[0.9, -0.4, 0.3], [-0.2, 0.8, 0.00012]], [[0.5, -1.5], [2.0, 0.1], [-0.7, 0.3]]],
    "biases": None,
    "learning_rate": 0.05,
    "x": [1.5, -0.25],
    "target": [0.2, -0.8],
}


def cases():
    """(name, scenario JSON, mistake, digits, notation, form, WalkView) of every case, in a fixed order."""
    from simulator import PRESETS
    from simulator.core.mistakes import MISTAKES, inapplicable
    from simulator.core.scenario import scenario_from_dict, scenario_to_json
    from simulator.views.forms import FORMS
    from simulator.views.notation import NOTATIONS
    from simulator.views.walk import WalkView

    def compact(scenario) -> str:
        return scenario_to_json(dataclasses.replace(scenario, dataset=None), indent=None)

    scenarios = {name: compact(s) for name, s in PRESETS.items()}
    scenarios["softmax"] = compact(scenario_from_dict(SOFTMAX))
    scenarios["tanh_linear"] = compact(scenario_from_dict(TANH_NET))
    scenarios["net_3x4"] = compact(scenario_from_dict(network_data(3, 4)))
    lecture = {"lecture": True, "width": 660}
    looks = {
        "plain": {},
        "lecture": lecture,
        "dark": {"dark": True},
        "spotlight": {"spotlight": True},
        "lecture_dark_spotlight": {**lecture, "dark": True, "spotlight": True},
        "no_code": {"code": False},
        "no_tables": {"tables": False},
        "bare": {"code": False, "tables": False},
    }
    found = []

    def add(name, scenario, mistake=None, digits=None, notation="zad", form="matrix", **view):
        found.append((name, scenarios[scenario], mistake, digits, notation, form, WalkView(notation=notation, **view)))

    for scenario in scenarios:
        for notation in NOTATIONS:
            for form in FORMS:
                add(f"{scenario}/{notation}/{form}", scenario, notation=notation, form=form)
        for look, options in looks.items():
            add(f"{scenario}/{look}", scenario, **options)
        add(f"{scenario}/paper3", scenario, digits=3)
        add(f"{scenario}/mazur_scalar_lecture_paper2", scenario, digits=2, notation="mazur", form="scalar", **lecture)
    seed_ids = ("forward.z1", "forward.a1", "forward.z2", "forward.a2", "loss", "delta.2", "delta.1")
    seed_ids += ("gradient.W2", "update.W2", "gradient.W1", "update.W1", "apply")
    for k in (0, 3, 4, 5, 7, 8, 9, 11):  # blank the answer / the quiz: stages up to k, stage k blanked
        blanked = {"hidden": frozenset({seed_ids[k]}), "limit": k + 1}
        add(f"seed/blank{k}", "seed", **blanked)
        add(f"seed/blank{k}/mazur_lecture", "seed", notation="mazur", **blanked, **lecture)
    add("seed/blank_many", "seed", hidden=frozenset(seed_ids[3:10]), limit=10, spotlight=True)
    add("seed/limit6", "seed", limit=6)
    for scenario in ("seed", "xor", "two_outputs", "softmax"):
        for mistake in MISTAKES:
            if inapplicable(mistake, scenario_from_dict(json.loads(scenarios[scenario]))) is None:
                add(f"{scenario}/mistake/{mistake}", scenario, mistake=mistake)
    for mistake in list(MISTAKES)[:3]:
        add(f"seed/mistake/{mistake}/paper3_scalar", "seed", mistake=mistake, digits=3, form="scalar")
        add(f"seed/mistake/{mistake}/blank9", "seed", mistake=mistake, hidden=frozenset({"gradient.W1"}), limit=10)
        add(f"seed/mistake/{mistake}/lecture_dark", "seed", mistake=mistake, dark=True, **lecture)
    scenarios["net_4x8"] = compact(scenario_from_dict(network_data(4, 8)))
    scenarios["net_8x16"] = compact(scenario_from_dict(network_data(8, 16)))
    for first, limit in ((0, 17), (17, 23)):  # the page's windows: per_message((8,) * 4) == 17
        add(f"net_4x8/window{first}", "net_4x8", first=first, limit=limit)
    add("net_4x8/window17/lecture_dark", "net_4x8", first=17, limit=23, dark=True, **lecture)
    for first in (0, 24, 50):  # per_message((16,) * 8) == 2
        add(f"net_8x16/window{first}", "net_8x16", first=first, limit=min(first + 2, 51))
    return found


def walk_text(scenario_json, mistake, digits, notation, form, view) -> str:
    """The JSON text the page receives for one case (``packed``, unpacked again)."""
    from simulator.ui import walk_view
    from simulator.views.walk import packed

    built = walk_view._built(scenario_json, mistake, digits, notation, form, view)
    return gzip.decompress(base64.b64decode(packed(built))).decode()


# NumPy's exp rounds differently with each CPU's vector instructions, in the last bit. Two things the walk shows
# carry that bit: a gradient check's relative error, a difference of two nearly equal numbers whose digits are
# rounding noise (1.4e-10 on an AVX-512 machine, 5.0e-11 with AVX-512 switched off, the seed's W2[1,1]), and a
# number the NumPy printout writes in full (0.35856428487987935 against …793). The first is hashed as a mask,
# the second to 14 significant digits, so the fixture holds on any machine; every other byte counts.
NOISE = re.compile(
    r"\d\.\de[-+]\d\d(?=</td><td[^>]*>(?:True|False)</td>)|(?<=largest relative error is )\d\.\de[-+]\d\d"
)
FULL = re.compile(r"\d+\.\d{15,}(?:e[-+]\d+)?")  # repr of a float in full: 16–17 significant digits


def digest(text: str) -> str:
    text = FULL.sub(lambda m: f"{float(m[0]):.14g}", NOISE.sub("ε", text))
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def hashes() -> dict[str, str]:
    return {name: digest(walk_text(*case)) for name, *case in cases()}


def _from_revision(revision: str) -> dict[str, str]:
    """:func:`hashes` computed by ``revision``'s simulator package (this file run inside its exported tree)."""
    with tempfile.TemporaryDirectory() as folder:
        archive = Path(folder) / "tree.tar"
        subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), revision, "simulator"], check=True)
        with tarfile.open(archive) as tar:
            tar.extractall(Path(folder) / "tree", filter="data")
        script = f"import sys; sys.path.insert(0, {str(Path(folder) / 'tree')!r}); sys.path.insert(1, {str(ROOT)!r})\n"
        script += "import json, tests.walk_hashes as h; print(json.dumps(h.hashes()))"
        done = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
        return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--from", dest="revision", metavar="REV", help="compute them with REV's simulator package")
    args = parser.parse_args()
    found = _from_revision(args.revision) if args.revision else hashes()
    revision = args.revision or "this tree"
    FIXTURE.write_text(json.dumps({"revision": revision, "hashes": found}, indent=1, ensure_ascii=False) + "\n")
    print(f"{len(found)} walks hashed ({revision}) into {FIXTURE}")


if __name__ == "__main__":
    main()
