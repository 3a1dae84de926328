"""Shared test settings: Hypothesis profiles, and the browser tests' one app server and one Chromium.

How the suite is split and how long each part takes: docs/testing.md.
"""

import collections
import contextlib
import os

import pytest
from hypothesis import HealthCheck, settings

# ci (the same examples every run) and dev (new ones each run) are the small default; thorough
# (HYPOTHESIS_PROFILE=thorough) runs 10,000 examples a test, for a deep run before a change lands.
SMALL = 30
settings.register_profile("ci", max_examples=SMALL, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=SMALL, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


# --- browser tests: one app server and one Chromium per session (per xdist worker) ----------------


# Modules by the worker-seconds they took (docs/testing.md, `--durations=0` summed per module), longest first.
# xdist hands whole modules out in collection order (`--no-loadscope-reorder`; its default order is by test
# count, which put a 1-test, half-minute deploy module last and left one worker idle meanwhile): the long ones
# start early and the many short ones fill both workers up to the end. A module not listed goes after these,
# most tests first; one that grows past a listed one belongs in the list.
LONGEST_FIRST = (
    "test_browser_layout",
    "test_browser_class",  # one test, a deployment of its own: started early, the short modules fill in beside it
    "test_browser_classroom",
    "test_browser_teach",
    "test_browser_walk",
    "test_browser_edit",
    "test_browser_lab",
    "test_browser",
    "test_deploy",
    "test_browser_hostile",
    "test_browser_learning",
    "test_browser_big",
    "test_notebook_export",
    "test_browser_state",
    "test_browser_handouts",
    "test_app_class",
    "test_app",
    "test_cli",
    "test_views_forms",
    "test_live_classroom",
    "test_app_big",
    "test_lab_xor",
    "test_layers",
)


def pytest_collection_modifyitems(items):
    """Modules longest first, each whole and in its own order. The browser modules run early: every later module
    then runs while the worker's Chromium lives, and Playwright's sync API keeps its event loop marked running
    meanwhile, so no test may call asyncio.run or start a second sync_playwright (use `browser`); AppTest and
    nbclient cope."""
    rank = {name: k for k, name in enumerate(LONGEST_FIRST)}
    count = collections.Counter(item.path for item in items)
    items.sort(key=lambda item: (rank.get(item.path.stem, len(rank)), -count[item.path], str(item.path)))


@pytest.fixture(scope="session")
def _app_urls():
    """A function giving the URL of the session's app server, started on first use and again if it died."""
    from .appserver import healthy, running_app

    with contextlib.ExitStack() as servers:
        urls = []

        def url() -> str:
            if not urls or not healthy(urls[-1], timeout=15):  # a busy server is slow, not dead
                urls.append(servers.enter_context(running_app()))
            return urls[-1]

        yield url


@pytest.fixture(scope="module")
def server(_app_urls):
    """The app on a loopback port: one server for every module (they all run it with the same options)."""
    return _app_urls()


@pytest.fixture(scope="session")
def _chromium():
    """Debian's Chromium under Playwright, launched once (the modules using it fail in CI, or skip elsewhere,
    without it)."""
    from playwright.sync_api import sync_playwright

    from .appserver import CHROMIUM, CHROMIUM_FLAGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def browser(_chromium, _tabs):
    """The session's Chromium, for tests that need a browser context of their own (the deployments' sticky
    cookies); the others open pages with ``tabs``. What a module leaves open is closed after it, so the next
    module starts with no page of its."""
    yield _chromium
    for context in list(_chromium.contexts):
        if context is not _tabs.context:
            context.close()


class Tabs:
    """Pages of one browser context, reused from test to test: each test gets a page on about:blank at its window
    size and colour scheme, with the app's origin storage cleared (localStorage, IndexedDB; sessionStorage goes
    on release), so it sees the app as a first-time visitor does.

    Why reuse: a page that loads the app again keeps its renderer, whose V8 has Streamlit's, Plotly's and the
    walk's scripts compiled, and the context's HTTP cache has the files: a load costs ≈4 s of Chromium CPU there
    against ≈11 s in a new context (docs/testing.md). A page is reused only at the window and scheme it was
    opened with (Streamlit's sidebar came back collapsed on a 1280-wide page a test had turned to 390 px, though
    the storage was clear); a test that resizes its page leaves it closed."""

    def __init__(self, context):
        self.context = context
        self.idle: dict[tuple, list] = {}
        self.busy: dict = {}  # page → (width, height, scheme) it was opened with

    def open(self, url: str, width: int = 1280, height: int = 800, scheme: str = "light"):
        """A page for ``url``'s origin, not yet navigated: the caller listens to it first, then goes to ``url``."""
        key = (width, height, scheme)
        pool = self.idle.setdefault(key, [])
        page = pool.pop() if pool else self.context.new_page()
        self.busy[page] = key
        page.set_default_timeout(30_000)  # Playwright's default; a test may have raised it
        page.set_viewport_size({"width": width, "height": height})
        page.emulate_media(color_scheme=scheme)
        page.mouse.move(0, 0)  # as on a new page: nothing hovered
        origin = "/".join(url.split("/")[:3])
        cdp = self.context.new_cdp_session(page)
        cdp.send("Storage.clearDataForOrigin", {"origin": origin, "storageTypes": "local_storage,indexeddb"})
        cdp.detach()
        return page

    def release(self, page) -> None:
        """Back to about:blank (the app's session ends, its scripts stop) and into the pool."""
        key = self.busy.pop(page, None)
        if page.is_closed():
            return
        if key is None or page.viewport_size != {"width": key[0], "height": key[1]}:
            page.close()
            return
        with contextlib.suppress(Exception):
            page.evaluate("() => sessionStorage.clear()")
        page.goto("about:blank")
        self.idle[key].append(page)

    def release_all(self) -> None:
        for page in list(self.busy):
            self.release(page)


@pytest.fixture(scope="session")
def _tabs(_chromium):
    context = _chromium.new_context()
    yield Tabs(context)
    context.close()


@pytest.fixture(scope="module")
def tabs(_tabs, browser):
    """The worker's reused pages (``Tabs``); what a module leaves open goes back to the pool after it."""
    yield _tabs
    _tabs.release_all()
