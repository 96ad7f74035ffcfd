"""Binance frames, written from the venue's documentation (kept in tests/resources), through
``parse_message``."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from paperex.domain import Side
from paperex.marketdata.binance import parse_message
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import (
    BookDelta,
    BookSnapshot,
    Kline,
    MiniTicker,
    Ticker24h,
    Trade,
)
from paperex.marketdata.feed import RawMessage, parser_for
from tests.support.resources import venue_frame

TRADE = venue_frame("binance", "trade")
AGG_TRADE = venue_frame("binance", "agg_trade")
KLINE = venue_frame("binance", "kline")
TICKER = venue_frame("binance", "ticker")
MINI_TICKER = venue_frame("binance", "mini_ticker")
DEPTH_UPDATE = venue_frame("binance", "depth_update")
PARTIAL_DEPTH = venue_frame("binance", "partial_depth")


def combined(stream: str, data: bytes) -> bytes:
    return b'{"stream":"' + stream.encode() + b'","data":' + data + b"}"


def parse(payload: bytes, received_at: int = 1672515782200) -> list[object]:
    return list(parse_message(RawMessage(received_at=received_at, payload=payload)))


def test_trade_keeps_exact_prices_both_times_and_the_aggressor() -> None:
    (trade,) = parse(TRADE)
    assert trade == Trade(
        venue="binance",
        symbol="BNBBTC",
        event_time=1672515782136,
        received_at=1672515782200,
        trade_id=12345,
        price=Decimal("0.001"),
        quantity=Decimal("100"),
        trade_time=1672515782136,
        aggressor=Side.SELL,
    )


def test_agg_trade_uses_the_aggregate_id_and_buyer_taker_is_buy() -> None:
    (trade,) = parse(AGG_TRADE)
    assert isinstance(trade, Trade)
    assert (trade.trade_id, trade.aggressor, trade.price) == (12345, Side.BUY, Decimal("0.001"))


def test_kline_maps_every_field_and_the_closed_flag() -> None:
    (kline,) = parse(KLINE)
    assert kline == Kline(
        venue="binance",
        symbol="BNBBTC",
        event_time=1672515782136,
        received_at=1672515782200,
        interval="1m",
        open_time=1672515780000,
        close_time=1672515839999,
        open=Decimal("0.0010"),
        high=Decimal("0.0025"),
        low=Decimal("0.0015"),
        close=Decimal("0.0020"),
        volume=Decimal("1000"),
        quote_volume=Decimal("1.0000"),
        trade_count=100,
        closed=False,
    )
    closed = KLINE.replace(b'"x":false', b'"x":true')
    assert parse(closed)[0].closed is True  # type: ignore[attr-defined]


def test_ticker_maps_the_documented_fields() -> None:
    (ticker,) = parse(TICKER)
    assert isinstance(ticker, Ticker24h)
    assert ticker.price_change_percent == Decimal("250.00")
    assert ticker.last_price == Decimal("0.0025")
    assert (ticker.best_bid, ticker.best_ask) == (Decimal("0.0024"), Decimal("0.0026"))
    assert (ticker.open_time, ticker.close_time, ticker.trade_count) == (0, 86400000, 18151)
    assert ticker.weighted_average_price == Decimal("0.0018")


def test_mini_ticker_and_the_all_markets_array() -> None:
    (mini,) = parse(MINI_TICKER)
    assert isinstance(mini, MiniTicker)
    assert (mini.close, mini.quote_volume) == (Decimal("0.0025"), Decimal("18"))
    other = MINI_TICKER.replace(b"BNBBTC", b"ETHBTC")
    array = b"[" + MINI_TICKER + b"," + other + b"]"
    assert [event.symbol for event in parse(array)] == ["BNBBTC", "ETHBTC"]  # type: ignore[attr-defined]
    wrapped = parse(combined("!miniTicker@arr", array))
    assert [event.symbol for event in wrapped] == ["BNBBTC", "ETHBTC"]  # type: ignore[attr-defined]


def test_diff_depth_is_a_book_delta_with_binance_update_ids() -> None:
    (delta,) = parse(DEPTH_UPDATE)
    assert delta == BookDelta(
        venue="binance",
        symbol="BNBBTC",
        event_time=1672515782136,
        received_at=1672515782200,
        first_update_id=157,
        final_update_id=160,
        bids=[(Decimal("0.0024"), Decimal("10"))],
        asks=[(Decimal("0.0026"), Decimal("100"))],
    )


def test_partial_depth_takes_its_symbol_from_the_stream_name() -> None:
    (snapshot,) = parse(combined("bnbbtc@depth5@100ms", PARTIAL_DEPTH), received_at=7)
    assert snapshot == BookSnapshot(
        venue="binance",
        symbol="BNBBTC",
        event_time=7,
        received_at=7,
        last_update_id=160,
        bids=[(Decimal("0.0024"), Decimal("10"))],
        asks=[(Decimal("0.0026"), Decimal("100"))],
    )


def test_partial_depth_on_a_raw_stream_is_a_parse_error() -> None:
    with pytest.raises(ParseError, match="no symbol"):
        parse(PARTIAL_DEPTH)


@pytest.mark.parametrize(
    ("stream", "payload"),
    [
        ("bnbbtc@trade", TRADE),
        ("bnbbtc@aggTrade", AGG_TRADE),
        ("bnbbtc@kline_1m", KLINE),
        ("bnbbtc@ticker", TICKER),
        ("bnbbtc@miniTicker", MINI_TICKER),
        ("bnbbtc@depth@100ms", DEPTH_UPDATE),
        ("bnbbtc@depth", DEPTH_UPDATE),
    ],
)
def test_combined_frames_give_the_same_events_as_raw_ones(stream: str, payload: bytes) -> None:
    assert parse(combined(stream, payload)) == parse(payload)


@pytest.mark.parametrize("payload", [TRADE, KLINE, DEPTH_UPDATE])
def test_reformatted_json_takes_the_general_path_to_the_same_events(payload: bytes) -> None:
    pretty = json.dumps(json.loads(payload), indent=2).encode()
    data_first = json.dumps({"data": json.loads(payload), "stream": "bnbbtc@x"}).encode()
    assert parse(pretty) == parse(payload)
    assert parse(data_first) == parse(payload)


@pytest.mark.parametrize(
    "payload",
    [
        b'{"result":null,"id":1}',
        b'{"result":["btcusdt@aggTrade"],"id":3}',
        b'{"result":null,"id":"abc-123"}',
        b'{"code":2,"msg":"Invalid request: unknown method"}',
        b'{"error":{"code":2,"msg":"Invalid request"},"id":4}',
    ],
)
def test_control_replies_and_errors_give_no_events(payload: bytes) -> None:
    assert parse(payload) == []


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        (b"not json", "malformed"),
        (b'{"e":"trade","E":1}', "missing required field"),
        (TRADE.replace(b'"p":"0.001"', b'"p":"abc"'), "decimal"),
        (b'{"e":"bookTicker","E":1,"s":"X"}', "Invalid value 'bookTicker'"),
        (combined("bnbbtc@trade", b"[1,2]"), "Expected `object`"),
        (b'{"hello":"world"}', "unrecognized frame"),
        (b"", "truncated"),
    ],
)
def test_malformed_frames_raise_a_clear_parse_error(payload: bytes, reason: str) -> None:
    with pytest.raises(ParseError, match=reason) as error:
        parse(payload)
    assert str(error.value).startswith("binance: ")


def test_the_parser_is_registered_for_the_venue() -> None:
    assert parser_for("binance") is parse_message


def test_a_spaced_combined_partial_depth_still_finds_its_symbol() -> None:
    spaced = b'{"stream": "ethbtc@depth10", "data": ' + PARTIAL_DEPTH + b"}"
    (snapshot,) = parse(spaced)
    assert isinstance(snapshot, BookSnapshot)
    assert (snapshot.symbol, snapshot.last_update_id) == ("ETHBTC", 160)
