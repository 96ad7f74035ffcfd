"""The backtest page in a real browser (see web_browser): opened from the navigation, a run on
an uploaded CSV followed until done with its statistics, charts and trades, the checks as you
type, the server's one-line refusal, and the list of runs with deleting. Saves a screenshot
under tests/artifacts/."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.servers import jobs_worker, running_server
from tests.integration.web_browser import Browser, Page, expect, logged_in_page, new_user

# Fixtures, which pytest finds by name in this module.
from tests.integration.web_browser import browser as browser
from tests.integration.web_browser import server_env as server_env


@pytest.fixture(scope="module")
def server(server_env: dict[str, str]) -> Iterator[str]:
    """The server, and a jobs worker when it hands backtests to Celery (Redis configured)."""
    with running_server(server_env) as url, jobs_worker(server_env):
        yield url


pytestmark = pytest.mark.integration

MINUTE_MS = 60_000
START_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z
RUN_DEADLINE_MS = 60_000


def sine_and_trend_csv(path: Path, bars: int) -> Path:
    """One-minute closes swinging around a rising line: a 5/20 crossover trades on them."""
    lines = ["time,close"]
    for index in range(bars):
        close = 100 + 0.02 * index + 3 * math.sin(index / 15)
        lines.append(f"{START_MS + index * MINUTE_MS},{close:.4f}")
    path.write_text("\n".join(lines) + "\n")
    return path


def choose_csv_and_crossover(page: Page, csv: Path, fast: str, slow: str) -> None:
    page.get_by_label("A CSV file", exact=True).check()
    page.locator("#backtest-csv").set_input_files(str(csv))
    page.get_by_label("Strategy", exact=True).select_option("sma_cross")
    page.get_by_label("fast", exact=True).fill(fast)
    page.get_by_label("slow", exact=True).fill(slow)


def test_run_a_crossover_on_a_csv_see_its_result_and_delete_it(
    browser: Browser, server: str, tmp_path: Path
) -> None:
    prices = sine_and_trend_csv(tmp_path / "prices.csv", 600)
    too_short = sine_and_trend_csv(tmp_path / "short.csv", 10)
    credentials = new_user(server, "backtest")
    with logged_in_page(browser, server, credentials, "backtest_page") as page:
        page.get_by_role("navigation").get_by_role("link", name="Backtest").click()
        page.wait_for_url("**/web/backtest/")
        expect(page.locator("#backtest-runs tbody tr.empty-row")).to_be_visible()

        # The parameters follow the strategy, with their defaults.
        page.get_by_label("Strategy", exact=True).select_option("rsi_reversion")
        expect(page.get_by_label("period", exact=True)).to_have_value("14")
        page.get_by_label("Strategy", exact=True).select_option("sma_cross")
        expect(page.get_by_label("fast", exact=True)).to_have_value("50")
        expect(page.get_by_label("slow", exact=True)).to_have_value("200")

        # Checked as typed: slow not above fast, a fraction of a period, a fee out of range.
        submit = page.get_by_role("button", name="Run backtest")
        choose_csv_and_crossover(page, prices, "20", "20")
        expect(page.locator("#backtest-parameter-slow-error")).to_have_text(
            "Slow must be above fast."
        )
        expect(page.get_by_label("slow", exact=True)).to_have_attribute("aria-invalid", "true")
        expect(submit).to_be_disabled()
        page.get_by_label("fast", exact=True).fill("2.5")
        expect(page.locator("#backtest-parameter-fast-error")).to_have_text("Enter a whole number.")
        page.get_by_label("fast", exact=True).fill("5")
        expect(page.locator("#backtest-parameter-slow-error")).to_have_text("")
        page.get_by_label("Fee (fraction of a fill)", exact=True).fill("0.5")
        expect(page.locator("#backtest-setting-fee-error")).to_have_text("Below 0.1.")
        expect(submit).to_be_disabled()
        page.get_by_label("Fee (fraction of a fill)", exact=True).fill("0.001")
        expect(submit).to_be_enabled()

        # The server's refusal, in one line beside the button: too few bars for the warm-up.
        page.locator("#backtest-csv").set_input_files(str(too_short))
        submit.click()
        refusal = page.locator("#backtest-refusal")
        expect(refusal).to_contain_text("bars")
        assert "\n" not in refusal.inner_text()
        expect(page.locator("#backtest-runs tbody tr.empty-row")).to_be_visible()

        # A run followed until it is done.
        page.locator("#backtest-csv").set_input_files(str(prices))
        submit.click()
        expect(refusal).to_have_text("")
        status = page.locator("#backtest-status")
        expect(status).to_have_attribute("data-status", "done", timeout=RUN_DEADLINE_MS)
        expect(status).to_contain_text("sma_cross on prices.csv: done, 600 bars.")

        statistics = page.locator("#backtest-statistics tbody tr")
        expect(statistics).to_have_count(11)
        total_return = statistics.filter(has_text="Total return").locator("td")
        expect(total_return.first).to_have_text(re.compile(r"^[+-]?[\d,]+\.\d\d%$"))
        for cell in total_return.all_inner_texts():
            assert cell.endswith("%"), cell
        expect(statistics.filter(has_text="Trades (closed)").locator("td").first).not_to_have_text(
            "0"
        )
        for chart in ("#backtest-price", "#backtest-equity", "#backtest-drawdown"):
            expect(page.locator(f"{chart} svg path").first).to_be_attached()
        expect(page.locator("#backtest-price svg path.entry").first).to_be_attached()
        expect(page.locator("#backtest-equity svg path.buy-and-hold")).to_be_attached()
        trade_rows = page.locator("#backtest-trades tbody tr.trade-row")
        expect(trade_rows.first).to_be_visible()
        assert trade_rows.count() <= 200

        # Sorting the trades by P&L puts the largest first on the second click.
        page.locator("#backtest-trades thead").get_by_role("button", name="P&L").click()
        page.locator("#backtest-trades thead").get_by_role("button", name="P&L").click()
        header = page.locator("#backtest-trades thead th", has_text="P&L")
        expect(header).to_have_attribute("aria-sort", "descending")

        # The run is listed; opening it shows it again; deleting it takes it out.
        listed = page.locator("#backtest-runs tbody tr[data-id]")
        expect(listed).to_have_count(1)
        expect(listed).to_contain_text("sma_cross")
        expect(listed).to_contain_text("prices.csv")
        expect(listed).to_contain_text("done")
        run_id = listed.get_attribute("data-id")
        page.get_by_role("button", name=f"Open backtest {run_id}").click()
        expect(status).to_have_attribute("data-status", "done")
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name=f"Delete backtest {run_id}").click()
        expect(listed).to_have_count(0)
        expect(page.locator("#backtest-runs tbody tr.empty-row")).to_be_visible()
