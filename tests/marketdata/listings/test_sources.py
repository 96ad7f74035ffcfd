"""Venue listings: the synthetic venue's seeded growth, Binance's ticker/price on a fake."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal

import pytest

from paperex.marketdata.listings import (
    BinanceListingSource,
    ListedSymbol,
    SyntheticListingSource,
    VenueUnavailableError,
)
from paperex.marketdata.listings.synthetic import LISTINGS_EPOCH_MS, listing_price, listing_symbol
from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer, symbol_info
from tests.support.network import unused_port

HOUR = 3_600_000
BASE = {"BTCUSDT": Decimal("60000")}


def synthetic_at(now_ms: int, *, seed: int = 7) -> SyntheticListingSource:
    return SyntheticListingSource(
        seed=seed, every_ms=6 * HOUR, clock_ms=lambda: now_ms, base_prices=BASE
    )


def test_the_synthetic_venue_lists_only_its_base_markets_before_the_first_interval() -> None:
    assert synthetic_at(LISTINGS_EPOCH_MS - HOUR).listed() == [
        ListedSymbol("BTCUSDT", Decimal("60000"))
    ]
    assert synthetic_at(LISTINGS_EPOCH_MS + 6 * HOUR - 1).listed_count() == 0


def test_the_synthetic_venue_adds_one_symbol_per_interval_and_keeps_the_earlier_ones() -> None:
    before = synthetic_at(LISTINGS_EPOCH_MS + 12 * HOUR).listed()
    after = synthetic_at(LISTINGS_EPOCH_MS + 18 * HOUR).listed()
    assert len(before) == 3
    assert after[:3] == before
    assert after[3] == ListedSymbol(listing_symbol(7, 2), listing_price(7, 2))


def test_synthetic_listings_are_named_and_priced_from_the_seed() -> None:
    at = LISTINGS_EPOCH_MS + 30 * 6 * HOUR
    assert synthetic_at(at, seed=7).listed() == synthetic_at(at, seed=7).listed()
    assert synthetic_at(at, seed=7).listed() != synthetic_at(at, seed=8).listed()
    names = [listing_symbol(7, number) for number in range(2000)]
    assert len(set(names)) == len(names)
    assert all(name.endswith("USDT") and name[:3].isalpha() for name in names)
    prices = [listing_price(7, number) for number in range(200)]
    assert all(isinstance(p, Decimal) and Decimal("0.0001") <= p < 1000 for p in prices)


def test_the_synthetic_interval_must_be_positive() -> None:
    with pytest.raises(ValueError, match="every_ms"):
        SyntheticListingSource(seed=0, every_ms=0)


async def test_binance_lists_every_ticker_price_as_exact_decimals() -> None:
    async with FakeBinanceRestServer() as venue:
        venue.prices = {"BTCUSDT": "60000.01000000", "NEWUSDT": "0.00001234"}
        listed = await asyncio.to_thread(BinanceListingSource(venue.url).listed)
        assert listed == [
            ListedSymbol("BTCUSDT", Decimal("60000.01")),
            ListedSymbol("NEWUSDT", Decimal("0.00001234")),
        ]
        assert [path for path, _ in venue.requests] == ["/api/v3/ticker/price"]


async def test_a_binance_that_does_not_answer_is_one_line_naming_the_venue() -> None:
    source = BinanceListingSource(f"http://127.0.0.1:{unused_port()}", timeout=2)
    with pytest.raises(VenueUnavailableError) as raised:
        await asyncio.to_thread(source.listed)
    assert str(raised.value).startswith("binance did not list its symbols: ")
    assert "\n" not in str(raised.value)


async def test_a_binance_error_answer_is_a_venue_error() -> None:
    async with FakeBinanceRestServer() as venue:
        source = BinanceListingSource(venue.url + "/nowhere")
        with pytest.raises(VenueUnavailableError, match="HTTP 404"):
            await asyncio.to_thread(source.listed)


@pytest.mark.parametrize(
    ("price", "tick_size", "step_size"),
    [
        ("523.1234", "0.0001", "0.01"),
        ("5", "0.0001", "1"),
        ("0.0123", "1E-6", "1"),
        ("0.0001", "1E-8", "1"),
        ("999.9999", "0.0001", "0.01"),
        ("12", "0.0001", "0.1"),
    ],
)
def test_a_synthetic_listing_trades_on_a_grid_that_fits_its_price(
    price: str, tick_size: str, step_size: str
) -> None:
    (instrument,) = synthetic_at(0).instruments([ListedSymbol("ABC7USDT", Decimal(price))])
    assert (instrument.symbol, instrument.base, instrument.quote) == ("ABC7USDT", "ABC7", "USDT")
    assert (instrument.tick_size, instrument.step_size) == (Decimal(tick_size), Decimal(step_size))
    assert instrument.min_notional == 5
    instrument.price_to_ticks(Decimal(price))  # the listed price is on the grid


async def test_binance_gives_the_rules_of_the_new_symbols_it_trades() -> None:
    async with FakeBinanceRestServer() as venue:
        venue.symbols = [
            symbol_info("NEWUSDT", "NEW", "USDT", "0.00000001", "1", "5"),
            {**symbol_info("OLDUSDT", "OLD", "USDT", "0.01", "0.1", "5"), "status": "BREAK"},
        ]
        listed = [ListedSymbol("NEWUSDT", Decimal("0.00001234")), ListedSymbol("OLDUSDT", 1)]
        instruments = await asyncio.to_thread(BinanceListingSource(venue.url).instruments, listed)
        (path, query), *_ = venue.requests
        assert path == "/api/v3/exchangeInfo"
        assert json.loads(query["symbols"]) == ["NEWUSDT", "OLDUSDT"]
    assert [(i.symbol, i.base, i.quote) for i in instruments] == [("NEWUSDT", "NEW", "USDT")]
    assert (instruments[0].tick_size, instruments[0].step_size) == (Decimal("1E-8"), 1)


async def test_binance_without_rules_is_a_venue_error() -> None:
    source = BinanceListingSource(f"http://127.0.0.1:{unused_port()}", timeout=2)
    listed = [ListedSymbol("NEWUSDT", Decimal(1))]
    with pytest.raises(VenueUnavailableError, match=r"^binance did not give its trading rules: "):
        await asyncio.to_thread(source.instruments, listed)
