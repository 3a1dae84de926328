import os

from hypothesis import HealthCheck, settings

# ci and dev keep the suite fast; thorough (HYPOTHESIS_PROFILE=thorough) runs 10,000 examples a strategy.
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True)
settings.register_profile("dev", max_examples=40, deadline=None)
settings.register_profile(
    "thorough",
    max_examples=10_000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


# --- browser tests: one app server per module that asks for one, and one Chromium -----------------
import pytest  # noqa: E402


@pytest.fixture(scope="module")
def server():
    """The app on a free loopback port, started once for the module that uses it."""
    from .appserver import running_app

    with running_app() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium under Playwright (the modules using it fail in CI, or skip elsewhere, without it)."""
    from playwright.sync_api import sync_playwright

    from .appserver import CHROMIUM, CHROMIUM_FLAGS

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()
