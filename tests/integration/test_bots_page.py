"""The bots page in Chromium (see web_browser): a bot started from the form is listed as
running; pause, resume and stop follow its state; opened, it shows its (empty) orders and its
comparison with its backtest; the server's refusal of an allocation shows under the field. Saves
screenshots under tests/artifacts/."""

from __future__ import annotations

import re

import httpx
import pytest

from tests.integration.web_browser import (
    PHONE,
    Browser,
    Locator,
    Page,
    assert_no_horizontal_overflow,
    bearer,
    expect,
    logged_in_page,
    new_user,
)

# Fixtures, which pytest finds by name in this module.
from tests.integration.web_browser import browser as browser
from tests.integration.web_browser import server as server
from tests.integration.web_browser import server_env as server_env

pytestmark = pytest.mark.integration


def start_bot(page: Page, allocation: str, fast: str = "50", slow: str = "200") -> None:
    page.get_by_label("Market", exact=True).select_option("BTCUSDT")
    page.get_by_label("Interval", exact=True).select_option("5m")
    page.get_by_label("Strategy", exact=True).select_option("sma_cross")
    page.get_by_label("fast", exact=True).fill(fast)
    page.get_by_label("slow", exact=True).fill(slow)
    page.get_by_label("Allocation (quote per entry)").fill(allocation)
    page.get_by_role("button", name="Start bot").click()


def actions_of(row: Locator) -> list[str]:
    return row.locator("td.actions button[data-action]").all_inner_texts()


def test_start_a_bot_pause_resume_stop_it_and_open_it(browser: Browser, server: str) -> None:
    credentials = new_user(server, "bots")
    with logged_in_page(browser, server, credentials, "bots_page") as page:
        page.get_by_role("navigation").get_by_role("link", name="Bots", exact=True).click()
        page.wait_for_url("**/web/bots/")
        expect(page.locator("#bots-table tbody tr.empty-row")).to_be_visible()

        # The parameters follow the strategy, with their defaults; a typo is caught as typed.
        page.get_by_label("Strategy", exact=True).select_option("rsi_reversion")
        expect(page.get_by_label("period", exact=True)).to_have_value("14")
        page.get_by_label("Strategy", exact=True).select_option("sma_cross")
        expect(page.get_by_label("slow", exact=True)).to_have_value("200")
        page.get_by_label("Allocation (quote per entry)").fill("ten")
        expect(page.locator("#bot-allocation-error")).to_have_text(
            "Enter an amount such as 100 or 25.5."
        )
        expect(page.get_by_role("button", name="Start bot")).to_be_disabled()

        # The server's refusal: below the market's minimum order, under the allocation.
        start_bot(page, "0.5")
        error = page.locator("#bot-allocation-error")
        expect(error).to_contain_text("allocation must be at least")
        expect(page.get_by_label("Allocation (quote per entry)")).to_have_attribute(
            "aria-invalid", "true"
        )
        expect(page.locator("#bots-table tbody tr.empty-row")).to_be_visible()

        # Started: listed as running, with Pause and Stop.
        start_bot(page, "100", fast="5", slow="20")
        expect(error).to_have_text("")
        row = page.locator("#bots-table tbody tr[data-id]")
        expect(row).to_have_count(1)
        expect(row).to_have_attribute("data-status", "running")
        expect(row).to_contain_text("BTCUSDT 5m")
        expect(row).to_contain_text("sma_cross (fast 5, slow 20)")
        expect(row.locator("td.pnl")).to_have_text(re.compile(r"^-?[\d,.]+$|^\u2013$"))
        assert actions_of(row) == ["Pause", "Stop"]
        bot_id = row.get_attribute("data-id")

        # Opened at once: no orders yet, nothing to compare.
        detail = page.locator("#bot-detail")
        expect(detail).to_be_visible()
        expect(page.locator("#bot-summary")).to_contain_text(
            f"Bot {bot_id}: sma_cross (fast 5, slow 20) on BTCUSDT 5m, 100 per entry."
        )
        expect(page.locator("#bot-orders tbody tr.empty-row")).to_have_text("No orders yet.")
        expect(page.locator("#bot-reconciliation-status")).to_have_text(
            "Nothing to compare yet: the bot has not decided on a closed candle."
        )
        expect(page.locator("#bot-reconciliation tbody tr.empty-row")).to_be_visible()

        page.get_by_role("button", name=f"Pause bot {bot_id}").click()
        expect(row).to_have_attribute("data-status", "paused")
        expect(row.locator("td.state")).to_have_text("paused")
        assert actions_of(row) == ["Resume", "Stop"]

        page.get_by_role("button", name=f"Resume bot {bot_id}").click()
        expect(row).to_have_attribute("data-status", "running")
        assert actions_of(row) == ["Pause", "Stop"]

        # Stopping asks first; declined, nothing changes.
        page.once("dialog", lambda dialog: dialog.dismiss())
        page.get_by_role("button", name=f"Stop bot {bot_id}").click()
        expect(row).to_have_attribute("data-status", "running")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name=f"Stop bot {bot_id}").click()
        expect(row).to_have_attribute("data-status", "stopped")
        expect(row.locator("td.actions button[data-action]")).to_have_count(0)
        expect(page.locator("#bot-summary")).to_contain_text("Stopped")

        # After a reload the list comes from the server, and a bot opens from its row.
        page.reload()
        expect(row).to_have_attribute("data-status", "stopped")
        expect(detail).to_be_hidden()
        page.get_by_role("button", name=f"Open bot {bot_id}").click()
        expect(page.locator("#bot-orders tbody tr.empty-row")).to_be_visible()
        expect(page.locator("#bot-reconciliation-status")).to_contain_text("Nothing to compare")


def test_the_list_follows_changes_made_elsewhere_and_fits_a_phone(
    browser: Browser, server: str
) -> None:
    """A bot started and paused over the API shows up on the open page by itself."""
    credentials = new_user(server, "bots-phone")
    with logged_in_page(browser, server, credentials, "bots_page_phone", PHONE) as page:
        page.goto("/web/bots/")
        expect(page.locator("#bots-table tbody tr.empty-row")).to_be_visible()
        headers = bearer(server, credentials)
        started = httpx.post(
            f"{server}/api/bots/",
            headers=headers,
            json={"symbol": "ETHUSDT", "interval": "1m", "allocation": "50"},
            timeout=30,
        )
        assert started.status_code == 201, started.text
        row = page.locator(f"#bots-table tbody tr[data-id='{started.json()['id']}']")
        expect(row).to_have_attribute("data-status", "running", timeout=15_000)
        paused = httpx.post(f"{server}{started.json()['url']}pause/", headers=headers, timeout=30)
        assert paused.status_code == 200, paused.text
        expect(row).to_have_attribute("data-status", "paused", timeout=15_000)
        page.get_by_role("button", name=f"Open bot {started.json()['id']}").click()
        expect(page.locator("#bot-orders tbody tr.empty-row")).to_be_visible()
        assert_no_horizontal_overflow(page)
