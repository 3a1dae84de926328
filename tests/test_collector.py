"""The server's page module sets the garbage collector for a class (``simulator.ui.collector``)."""

import subprocess
import sys
from pathlib import Path

from simulator.ui.collector import SWITCH_INTERVAL, THRESHOLDS

ROOT = Path(__file__).resolve().parents[1]


def test_importing_the_page_as_the_server_does_freezes_the_start_and_raises_the_thresholds():
    probe = (
        "import gc, sys, streamlit_app;"
        " print(gc.get_threshold(), gc.get_freeze_count() > 10_000, sys.getswitchinterval())"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1] == f"{THRESHOLDS} True {SWITCH_INTERVAL}"
