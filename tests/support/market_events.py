"""Terse market-data events for tests: every field has a plain default, override what matters.

Prices and quantities are given as strings (or Decimals) and become exact Decimals.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from paperex.domain import Side
from paperex.marketdata.events import (
    BookDelta,
    BookSnapshot,
    Kline,
    MiniTicker,
    PriceLevel,
    Quote,
    Ticker24h,
    Trade,
)

T0 = 1_672_515_780_000
"""2022-12-31 19:43:00 UTC, the open of a 1m candle."""
VENUE = "synthetic"
SYMBOL = "BTCUSDT"

Levels = Sequence[tuple[str | Decimal, str | Decimal]]


def levels(*pairs: tuple[str | Decimal, str | Decimal]) -> list[PriceLevel]:
    """(price, quantity) pairs as exact price levels."""
    return [(Decimal(price), Decimal(quantity)) for price, quantity in pairs]


def trade(
    price: str = "100",
    quantity: str = "1",
    time_ms: int = T0,
    *,
    symbol: str = SYMBOL,
    trade_id: int = 1,
    aggressor: Side = Side.BUY,
) -> Trade:
    """A trade at ``time_ms`` (event, trade and receive time alike)."""
    return Trade(
        venue=VENUE,
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        trade_id=trade_id,
        price=Decimal(price),
        quantity=Decimal(quantity),
        trade_time=time_ms,
        aggressor=aggressor,
    )


def book(
    last_update_id: int = 1,
    *,
    symbol: str = SYMBOL,
    bids: Levels = (("99.5", "1"),),
    asks: Levels = (("100.5", "2"),),
    time_ms: int = T0,
) -> BookSnapshot:
    """A whole-book snapshot as of ``last_update_id``."""
    return BookSnapshot(
        venue=VENUE,
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        last_update_id=last_update_id,
        bids=levels(*bids),
        asks=levels(*asks),
    )


def delta(
    first_update_id: int,
    final_update_id: int,
    *,
    symbol: str = SYMBOL,
    bids: Levels = (),
    asks: Levels = (),
    time_ms: int = T0,
) -> BookDelta:
    """The book changes numbered ``first_update_id``..``final_update_id``."""
    return BookDelta(
        venue=VENUE,
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        first_update_id=first_update_id,
        final_update_id=final_update_id,
        bids=levels(*bids),
        asks=levels(*asks),
    )


def kline(close: str = "100", *, symbol: str = SYMBOL, open_time: int = T0) -> Kline:
    """An open 1m candle from 100 (low 99, high 101) to ``close``, as of its open time."""
    return Kline(
        venue=VENUE,
        symbol=symbol,
        event_time=open_time,
        received_at=open_time,
        interval="1m",
        open_time=open_time,
        close_time=open_time + 59_999,
        open=Decimal("100"),
        high=Decimal("101"),
        low=Decimal("99"),
        close=Decimal(close),
        volume=Decimal("2"),
        quote_volume=Decimal("200"),
        trade_count=3,
        closed=False,
    )


def ticker(
    last_price: str = "1",
    *,
    symbol: str = SYMBOL,
    price_change: str = "0",
    price_change_percent: str = "0",
    time_ms: int = T0,
) -> Ticker24h:
    """A 24h ticker whose other prices and quantities are all 1."""
    one = Decimal(1)
    return Ticker24h(
        venue=VENUE,
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        price_change=Decimal(price_change),
        price_change_percent=Decimal(price_change_percent),
        weighted_average_price=one,
        last_price=Decimal(last_price),
        last_quantity=one,
        best_bid=one,
        best_bid_quantity=one,
        best_ask=one,
        best_ask_quantity=one,
        open=one,
        high=one,
        low=one,
        volume=one,
        quote_volume=one,
        open_time=time_ms - 86_400_000,
        close_time=time_ms,
        trade_count=1,
    )


def mini_ticker(close: str = "100", *, symbol: str = SYMBOL, time_ms: int = T0) -> MiniTicker:
    """A 24h mini ticker that opened at 100 and ranged from 90 to 110."""
    return MiniTicker(
        venue=VENUE,
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        close=Decimal(close),
        open=Decimal("100"),
        high=Decimal("110"),
        low=Decimal("90"),
        volume=Decimal("5"),
        quote_volume=Decimal("500"),
    )


def quote(price: str = "150.75", *, symbol: str = "AAPL", time_ms: int = T0) -> Quote:
    """A stock quote in USD."""
    return Quote(
        venue="yahoo",
        symbol=symbol,
        event_time=time_ms,
        received_at=time_ms,
        price=Decimal(price),
        currency="USD",
    )
