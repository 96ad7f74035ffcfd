"""The listings page in Chromium: the first check stores the snapshot, a symbol the snapshot
lacks shows once with its price, then the history keeps it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.integration.servers import PAPEREX, prepared_environment, running_server
from tests.integration.web_browser import (
    Browser,
    expect,
    logged_in_page,
    new_user,
)
from tests.integration.web_browser import browser as browser
from tests.integration.web_browser import server as server
from tests.integration.web_browser import server_env as server_env

pytestmark = pytest.mark.integration

FORGET_NEWEST = """
from paperex.apps.listings.models import SeenSymbol
newest = SeenSymbol.objects.filter(user__username="{username}").latest("id")  # listed last
newest.delete()
print(newest.symbol)
"""


def forget_newest_listing(env: dict[str, str], username: str) -> str:
    """Take the synthetic venue's newest symbol out of the user's snapshot, as if the venue had
    listed it since the last check; its name."""
    done = subprocess.run(
        [*PAPEREX, "manage", "shell", "-c", FORGET_NEWEST.format(username=username)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout.strip().splitlines()[-1]


def test_check_for_new_listings(browser: Browser, server: str, server_env: dict[str, str]) -> None:
    credentials = new_user(server, "listings")
    with logged_in_page(browser, server, credentials, "listings_page") as page:
        page.goto("/web/")
        page.get_by_role("link", name="Listings", exact=True).click()
        expect(page.locator("#listings-history tbody tr.empty-row")).to_be_visible()
        expect(page.get_by_label("Venue")).to_have_value("synthetic")
        check = page.get_by_role("button", name="Check for new listings")
        check.click()
        expect(page.locator("#listings-result")).to_contain_text("Nothing new on synthetic.")
        symbol = forget_newest_listing(server_env, credentials[0])
        check.click()
        expect(page.locator("#listings-result")).to_contain_text(f"New on synthetic: {symbol} at")
        row = page.locator("#listings-history tbody tr", has_text=symbol)
        expect(row).to_have_count(1)
        expect(row.locator("td").nth(1)).to_have_text("synthetic")
        check.click()
        expect(page.locator("#listings-result")).to_contain_text("Nothing new on synthetic.")
        expect(page.locator("#listings-history tbody tr[data-id]")).to_have_count(1)


def test_the_periodic_check_shows_a_new_listing_as_a_toast(
    browser: Browser, tmp_path: Path
) -> None:
    """The server's own check (every second here) finds the symbol the user has not seen and
    tells the open page over /ws/user/: a toast, wherever the user is."""
    with prepared_environment(tmp_path) as env:
        every_second = {**env, "PAPEREX_LISTINGS_CHECK_SECONDS": "1"}
        with running_server(every_second) as url:
            credentials = new_user(url, "toast")
            with logged_in_page(browser, url, credentials, "listings_toast") as page:
                page.goto("/web/listings/")
                page.get_by_role("button", name="Check for new listings").click()
                expect(page.locator("#listings-result")).to_contain_text("on synthetic")
                page.goto("/web/")  # another page: the toast comes over the user stream
                expect(page.locator("#toasts .toast")).to_have_count(0)
                symbol = forget_newest_listing(every_second, credentials[0])
                toast = page.locator("#toasts .toast", has_text=symbol)
                expect(toast).to_be_visible()
                expect(toast).to_contain_text("Alert:")
