from __future__ import annotations

import functools
import math
import random
import statistics
from decimal import Decimal

import pytest

from paperex.domain import Instrument, Side
from paperex.marketdata.aggregation import CandleAggregator
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, Kline, Trade
from paperex.marketdata.feed import FeedState, RawMessage, parser_for
from paperex.marketdata.synthetic import (
    DEFAULT_PROFILES,
    MarketSettings,
    SyntheticFeed,
    SyntheticMarket,
    encode_event,
    profile_for,
)
from paperex.marketdata.synthetic.price_process import VolatilityClusteringWalk
from tests.marketdata.synthetic_fixtures import INSTRUMENTS, START_MS

MINUTE = 60_000
BY_SYMBOL = {instrument.symbol: instrument for instrument in INSTRUMENTS}
CALM = MarketSettings(events_per_second=15)
"""Fewer events per minute, so that tests over simulated hours stay quick."""


def generate(market: SyntheticMarket, count: int) -> list[Event]:
    events: list[Event] = list(market.opening_events())
    while len(events) < count:
        events.extend(market.step())
    return events


def generate_for(market: SyntheticMarket, minutes: int) -> list[Event]:
    events: list[Event] = list(market.opening_events())
    while market.now_ms < market.start_ms + minutes * MINUTE:
        events.extend(market.step())
    return events


def test_the_same_seed_gives_the_identical_sequence_and_another_seed_does_not() -> None:
    first = generate(SyntheticMarket(INSTRUMENTS, seed=7, start_ms=START_MS), 3_000)
    again = generate(SyntheticMarket(INSTRUMENTS, seed=7, start_ms=START_MS), 3_000)
    other = generate(SyntheticMarket(INSTRUMENTS, seed=8, start_ms=START_MS), 3_000)
    assert first == again
    assert [encode_event(event) for event in first] == [encode_event(event) for event in again]
    assert first[len(INSTRUMENTS) :] != other[len(INSTRUMENTS) :]


def test_prices_and_quantities_are_on_the_instruments_grids() -> None:
    events = generate(SyntheticMarket(INSTRUMENTS, seed=1, start_ms=START_MS), 5_000)
    checked = 0
    for event in events:
        instrument = BY_SYMBOL[event.symbol]
        if isinstance(event, Trade):
            levels = [(event.price, event.quantity)]
        elif isinstance(event, BookSnapshot | BookDelta):
            levels = [*event.bids, *event.asks]
        else:
            continue
        for price, quantity in levels:
            assert price > 0
            instrument.price_to_ticks(price)  # raises when off the grid
            instrument.quantity_to_lots(quantity)
            checked += 1
    assert checked > 10_000


def test_each_book_starts_with_a_snapshot_stays_uncrossed_and_has_contiguous_update_ids() -> None:
    events = generate(SyntheticMarket(INSTRUMENTS, seed=2, start_ms=START_MS), 8_000)
    books: dict[str, tuple[dict[Decimal, Decimal], dict[Decimal, Decimal]]] = {}
    last_update: dict[str, int] = {}
    deltas = 0
    for event in events:
        if isinstance(event, BookSnapshot):
            assert event.symbol not in books
            books[event.symbol] = (dict(event.bids), dict(event.asks))
            last_update[event.symbol] = event.last_update_id
        elif isinstance(event, BookDelta):
            assert event.first_update_id == last_update[event.symbol] + 1
            assert event.final_update_id >= event.first_update_id
            last_update[event.symbol] = event.final_update_id
            bids, asks = books[event.symbol]
            for side, changes in ((bids, event.bids), (asks, event.asks)):
                for price, quantity in changes:
                    if quantity:
                        side[price] = quantity
                    else:
                        side.pop(price, None)
            assert bids
            assert asks
            assert max(bids) < min(asks), f"crossed book at {event}"
            deltas += 1
        else:
            assert isinstance(event, Trade)
            assert event.symbol in books  # trades come after the opening snapshot
    assert deltas > 2_000
    assert set(books) == set(BY_SYMBOL)


def test_trades_hit_the_book_side_their_aggressor_takes() -> None:
    market = SyntheticMarket(INSTRUMENTS[:1], seed=3, start_ms=START_MS)
    for _ in range(2_000):
        events = market.step()
        if not isinstance(events[0], Trade):
            continue
        trades = [event for event in events if isinstance(event, Trade)]
        prices = [trade.price for trade in trades]
        assert len({trade.aggressor for trade in trades}) == 1
        assert prices == sorted(prices, reverse=trades[0].aggressor is Side.SELL)
        ids = [trade.trade_id for trade in trades]
        assert ids == list(range(ids[0], ids[0] + len(ids)))


def one_minute_candles(events: list[Event]) -> list[Kline]:
    aggregator = CandleAggregator(["1m"])
    closed: list[Kline] = []
    for event in events:
        if isinstance(event, Trade):
            closed.extend(aggregator.add_trade(event))
    return closed


@functools.cache
def half_an_hour_of_candles() -> list[Kline]:
    market = SyntheticMarket(INSTRUMENTS, seed=4, start_ms=START_MS, settings=CALM)
    return one_minute_candles(generate_for(market, 30))


@pytest.mark.parametrize("symbol", ["BTCUSDT", "MINAUSDT", "AAPL"])
def test_one_minute_candles_look_alive(symbol: str) -> None:
    candles = [c for c in half_an_hour_of_candles() if c.symbol == symbol]
    assert len(candles) >= 28
    with_wicks = sum(c.high > max(c.open, c.close) or c.low < min(c.open, c.close) for c in candles)
    with_bodies = sum(c.open != c.close for c in candles)
    assert with_wicks >= 0.7 * len(candles)
    assert with_bodies >= 0.8 * len(candles)
    tick = BY_SYMBOL[symbol].tick_size
    ranges_in_ticks = [(c.high - c.low) / tick for c in candles]
    assert statistics.median(ranges_in_ticks) >= 5
    closes = [c.close for c in candles]
    assert len(set(closes)) > len(closes) // 2  # the price wanders


def test_aggressor_flow_leans_with_the_price_move() -> None:
    market = SyntheticMarket(INSTRUMENTS[:1], seed=5, start_ms=START_MS, settings=CALM)
    flows: dict[int, int] = {}
    moves: dict[int, list[Decimal]] = {}
    for event in generate_for(market, 60):
        if isinstance(event, Trade):
            minute = event.trade_time // MINUTE
            flows[minute] = flows.get(minute, 0) + (1 if event.aggressor is Side.BUY else -1)
            moves.setdefault(minute, []).append(event.price)
    agree = sum((flows[m] > 0) == (prices[-1] > prices[0]) for m, prices in moves.items())
    assert agree >= 0.6 * len(moves)


def test_trade_sizes_are_heavy_tailed() -> None:
    market = SyntheticMarket(INSTRUMENTS[:1], seed=6, start_ms=START_MS)
    notionals = sorted(
        float(event.price * event.quantity)
        for event in generate(market, 20_000)
        if isinstance(event, Trade)
    )
    median = notionals[len(notionals) // 2]
    assert 300 < median < 3_000  # around the profile's typical BTC trade in USDT
    assert notionals[-1] > 30 * median


def test_volatility_clusters() -> None:
    walk = VolatilityClusteringWalk(random.Random(9), start_price=100.0, variance_per_second=1e-8)
    squared_minute_returns = []
    for _ in range(3_000):
        before = walk.log_price
        for _ in range(12):
            walk.step(5.0)
        squared_minute_returns.append((walk.log_price - before) ** 2)
    lagged = statistics.correlation(squared_minute_returns[:-1], squared_minute_returns[1:])
    assert lagged > 0.1  # busy minutes follow busy minutes
    mean_variance = statistics.fmean(squared_minute_returns) / 60
    assert 0.3e-8 < mean_variance < 3e-8
    assert math.isfinite(walk.price)


def test_default_profiles_have_realistic_starting_prices() -> None:
    assert DEFAULT_PROFILES["BTCUSDT"].start_price == Decimal(60_000)
    assert DEFAULT_PROFILES["MINAUSDT"].start_price == Decimal("0.5")
    assert DEFAULT_PROFILES["TSLA"].start_price == Decimal(250)
    unknown = Instrument("XYZUSDT", "XYZ", "USDT", Decimal("0.001"), Decimal("0.1"))
    assert profile_for(unknown).start_price == Decimal(100)
    market = SyntheticMarket([unknown], seed=0, start_ms=START_MS)
    snapshot = market.opening_events()[0]
    assert Decimal(99) < snapshot.bids[0][0] < snapshot.asks[0][0] < Decimal(101)


def test_market_refuses_a_bad_configuration() -> None:
    with pytest.raises(ValueError, match="at least one instrument"):
        SyntheticMarket([])
    with pytest.raises(ValueError, match="duplicate"):
        SyntheticMarket([INSTRUMENTS[0], INSTRUMENTS[0]])
    with pytest.raises(ValueError, match="events_per_second"):
        SyntheticMarket(INSTRUMENTS, settings=MarketSettings(events_per_second=0))


def test_parser_decodes_the_raw_message_and_stamps_its_receive_time() -> None:
    event = generate(SyntheticMarket(INSTRUMENTS, seed=1, start_ms=START_MS), 10)[-1]
    parse = parser_for("synthetic")
    assert parse(RawMessage(event.received_at, encode_event(event))) == [event]
    [later] = parse(RawMessage(event.received_at + 5, encode_event(event)))
    assert later.received_at == event.received_at + 5
    assert later.event_time == event.event_time
    with pytest.raises(ParseError, match="synthetic"):
        parse(RawMessage(0, b'{"kind":"nonsense"}'))


async def take(feed: SyntheticFeed, count: int) -> list[RawMessage]:
    messages = []
    async for message in feed.raw_messages():
        messages.append(message)
        if len(messages) == count:
            break
    return messages


async def test_feed_at_full_speed_is_reproducible_and_parses_to_the_market_events() -> None:
    def feed() -> SyntheticFeed:
        return SyntheticFeed(INSTRUMENTS, seed=11, speed=None, start_ms=START_MS)

    first = await take(feed(), 500)
    assert first == await take(feed(), 500)
    parse = parser_for("synthetic")
    parsed = [event for message in first for event in parse(message)]
    market = SyntheticMarket(INSTRUMENTS, seed=11, start_ms=START_MS)
    assert parsed == generate(market, 500)[:500]


async def test_feed_paces_simulated_time_on_the_injected_clock() -> None:
    now = [100.0]
    slept: list[float] = []

    async def fake_sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    feed = SyntheticFeed(
        INSTRUMENTS,
        seed=3,
        start_ms=START_MS,
        speed=2.0,
        monotonic=lambda: now[0],
        sleep=fake_sleep,
        clock_ms=lambda: START_MS,
    )
    messages = await take(feed, 400)
    simulated_seconds = (messages[-1].received_at - START_MS) / 1000
    assert slept
    assert sum(slept) == pytest.approx(simulated_seconds / 2, abs=0.01)
    assert feed.status.state is FeedState.CONNECTED
    assert feed.status.last_message_at == messages[-1].received_at


async def test_feed_streams_can_be_chosen_and_a_new_depth_stream_starts_with_a_snapshot() -> None:
    feed = SyntheticFeed(
        INSTRUMENTS, seed=5, speed=None, start_ms=START_MS, streams=["btcusdt@trade"]
    )
    parse = parser_for("synthetic")
    kinds = {type(parse(m)[0]).__name__ + parse(m)[0].symbol for m in await take(feed, 200)}
    assert kinds == {"TradeBTCUSDT"}

    await feed.subscribe(["ethusdt@depth"])
    await feed.unsubscribe(["btcusdt@trade"])
    events = [parse(m)[0] for m in await take(feed, 50)]
    assert isinstance(events[0], BookSnapshot)
    assert events[0].symbol == "ETHUSDT"
    assert all(isinstance(event, BookDelta) for event in events[1:])
    first_delta = events[1]
    assert isinstance(first_delta, BookDelta)
    assert first_delta.first_update_id == events[0].last_update_id + 1

    with pytest.raises(ValueError, match="unknown synthetic streams"):
        await feed.subscribe(["dogeusdt@trade"])


async def test_close_ends_the_raw_messages() -> None:
    feed = SyntheticFeed(INSTRUMENTS, seed=5, speed=None, start_ms=START_MS)
    count = 0
    async for _ in feed.raw_messages():
        count += 1
        if count == 10:
            await feed.close()
    assert 10 <= count < 20
    assert feed.status.state is FeedState.STOPPED
