"""deploy/run-local with two replicas behind HAProxy, driven through the proxy in Chromium.

One student steps, uploads a scenario and downloads it back (the download only exists in the process
holding the session: stickiness), the static files come back precompressed (gzip -9, zstd), then a second student opens
the first one's link on the same replica and does not click. The replica is killed: both pages come
back on the other one with their stage and weights, the first (last run a fragment run) and the second
(last run a full run, the case simulator.ui.reconnect exists for), whose Next button and right arrow
work at once. Every process run-local started is stopped at the end, even on failure
(tests.appserver.running_deploy).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from simulator import PRESETS, save_scenario, scenario_from_dict, scenario_to_dict

from .appserver import CHROMIUM, running_deploy

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

from playwright.sync_api import Page  # noqa: E402


def wait_for_heading(page: Page, start: str, timeout: float = 30_000) -> None:
    page.wait_for_function(
        "start => [...document.querySelectorAll('h3')].some(h => h.innerText.startsWith(start))",
        arg=start,
        timeout=timeout,
    )


def finished_runs(page: Page) -> list[list[float]]:
    """For each websocket the page opens, in order: the times it heard "script finished"."""
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    sockets: list[list[float]] = []

    def watch(socket_) -> None:
        finished: list[float] = []
        sockets.append(finished)

        def on_frame(payload) -> None:
            message = ForwardMsg()
            if isinstance(payload, bytes):
                message.ParseFromString(payload)
                if message.WhichOneof("type") == "script_finished":
                    finished.append(time.monotonic())

        socket_.on("framereceived", on_frame)

    page.on("websocket", watch)
    return sockets


def wait_for_failover(page: Page, sockets: list[list[float]], dead: str, deadline: float) -> None:
    """Until the page has a new websocket, on another replica, and a script run finished over it.

    Clicking earlier is racy in any Streamlit app: a fragment click that reaches a new session before its
    first full run has registered the fragment is dropped ("does not exist anymore").
    """
    while server_cookie(page) in (dead, "") or len(sockets) < 2 or not sockets[-1]:
        assert time.monotonic() < deadline, f"the page never came back on another replica: {sockets}"
        time.sleep(0.25)


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
    page.locator(".bp-next").first.click()  # the walk's Next (aria-label "Next stage")
    wait_for_heading(page, expected)


def download(page: Page, folder: Path) -> dict:
    """The scenario file, as a user gets it: a click that brought nothing (the button drawn by a run the
    failover cut short) is clicked once more, once the page has settled again."""
    for attempt in range(2):
        settle(page)
        try:
            with page.expect_download(timeout=20_000) as info:
                page.get_by_role("button", name="Download scenario (JSON)").click()
            break
        except PlaywrightTimeout as error:
            if attempt:  # what the page said meanwhile: a button Streamlit disabled is a page it thinks offline
                status = page.locator("[data-testid=stStatusWidget]").all_inner_texts()
                raise AssertionError(f"no download; the status widget said {status}, the URL {page.url}") from error
    path = folder / f"download-{time.monotonic_ns()}.json"
    info.value.save_as(path)
    return json.loads(path.read_text())


def precompressed_check(url: str, cookie: str) -> None:
    """The page's main script comes from HAProxy's precompressed copies: gzip -9 for a browser that takes
    gzip, zstd for one that also takes zstd (when run-local found the zstd command), a 304 for its etag,
    immutable caching; a client that takes neither gets the replica's plain file."""
    headers = {"Cookie": f"SERVERID={cookie}"}

    def get(path: str, **more: str):
        request = urllib.request.Request(f"{url}/{path}", headers={**headers, **more})
        try:
            return urllib.request.urlopen(request, timeout=10)
        except urllib.error.HTTPError as answer:  # 304 is an "error" to urllib
            return answer

    script = re.search(r'src="\./(static/js/[^"]+\.js)"', get("").read().decode())[1]
    plain = get(script)
    raw = plain.read()
    assert plain.headers.get("Content-Encoding") is None and len(raw) > 100_000
    zipped = get(script, **{"Accept-Encoding": "gzip, deflate"})
    packed = zipped.read()
    assert zipped.headers["Content-Encoding"] == "gzip" and gzip.decompress(packed) == raw
    assert len(packed) <= len(gzip.compress(raw, 9, mtime=0))  # level 9, not HAProxy's own libslz (about 1)
    assert zipped.headers["Cache-Control"] == "public, immutable, max-age=31536000"
    assert zipped.headers["Vary"] == "Accept-Encoding" and zipped.headers.get("Set-Cookie") is None
    assert get(script, **{"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["ETag"]}).status == 304

    chromium = get(script, **{"Accept-Encoding": "gzip, deflate, br, zstd"})
    body = chromium.read()
    if shutil.which("zstd"):
        assert chromium.headers["Content-Encoding"] == "zstd" and len(body) < len(packed)
        unpacked = subprocess.run(["zstd", "-dc"], input=body, capture_output=True, check=True).stdout
        assert unpacked == raw and chromium.headers["ETag"] != zipped.headers["ETag"]
    else:
        assert chromium.headers["Content-Encoding"] == "gzip" and body == packed


def test_sticky_sessions_gzip_and_failover(browser, tmp_path):
    scenario = PRESETS["xor"]
    upload = tmp_path / "xor.json"
    save_scenario(scenario, str(upload))
    with running_deploy(2) as deployment:
        try:
            page = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True).new_page()
            sockets = finished_runs(page)
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

            precompressed_check(deployment.url, first)

            # A second student opens the first one's link on the same replica, and does not click: the page's
            # last run is a full run, after which Streamlit's frontend asks for nothing when it reconnects.
            other_context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
            other_context.add_cookies([{"name": "SERVERID", "value": first, "url": deployment.url}])
            other = other_context.new_page()
            other_sockets = finished_runs(other)
            settle(page)
            other.goto(page.url)
            wait_for_heading(other, "Stage 3 of 16", 60_000)
            settle(other)
            assert server_cookie(other) == first

            os.kill(deployment.replicas[first][0], signal.SIGKILL)
            # Streamlit reconnects by itself, HAProxy sends both pages to the other replica, and both rerun in
            # full there: the first because its last run was a fragment run (Next), the second because of
            # simulator.ui.reconnect. Each new session rebuilds the view from the page's URL.
            deadline = time.monotonic() + 40
            wait_for_failover(page, sockets, first, deadline)
            wait_for_failover(other, other_sockets, first, deadline)
            for student in (page, other):
                wait_for_heading(student, "Stage 3 of 16")
                assert "stage=" in student.url and "data=" in student.url
            click_next(page, "Stage 4 of 16")  # a live session on the other replica answers
            assert same_scenario(download(page, tmp_path), scenario)  # same weights, from the URL

            click_next(other, "Stage 4 of 16")  # Next in the stepper's fragment, on a session that never clicked
            settle(other)
            other.keyboard.press("ArrowRight")  # the clicker, in the same fragment
            wait_for_heading(other, "Stage 5 of 16")
            assert same_scenario(download(other, tmp_path), scenario)
            assert server_cookie(other) == server_cookie(page) != first

            os.kill(deployment.pgid, signal.SIGTERM)  # to run-local alone, as systemd or Ctrl-C would
            deadline = time.monotonic() + 20
            while any(alive(pid) for pid in deployment.pids):
                assert time.monotonic() < deadline, [pid for pid in deployment.pids if alive(pid)]
                time.sleep(0.2)
        except Exception:
            ARTIFACTS.mkdir(exist_ok=True)
            for number, open_page in enumerate(p for context in browser.contexts for p in context.pages):
                open_page.screenshot(path=str(ARTIFACTS / f"deploy-failure-{number}.png"))
            raise


def same_scenario(downloaded: dict, scenario) -> bool:
    """A downloaded file holds exactly ``scenario``, read back with the app's own loader."""
    return scenario_to_dict(scenario_from_dict(downloaded)) == scenario_to_dict(scenario)
