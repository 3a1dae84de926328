"""The Handouts tab's downloads are the very files the CLI writes (issue 9)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from simulator import PRESETS
from simulator.io.cli import main as cli
from simulator.io.share import encode

from .test_browser import Visit

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def handouts(server, tabs):  # noqa: F811
    """The Handouts tab, one visit for both downloads (a click on a download button changes nothing on the page)."""
    query = "&".join(f"{k}={v}" for k, v in encode(PRESETS["two_outputs"], "forward.z1").items())
    view = Visit(tabs, f"{server}/?{query}")
    view.page.get_by_role("tab", name="Handouts").click()
    view.page.get_by_role("button", name="Download notebook (.ipynb)").wait_for(timeout=20_000)
    yield view
    view.close()


def downloaded(view: Visit, label: str) -> bytes:
    with view.page.expect_download(timeout=30_000) as download:
        view.page.get_by_role("button", name=label).click()
    return Path(download.value.path()).read_bytes()


def test_the_notebook_download_equals_the_cli_notebook(handouts, server, tmp_path):  # noqa: F811
    scenario_file = tmp_path / "two.json"
    scenario_file.write_text(__import__("simulator").scenario_to_json(PRESETS["two_outputs"]))
    cli(["notebook", str(scenario_file), "-o", str(tmp_path / "walk.ipynb"), "--app-url", f"{server}/"])
    assert downloaded(handouts, "Download notebook (.ipynb)") == (tmp_path / "walk.ipynb").read_bytes()
    handouts.check_clean()


def test_the_worksheet_download_holds_the_cli_files(handouts, server, tmp_path):  # noqa: F811
    cli(
        [
            "exercise",
            "--preset",
            "seed",
            "--seed",
            "7",
            "--count",
            "10",
            "--out",
            str(tmp_path),
            "--app-url",
            f"{server}/",
        ]
    )
    archive = zipfile.ZipFile(io.BytesIO(downloaded(handouts, "Download worksheets (.zip)")))
    written = {path.name: path.read_bytes() for path in tmp_path.iterdir()}
    assert {name: archive.read(name) for name in archive.namelist()} == written
    assert {"worksheet.md", "worksheet.html", "answers.md", "answers.html", "exercise-01.json"} <= set(written)
    handouts.check_clean()
