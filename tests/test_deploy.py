"""deploy/run-local with two replicas behind HAProxy, driven through the proxy in Chromium.

One student steps, uploads a scenario and downloads it back (the download only exists in the process
holding the session: stickiness), the static files come back gzipped, then the replica serving the
page is killed and the page recovers on the other one with the same stage and weights. Every process
run-local started is stopped at the end, even on failure (tests.appserver.running_deploy).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import signal
import time
import urllib.request
from pathlib import Path

import pytest

from simulator import PRESETS, save_scenario, scenario_from_dict, scenario_to_dict

from .appserver import CHROMIUM, CHROMIUM_FLAGS, running_deploy

pytestmark = pytest.mark.browser
HAPROXY = "/usr/sbin/haproxy"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"

missing = [f"{what} not found at {path}" for what, path in (("Chromium", CHROMIUM), ("HAProxy", HAPROXY))
           if not Path(path).exists()]  # fmt: skip
if missing:
    message = "; ".join(missing) + ": apt-get install -y chromium haproxy"
    if os.environ.get("CI"):
        raise RuntimeError(message + " — CI must not skip the deploy test")
    pytest.skip(message, allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402


def wait_for_heading(page: Page, start: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "start => [...document.querySelectorAll('h3')].some(h => h.innerText.startsWith(start))",
        arg=start,
        timeout=timeout,
    )


def count_finished_runs(page: Page) -> list[float]:
    """Times at which the page heard "script finished" over any of its websockets."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    finished: list[float] = []

    def on_frame(payload) -> None:
        message = ForwardMsg()
        if isinstance(payload, bytes):
            message.ParseFromString(payload)
            if message.WhichOneof("type") == "script_finished":
                finished.append(time.monotonic())

    page.on("websocket", lambda socket_: socket_.on("framereceived", on_frame))
    return finished


def alive(pid: int) -> bool:
    try:
        return "\tZ" not in Path(f"/proc/{pid}/status").read_text().split("State:")[1][:4]
    except OSError:
        return False


def server_cookie(page: Page) -> str:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "SERVERID"), "")


def settle(page: Page) -> None:
    """Wait until no script run is in progress (during a rerun the old and new elements coexist)."""
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]')",
        timeout=30_000,
    )
    time.sleep(0.3)


def click_next(page: Page, expected: str) -> None:
    settle(page)
    page.get_by_role("button", name="Next", exact=True).first.click()
    wait_for_heading(page, expected)


def download(page: Page, folder: Path) -> dict:
    settle(page)
    with page.expect_download(timeout=20_000) as info:
        page.get_by_role("button", name="Download scenario (JSON)").click()
    path = folder / f"download-{time.monotonic_ns()}.json"
    info.value.save_as(path)
    return json.loads(path.read_text())


def gzip_check(url: str, cookie: str) -> None:
    """A static JS file asked for with Accept-Encoding: gzip comes back gzipped, and unzips to the original."""
    headers = {"Cookie": f"SERVERID={cookie}"}
    index = urllib.request.urlopen(urllib.request.Request(url + "/", headers=headers), timeout=10).read().decode()
    script = re.search(r'src="\./(static/js/[^"]+\.js)"', index)[1]
    plain = urllib.request.urlopen(urllib.request.Request(f"{url}/{script}", headers=headers), timeout=10)
    zipped = urllib.request.urlopen(
        urllib.request.Request(f"{url}/{script}", headers={**headers, "Accept-Encoding": "gzip"}), timeout=10
    )
    assert plain.headers.get("Content-Encoding") is None
    assert zipped.headers["Content-Encoding"] == "gzip"
    raw, packed = plain.read(), zipped.read()
    assert gzip.decompress(packed) == raw and len(packed) < len(raw) / 2


def test_sticky_sessions_gzip_and_failover(tmp_path):
    scenario = PRESETS["xor"]
    upload = tmp_path / "xor.json"
    save_scenario(scenario, str(upload))
    with running_deploy(2) as deployment, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True).new_page()
            finished = count_finished_runs(page)
            page.goto(deployment.url + "/")
            wait_for_heading(page, "Stage 1 of 12", 60_000)
            first = server_cookie(page)
            assert first in deployment.replicas, page.context.cookies()
            click_next(page, "Stage 2 of 12")

            page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(upload))
            wait_for_heading(page, "Stage 1 of 16")
            assert same_scenario(download(page, tmp_path), scenario)
            click_next(page, "Stage 2 of 16")
            click_next(page, "Stage 3 of 16")
            assert server_cookie(page) == first  # every request so far reached the same process

            gzip_check(deployment.url, first)

            killed_at = time.monotonic()
            os.kill(deployment.replicas[first][0], signal.SIGKILL)
            # Streamlit reconnects by itself; HAProxy sends it to the other replica, where the page reruns
            # from its URL (the last run was a fragment run, so the frontend asks for a full rerun).
            while server_cookie(page) in (first, "") or not any(t > killed_at for t in finished):
                assert time.monotonic() < killed_at + 40, "the page never came back on the other replica"
                time.sleep(0.25)
            wait_for_heading(page, "Stage 3 of 16")
            assert "stage=" in page.url and "data=" in page.url
            click_next(page, "Stage 4 of 16")  # a live session on the other replica answers
            assert same_scenario(download(page, tmp_path), scenario)  # same weights, from the URL

            os.kill(deployment.pgid, signal.SIGTERM)  # to run-local alone, as systemd or Ctrl-C would
            deadline = time.monotonic() + 20
            while any(alive(pid) for pid in deployment.pids):
                assert time.monotonic() < deadline, [pid for pid in deployment.pids if alive(pid)]
                time.sleep(0.2)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for context in browser.contexts:
                for open_page in context.pages:
                    open_page.screenshot(path=str(ARTIFACTS / "deploy-failure.png"))
            raise
        finally:
            browser.close()


def same_scenario(downloaded: dict, scenario) -> bool:
    """A downloaded file holds exactly ``scenario``, read back with the app's own loader."""
    return scenario_to_dict(scenario_from_dict(downloaded)) == scenario_to_dict(scenario)
