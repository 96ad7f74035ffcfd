"""The trade journal's page in a real browser (see web_browser): the add form checked as you
type, editing in place, filters, server-side sorting, the CSV download, deleting, the
read-only copies of exchange fills, and the day analysis (its table and charts, and the run that
staff start). Each test saves a screenshot under tests/artifacts/."""

from __future__ import annotations

import csv
import json
import re
import subprocess
from pathlib import Path

import httpx
import pytest

from tests.integration.servers import PAPEREX
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

ANALYSIS_DAY = "2024-03-12"
AAPL_CELLS = ["AAPL", "3", "15", "12", "27", "2,990", "110.74", "120", "100", "09:00:00"]
AAPL_CELLS += ["11:00:00", "\N{EN DASH}", "220"]  # last trade, fees, realized P&L


def open_journal(page: Page) -> None:
    page.goto("/web/journal/")
    expect(page.locator("#journal-table tbody tr:not(.loading-row)").first).to_be_visible()


def trade_rows(page: Page) -> Locator:
    return page.locator("#journal-table tbody tr[data-id]")


def column(page: Page, index: int) -> list[str]:
    return trade_rows(page).locator(f"td:nth-child({index})").all_inner_texts()


def analysis_row(page: Page, ticker: str) -> Locator:
    return page.locator(f"#analysis-table tr[data-ticker='{ticker}']")


def pick_analysis_day(page: Page, day: str) -> None:
    page.locator("#analysis-date").fill(day)


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
        expect(analysis_row(page, "BRK.B")).to_be_visible()  # the day analysis fits too
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


def test_the_day_analysis_as_a_table_and_charts(browser: Browser, server: str) -> None:
    credentials = new_user(server, "journal-analysis")
    headers = bearer(server, credentials)
    for side, price, quantity, hour in (
        ("BUY", "100", "10", "09"),
        ("BUY", "110", "5", "10"),
        ("SELL", "120", "12", "11"),
    ):
        add_by_api(
            server,
            headers,
            ticker="AAPL",
            side=side,
            price=price,
            quantity=quantity,
            timestamp=f"{ANALYSIS_DAY}T{hour}:00:00Z",
        )
    add_by_api(
        server,
        headers,
        ticker="MSFT",
        side="BUY",
        price="400.5",
        quantity="2",
        fee="0.25",
        fee_asset="USD",
        timestamp=f"{ANALYSIS_DAY}T12:30:15Z",
    )
    with logged_in_page(browser, server, credentials, "journal_analysis_states") as page:
        open_journal(page)
        # The newest trade's day comes first; the TOTAL row last and bold.
        expect(page.locator("#analysis-date")).to_have_value(ANALYSIS_DAY)
        expect(analysis_row(page, "AAPL").locator("th, td")).to_have_text(AAPL_CELLS)
        expect(analysis_row(page, "AAPL").locator("td").last).to_have_class("num up")
        expect(analysis_row(page, "MSFT").locator("td:nth-child(12)")).to_have_text("0.25 USD")
        rows = page.locator("#analysis-table tr[data-ticker]")
        expect(rows).to_have_count(3)
        expect(rows.last.locator("th, td").nth(0)).to_have_text("TOTAL")
        expect(rows.last.locator("td:nth-child(5)")).to_have_text("29")
        assert rows.last.evaluate("row => getComputedStyle(row).fontWeight") == "700"
        expect(page.locator("#analysis-scope")).to_have_text("Figures of your own trades that day.")
        expect(
            page.get_by_role("table", name=f"Figures per ticker of {ANALYSIS_DAY}")
        ).to_be_visible()

        # One bar per ticker, in proportion; the VWAP marker inside the day's range.
        volume = page.locator("#analysis-volume svg[role=img]")
        expect(volume).to_have_attribute("aria-label", "Volume per ticker: AAPL 27, MSFT 2")
        expect(page.locator("#analysis-notional svg[role=img] .bar")).to_have_count(2)
        aapl_bar, msft_bar = (box(bar) for bar in volume.locator(".bar").all())
        assert aapl_bar["width"] == pytest.approx(msft_bar["width"] * 27 / 2, rel=0.01)
        expect(page.locator("#analysis-range svg[role=img] .vwap-marker")).to_have_count(2)
        aapl_range = page.locator("#analysis-range g[data-ticker='AAPL']")
        track = box(aapl_range.locator(".range-track"))
        marker = box(aapl_range.locator(".vwap-marker"))
        position = (marker["x"] + marker["width"] / 2 - track["x"]) / track["width"]
        assert position == pytest.approx((2990 / 27 - 100) / 20, abs=0.01)
        expect(aapl_range.locator(".chart-value")).to_have_text(["VWAP 110.74", "100", "120"])
        page.screenshot(path=str(ARTIFACTS / "journal_analysis.png"), full_page=True)

        # A day without trades is told as such, not as an error.
        pick_analysis_day(page, "2024-03-13")
        expect(page.locator("#analysis-status .no-trades")).to_have_text(
            "No trades of yours on 2024-03-13."
        )
        expect(page.locator("#analysis-figures")).to_be_hidden()
        expect(page.locator(".toast")).to_have_count(0)

        # A store that is away can be retried.
        away = {"code": "storage_unavailable", "message": "The export store is unreachable."}
        page.route(
            "**/api/trade-analysis/2024-03-14/",
            lambda route: route.fulfill(status=503, body=json.dumps(away)),
        )
        pick_analysis_day(page, "2024-03-14")
        expect(page.locator("#analysis-status")).to_contain_text(
            "The export store is unreachable. It can be retried in a moment."
        )
        page.unroute("**/api/trade-analysis/2024-03-14/")
        page.locator("#analysis-status").get_by_role("button", name="Try again").click()
        expect(page.locator("#analysis-status .no-trades")).to_have_text(
            "No trades of yours on 2024-03-14."
        )
        expect(page.get_by_role("button", name="Run the day's analysis")).to_be_hidden()

    with logged_in_page(browser, server, credentials, "journal_analysis_phone", PHONE) as page:
        open_journal(page)
        expect(analysis_row(page, "AAPL")).to_be_visible()
        assert_no_horizontal_overflow(page)


def box(locator: Locator) -> dict[str, float]:
    found = locator.bounding_box()
    assert found is not None
    return dict(found)


def test_staff_run_the_analysis_of_everyones_trades(
    browser: Browser, server: str, server_env: dict[str, str]
) -> None:
    day = "2024-04-02"
    trader = new_user(server, "journal-analysis-trader")
    add_by_api(
        server,
        bearer(server, trader),
        ticker="AAPL",
        side="BUY",
        price="100",
        quantity="4",
        timestamp=f"{day}T10:00:00Z",
    )
    staff = new_user(server, "journal-staff")
    make_staff = "from paperex.apps.accounts.models import User; "
    make_staff += f"User.objects.filter(username={staff[0]!r}).update(is_staff=True)"
    paperex(server_env, "manage", "shell", "-c", make_staff)
    with logged_in_page(browser, server, staff, "journal_analysis_staff") as page:
        open_journal(page)
        pick_analysis_day(page, day)
        expect(page.locator("#analysis-status .no-trades")).to_contain_text(
            f"No analysis saved for {day}"
        )
        run = page.get_by_role("button", name="Run the day's analysis")
        run.click()
        expect(page.locator("#analysis-run-status")).to_have_text(f"No trade data found for {day}")

        paperex(server_env, "export-trades", "--date", day)  # the day's trades.csv, for everyone
        run.click()
        expect(page.locator("#analysis-run-status")).to_have_text(f"Analysis saved for {day}")
        expect(analysis_row(page, "AAPL").locator("td:nth-child(5)")).to_have_text("4")
        expect(page.locator("#analysis-scope")).to_have_text(
            "The saved analysis of every user's trades that day."
        )


def paperex(env: dict[str, str], *arguments: str) -> None:
    done = subprocess.run(
        [*PAPEREX, *arguments], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
