"""Hostile links and files in a real browser: user text is shown as text, never fetched or linked (issue 7)."""

from __future__ import annotations

import http.server
import json
import threading
import time
from urllib.parse import quote

import pytest

from simulator import SEED, scenario_to_dict

from .appserver import free_port
from .test_browser import Visit

pytestmark = pytest.mark.browser


@pytest.fixture
def listener():
    """A loopback HTTP server that counts every request: a tracking pixel would land here."""
    hits: list[str] = []

    class Count(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(204)
            self.end_headers()

        def log_message(self, *args):
            pass

    port = free_port()
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Count)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}", hits
    httpd.shutdown()


def test_a_link_full_of_markdown_fetches_nothing_and_shows_it_as_text(server, tabs, listener):  # noqa: F811
    base, hits = listener
    image = f"![p]({base}/pixel.png)"
    params = {
        "stage": image,
        "loss": f"![l]({base}/loss.png)",
        "act": f"![a]({base}/act.png),sigmoid",
        "x": f"![x]({base}/x.png)",
        "lr": "[Click to log in](https://evil.example/login)",
        f"![k]({base}/key.png)": "1",
        "mode": f"<img src='{base}/html.png'>",
    }
    query = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in params.items())
    view = Visit(tabs, f"{server}/?{query}")
    try:
        warning = view.page.locator("[data-testid=stAlertContentWarning]").first
        warning.wait_for(timeout=20_000)
        time.sleep(2.0)  # time enough for any image to be requested
        assert hits == []
        text = warning.inner_text()
        assert "![p](" in text  # the stage shown as the text that was typed
        assert "Click to log in" in text
        links = view.page.eval_on_selector_all(
            "a[href*='evil.example']", "els => els.map(e => e.closest('[data-testid]').outerHTML.slice(0, 400))"
        )
        assert links == []
        assert view.page.locator("[data-testid=stAlertContentWarning] img").count() == 0
        assert len(text) < 3_000  # user text is cut, not echoed whole
        view.check_clean()
    finally:
        view.close()


def test_an_uploaded_file_full_of_markdown_fetches_nothing(server, tabs, listener, tmp_path):  # noqa: F811
    base, hits = listener
    data = scenario_to_dict(SEED)
    data["activations"] = [f"![a]({base}/act.png)", "sigmoid"]
    data["loss"] = f"[phish](https://evil.example/{'x' * 30_000})"
    data[f"![key]({base}/key.png)"] = 1
    path = tmp_path / "[name](https:__evil.example).json"
    path.write_text(json.dumps(data))
    view = Visit(tabs, f"{server}/")
    try:
        view.page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
        view.page.wait_for_selector("text=must be one of", timeout=20_000)
        time.sleep(2.0)
        assert hits == []
        assert view.page.locator("a[href*='evil.example']").count() == 0
        body = view.page.inner_text("[data-testid=stSidebar]")
        assert "[name](https:__evil.example).json" in body
        assert "z1 = [ 0.24 -0.46]" in view.code()  # the last good scenario stays
        view.check_clean()
    finally:
        view.close()


CRASH = (  # issue 15's minimal link: fine at full precision, overflows under the mistake
    "layers=1-1-1-1-1&act=linear,linear,linear,sigmoid&loss=half_squared_error&w1=1e6&w2=1e6&w3=1e6&w4=1e6"
    "&x=1e6&t=0&lr=100&mistake=slope_from_z"
)


@pytest.mark.parametrize(
    ("query", "says"),
    [
        (CRASH, "mistake: ignored, with the classic mistake"),
        ("x=" + "9" * 30_000 + "x", "x: must have 3 numbers (one per input unit of layers [3, 2, 1]), got 1"),
        ("layers=" + "-" * 60_000, "layers: ignored, could not be read (more than 32 layer sizes)"),
    ],
)
def test_a_hostile_link_opens_the_page_with_a_warning_not_an_error(server, tabs, query, says):
    view = Visit(tabs, f"{server}/?{query}")
    try:
        warning = view.page.locator("[data-testid=stAlertContentWarning]").first
        warning.wait_for(timeout=60_000)
        text = warning.inner_text()
        assert says in text and len(text) < 3_000
        view.page.keyboard.press("ArrowRight")  # the walk still steps
        view.check_clean()
    finally:
        view.close()
