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
    "test_browser_classroom",
    "test_browser_walk",
    "test_browser",
    "test_browser_teach",
    "test_browser_lab",
    "test_browser_state",
    "test_browser_class",
    "test_browser_hostile",
    "test_browser_learning",
    "test_deploy",
    "test_notebook_export",
    "test_browser_handouts",
    "test_browser_edit",  # not yet measured: 1–2 page loads each, placed like test_browser_handouts
    "test_browser_big",
    "test_cli",
    "test_app",
    "test_app_class",
    "test_views_forms",
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
def browser(_chromium):
    """The session's Chromium; each test opens contexts of its own. What a module leaves open is closed after
    it, so the next module starts with no page of its."""
    yield _chromium
    for context in list(_chromium.contexts):
        context.close()
