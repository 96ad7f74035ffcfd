"""Gemini v2 messages to normalized events.

Local book sequence: Gemini's L2 messages carry no update ids, so ``GeminiParser`` numbers them
per symbol, starting at 1: a book snapshot gets ``last_update_id = n``, each later L2 message a
delta with ``first_update_id = final_update_id = n + 1, n + 2, ...``. The numbers only increase
(across reconnects too), so any consumer that syncs a book on contiguous ids (``BookSync``)
works unchanged; a snapshot always restarts it.

An ``l2_updates`` message is a snapshot when it is the first for its symbol since the parser was
made or ``reset``, or when it carries ``trades`` (Gemini sends the recent trades only with the full
book it opens each subscription with); otherwise it is a delta. Its trades become Trade events.

Candles come newest first; events come out oldest first. Gemini gives no candle event time, trade
count or quote volume: the receive time, 0 and 0 stand in. A candle is closed once a newer one is
in the same message or its close time has passed at receipt.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import msgspec

from paperex.domain import Side
from paperex.marketdata.errors import ParseError
from paperex.marketdata.events import BookDelta, BookSnapshot, Event, Kline, PriceLevel, Trade
from paperex.marketdata.feed import RawMessage
from paperex.marketdata.gemini.wire import (
    CandlesUpdatesWire,
    ChangeWire,
    L2UpdatesWire,
    MessageTypeWire,
    TradeWire,
)

VENUE = "gemini"
CANDLE_INTERVALS_MS = {
    "1m": 60_000,
    "5m": 300_000,
    "15m": 900_000,
    "30m": 1_800_000,
    "1h": 3_600_000,
    "6h": 21_600_000,
    "1d": 86_400_000,
}
_SECONDS_BEFORE = 10**11
"""A timestamp below this is in seconds (10**11 ms is 1973; 10**11 s is far in the future)."""
_ZERO = Decimal(0)
_IGNORED_TYPES = frozenset({"heartbeat", "subscription_ack", "auction_result", "auction_open"})

_MESSAGE_TYPE = msgspec.json.Decoder(MessageTypeWire)
_TRADE = msgspec.json.Decoder(TradeWire)
_L2 = msgspec.json.Decoder(L2UpdatesWire)
_CANDLES = msgspec.json.Decoder(CandlesUpdatesWire)


def _milliseconds(timestamp: int) -> int:
    return timestamp * 1000 if timestamp < _SECONDS_BEFORE else timestamp


def parse_trade(wire: TradeWire, received_at: int) -> Trade:
    """The Trade of a ``trade`` message; its side is the taker's. Raises ParseError for a
    side other than buy/sell."""
    if wire.side not in ("buy", "sell"):
        raise ParseError(VENUE, f"trade side {wire.side!r} is neither buy nor sell")
    time = _milliseconds(wire.timestamp)
    return Trade(
        venue=VENUE,
        symbol=wire.symbol,
        event_time=time,
        received_at=received_at,
        trade_id=wire.tid,
        price=wire.price,
        quantity=wire.quantity,
        trade_time=time,
        aggressor=Side.BUY if wire.side == "buy" else Side.SELL,
    )


def parse_candles(wire: CandlesUpdatesWire, received_at: int) -> list[Kline]:
    """Kline events of a ``candles_<tf>_updates`` message, oldest first.

    Raises ParseError for an unknown timeframe.
    """
    interval = wire.type.removeprefix("candles_").removesuffix("_updates")
    length = CANDLE_INTERVALS_MS.get(interval)
    if length is None:
        raise ParseError(VENUE, f"unknown candle timeframe {interval!r}")
    candles = sorted(wire.changes, key=lambda candle: candle[0])
    newest = candles[-1][0] if candles else None
    return [
        Kline(
            venue=VENUE,
            symbol=wire.symbol,
            event_time=received_at,
            received_at=received_at,
            interval=interval,
            open_time=open_time,
            close_time=open_time + length - 1,
            open=open_price,
            high=high,
            low=low,
            close=close,
            volume=volume,
            quote_volume=_ZERO,
            trade_count=0,
            closed=open_time != newest or open_time + length <= received_at,
        )
        for open_time, open_price, high, low, close, volume in candles
    ]


def split_changes(changes: Iterable[ChangeWire]) -> tuple[list[PriceLevel], list[PriceLevel]]:
    """(bids, asks) of L2 changes; raises ParseError for a side other than buy/sell."""
    bids: list[PriceLevel] = []
    asks: list[PriceLevel] = []
    for side, price, quantity in changes:
        if side == "buy":
            bids.append((price, quantity))
        elif side == "sell":
            asks.append((price, quantity))
        else:
            raise ParseError(VENUE, f"book side {side!r} is neither buy nor sell")
    return bids, asks


class GeminiParser:
    """A ``Parser`` for Gemini that numbers each symbol's L2 messages (see the module notes)."""

    def __init__(self) -> None:
        self._sequences: dict[str, int] = {}
        self._booked: set[str] = set()

    def reset(self) -> None:
        """Forget which symbols have a book: the next L2 message of each is a snapshot.

        The sequence numbers keep increasing.
        """
        self._booked.clear()

    def __call__(self, message: RawMessage) -> list[Event]:
        """Events of one message: empty for heartbeats and acknowledgements.

        Raises ParseError for malformed JSON, a message that does not match its type's schema,
        or an unknown type.
        """
        payload = message.payload
        try:
            kind = _MESSAGE_TYPE.decode(payload).type
            if kind == "trade":
                return [parse_trade(_TRADE.decode(payload), message.received_at)]
            if kind == "l2_updates":
                return self._parse_l2(_L2.decode(payload), message.received_at)
            if kind.startswith("candles_") and kind.endswith("_updates"):
                return list(parse_candles(_CANDLES.decode(payload), message.received_at))
        except (msgspec.DecodeError, msgspec.ValidationError) as error:
            raise ParseError(VENUE, str(error), payload) from None
        except ParseError as error:
            raise ParseError(VENUE, error.reason, payload) from None
        if kind in _IGNORED_TYPES:
            return []
        raise ParseError(VENUE, f"unknown message type {kind!r}", payload)

    def _parse_l2(self, wire: L2UpdatesWire, received_at: int) -> list[Event]:
        symbol = wire.symbol
        sequence = self._sequences.get(symbol, 0) + 1
        self._sequences[symbol] = sequence
        bids, asks = split_changes(wire.changes)
        events: list[Event] = []
        if wire.trades is not None or symbol not in self._booked:
            self._booked.add(symbol)
            bids.sort(key=lambda level: level[0], reverse=True)
            asks.sort(key=lambda level: level[0])
            events.append(
                BookSnapshot(
                    venue=VENUE,
                    symbol=symbol,
                    event_time=received_at,
                    received_at=received_at,
                    last_update_id=sequence,
                    bids=bids,
                    asks=asks,
                )
            )
        else:
            events.append(
                BookDelta(
                    venue=VENUE,
                    symbol=symbol,
                    event_time=received_at,
                    received_at=received_at,
                    first_update_id=sequence,
                    final_update_id=sequence,
                    bids=bids,
                    asks=asks,
                )
            )
        events.extend(parse_trade(trade, received_at) for trade in wire.trades or ())
        return events
