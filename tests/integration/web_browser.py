"""The pieces of the browser tests: Debian's Chromium driven by Playwright for Python against a
real ``paperex serve`` of the test module's own, users of the run's own, logged-in pages that save
a screenshot under tests/artifacts/. Importing this module skips the importing test module where
no browser can run."""

from __future__ import annotations

import contextlib
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.integration.servers import prepared_environment, running_server

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "src/paperex/apps/web/static/web/app.js"
ARTIFACTS = ROOT / "tests/artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TIMEOUT_MS = 20_000
DESKTOP: ViewportSize = {"width": 1440, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}

# The Playwright names the test modules use come from here, after the check that it is installed.
try:
    from playwright.sync_api import (
        Browser,
        Locator,
        Page,
        Route,
        ViewportSize,
        expect,
        sync_playwright,
    )
except ImportError:  # pragma: no cover - depends on the machine
    sync_playwright = None


__all__ = ["Browser", "Locator", "Page", "Route", "ViewportSize", "expect"]


def unavailable(reason: str) -> None:
    """Skip the browser tests, or fail them where they must run (CI sets
    PAPEREX_REQUIRE_BROWSER)."""
    if os.environ.get("PAPEREX_REQUIRE_BROWSER"):
        pytest.fail(f"{reason} (PAPEREX_REQUIRE_BROWSER is set)", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


if sync_playwright is None:
    unavailable("the playwright package is not installed (pip install playwright)")
if not CHROMIUM.exists():
    unavailable("Debian's Chromium is missing: apt-get install chromium")
if not BUNDLE.exists():
    unavailable("the web bundle is not built: make assets")


@pytest.fixture(scope="module")
def server_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A data folder and database of the module's own, with the demo user."""
    with prepared_environment(tmp_path_factory.mktemp("web-server-data")) as env:
        yield env


@pytest.fixture(scope="module")
def server(server_env: dict[str, str]) -> Iterator[str]:
    with running_server(server_env) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    assert sync_playwright is not None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


def new_user(server: str, prefix: str = "web") -> tuple[str, str]:
    """A user of this test run only: on PostgreSQL the database outlives a run, and an earlier
    run's orders and alerts must not show up in this one's pages."""
    credentials = (f"{prefix}-{uuid.uuid4().hex[:12]}", "web-terminal-password-1")
    response = httpx.post(
        f"{server}/api/auth/register/",
        json={"username": credentials[0], "password": credentials[1]},
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return credentials


def bearer(server: str, credentials: tuple[str, str]) -> dict[str, str]:
    """The Authorization header of a JWT for ``credentials``."""
    username, password = credentials
    response = httpx.post(
        f"{server}/api/token/", json={"username": username, "password": password}, timeout=30
    )
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['access']}"}


def log_in(page: Page, username: str, password: str) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(re.compile(r".*/$"))


@contextlib.contextmanager
def logged_in_page(
    browser: Browser,
    server: str,
    credentials: tuple[str, str],
    screenshot: str,
    viewport: ViewportSize = DESKTOP,
) -> Iterator[Page]:
    """A page logged in as ``credentials``; JavaScript errors fail the test; a screenshot at
    last, named ``screenshot``."""
    context = browser.new_context(base_url=server, viewport=viewport)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, *credentials)
        yield page
    finally:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{screenshot}.png"), full_page=True)
        context.close()
    assert not errors, f"JavaScript errors: {errors}"


def assert_no_horizontal_overflow(page: Page) -> None:
    """The page scrolls only up and down: a wide table scrolls in its own box, and every chart
    fits the screen."""
    width = page.evaluate("() => window.innerWidth")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= width, page.url
    for chart in page.locator(".chart").all():
        if not chart.is_visible():  # e.g. a day without figures: nothing drawn to overflow
            continue
        box = chart.bounding_box()
        assert box is not None, page.url
        assert box["x"] >= 0, (page.url, box)
        assert box["x"] + box["width"] <= width, (page.url, box, width)
