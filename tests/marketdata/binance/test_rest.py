"""The Binance REST client against a local fake venue API on 127.0.0.1."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest

from paperex.domain import Instrument, PercentPriceBySide
from paperex.marketdata.binance.feed import snapshot_frame
from paperex.marketdata.binance.parse import parse_message
from paperex.marketdata.binance.rest import BinanceApiError, BinanceRestClient, PriceTicker
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import BookSnapshot
from paperex.marketdata.feed import RawMessage
from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer, symbol_info

NOW = 1_700_000_100_000
MINUTE = 60_000


def kline_row(open_time: int, close: str = "101.5") -> list[object]:
    return [
        open_time,
        "100.0",
        "102.0",
        "99.5",
        close,
        "12.5",
        open_time + MINUTE - 1,
        "1262.5",
        42,
        "6.0",
        "606.0",
        "0",
    ]


@pytest.fixture
async def venue() -> AsyncIterator[FakeBinanceRestServer]:
    async with FakeBinanceRestServer() as server:
        server.symbols = [
            symbol_info("BTCUSDT", "BTC", "USDT", "0.01000000", "0.00001000", "5.00000000"),
            symbol_info("ETHBTC", "ETH", "BTC", "0.00000100", "0.00100000", "0.00100000"),
        ]
        yield server


@pytest.fixture
async def rest(venue: FakeBinanceRestServer) -> AsyncIterator[BinanceRestClient]:
    async with BinanceRestClient(venue.url, clock_ms=lambda: NOW) as client:
        yield client


async def test_exchange_info_gives_typed_symbol_rules(
    venue: FakeBinanceRestServer, rest: BinanceRestClient
) -> None:
    btc, eth = await rest.exchange_info()
    assert (btc.symbol, btc.base_asset, btc.quote_asset, btc.trading) == (
        "BTCUSDT",
        "BTC",
        "USDT",
        True,
    )
    assert (btc.tick_size, btc.step_size, btc.min_notional) == (
        Decimal("0.01"),
        Decimal("0.00001"),
        Decimal("5"),
    )
    assert btc.percent_price_by_side == PercentPriceBySide(
        bid_multiplier_up=Decimal(5),
        bid_multiplier_down=Decimal("0.2"),
        ask_multiplier_up=Decimal(4),
        ask_multiplier_down=Decimal("0.25"),
    )
    assert eth.min_quantity == Decimal("0.001")
    assert eth.max_price == Decimal("1000000")
    assert "MARKET" in eth.order_types
    assert btc.to_instrument() == Instrument(
        symbol="BTCUSDT",
        base="BTC",
        quote="USDT",
        tick_size=Decimal("0.01"),
        step_size=Decimal("0.00001"),
        min_notional=Decimal("5"),
    )


@pytest.mark.parametrize(
    ("multiplier", "value"), [("askMultiplierDown", "1.5"), ("bidMultiplierUp", None)]
)
async def test_a_price_band_without_the_reference_price_or_a_multiplier_is_a_parse_error(
    venue: FakeBinanceRestServer, rest: BinanceRestClient, multiplier: str, value: str | None
) -> None:
    (band,) = [f for f in venue.symbols[0]["filters"] if f["filterType"] == "PERCENT_PRICE_BY_SIDE"]
    band[multiplier] = value
    if value is None:
        del band[multiplier]
    with pytest.raises(ParseError, match="BTCUSDT PERCENT_PRICE_BY_SIDE"):
        await rest.exchange_info()


async def test_exchange_info_for_chosen_symbols_and_an_unknown_one(
    venue: FakeBinanceRestServer, rest: BinanceRestClient
) -> None:
    assert [rules.symbol for rules in await rest.exchange_info(["ETHBTC"])] == ["ETHBTC"]
    assert len(await rest.exchange_info(["ETHBTC", "BTCUSDT"])) == 2
    assert venue.requests[-1][1] == {"symbols": '["ETHBTC","BTCUSDT"]'}
    with pytest.raises(BinanceApiError) as error:
        await rest.exchange_info(["NOPE"])
    assert (error.value.status, error.value.code, error.value.message) == (
        400,
        -1121,
        "Invalid symbol.",
    )


async def test_klines_are_closed_candles_except_the_one_still_forming(
    venue: FakeBinanceRestServer, rest: BinanceRestClient
) -> None:
    forming = NOW - NOW % MINUTE
    venue.klines[("BTCUSDT", "1m")] = [
        kline_row(forming - 2 * MINUTE),
        kline_row(forming - MINUTE),
        kline_row(forming),
    ]
    klines = await rest.klines("BTCUSDT", "1m", limit=3)
    assert [kline.closed for kline in klines] == [True, True, False]
    first = klines[0]
    assert (first.open, first.high, first.low, first.close) == tuple(
        map(Decimal, ["100.0", "102.0", "99.5", "101.5"])
    )
    assert (first.volume, first.quote_volume, first.trade_count) == (
        Decimal("12.5"),
        Decimal("1262.5"),
        42,
    )
    assert (first.symbol, first.interval, first.venue) == ("BTCUSDT", "1m", "binance")
    assert first.close_time == first.open_time + MINUTE - 1
    assert venue.requests[-1][1] == {"symbol": "BTCUSDT", "interval": "1m", "limit": "3"}


async def test_kline_history_pages_through_everything_in_order(
    venue: FakeBinanceRestServer, rest: BinanceRestClient
) -> None:
    start = 1_600_000_020_000 - 1_600_000_020_000 % MINUTE
    venue.klines[("BTCUSDT", "1m")] = [kline_row(start + i * MINUTE) for i in range(25)]
    history = [k async for k in rest.kline_history("BTCUSDT", "1m", start_time=start, page_size=10)]
    assert [k.open_time for k in history] == [start + i * MINUTE for i in range(25)]
    assert sum(1 for path, _ in venue.requests if path == "/api/v3/klines") == 3
    bounded = rest.kline_history("BTCUSDT", "1m", start_time=start, end_time=start + 4 * MINUTE)
    assert len([k async for k in bounded]) == 5


async def test_a_bad_interval_is_a_typed_error(
    venue: FakeBinanceRestServer, rest: BinanceRestClient
) -> None:
    with pytest.raises(BinanceApiError, match="-1120"):
        await rest.klines("BTCUSDT", "7m")


async def test_the_depth_body_comes_as_sent_and_wraps_into_a_book_snapshot(
    venue: FakeBinanceRestServer, rest: BinanceRestClient
) -> None:
    venue.depth_snapshots["BTCUSDT"] = [
        {
            "lastUpdateId": 1027024,
            "bids": [["4.00000000", "431.00000000"]],
            "asks": [["4.00000200", "12.00000000"]],
        }
    ]
    body = await rest.depth_body("BTCUSDT", limit=100)
    assert venue.requests[-1] == ("/api/v3/depth", {"symbol": "BTCUSDT", "limit": "100"})
    message = RawMessage(received_at=NOW, payload=snapshot_frame("BTCUSDT", 100, body))
    assert parse_message(message) == [
        BookSnapshot(
            venue="binance",
            symbol="BTCUSDT",
            event_time=NOW,
            received_at=NOW,
            last_update_id=1027024,
            bids=[(Decimal("4"), Decimal("431"))],
            asks=[(Decimal("4.000002"), Decimal("12"))],
        )
    ]


async def test_prices_ping_and_time(venue: FakeBinanceRestServer, rest: BinanceRestClient) -> None:
    venue.prices = {"LTCBTC": "4.00000200", "ETHBTC": "0.05"}
    assert await rest.ticker_price("LTCBTC") == PriceTicker("LTCBTC", Decimal("4.000002"))
    assert [ticker.symbol for ticker in await rest.ticker_prices()] == ["LTCBTC", "ETHBTC"]
    await rest.ping()
    assert await rest.server_time() == venue.server_time


async def test_an_error_without_a_binance_body_and_a_body_of_the_wrong_shape(
    venue: FakeBinanceRestServer,
) -> None:
    async with BinanceRestClient(venue.url + "/nothing-here") as rest:
        with pytest.raises(BinanceApiError) as error:
            await rest.ping()
        assert (error.value.status, error.value.code) == (404, None)
    venue.prices = {"LTCBTC": "not a number"}
    async with BinanceRestClient(venue.url) as rest:
        with pytest.raises(ParseError, match="ticker/price"):
            await rest.ticker_price("LTCBTC")
