"""The trade journal's page in a real browser (see web_browser): the add form checked as you
type, editing in place, filters, server-side sorting, the CSV download, deleting, and the
read-only copies of exchange fills. Each test saves a screenshot under tests/artifacts/."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import httpx
import pytest

from tests.integration.web_browser import (
    ARTIFACTS,
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
from tests.support.waiting import wait_until

pytestmark = pytest.mark.integration

PAGE_SIZE = 25  # frontend/src/lib/journalQuery.js

CSV_HEADER = ["id", "user", "ticker", "side", "price", "quantity", "fee", "fee_asset"]
CSV_HEADER += ["timestamp", "source", "order_id"]


def open_journal(page: Page) -> None:
    page.goto("/web/journal/")
    expect(page.locator("#journal-table tbody tr:not(.loading-row)").first).to_be_visible()


def trade_rows(page: Page) -> Locator:
    return page.locator("#journal-table tbody tr[data-id]")


def column(page: Page, index: int) -> list[str]:
    return trade_rows(page).locator(f"td:nth-child({index})").all_inner_texts()


def add_by_api(server: str, headers: dict[str, str], **fields: str) -> None:
    answer = httpx.post(f"{server}/api/trades/", json=fields, headers=headers, timeout=30)
    assert answer.status_code == 201, answer.text


def sort_by(page: Page, label: str, direction: str) -> None:
    header = page.locator("#journal-table thead th", has=page.get_by_role("button", name=label))
    header.get_by_role("button").click()
    expect(header).to_have_attribute("aria-sort", direction)


def test_add_edit_filter_sort_download_and_delete_a_trade(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    credentials = new_user(server, "journal")
    with logged_in_page(browser, server, credentials, "journal_page") as page:
        open_journal(page)
        expect(page.locator("#journal-table tbody tr.empty-row")).to_be_visible()
        expect(page.locator("#journal-range")).to_have_text("0 of 0")

        # The form checks as you type: a message under the field, no saving until it is valid.
        form = page.locator("#trade-form")
        add = form.get_by_role("button", name="Add trade")
        expect(add).to_be_disabled()
        form.get_by_label("Ticker").fill("AA PL")
        expect(page.locator("#trade-ticker-error")).to_contain_text("(no spaces)")
        expect(form.get_by_label("Ticker")).to_have_attribute("aria-invalid", "true")
        form.get_by_label("Ticker").fill("aapl")
        expect(page.locator("#trade-ticker-error")).to_have_text("")
        form.get_by_label("Side").select_option("BUY")
        form.get_by_label("Price").fill("150.5")
        form.get_by_label("Quantity").fill("0")
        expect(page.locator("#trade-quantity-error")).to_have_text(
            "Quantity must be greater than 0."
        )
        expect(add).to_be_disabled()
        form.get_by_label("Quantity").fill("10")
        form.get_by_label("Fee", exact=True).fill("1.25")
        form.get_by_label("Fee asset").fill("USD")
        form.get_by_label("Time (UTC)").fill("2025-01-20T14:30:00")
        form.get_by_label("Notes").fill("breakout")
        form.get_by_label("Tags").fill("swing, earnings")
        expect(add).to_be_enabled()
        add.click()
        expect(
            page.locator(".toast", has_text="Trade added: BUY 10 AAPL at 150.5.")
        ).to_be_visible()
        expect(form.get_by_label("Ticker")).to_have_value("")
        expect(trade_rows(page)).to_have_count(1)
        trade_id = trade_rows(page).get_attribute("data-id")
        row = page.locator(f"#journal-table tr[data-id='{trade_id}']:not(.editing)")
        expect(row.locator("td").nth(0)).to_have_text("2025-01-20 14:30:00")
        expect(row.locator("td").nth(5)).to_have_text("1.25 USD")
        expect(row.locator(".badge")).to_have_text("manual")
        expect(row.locator("td.notes")).to_contain_text("breakout")
        expect(row.locator(".tag")).to_have_text(["swing", "earnings"])

        # Edited in place: checked as you type, the server's 400 under the field it names,
        # Escape puts the row back, Enter saves.
        row.get_by_role("button", name=f"Edit trade {trade_id}").click()
        editor = page.locator("#journal-table tr.editing")
        price = editor.get_by_label("Price")
        expect(price).to_have_value("150.5")
        price.fill("-1")
        expect(editor.locator(f"#edit-{trade_id}-price-error")).to_have_text(
            "Price must be greater than 0."
        )
        expect(editor.get_by_role("button", name="Save")).to_be_disabled()
        price.fill("151.25")
        # The page's checks mirror the server's, so the server's refusal is staged here.
        refusal = {"code": "invalid", "message": "Bad.", "errors": {"price": ["Too precise."]}}
        page.route(
            f"**/api/trades/{trade_id}/",
            lambda route: route.fulfill(status=400, body=json.dumps(refusal)),
        )
        editor.get_by_role("button", name="Save").click()
        expect(editor.locator(f"#edit-{trade_id}-price-error")).to_have_text("Too precise.")
        page.screenshot(path=str(ARTIFACTS / "journal_editing.png"), full_page=True)
        page.unroute(f"**/api/trades/{trade_id}/")
        editor.get_by_label("Ticker").fill("MSFT")
        editor.get_by_label("Ticker").press("Escape")
        expect(editor).to_have_count(0)
        expect(row.locator("td").nth(1)).to_have_text("AAPL")
        row.get_by_role("button", name=f"Edit trade {trade_id}").click()
        editor.get_by_role("button", name="Cancel").press("Enter")
        expect(editor).to_have_count(0)
        row.get_by_role("button", name=f"Edit trade {trade_id}").click()
        editor.get_by_label("Price").fill("151.25")
        editor.get_by_label("Notes").fill("breakout, held")
        editor.get_by_label("Notes").press("Enter")
        expect(page.locator(".toast", has_text=f"Trade {trade_id} saved.")).to_be_visible()
        expect(row.locator("td").nth(3)).to_have_text("151.25")
        expect(row.locator("td").nth(0)).to_have_text("2025-01-20 14:30:00")

        # Two more AAPL trades and another ticker; the newest first by default.
        headers = bearer(server, credentials)
        for price_text, day in (("152", "2025-01-21"), ("149", "2025-01-22")):
            add_by_api(
                server,
                headers,
                ticker="AAPL",
                side="SELL",
                price=price_text,
                quantity="1",
                timestamp=f"{day}T09:00:00Z",
            )
        add_by_api(server, headers, ticker="MSFT", side="BUY", price="400", quantity="2")
        page.locator("#filter-ticker").fill("aapl")
        expect(trade_rows(page)).to_have_count(3)
        assert set(column(page, 2)) == {"AAPL"}
        assert column(page, 4) == ["149", "152", "151.25"]
        expect(page.locator("#journal-range")).to_have_text("1\N{EN DASH}3 of 3")

        sort_by(page, "Price", "ascending")
        expect(trade_rows(page).locator("td:nth-child(4)")).to_have_text(["149", "151.25", "152"])
        sort_by(page, "Price", "descending")
        expect(trade_rows(page).locator("td:nth-child(4)")).to_have_text(["152", "151.25", "149"])

        with page.expect_download() as download_info:
            page.get_by_role("link", name="Download CSV").click()
        download = tmp_path / "trades.csv"
        download_info.value.save_as(download)
        header, *rows = list(csv.reader(download.read_text().splitlines()))
        assert header == CSV_HEADER
        assert [(row[2], row[4]) for row in rows] == [
            ("AAPL", "152"),
            ("AAPL", "151.25"),
            ("AAPL", "149"),
        ]
        assert rows[1] == [
            trade_id,
            credentials[0],
            "AAPL",
            "BUY",
            "151.25",
            "10",
            "1.25",
            "USD",
            "2025-01-20T14:30:00.000000Z",
            "manual",
            "",
        ]

        page.locator("#filter-start").fill("2025-01-21")
        page.locator("#filter-end").fill("2025-01-21")
        expect(trade_rows(page).locator("td:nth-child(4)")).to_have_text(["152"])
        page.locator("#filter-start").fill("")
        page.locator("#filter-end").fill("")
        expect(trade_rows(page)).to_have_count(3)

        # Deleted after a confirmation; a dismissed one keeps it.
        page.once("dialog", lambda dialog: dialog.dismiss())
        row.get_by_role("button", name=f"Delete trade {trade_id}").click()
        expect(row).to_have_count(1)
        page.once("dialog", lambda dialog: dialog.accept())
        row.get_by_role("button", name=f"Delete trade {trade_id}").click()
        expect(page.locator(".toast", has_text=f"Trade {trade_id} deleted.")).to_be_visible()
        expect(row).to_have_count(0)
        expect(trade_rows(page)).to_have_count(2)


def test_an_exchange_fill_is_read_only(browser: Browser, server: str) -> None:
    credentials = new_user(server, "journal-fill")
    headers = bearer(server, credentials)
    order = httpx.post(
        f"{server}/api/orders/",
        json={"symbol": "BTCUSDT", "side": "BUY", "type": "MARKET", "quantity": "0.001"},
        headers=headers,
        timeout=30,
    )
    assert order.status_code == 201, order.text

    def fills_in_the_journal() -> int:
        trades = httpx.get(
            f"{server}/api/trades/", params={"source": "exchange"}, headers=headers, timeout=30
        )
        return int(trades.json()["count"])

    wait_until(fills_in_the_journal, timeout=20, what="the fill in the journal")
    add_by_api(server, headers, ticker="AAPL", side="BUY", price="150", quantity="1")

    with logged_in_page(browser, server, credentials, "journal_read_only") as page:
        open_journal(page)
        page.locator("#filter-source").select_option("exchange")
        expect(trade_rows(page).locator("td:nth-child(2)")).to_have_text(
            ["BTCUSDT"] * fills_in_the_journal()
        )
        fill = trade_rows(page).first
        expect(fill.locator(".badge")).to_have_text("exchange")
        expect(fill.get_by_role("img", name=re.compile("Read-only"))).to_have_text("🔒")
        expect(fill.get_by_role("button")).to_have_count(0)
        page.screenshot(path=str(ARTIFACTS / "journal_exchange_fill.png"), full_page=True)

        # A refusal of the server as read-only is told in a toast.
        page.locator("#filter-source").select_option("manual")
        manual = trade_rows(page).filter(has_text="AAPL")
        expect(manual.get_by_role("button", name=re.compile("Edit trade"))).to_be_visible()
        refusal = {"code": "read_only", "message": "An exchange trade is read-only."}
        page.route(
            "**/api/trades/*/",
            lambda route: route.fulfill(status=403, body=json.dumps(refusal)),
        )
        page.once("dialog", lambda dialog: dialog.accept())
        manual.get_by_role("button", name=re.compile("Delete trade")).click()
        expect(
            page.locator(".toast", has_text="Delete failed: An exchange trade is read-only.")
        ).to_be_visible()


def test_the_journal_fits_a_phone_while_a_row_is_edited(browser: Browser, server: str) -> None:
    credentials = new_user(server, "journal-phone")
    notes = "a long note on why this trade was made, which the table cuts rather than the page"
    add_by_api(
        server,
        bearer(server, credentials),
        ticker="BRK.B",
        side="BUY",
        price="412.123456789012",
        quantity="3",
        notes=notes,
    )
    with logged_in_page(browser, server, credentials, "journal_phone", PHONE) as page:
        open_journal(page)
        assert_no_horizontal_overflow(page)
        trade_rows(page).get_by_role("button", name=re.compile("Edit trade")).click()
        expect(page.locator("#journal-table tr.editing").get_by_label("Notes")).to_have_value(notes)
        assert_no_horizontal_overflow(page)


def test_pages_of_trades(browser: Browser, server: str) -> None:
    credentials = new_user(server, "journal-pages")
    headers = bearer(server, credentials)
    for number in range(1, PAGE_SIZE + 2):
        add_by_api(server, headers, ticker="AAPL", side="BUY", price=str(number), quantity="1")
    with logged_in_page(browser, server, credentials, "journal_pages") as page:
        open_journal(page)
        sort_by(page, "Price", "ascending")
        expect(page.locator("#journal-range")).to_have_text(f"1\N{EN DASH}{PAGE_SIZE} of 26")
        expect(page.get_by_role("button", name="Previous")).to_be_disabled()
        page.get_by_role("button", name="Next").click()
        expect(page.locator("#journal-range")).to_have_text("26\N{EN DASH}26 of 26")
        expect(trade_rows(page).locator("td:nth-child(4)")).to_have_text(["26"])
        expect(page.get_by_role("button", name="Next")).to_be_disabled()
        # Its only trade deleted, the last page gives way to the one before.
        page.once("dialog", lambda dialog: dialog.accept())
        trade_rows(page).get_by_role("button", name=re.compile("Delete trade")).click()
        expect(page.locator("#journal-range")).to_have_text(f"1\N{EN DASH}{PAGE_SIZE} of 25")
        expect(trade_rows(page).first.locator("td:nth-child(4)")).to_have_text("1")
