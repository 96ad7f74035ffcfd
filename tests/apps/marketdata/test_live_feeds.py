"""Live venues wired to the markets: feeds from settings, recording feeds, Binance market sync."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from asgiref.sync import sync_to_async
from django.db import connections

from paperex.apps.marketdata.feeds import FeedUnavailableError, build_feeds, recording_feed
from paperex.apps.marketdata.venue_sync import BinanceMarketSync, venue_sync_start
from paperex.apps.markets.models import Candle, Market
from paperex.marketdata.binance.feed import BinanceFeed
from paperex.marketdata.binance.rest import BinanceRestClient
from paperex.marketdata.events import Kline
from paperex.marketdata.gemini.client import GeminiStreamClient
from paperex.marketdata.yahoo.poller import YahooQuotePoller
from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer, symbol_info
from tests.support.network import unused_port

NOW = 1_700_000_000_000
MINUTE = 60_000
BINANCE_MARKETS = ["ATOMUSDT", "BNBUSDT", "BTCUSDT", "DOTUSDT", "ETHUSDT", "MINAUSDT"]
STOCKS = ["AAPL", "AMZN", "GOOGL", "MSFT", "TSLA"]


@pytest.fixture
def venue_settings(settings, seeded: None):  # type: ignore[no-untyped-def]
    settings.PAPEREX_BINANCE_STREAM_URL = "ws://127.0.0.1:9"
    settings.PAPEREX_BINANCE_REST_URL = "http://127.0.0.1:9"
    settings.PAPEREX_GEMINI_URL = "ws://127.0.0.1:9"
    settings.PAPEREX_YAHOO_POLL_SECONDS = 2.5
    return settings


@pytest.mark.django_db
def test_binance_runs_every_trading_binance_market_from_the_settings(venue_settings) -> None:  # type: ignore[no-untyped-def]
    Market.objects.filter(symbol="DOTUSDT").update(status=Market.Status.HALT)
    [feed] = build_feeds(["binance"])
    assert isinstance(feed, BinanceFeed)
    assert feed.symbols == [s for s in BINANCE_MARKETS if s != "DOTUSDT"]
    assert feed.streams[:2] == ["atomusdt@trade", "atomusdt@depth@100ms"]
    assert feed.stream_client.url().startswith("ws://127.0.0.1:9/stream?streams=atomusdt@trade/")
    assert feed.symbol_map == {}


@pytest.mark.django_db
def test_gemini_runs_its_markets_under_the_venue_symbol(venue_settings) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(FeedUnavailableError, match="no trading markets have the venue gemini"):
        build_feeds(["gemini"])
    Market.objects.filter(symbol="ETHUSDT").update(venue="gemini", venue_symbol="ETHUSD")
    [feed] = build_feeds(["gemini"])
    assert isinstance(feed, GeminiStreamClient)
    assert (feed.symbols, feed.streams) == (["ETHUSDT"], ["ethusd@l2"])
    assert feed.symbol_map == {"ETHUSD": "ETHUSDT"}


@pytest.mark.django_db
def test_yahoo_polls_the_stocks_at_the_configured_interval(venue_settings) -> None:  # type: ignore[no-untyped-def]
    [feed] = build_feeds(["yahoo"])
    assert isinstance(feed, YahooQuotePoller)
    assert (feed.symbols, feed.interval) == (STOCKS, 2.5)


@pytest.mark.django_db
def test_recording_feeds_for_each_live_venue(venue_settings) -> None:  # type: ignore[no-untyped-def]
    binance = recording_feed("binance", ["btcusdt", "ETHUSDT"], ["trade", "depth", "kline_1m"])
    assert isinstance(binance, BinanceFeed)
    assert binance.symbols == ["BTCUSDT", "ETHUSDT"]
    assert binance.streams == [
        "btcusdt@trade",
        "btcusdt@depth@100ms",
        "btcusdt@kline_1m",
        "ethusdt@trade",
        "ethusdt@depth@100ms",
        "ethusdt@kline_1m",
    ]
    for venue, streams in [("binance", ["aggTrade", "ticker", "miniTicker"]), ("gemini", ["l2"])]:
        feed = recording_feed(venue, ["BTCUSDT"], streams)
        assert getattr(feed, "streams", [])[0].startswith("btcusdt@")
    gemini = recording_feed("gemini", ["BTCUSD"], ["l2", "candles_1m"])  # not a market: as given
    assert isinstance(gemini, GeminiStreamClient)
    assert (gemini.streams, gemini.symbol_map) == (["btcusd@l2", "btcusd@candles_1m"], {})
    yahoo = recording_feed("yahoo", ["AAPL"], ["quote"])
    assert isinstance(yahoo, YahooQuotePoller)
    assert yahoo.streams == ["aapl@quote"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("venue", "streams", "message"),
    [
        ("binance", ["bookTicker"], "the binance streams: trade, aggTrade"),
        ("gemini", ["trades"], "the gemini streams: l2, candles_<timeframe>"),
        ("yahoo", ["trade"], "yahoo offers only the stream quote"),
        ("kraken", ["trade"], "not available"),
    ],
)
def test_unknown_recording_streams_are_refused(  # type: ignore[no-untyped-def]
    venue_settings, venue: str, streams: list[str], message: str
) -> None:
    with pytest.raises(FeedUnavailableError, match=message):
        recording_feed(venue, ["BTCUSDT"], streams)


def kline_row(open_time: int, interval_ms: int, close: str) -> list[object]:
    return [
        open_time,
        "1.0",
        "2.0",
        "0.5",
        close,
        "10",
        open_time + interval_ms - 1,
        "15",
        3,
        "5",
        "7",
        "0",
    ]


@pytest.fixture
async def db_thread_closed() -> AsyncIterator[None]:
    """Close the connections the sync_to_async thread opened, so the test database can go."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
async def binance_rest() -> AsyncIterator[FakeBinanceRestServer]:
    async with FakeBinanceRestServer() as rest:
        rest.symbols = [
            symbol_info("BTCUSDT", "BTC", "USDT", "0.10000000", "0.00000100", "10.00000000"),
            {**symbol_info("ETHUSDT", "ETH", "USDT", "0.01", "0.0001", "5"), "status": "BREAK"},
        ]
        closed_minutes = [kline_row(NOW - (3 - i) * MINUTE, MINUTE, f"{100 + i}") for i in range(3)]
        rest.klines[("BTCUSDT", "1m")] = [*closed_minutes, kline_row(NOW, MINUTE, "104")]
        for interval, length in [("5m", 5), ("15m", 15), ("1h", 60), ("4h", 240), ("1d", 1440)]:
            rest.klines[("BTCUSDT", interval)] = [
                kline_row(NOW - 2 * length * MINUTE, length * MINUTE, "99")
            ]
        yield rest


@pytest.mark.django_db(transaction=True)
async def test_binance_sync_updates_rules_and_backfills_closed_candles(
    seeded: None, binance_rest: FakeBinanceRestServer, db_thread_closed: None
) -> None:
    # MINAUSDT and friends are unknown to this venue: the batch fails, then one by one.
    sync = BinanceMarketSync(
        BinanceRestClient(binance_rest.url, clock_ms=lambda: NOW + 1),
        backfill_hours=1,
        clock_ms=lambda: NOW + 1,
    )
    await sync.start()
    await sync.wait()
    await sync.stop()

    btc = await Market.objects.aget(symbol="BTCUSDT")
    assert (btc.tick_size, btc.step_size, btc.min_notional, btc.status) == (
        Decimal("0.1"),
        Decimal("0.000001"),
        Decimal("10"),
        "TRADING",
    )
    assert (
        btc.percent_price_bid_multiplier_up,
        btc.percent_price_bid_multiplier_down,
        btc.percent_price_ask_multiplier_up,
        btc.percent_price_ask_multiplier_down,
    ) == (Decimal(5), Decimal("0.2"), Decimal(4), Decimal("0.25"))
    eth = await Market.objects.aget(symbol="ETHUSDT")
    assert eth.status == Market.Status.BREAK
    report = sync.report
    assert sorted(report.markets_updated) == ["BTCUSDT", "ETHUSDT"]
    assert any("exchangeInfo of MINAUSDT" in error and "-1121" in error for error in report.errors)

    stored: list[tuple[str, int, Decimal]] = [
        row
        async for row in Candle.objects.filter(market=btc)
        .order_by("interval", "open_time")
        .values_list("interval", "open_time", "close")
    ]
    minutes = [(t, c) for i, t, c in stored if i == "1m"]
    assert minutes == [
        (NOW - (3 - i) * MINUTE, Decimal(100 + i)) for i in range(3)
    ]  # not the open one
    assert {i for i, _, _ in stored} == {"1m", "5m", "15m", "1h", "4h", "1d"}
    assert report.candles_stored == 8
    assert report.backfill_finished
    assert any("1m candles of MINAUSDT" in error for error in report.errors)
    assert not any("ETHUSDT" in error for error in report.errors)  # on a break: no backfill


@pytest.mark.django_db(transaction=True)
async def test_binance_sync_has_the_recent_day_for_the_feed_when_it_starts(
    seeded: None, binance_rest: FakeBinanceRestServer, db_thread_closed: None
) -> None:
    sync = BinanceMarketSync(
        BinanceRestClient(binance_rest.url, clock_ms=lambda: NOW + 1),
        backfill_hours=24,
        clock_ms=lambda: NOW + 1,
    )
    await sync.start()
    try:
        history = list(sync.history)  # when start returns, before the coarser backfill
        minutes_stored = await Candle.objects.filter(
            market__symbol="BTCUSDT", interval="1m"
        ).acount()
    finally:
        await sync.wait()
        await sync.stop()

    assert minutes_stored == 3
    assert all(k.symbol == "BTCUSDT" for k in history)
    closed = [(k.interval, k.close) for k in history if k.closed]
    assert closed == [("1m", Decimal(100 + i)) for i in range(3)]
    open_candles = {k.interval: k for k in history if not k.closed}
    assert set(open_candles) == {"1m", "5m", "15m", "1h", "4h", "1d"}
    assert open_candles["1m"].close == open_candles["1d"].close == Decimal("104")
    assert open_candles["1d"].trade_count == 4 * 3  # the four minutes', the open one too
    assert history.index(open_candles["1m"]) > max(
        i for i, k in enumerate(history) if k.closed
    )  # oldest first, as the pipeline takes it


def test_a_binance_feed_goes_on_from_the_fetched_history(venue_settings) -> None:  # type: ignore[no-untyped-def]
    fetched = [
        Kline(
            venue="binance",
            symbol="BTCUSDT",
            event_time=NOW,
            received_at=NOW,
            interval="1m",
            open_time=NOW - NOW % MINUTE,
            close_time=NOW - NOW % MINUTE + MINUTE - 1,
            open=Decimal(1),
            high=Decimal(1),
            low=Decimal(1),
            close=Decimal(1),
            volume=Decimal(1),
            quote_volume=Decimal(1),
            trade_count=1,
            closed=False,
        )
    ]
    [feed] = build_feeds(["binance"], histories={"binance": fetched})
    assert feed.history == fetched  # type: ignore[attr-defined]
    [without] = build_feeds(["binance"])
    assert without.history == []  # type: ignore[attr-defined]


@pytest.mark.django_db(transaction=True)
async def test_an_unreachable_venue_is_reported_never_raised(  # type: ignore[no-untyped-def]
    seeded: None, settings, db_thread_closed: None
) -> None:
    settings.PAPEREX_BINANCE_REST_URL = f"http://127.0.0.1:{unused_port()}"
    assert await venue_sync_start(["synthetic"]) is None
    sync = await venue_sync_start(["binance"])
    assert sync is not None
    await sync.wait()
    await sync.stop()
    assert sync.report.markets_updated == []
    assert (
        sync.report.errors[0].startswith("exchangeInfo: ConnectConnectionRefused")
        or "exchangeInfo" in sync.report.errors[0]
    )
    assert sync.report.backfill_finished
    btc = await Market.objects.aget(symbol="BTCUSDT")
    assert btc.tick_size == Decimal("0.01")  # the seeded rules stay


def test_synthetic_covers_only_the_markets_no_live_feed_covers(seeded: None) -> None:
    alone = build_feeds(["synthetic"])
    assert len(alone[0].symbols) == 11  # type: ignore[attr-defined]
    together = build_feeds(["yahoo", "synthetic"])
    synthetic = next(feed for feed in together if feed.venue == "synthetic")
    assert sorted(synthetic.symbols) == sorted(  # type: ignore[attr-defined]
        ["BTCUSDT", "ETHUSDT", "BNBUSDT", "MINAUSDT", "ATOMUSDT", "DOTUSDT"]
    )
