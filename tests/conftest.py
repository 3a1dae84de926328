"""Shared test settings: Hypothesis profiles, and the browser tests' one app server and one Chromium.

How the suite is split and how long each part takes: docs/testing.md.
"""

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


def pytest_collection_modifyitems(items):
    """Modules that drive Chromium run last, whole and in their order: Playwright's sync API keeps its event
    loop marked running while the session's Chromium lives, which would break asyncio.run, or a second
    sync_playwright, in any module after them. Under xdist each worker takes modules in this order too."""
    driven = {item.path for item in items if "browser" in getattr(item, "fixturenames", ())}
    items.sort(key=lambda item: item.path in driven)  # a stable sort: the order within each group stays


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
def browser(_chromium):
    """The session's Chromium; each test opens contexts of its own. What a module leaves open is closed after
    it, so the next module starts with no page of its."""
    yield _chromium
    for context in list(_chromium.contexts):
        context.close()
