"""The walk the page receives is byte for byte what main's code built before the speed-ups (issue 16, round 5).

Each case (every preset, each notation and form, lecture / dark / spotlight, blank, code and tables off,
paper mode, the classic mistakes, biases, softmax, windows of large networks: ``tests/walk_hashes.py``)
builds the walk as the page does and hashes the JSON text it packs; the hashes in ``tests/walk_hashes.json``
were recorded from main at ccfcf9c. To record them again from a revision's code:
``python -m tests.walk_hashes --from REV`` (or without ``--from``: this tree's code). A change that should
alter the walk on purpose re-records them and says why in its commit.
"""

import json

import pytest

from .walk_hashes import FIXTURE, cases, digest, walk_text

RECORDED = json.loads(FIXTURE.read_text())["hashes"]
CASES = {name: case for name, *case in cases()}


def test_every_case_has_a_recorded_hash():
    assert sorted(CASES) == sorted(RECORDED)


@pytest.mark.parametrize("name", list(CASES))
def test_the_walk_is_the_one_main_built(name):
    assert digest(walk_text(*CASES[name])) == RECORDED[name], f"{name}: the walk's JSON differs from main's"
