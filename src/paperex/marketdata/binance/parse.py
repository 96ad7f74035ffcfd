"""Pure Binance parsers: raw WebSocket frames to normalized events.

``parse_message`` takes raw (``/ws/<stream>``) and combined (``/stream?streams=``) frames. The hot
path decodes a frame in one msgspec pass: a cheap look at the first bytes picks the decoder (the
event-type union tagged on ``"e"``, a combined frame of it, of an array, or of a partial depth),
and the decoder validates everything. Anything else takes a general, slower path.

Partial depth payloads carry neither a symbol nor a time: the symbol comes from the combined
stream name, the event time is the receive time. A raw-stream partial depth frame is a ParseError
because its symbol is unknown.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import IntEnum
from typing import Any, NamedTuple

import msgspec

from paperex.domain import Side
from paperex.marketdata.binance.wire import (
    AggTradeWire,
    CombinedFrame,
    DepthUpdateWire,
    EnvelopeWire,
    KlineWire,
    MiniTickerWire,
    PartialDepthWire,
    StreamEventWire,
    TickerWire,
    TradeWire,
)
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import (
    BookDelta,
    BookSnapshot,
    Event,
    Kline,
    MiniTicker,
    Ticker24h,
    Trade,
)
from paperex.marketdata.feed import RawMessage

VENUE = "binance"

_EVENT = msgspec.json.Decoder(StreamEventWire)
_EVENT_ARRAY = msgspec.json.Decoder(list[StreamEventWire])
_ENVELOPE = msgspec.json.Decoder(EnvelopeWire)

_SELL = Side.SELL
_BUY = Side.BUY


def parse_trade(wire: TradeWire, received_at: int) -> Trade:
    """The Trade of a ``<symbol>@trade`` payload; the aggressor is SELL when the buyer made."""
    return Trade(
        venue=VENUE,
        symbol=wire.symbol,
        event_time=wire.event_time,
        received_at=received_at,
        trade_id=wire.trade_id,
        price=wire.price,
        quantity=wire.quantity,
        trade_time=wire.trade_time,
        aggressor=_SELL if wire.buyer_is_maker else _BUY,
    )


def parse_agg_trade(wire: AggTradeWire, received_at: int) -> Trade:
    """The Trade of a ``<symbol>@aggTrade`` payload; its id is the aggregate trade id."""
    return Trade(
        venue=VENUE,
        symbol=wire.symbol,
        event_time=wire.event_time,
        received_at=received_at,
        trade_id=wire.aggregate_trade_id,
        price=wire.price,
        quantity=wire.quantity,
        trade_time=wire.trade_time,
        aggressor=_SELL if wire.buyer_is_maker else _BUY,
    )


def parse_kline(wire: KlineWire, received_at: int) -> Kline:
    """The Kline of a ``<symbol>@kline_<interval>`` payload; closed on the candle's final update."""
    body = wire.kline
    return Kline(
        venue=VENUE,
        symbol=wire.symbol,
        event_time=wire.event_time,
        received_at=received_at,
        interval=body.interval,
        open_time=body.open_time,
        close_time=body.close_time,
        open=body.open,
        high=body.high,
        low=body.low,
        close=body.close,
        volume=body.volume,
        quote_volume=body.quote_volume,
        trade_count=body.trade_count,
        closed=body.closed,
    )


def parse_ticker(wire: TickerWire, received_at: int) -> Ticker24h:
    """The Ticker24h of a ``<symbol>@ticker`` payload."""
    return Ticker24h(
        venue=VENUE,
        symbol=wire.symbol,
        event_time=wire.event_time,
        received_at=received_at,
        price_change=wire.price_change,
        price_change_percent=wire.price_change_percent,
        weighted_average_price=wire.weighted_average_price,
        last_price=wire.last_price,
        last_quantity=wire.last_quantity,
        best_bid=wire.best_bid,
        best_bid_quantity=wire.best_bid_quantity,
        best_ask=wire.best_ask,
        best_ask_quantity=wire.best_ask_quantity,
        open=wire.open,
        high=wire.high,
        low=wire.low,
        volume=wire.volume,
        quote_volume=wire.quote_volume,
        open_time=wire.open_time,
        close_time=wire.close_time,
        trade_count=wire.trade_count,
    )


def parse_mini_ticker(wire: MiniTickerWire, received_at: int) -> MiniTicker:
    """The MiniTicker of a ``<symbol>@miniTicker`` payload or one ``!miniTicker@arr`` item."""
    return MiniTicker(
        venue=VENUE,
        symbol=wire.symbol,
        event_time=wire.event_time,
        received_at=received_at,
        close=wire.close,
        open=wire.open,
        high=wire.high,
        low=wire.low,
        volume=wire.volume,
        quote_volume=wire.quote_volume,
    )


def parse_depth_update(wire: DepthUpdateWire, received_at: int) -> BookDelta:
    """The BookDelta of a ``<symbol>@depth`` diff; update ids are Binance's ``U`` and ``u``."""
    return BookDelta(
        venue=VENUE,
        symbol=wire.symbol,
        event_time=wire.event_time,
        received_at=received_at,
        first_update_id=wire.first_update_id,
        final_update_id=wire.final_update_id,
        bids=wire.bids,
        asks=wire.asks,
    )


def parse_partial_depth(
    wire: PartialDepthWire, symbol: str, received_at: int, event_time: int | None = None
) -> BookSnapshot:
    """The BookSnapshot of a partial depth or REST depth body; event time defaults to receipt."""
    return BookSnapshot(
        venue=VENUE,
        symbol=symbol.upper(),
        event_time=received_at if event_time is None else event_time,
        received_at=received_at,
        last_update_id=wire.last_update_id,
        bids=wire.bids,
        asks=wire.asks,
    )


_NORMALIZERS: dict[type[Any], Callable[[Any, int], Event]] = {
    TradeWire: parse_trade,
    AggTradeWire: parse_agg_trade,
    KlineWire: parse_kline,
    TickerWire: parse_ticker,
    MiniTickerWire: parse_mini_ticker,
    DepthUpdateWire: parse_depth_update,
}


def parse_stream_event(wire: StreamEventWire, received_at: int) -> Event:
    """The normalized event of any decoded ``"e"``-tagged payload."""
    return _NORMALIZERS[type(wire)](wire, received_at)


class _Shape(IntEnum):
    """What a route's decoder returns, so ``parse_message`` needs no extra call per frame."""

    EVENT = 0
    """A wire event: ``normalize(decoded)`` is the one event."""
    COMBINED_EVENT = 1
    """A combined frame of a wire event: ``normalize(decoded.data)`` is the one event."""
    EVENT_LIST = 2
    """Anything else: ``normalize(decoded)`` is the list of events."""


class _Route(NamedTuple):
    """How to decode one kind of frame and turn the decoded value into events."""

    decoder: msgspec.json.Decoder[Any]
    normalize: Callable[[Any, int], Any]
    shape: _Shape


_SHAPE_EVENT = _Shape.EVENT
_SHAPE_COMBINED_EVENT = _Shape.COMBINED_EVENT


def parse_message(message: RawMessage) -> list[Event]:
    """Normalized events of one Binance frame: empty for control replies and error reports.

    Raises ParseError for a frame that is not valid JSON, does not match the venue's schema, is of
    an unsupported stream type, or is a raw-stream partial depth (no symbol).
    """
    payload = message.payload
    # The hot path: a raw frame '{"e":"<type>",...' is routed by its event type, a combined frame
    # '{"stream":"<name>","data":...}' by its stream name (cached). The chosen decoder validates
    # the whole frame; a frame laid out otherwise fails to decode and takes the general path.
    route: _Route | None
    if payload.startswith(b'{"e":"'):
        route = _RAW_ROUTES.get(payload[6 : payload.find(b'"', 6)], _RAW_ANY_EVENT)
    else:
        route = _COMBINED_ROUTES.get(payload[11 : payload.find(b'"', 11)])
        if route is None:
            if not payload.startswith(b'{"stream":"'):
                return _parse_general(payload, message.received_at)
            route = _combined_route(payload[11 : payload.find(b'"', 11)])
    decoder, normalize, shape = route
    try:
        decoded = decoder.decode(payload)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return _parse_general(payload, message.received_at)
    if shape is _SHAPE_COMBINED_EVENT:
        return [normalize(decoded.data, message.received_at)]
    if shape is _SHAPE_EVENT:
        return [normalize(decoded, message.received_at)]
    events: list[Event] = normalize(decoded, message.received_at)
    return events


def _combined_any_event(frame: CombinedFrame[Any], received_at: int) -> Event:
    return parse_stream_event(frame.data, received_at)


def _combined_event_array(frame: CombinedFrame[list[Any]], received_at: int) -> list[Event]:
    return [parse_stream_event(wire, received_at) for wire in frame.data]


def _combined_partial_depth(
    frame: CombinedFrame[PartialDepthWire], received_at: int
) -> list[Event]:
    return [parse_partial_depth(frame.data, _symbol_of_stream(frame.stream), received_at)]


def _routes(combined: bool) -> dict[str, _Route]:
    """Routes of single-event streams by stream type (``kline_1m`` counts as ``kline``)."""
    wire_types: dict[str, Any] = {
        "trade": TradeWire,
        "aggTrade": AggTradeWire,
        "kline": KlineWire,
        "ticker": TickerWire,
        "miniTicker": MiniTickerWire,
        "depth": DepthUpdateWire,
    }
    routes: dict[str, _Route] = {}
    for stream_type, wire_type in wire_types.items():
        decoded_type = CombinedFrame[wire_type] if combined else wire_type  # type: ignore[valid-type]
        shape = _Shape.COMBINED_EVENT if combined else _Shape.EVENT
        routes[stream_type] = _Route(
            msgspec.json.Decoder(decoded_type), _NORMALIZERS[wire_type], shape
        )
    return routes


_EVENT_TYPE_OF_STREAM_TYPE = {
    "trade": b"trade",
    "aggTrade": b"aggTrade",
    "kline": b"kline",
    "ticker": b"24hrTicker",
    "miniTicker": b"24hrMiniTicker",
    "depth": b"depthUpdate",
}
_RAW_ROUTES: dict[bytes, _Route] = {
    _EVENT_TYPE_OF_STREAM_TYPE[stream_type]: route
    for stream_type, route in _routes(combined=False).items()
}
"""Raw-stream routes by the ``"e"`` event type."""
_RAW_ANY_EVENT = _Route(_EVENT, parse_stream_event, _Shape.EVENT)
_COMBINED_ROUTE_BY_STREAM_TYPE = _routes(combined=True)
_COMBINED_ANY_EVENT = _Route(
    msgspec.json.Decoder(CombinedFrame[StreamEventWire]), _combined_any_event, _Shape.EVENT
)
_COMBINED_EVENT_ARRAY = _Route(
    msgspec.json.Decoder(CombinedFrame[list[StreamEventWire]]),
    _combined_event_array,
    _Shape.EVENT_LIST,
)
_COMBINED_PARTIAL_DEPTH = _Route(
    msgspec.json.Decoder(CombinedFrame[PartialDepthWire]),
    _combined_partial_depth,
    _Shape.EVENT_LIST,
)
_COMBINED_ROUTES: dict[bytes, _Route] = {}
"""Cache: stream name -> route."""
_COMBINED_ROUTE_CACHE_LIMIT = 4096


def _combined_route(stream: bytes) -> _Route:
    route = _route_for_stream(stream.decode("utf-8", "replace"))
    if len(_COMBINED_ROUTES) < _COMBINED_ROUTE_CACHE_LIMIT:
        _COMBINED_ROUTES[stream] = route
    return route


def _route_for_stream(stream: str) -> _Route:
    """``btcusdt@trade``, ``btcusdt@kline_1m``, ``btcusdt@depth@100ms``, ``!miniTicker@arr``..."""
    if stream.endswith("@arr"):
        return _COMBINED_EVENT_ARRAY
    stream_type = stream.partition("@")[2].partition("@")[0]
    if stream_type.startswith("depth") and stream_type[5:].isdigit():
        return _COMBINED_PARTIAL_DEPTH
    return _COMBINED_ROUTE_BY_STREAM_TYPE.get(stream_type.partition("_")[0], _COMBINED_ANY_EVENT)


def _parse_general(payload: bytes, received_at: int) -> list[Event]:
    """Frames with whitespace, another key order, arrays, control replies and errors."""
    try:
        return _parse_any_layout(payload, received_at)
    except (msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ParseError(VENUE, str(error), payload) from None


def _parse_any_layout(payload: bytes, received_at: int) -> list[Event]:
    if payload.lstrip().startswith(b"["):
        return [parse_stream_event(wire, received_at) for wire in _EVENT_ARRAY.decode(payload)]
    envelope = _ENVELOPE.decode(payload)
    if envelope.stream is not None and len(envelope.data) > 0:
        decoder, normalize, shape = _route_for_stream(envelope.stream)
        decoded = decoder.decode(payload)
        if shape is _Shape.COMBINED_EVENT:
            return [normalize(decoded.data, received_at)]
        if shape is _Shape.EVENT:
            return [normalize(decoded, received_at)]
        events: list[Event] = normalize(decoded, received_at)
        return events
    if envelope.event_type is not None:
        return [parse_stream_event(_EVENT.decode(payload), received_at)]
    if envelope.is_control:
        return []
    if envelope.last_update_id is not None:
        raise ParseError(VENUE, "partial depth outside a combined stream has no symbol", payload)
    raise ParseError(VENUE, "unrecognized frame", payload)


def _symbol_of_stream(stream: str) -> str:
    return stream.partition("@")[0].upper()
