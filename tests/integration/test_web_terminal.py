"""The web terminal in a real browser: Playwright for Python driving Debian's Chromium against a
real ``paperex serve`` process. Each test saves a screenshot under tests/artifacts/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest

from paperex.domain.orders import OrderType
from tests.integration.servers import running_server
from tests.integration.web_browser import (
    ARTIFACTS,
    PHONE,
    TIMEOUT_MS,
    Browser,
    Locator,
    Page,
    ViewportSize,
    assert_no_horizontal_overflow,
    bearer,
    expect,
    log_in,
    logged_in_page,
    new_user,
)

# Fixtures, which pytest finds by name in this module.
from tests.integration.web_browser import browser as browser
from tests.integration.web_browser import server as server
from tests.integration.web_browser import server_env as server_env
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def trader(server: str) -> tuple[str, str]:
    """The user of the tests that share one account."""
    return new_user(server)


@pytest.fixture
def page(
    browser: Browser, server: str, trader: tuple[str, str], request: pytest.FixtureRequest
) -> Iterator[Page]:
    """A page logged in as ``trader``."""
    with logged_in_page(browser, server, trader, request.node.name) as page:
        yield page


def text_of(page: Page, selector: str) -> str:
    return page.locator(selector).inner_text().strip()


def test_log_in_shows_the_user(page: Page, trader: tuple[str, str]) -> None:
    expect(page.locator("header .user")).to_have_text(trader[0])


def test_the_demo_account_logs_in(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    log_in(page, "demo", "demo12345")
    expect(page.locator("header .user")).to_have_text("demo")
    context.close()


def test_prices_move_on_the_markets_page(page: Page) -> None:
    page.goto("/web/markets/")
    last = page.locator("tr[data-symbol=BTCUSDT] td.last")
    expect(last).to_have_text(re.compile(r"^\d[\d,]*\.\d{2}$"))
    expect(page.locator("#connection-status")).to_have_text(re.compile("Live"))
    first = {
        symbol: page.locator(f"tr[data-symbol={symbol}] td.last").inner_text()
        for symbol in ("BTCUSDT", "ETHUSDT", "BNBUSDT")
    }
    wait_until(
        lambda: any(
            page.locator(f"tr[data-symbol={symbol}] td.last").inner_text() != price
            for symbol, price in first.items()
        ),
        timeout=20,
        what="a price to change",
    )
    # tabs and filter
    page.get_by_role("tab", name="Stocks").click()
    expect(page.locator("tr[data-symbol=AAPL]")).to_be_visible()
    expect(page.locator("tr[data-symbol=BTCUSDT]")).to_be_hidden()
    page.get_by_role("tab", name="All").click()
    page.get_by_label("Filter").fill("eth")
    expect(page.locator("tr[data-symbol=ETHUSDT]")).to_be_visible()
    expect(page.locator("tr[data-symbol=BTCUSDT]")).to_be_hidden()
    page.get_by_label("Filter").fill("")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "markets_page.png"), full_page=True)
    page.locator("tr[data-symbol=BTCUSDT] a").click()
    page.wait_for_url(re.compile(r"/web/trade/BTCUSDT/$"))


def open_trade_page(page: Page, symbol: str = "BTCUSDT") -> None:
    page.goto(f"/web/trade/{symbol}/")
    expect(page.locator("#last-price")).to_have_text(re.compile(r"\d"))
    expect(page.locator("#available-quote")).to_have_text(re.compile(r"\d.* USDT"))
    expect(page.locator("#book tbody.bids tr").first).to_be_visible()


def place(
    page: Page,
    *,
    side: str,
    order_type: str,
    quantity: str,
    price: str | None = None,
    stop_price: str | None = None,
) -> None:
    page.locator(f"#order-form input[name=side][value={side}]").check(force=True)
    page.get_by_label("Type").select_option(order_type)
    if price is not None:
        page.locator("#order-price").fill(price)
    if stop_price is not None:
        page.locator("#order-stop-price").fill(stop_price)
    page.locator("#order-quantity").fill(quantity)
    page.locator("#order-submit").click()


def test_limit_order_shows_in_open_orders_and_in_the_book(page: Page) -> None:
    open_trade_page(page)
    place(page, side="BUY", order_type="LIMIT", quantity="0.002", price="41234.50")
    expect(page.locator(".toast", has_text="Order accepted")).to_be_visible()
    row = page.locator("#orders-table tbody tr", has_text="41,234.50")
    expect(row).to_be_visible()
    expect(row).to_contain_text("NEW")
    page.get_by_role("button", name="Paperex users").click()
    expect(page.locator("#book tbody.bids tr[data-price='41234.5']")).to_be_visible()


def test_inline_validation_uses_tick_step_price_band_and_min_notional(page: Page) -> None:
    open_trade_page(page)
    page.locator("#order-price").fill("100.001")
    page.locator("#order-quantity").fill("0.000001")
    page.locator("#order-submit").click()
    expect(page.locator("#order-price-error")).to_contain_text("tick size 0.01")
    expect(page.locator("#order-quantity-error")).to_contain_text("step size 0.00001")
    page.locator("#order-price").fill("100")
    page.locator("#order-quantity").fill("0.01")
    page.locator("#order-submit").click()
    expect(page.locator("#order-price-error")).to_contain_text("near the last price")
    page.locator("#order-price").fill("20000")
    page.locator("#order-quantity").fill("0.0002")
    page.locator("#order-submit").click()
    expect(page.locator("#order-total-error")).to_contain_text("below the minimum 5 USDT")


def test_marketable_order_shows_the_fill_toast_and_the_balance_changes(page: Page) -> None:
    open_trade_page(page)
    before = text_of(page, "#available-base")
    place(page, side="BUY", order_type="MARKET", quantity="0.01")
    expect(page.locator(".toast", has_text="Filled")).to_be_visible()
    wait_until(
        lambda: text_of(page, "#available-base") != before, timeout=20, what="the BTC balance"
    )
    page.get_by_role("tab", name="Fills").click()
    expect(page.locator("#orders-table tbody tr").first).to_contain_text("TAKER")


def test_cancel_an_order(page: Page) -> None:
    open_trade_page(page)
    place(page, side="BUY", order_type="LIMIT", quantity="0.001", price="40111.00")
    row = page.locator("#orders-table tbody tr", has_text="40,111.00")
    expect(row).to_have_attribute("data-status", "NEW")
    row.get_by_role("button", name=re.compile("Cancel order")).click()
    expect(page.locator(".toast", has_text="Cancelled")).to_be_visible()
    expect(row).to_have_count(0)
    # The order stays cancelled: a slower copy of it (a poll begun before the cancel) does not
    # bring it back, and the history shows what the server says.
    page.get_by_role("tab", name="Order history").click()
    expect(row).to_have_attribute("data-status", "CANCELED")
    page.get_by_role("tab", name=re.compile("Open orders")).click()
    expect(page.locator("#orders-table tbody tr", has_text="40,111.00")).to_have_count(0)


def test_take_profit_orders_are_checked_as_you_type_and_placed(page: Page) -> None:
    open_trade_page(page, "ETHUSDT")
    page.get_by_label("Type").select_option("TAKE_PROFIT")
    expect(page.locator("#order-price")).to_be_hidden()
    trigger = page.get_by_label("Trigger price")
    expect(trigger).to_be_visible()
    page.locator("#order-quantity").fill("0.1")
    page.locator("#order-submit").click()
    expect(page.locator("#order-stop-price-error")).to_have_text("Enter a trigger price.")

    page.get_by_label("Type").select_option("TAKE_PROFIT_LIMIT")
    expect(page.locator("#order-price")).to_be_visible()
    trigger.fill("100.005")
    page.locator("#order-submit").click()
    expect(page.locator("#order-stop-price-error")).to_contain_text("tick size 0.01")
    expect(page.locator("#order-price-error")).to_have_text("Enter a price.")

    # A buy takes profit when the price falls to the trigger, far below the market here (ETH
    # starts at 3,000) yet inside the price band (a buy may be priced down to 0.2 times it).
    trigger.fill("1000.00")
    place(page, side="BUY", order_type="TAKE_PROFIT_LIMIT", quantity="0.1", price="1001.00")
    expect(page.locator(".toast", has_text="Order accepted")).to_contain_text("TAKE_PROFIT_LIMIT")
    trigger.fill("1000.00")
    place(page, side="BUY", order_type="TAKE_PROFIT", quantity="0.1")
    expect(page.locator(".toast", has_text="(TAKE_PROFIT)")).to_be_visible()
    for order_type, price in (("TAKE_PROFIT_LIMIT", "1,001.00"), ("TAKE_PROFIT", "\N{EN DASH}")):
        row = page.locator("#orders-table tbody tr", has=page.get_by_text(order_type, exact=True))
        expect(row).to_have_attribute("data-status", "NEW")
        expect(row.locator("td:nth-child(5)")).to_have_text(price)
        expect(row.locator("td:nth-child(6)")).to_have_text("1,000.00")
    page.get_by_role("button", name="Cancel all").click()
    expect(page.locator("#orders-table tbody tr.empty-row")).to_be_visible()


def test_an_order_that_sweeps_the_book_shows_the_partial_fill_toast(
    browser: Browser, server: str
) -> None:
    # 150,000 MINA (75,000 USDT) priced 1% above the last price is more than the synthetic
    # MINAUSDT book ever holds (some 25,000 USDT of asks over 20 ticks): the order takes what
    # the book offers and rests above the market, where every trade of the feed fills a part.
    with logged_in_page(browser, server, new_user(server), "partial_fill_toast") as page:
        open_trade_page(page, "MINAUSDT")
        last_price = Decimal(text_of(page, "#last-price").replace(",", ""))
        price = (last_price * Decimal("1.01")).quantize(Decimal("0.0001"))
        place(page, side="BUY", order_type="LIMIT", quantity="150000", price=str(price))
        expect(page.locator(".toast", has_text="Partially filled")).to_be_visible()
        expect(page.locator("#orders-table tbody tr[data-status=PARTIALLY_FILLED]")).to_be_visible()
        page.get_by_role("button", name="Cancel all").click()
        expect(page.locator("#orders-table tbody tr.empty-row")).to_be_visible()


@pytest.mark.parametrize(
    "viewport", [{"width": 1024, "height": 720}, {"width": 720, "height": 900}], ids=str
)
def test_the_trade_page_fits_a_laptop_screen(
    browser: Browser, server: str, viewport: ViewportSize
) -> None:
    name = f"trade_page_{viewport['width']}x{viewport['height']}"
    with logged_in_page(browser, server, new_user(server), name, viewport) as page:
        open_trade_page(page)
        expect(page.locator("#chart canvas").first).to_be_visible()
        width = page.evaluate("() => document.documentElement.clientWidth")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        for panel in (".chart-panel", ".book-panel", ".form-panel", ".orders-panel"):
            box = page.locator(panel).bounding_box()
            assert box is not None, panel
            assert box["x"] >= 0, (panel, box)
            assert box["x"] + box["width"] <= width, (panel, box, width)
        place(page, side="BUY", order_type="LIMIT", quantity="0.001", price="40222.00")
        expect(page.locator(".toast", has_text="Order accepted")).to_be_visible()
        row = page.locator("#orders-table tbody tr", has_text="40,222.00")
        expect(row).to_have_attribute("data-status", "NEW")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= width
        row.get_by_role("button", name=re.compile("Cancel order")).click()
        expect(page.locator(".toast", has_text="Cancelled")).to_be_visible()


def test_sort_the_orders_table(page: Page) -> None:
    open_trade_page(page)
    for price in ("40001.00", "40003.00", "40002.00"):
        place(page, side="BUY", order_type="LIMIT", quantity="0.001", price=price)
        expect(
            page.locator("#orders-table tbody tr", has_text=price[:2] + "," + price[2:])
        ).to_be_visible()
    header = page.locator("#orders-table thead th", has=page.get_by_role("button", name="Price"))
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "ascending")

    def prices() -> list[str]:
        cells = page.locator("#orders-table tbody tr td:nth-child(5)").all_inner_texts()
        return [cell.replace(",", "") for cell in cells]

    ascending = prices()
    assert ascending == sorted(ascending, key=float), ascending
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", "descending")
    descending = prices()
    assert descending == sorted(descending, key=float, reverse=True), descending
    page.get_by_role("button", name="Cancel all").click()
    expect(page.locator("#orders-table tbody tr.empty-row")).to_be_visible()


def test_an_alert_fires(page: Page) -> None:
    page.goto("/web/alerts/")
    expect(
        page.locator("#alerts-table tbody tr.empty-row, #alerts-table tbody tr[data-id]").first
    ).to_be_visible()
    page.get_by_label("Market").select_option("ETHUSDT")
    page.get_by_label("Condition").select_option("ABOVE")
    page.get_by_label("Price").fill("1")
    page.get_by_role("button", name="Create alert").click()
    expect(page.locator(".toast", has_text="Alert set")).to_be_visible()
    expect(page.locator(".toast", has_text="ETHUSDT rose above 1")).to_be_visible()
    expect(page.locator("#alert-history tbody tr", has_text="ETHUSDT")).to_be_visible()
    expect(page.locator("#alerts-table tbody tr.empty-row")).to_be_visible()


def test_monitor_shows_a_price_for_aapl(page: Page) -> None:
    page.goto("/web/monitor/")
    page.get_by_label("Ticker").fill("AAPL")
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.locator("#monitor-message")).to_have_text("Connected to AAPL WebSocket")
    expect(page.locator("#monitor-price")).to_have_text(re.compile(r"^\d[\d,]*\.\d{2}$"))
    expect(page.locator("#monitor-ma")).to_have_text(re.compile(r"\d"))


def test_portfolio_page(page: Page) -> None:
    page.goto("/web/portfolio/")
    expect(page.locator("#balances tbody tr", has_text="USDT")).to_be_visible()
    expect(page.locator("#equity")).to_have_text(re.compile(r"\d"))


def test_the_equity_curve_starts_with_the_history_the_server_recorded(
    browser: Browser, server: str
) -> None:
    credentials = new_user(server, "equity")
    headers = bearer(server, credentials)
    reset = httpx.post(f"{server}/api/account/reset/", headers=headers, timeout=30)
    assert reset.status_code == 200, reset.text
    [snapshot] = httpx.get(f"{server}/api/portfolio/equity/", headers=headers, timeout=30).json()
    assert snapshot["equity"] == "200000"
    taken_at = int(datetime.fromisoformat(snapshot["taken_at"]).timestamp())

    with logged_in_page(browser, server, credentials, "equity_curve") as page:
        page.goto("/web/portfolio/")
        # The server's minute job may have taken another snapshot since the reset's.
        expect(page.locator("#equity-history")).to_contain_text(re.compile(r"\b\d+ snapshots?,"))

        def curve() -> list[dict[str, Any]]:
            points: list[dict[str, Any]] = page.evaluate("() => window.paperex.equityCurve.data()")
            return points if len(points) >= 2 else []

        history, *live = wait_until(curve, timeout=20, what="the history and a live point")
        assert history == {"time": taken_at, "value": 200000}
        assert all(point["time"] > taken_at for point in live)
        assert live[-1]["value"] == 200000  # nothing traded: the live equity is the same


def test_stream_pages(page: Page) -> None:
    page.goto("/web/streams/trades/?symbol=BTCUSDT&minimum=1")
    expect(page.locator("#trade-price")).to_have_text(re.compile(r"\d"))
    expect(page.locator("#trade-price-panel")).to_have_attribute("data-state", "above")
    page.goto("/web/streams/candles/?symbol=BTCUSDT&interval=1m&history=50")
    expect(page.locator("#stream-status")).to_contain_text("history")


def test_a_dropped_socket_shows_reconnecting_and_comes_back(page: Page) -> None:
    page.goto("/web/markets/")
    status = page.locator("#connection-status")
    expect(status).to_have_text(re.compile("Live"))
    page.evaluate("() => { for (const socket of window.paperex.sockets) socket.ws.close(); }")
    expect(status).to_have_text("Reconnecting…")
    expect(status).to_have_text(re.compile("Live"))


def test_a_degraded_exchange_shows_a_banner_that_names_what_is_down(
    browser: Browser, server: str, server_env: dict[str, str], trader: tuple[str, str]
) -> None:
    with logged_in_page(browser, server, trader, "ready-no-banner") as page:
        page.goto("/web/markets/")
        expect(page.locator("#connection-status")).to_have_text(re.compile("Live"))
        expect(page.locator(".degraded-banner")).to_be_hidden()
    # A second server on the same database whose engine does not run: orders would be refused.
    # Without Redis, so that no engine process of another test can answer its heartbeat.
    no_redis = {name: value for name, value in server_env.items() if name != "REDIS_URL"}
    with (
        running_server(no_redis, "--no-engine", ready=False) as degraded,
        logged_in_page(browser, degraded, trader, "degraded-banner") as page,
    ):
        page.goto("/web/markets/")
        expect(page.locator(".degraded-banner")).to_contain_text(
            "The exchange is degraded: the matching engine is unavailable."
        )


def test_a_limit_maker_order_is_placed_from_the_form_and_rests(page: Page) -> None:
    open_trade_page(page)
    place(page, side="BUY", order_type="LIMIT_MAKER", quantity="0.002", price="40222.00")
    expect(page.locator(".toast", has_text="Order accepted")).to_contain_text("LIMIT_MAKER")
    row = page.locator("#orders-table tbody tr", has_text="40,222.00")
    expect(row).to_have_attribute("data-status", "NEW")
    expect(row).to_contain_text("LIMIT_MAKER")


def open_menu(page: Page) -> Locator:
    """Open the collapsed navigation with its menu button; returns the navigation."""
    toggle = page.get_by_role("button", name="Menu")
    navigation = page.get_by_role("navigation", name="Main")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(navigation.get_by_role("link").first).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    return navigation


def follow_menu_link(page: Page, name: str) -> None:
    link = open_menu(page).get_by_role("link", name=name, exact=True)
    expect(link).to_be_in_viewport()
    link.click()


# Every page of the navigation but the API docs, with what it shows once its data is in.
NAVIGATION_PAGES = {
    "Markets": "#markets-table tr[data-symbol=BTCUSDT]",
    "Portfolio": "#balances tbody tr:not(.loading-row)",
    "Alerts": "#alerts-table tbody tr:not(.loading-row)",
    "Journal": "#journal-table tbody tr:not(.loading-row)",
    "Backtest": "#backtest-runs tbody tr:not(.loading-row)",
    "Bots": "#bots-table tbody tr:not(.loading-row)",
    "Listings": "#listings-history tbody tr:not(.loading-row)",
    "API keys": "#keys-table tbody tr:not(.loading-row)",
    "Monitor": "#monitor-chart canvas",
    "Streams": "#stream-chart canvas",
}


def test_every_page_fits_a_phone_and_the_menu_reaches_it(browser: Browser, server: str) -> None:
    with logged_in_page(browser, server, new_user(server), "phone_pages", PHONE) as page:
        navigation = open_menu(page)
        assert navigation.get_by_role("link").all_inner_texts() == [*NAVIGATION_PAGES, "API docs"]
        page.keyboard.press("Escape")
        for name, ready in NAVIGATION_PAGES.items():
            follow_menu_link(page, name)
            expect(page.locator(ready).first).to_be_visible()
            assert_no_horizontal_overflow(page)
        page.get_by_role("link", name="Trade stream").click()
        expect(page.locator("#trade-price")).to_have_text(re.compile(r"\d"))
        assert_no_horizontal_overflow(page)
        open_trade_page(page)
        expect(page.locator("#orders-table tbody tr").first).to_be_visible()
        assert_no_horizontal_overflow(page)
        follow_menu_link(page, "API docs")
        expect(page.locator(".swagger-ui .info")).to_be_visible()
        assert_no_horizontal_overflow(page)


def test_the_menu_works_from_the_keyboard(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto("/web/markets/")
    toggle = page.get_by_role("button", name="Menu")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Markets", exact=True)).to_be_focused()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    context.close()


def test_the_front_pages_fit_a_phone_and_show_the_icon(browser: Browser, server: str) -> None:
    context = browser.new_context(base_url=server, viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.goto("/")
    expect(page.get_by_role("link", name="BTCUSDT")).to_be_visible()
    expect(page.get_by_role("link", name="Skip to content")).not_to_be_in_viewport()
    assert_no_horizontal_overflow(page)
    follow_menu_link(page, "Sign up")
    expect(page.get_by_role("heading", name="Create an account")).to_be_visible()
    assert_no_horizontal_overflow(page)
    follow_menu_link(page, "Log in")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    assert_no_horizontal_overflow(page)
    icon = page.request.get(page.locator("link[rel=icon]").get_attribute("href") or "")
    assert icon.headers["content-type"] == "image/svg+xml"
    assert page.request.get("/favicon.ico").body() == icon.body()
    context.close()


# A buy of 0.001 BTC (near 60,000 USDT) of each type that the engine takes: all but the market
# order rest, priced inside the price band and triggered far from the market.
ORDER_FIELDS: dict[OrderType, dict[str, str]] = {
    OrderType.LIMIT: {"price": "40100.00"},
    OrderType.LIMIT_MAKER: {"price": "40200.00"},
    OrderType.MARKET: {},
    OrderType.STOP_LOSS: {"stop_price": "90000.00"},
    OrderType.STOP_LOSS_LIMIT: {"stop_price": "90000.00", "price": "90100.00"},
    OrderType.TAKE_PROFIT: {"stop_price": "40000.00"},
    OrderType.TAKE_PROFIT_LIMIT: {"stop_price": "40000.00", "price": "40010.00"},
}


def test_every_order_type_is_placed_from_the_form_on_a_phone(browser: Browser, server: str) -> None:
    credentials = new_user(server, "phone")
    with logged_in_page(browser, server, credentials, "phone_order_types", PHONE) as page:
        open_trade_page(page)
        offered = page.locator("#order-type option").evaluate_all("all => all.map(o => o.value)")
        assert sorted(offered) == sorted(OrderType)
        for order_type in OrderType:
            place(
                page,
                side="BUY",
                order_type=order_type,
                quantity="0.001",
                **ORDER_FIELDS[order_type],
            )
            accepted = page.locator(".toast", has_text=f"({order_type})")
            expect(accepted).to_contain_text("Order accepted")
        expect(page.locator("#open-count")).to_have_text(str(len(OrderType) - 1))
        assert_no_horizontal_overflow(page)
        orders = httpx.get(
            f"{server}/api/orders/",
            headers=bearer(server, credentials),
            params={"symbol": "BTCUSDT"},
            timeout=30,
        ).json()["results"]
        assert sorted(order["type"] for order in orders) == sorted(OrderType)
        page.get_by_role("button", name="Cancel all").click()
        expect(page.locator("#orders-table tbody tr.empty-row")).to_be_visible()
