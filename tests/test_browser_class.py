"""A live class in Chromium through ``deploy/run-local --replicas 2`` (HAProxy, Redis): one deployment.

The lecturer (1920×1080, lecture mode, replica app1) starts a class; three phones (390×844) join by its
link: two in one browser context on app1 (light), one in another on app2 (dark). They follow the stage,
the lecturer asks, they answer right, forgot-the-slope and a sign slip, and the projector's chart shows
1/1/1. A page with a made-up presenter key gets a student's view, and the lecturer's Ask message replayed
on its websocket (without the key) opens nothing. Replica app2 is killed mid-question: its phone's polls
and answer reach app1 (HAProxy redispatches them) with the same tab token (kept in sessionStorage): its
answer is still counted, and changing it moves the tally instead of adding a fourth answer. Reveal: each
phone shows its own verdict.
Screenshots of the projector and the phones land in test-artifacts/.
"""

from __future__ import annotations

import os
import re
import signal
import time
from pathlib import Path

import pytest

from .appserver import CHROMIUM, running_deploy

pytestmark = pytest.mark.browser
HAPROXY, REDIS = "/usr/sbin/haproxy", "/usr/bin/redis-server"
ARTIFACTS = Path(__file__).parents[1] / "test-artifacts"
WAIT = 60_000
ANSWERS = ("0,108040 -0,294441", "0.132191 -0.277743", "-0.108040 0.294441")  # right, forgot slope, sign slip

missing = [f"{what} not found at {path}" for what, path in (("Chromium", CHROMIUM), ("HAProxy", HAPROXY),
           ("redis-server", REDIS)) if not Path(path).exists()]  # fmt: skip
if missing:
    message = "; ".join(missing) + ": apt-get install -y chromium haproxy redis-server"
    if os.environ.get("CI"):
        raise RuntimeError(message + " — CI must not skip the live-class browser test")
    pytest.skip(message, allow_module_level=True)

from playwright.sync_api import Page  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402


def settle(page: Page) -> None:
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget] [data-testid=stStatusWidgetRunningIcon]')",
        timeout=WAIT,
    )
    time.sleep(0.3)


def wait_heading(page: Page, start: str, timeout: float = WAIT) -> None:
    page.wait_for_function(
        "start => [...document.querySelectorAll('h3')].some(h => h.innerText.startsWith(start))",
        arg=start,
        timeout=timeout,
    )


def wait_text(page: Page, text: str, timeout: float = WAIT) -> None:
    page.wait_for_function("text => document.body.innerText.includes(text)", arg=text, timeout=timeout)


def server_cookie(page: Page) -> str:
    return next((c["value"] for c in page.context.cookies() if c["name"] == "SERVERID"), "")


def bar_counts(page: Page) -> dict[str, int]:
    """The projector's bar chart, read from Plotly's own data on the page."""
    return page.evaluate(
        """() => {
            for (const plot of document.querySelectorAll('.js-plotly-plot')) {
                const bars = (plot.data || []).find(trace => trace.type === 'bar');
                if (bars) return Object.fromEntries(Array.from(bars.y).map((name, k) => [name, Number(bars.x[k])]));
            }
            return {};
        }"""
    )


def shot(page: Page, name: str) -> None:
    page.evaluate("() => window.scrollTo(0, 0)")
    time.sleep(0.3)
    page.screenshot(path=str(ARTIFACTS / name))


def context(browser, url: str, replica: str, width: int, height: int, scheme: str = "light"):
    made = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    made.add_cookies([{"name": "SERVERID", "value": replica, "url": url}])  # HAProxy's sticky cookie
    return made


def start_class(page: Page, url: str) -> str:
    """The lecturer opens the page in lecture mode and starts a class; the students' link."""
    page.goto(url + "/?mode=lecture")
    wait_heading(page, "Stage 1 of 12")
    page.wait_for_selector(".js-plotly-plot", timeout=WAIT)  # Plotly's chunk loaded: the page is still
    settle(page)
    page.get_by_role("button", name="Presenter").click()
    page.get_by_role("button", name="Start a class session").click()
    page.get_by_role("button", name="QR").click()  # a click outside closes the popover
    dialog = page.get_by_role("dialog")
    dialog.locator("img").wait_for(timeout=WAIT)
    link = dialog.locator("[data-testid=stCode] code").inner_text().strip()
    time.sleep(0.5)
    page.screenshot(path=str(ARTIFACTS / "class-projector-join.png"))
    dialog.get_by_role("button", name="Close").click()
    dialog.wait_for(state="detached", timeout=WAIT)
    return link


def go_to_stage(page: Page, number: int) -> None:
    """The walk's stage picker: the browser turns the page; the class panel's fragment follows the URL."""
    settle(page)
    page.locator("select.bp-picker").select_option(value=str(number - 1))
    wait_heading(page, f"Stage {number} of 12")


def send(phone: Page, text: str, confirmed: tuple[str, ...] = ("Your answer is in",)) -> None:
    field = phone.get_by_label(re.compile("Your prediction"))
    field.wait_for(timeout=WAIT)
    field.fill(text)
    phone.get_by_role("button", name="Send").click()
    phone.wait_for_function(
        "words => words.some(w => document.body.innerText.includes(w))", arg=list(confirmed), timeout=WAIT
    )


def captured_frames(page: Page) -> list[bytes]:
    """Every binary message the page sends over its websockets, in order."""
    frames: list[bytes] = []
    page.on("websocket", lambda ws: ws.on("framesent", lambda p: frames.append(p) if isinstance(p, bytes) else None))
    return frames


def without_key(frame: bytes, query: str) -> bytes:
    """A replayed rerun request as a student could send it: the student's own URL, not the lecturer's."""
    message = BackMsg()
    message.ParseFromString(frame)
    message.rerun_script.query_string = query
    return message.SerializeToString()


def test_a_class_on_two_replicas(browser):
    ARTIFACTS.mkdir(exist_ok=True)
    with running_deploy(2) as deployment:
        try:
            run_class(browser, deployment)
        except Exception:
            for number, page in enumerate(p for c in browser.contexts for p in c.pages):
                page.screenshot(path=str(ARTIFACTS / f"class-failure-{number}.png"))
            raise


def refused_without_key(forged: Page, link: str, code: str, ask_frame: bytes, lecturer: Page) -> None:
    """An edited URL with a made-up key, then the lecturer's Ask replayed on this page's own websocket."""
    sockets = []
    forged.route_web_socket(re.compile("_stcore/stream"), lambda ws: sockets.append((ws, ws.connect_to_server())))
    forged.goto(link + "&presenter=" + "x" * 32)
    wait_heading(forged, "Stage 9 of 12")
    wait_text(forged, "only the presenter")
    assert forged.get_by_role("button", name="Ask the class").count() == 0
    sockets[-1][1].send(without_key(ask_frame, f"class={code}&presenter={'x' * 32}"))
    time.sleep(3)
    wait_text(lecturer, "Question 1 ")
    assert "Question 2" not in lecturer.locator("body").inner_text()
    forged.close()


def failed_over(deployment, phone: Page, lecturer: Page, counts: dict[str, int]) -> None:
    """The phone's replica dies mid-question: its polls and its answer reach the other replica (HAProxy
    redispatches them), with the same tab token (sessionStorage), so its answer moves instead of counting twice."""
    os.kill(deployment.replicas["app2"][0], signal.SIGKILL)  # mid-question: the dark phone's replica dies
    deadline = time.monotonic() + 60
    while server_cookie(phone) != "app1":  # the next poll is redispatched and gets app1's cookie
        assert time.monotonic() < deadline, "the phone never came back on app1"
        time.sleep(0.5)
    wait_text(lecturer, ": 3 answered")  # what it sent before is still counted
    send(phone, ANSWERS[0])  # changed: now right
    wait_text(phone, f"Sent: {ANSWERS[0]}")
    lecturer.wait_for_function("() => document.body.innerText.includes(': 3 answered')", timeout=10_000)
    deadline = time.monotonic() + 10
    while bar_counts(lecturer) != {"right": 2, list(counts)[1]: 1}:
        assert time.monotonic() < deadline, bar_counts(lecturer)
        time.sleep(0.5)


def run_class(browser, deployment) -> None:
    url = deployment.url
    lecturer = context(browser, url, "app1", 1920, 1080).new_page()
    frames = captured_frames(lecturer)
    link = start_class(lecturer, url)
    code = link.rsplit("=", 1)[1]
    assert "presenter" not in link and "presenter=" in lecturer.url

    light, dark = context(browser, url, "app1", 390, 844), context(browser, url, "app2", 390, 844, "dark")
    phones = [light.new_page(), light.new_page(), dark.new_page()]
    for phone in phones:
        phone.goto(link)
        wait_heading(phone, "Stage 1 of 12")
    assert [server_cookie(p) for p in phones] == ["app1", "app1", "app2"]

    go_to_stage(lecturer, 9)
    moved = time.monotonic()
    for phone in phones:
        wait_heading(phone, "Stage 9 of 12", 60_000)  # 1-2 s on a quiet machine; 15-35 s at load average 20 here
    lag = time.monotonic() - moved
    print(f"phones followed the stage in {lag:.1f} s")

    sent_before = len(frames)
    settle(lecturer)
    lecturer.get_by_role("button", name="Ask the class").click()
    wait_text(lecturer, "Question 1")
    ask_frame = next(f for f in frames[sent_before:] if BackMsg.FromString(f).WhichOneof("type") == "rerun_script")
    for phone, text in zip(phones, ANSWERS):
        send(phone, text)
    wait_text(lecturer, ": 3 answered", 10_000)
    counts, deadline = bar_counts(lecturer), time.monotonic() + 10
    while sum(counts.values()) < 3 and time.monotonic() < deadline:  # Plotly redraws just after the count's text
        time.sleep(0.2)
        counts = bar_counts(lecturer)
    assert list(counts.values()) == [1, 1, 1], counts
    assert list(counts)[0] == "right" and list(counts)[2] == "sign slip" and "slope" in list(counts)[1]
    shot(lecturer, "class-projector-tally.png")
    shot(phones[0], "class-phone-light.png")
    shot(phones[2], "class-phone-dark.png")

    refused_without_key(dark.new_page(), link, code, ask_frame, lecturer)

    failed_over(deployment, phones[2], lecturer, counts)

    settle(lecturer)
    lecturer.get_by_role("button", name="Reveal all").click()
    wait_text(phones[0], "Right.", 10_000)
    wait_text(phones[1], "slope", 10_000)
    wait_text(phones[2], "Right.", 10_000)
    shot(phones[0], "class-phone-light-revealed.png")
    shot(phones[2], "class-phone-dark-revealed.png")
