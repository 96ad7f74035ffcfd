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
    Route,
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


# What a bot that traded answers: the page shows it as the server sends it (routed here, since a
# bot trades only when its strategy's signal comes on a closed candle).
TRADED_ORDERS = [
    {
        "id": 11,
        "client_order_id": "bot{id}-1704067200000",
        "side": "BUY",
        "status": "FILLED",
        "executed_quantity": "0.00166000",
        "cumulative_quote": "99.87000000",
        "created_at": "2024-01-01T00:05:00.100000Z",
    },
]
COMPARED = {
    "bars": 12,
    "start": 1704067200000,
    "end": 1704067860000,
    "trades": [
        {
            "entry_time": 1704067200000,
            "backtest": {
                "quantity": 0.00166,
                "entry_price": 60000.0,
                "exit_time": 1704067500000,
                "exit_price": 60300.0,
            },
            "live": {
                "quantity": 0.00166,
                "entry_price": 60012.5,
                "exit_time": 1704067500000,
                "exit_price": 60290.0,
            },
            "backtest_pnl": 0.398,
            "live_pnl": 0.2615,
            "entry_price_difference": 12.5,
            "exit_price_difference": -10.0,
            "pnl_difference": -0.1365,
        },
        {
            "entry_time": 1704067740000,
            "backtest": {
                "quantity": 0.00166,
                "entry_price": 60100.0,
                "exit_time": None,
                "exit_price": None,
            },
            "live": None,
            "backtest_pnl": 0.05,
            "live_pnl": None,
            "entry_price_difference": None,
            "exit_price_difference": None,
            "pnl_difference": None,
        },
    ],
}


def test_a_bot_that_traded_shows_its_orders_and_its_trades_beside_the_backtest(
    browser: Browser, server: str
) -> None:
    credentials = new_user(server, "bots-traded")
    started = httpx.post(
        f"{server}/api/bots/",
        headers=bearer(server, credentials),
        json={"symbol": "BTCUSDT", "interval": "1m", "allocation": "100"},
        timeout=30,
    )
    assert started.status_code == 201, started.text
    bot_id = started.json()["id"]
    with logged_in_page(browser, server, credentials, "bots_page_traded") as page:

        def traded(route: Route) -> None:
            bot = route.fetch().json()
            orders = [
                {**order, "client_order_id": str(order["client_order_id"]).format(id=bot_id)}
                for order in TRADED_ORDERS
            ]
            route.fulfill(json={**bot, "orders": orders, "orders_placed": 1, "pnl": "-1.25"})

        page.route(f"**/api/bots/{bot_id}/", traded)
        page.route(
            f"**/api/bots/{bot_id}/reconciliation/", lambda route: route.fulfill(json=COMPARED)
        )
        page.goto("/web/bots/")
        row = page.locator(f"#bots-table tbody tr[data-id='{bot_id}']")
        expect(row.locator("td.pnl")).to_have_text("-1.25")
        expect(row.locator("td.pnl")).to_have_attribute("data-direction", "down")
        page.get_by_role("button", name=f"Open bot {bot_id}").click()
        order = page.locator("#bot-orders tbody tr[data-id='11']")
        expect(order).to_contain_text(f"bot{bot_id}-1704067200000")
        expect(order).to_contain_text("BUY")
        expect(order).to_contain_text("FILLED")
        expect(order).to_contain_text("99.87")
        expect(page.locator("#bot-reconciliation-status")).to_have_text(
            "12 candles compared, 2024-01-01 00:00 to 2024-01-01 00:11 UTC: 2 trades."
        )
        both = page.locator("#bot-reconciliation tbody tr[data-made-by='both'] td")
        assert both.all_inner_texts() == [
            "2024-01-01 00:00:00",
            "both",
            "60,012.50",
            "60,000.00",
            "+12.50",
            "60,290.00",
            "60,300.00",
            "-10.00",
            "+0.26",
            "+0.40",
            "-0.14",
        ]
        one_sided = page.locator("#bot-reconciliation tbody tr[data-made-by='backtest only'] td")
        assert one_sided.all_inner_texts()[1:5] == [
            "backtest only",
            "\u2013",
            "60,100.00",
            "\u2013",
        ]
