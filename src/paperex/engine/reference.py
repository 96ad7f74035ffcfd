"""The reference market of a paper market: its order book as the feed last showed it, minus
what paper fills already took, and the edge conversion from normalized market-data events."""

from __future__ import annotations

from bisect import bisect_left, insort
from collections.abc import Iterator, Sequence
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import Protocol

from paperex.domain.commands import BookLevels, RecordReferenceTrade, UpdateReferenceBook
from paperex.domain.instrument import Instrument
from paperex.domain.side import Side
from paperex.engine.integrity import InternalStateError, check_price_index


class ReferenceSide:
    """Bids or asks of the reference book: quantity per price, prices kept ascending."""

    __slots__ = ("is_bid", "prices", "quantities")

    def __init__(self, *, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.quantities: dict[int, int] = {}
        self.prices: list[int] = []

    def best_price(self) -> int | None:
        """The best price, or None when this side is empty."""
        prices = self.prices
        if not prices:
            return None
        return prices[-1] if self.is_bid else prices[0]

    def levels_best_first(self) -> Iterator[tuple[int, int]]:
        """(price, quantity) from the best price outwards."""
        quantities = self.quantities
        prices = reversed(self.prices) if self.is_bid else iter(self.prices)
        for price in prices:
            yield price, quantities[price]

    def set_level(self, price: int, quantity: int) -> None:
        """Set the quantity at ``price``; 0 removes the level."""
        quantities = self.quantities
        if quantity > 0:
            if price not in quantities:
                insort(self.prices, price)
            quantities[price] = quantity
        elif price in quantities:
            del quantities[price]
            del self.prices[bisect_left(self.prices, price)]

    def consume(self, price: int, quantity: int) -> None:
        """Take ``quantity`` from the level at ``price`` so it cannot fill twice."""
        self.set_level(price, self.quantities[price] - quantity)

    def clear(self) -> None:
        """Remove every level."""
        self.quantities.clear()
        self.prices.clear()

    def validate_internal_state(self) -> None:
        """Raise InternalStateError unless ``prices`` indexes ``quantities`` and every level
        holds a positive quantity."""
        what = "reference bids" if self.is_bid else "reference asks"
        check_price_index(what, self.prices, self.quantities)
        for price, quantity in self.quantities.items():
            if quantity <= 0:
                raise InternalStateError(f"{what}: level {price} holds {quantity}")


class ReferenceBook:
    """Both sides of a paper market's reference book."""

    __slots__ = ("asks", "bids")

    def __init__(self) -> None:
        self.bids = ReferenceSide(is_bid=True)
        self.asks = ReferenceSide(is_bid=False)

    def apply(self, bids: BookLevels, asks: BookLevels, *, is_snapshot: bool) -> None:
        """Replace the book (snapshot) or overwrite the given levels (delta)."""
        if is_snapshot:
            self.bids.clear()
            self.asks.clear()
        for price, quantity in bids:
            self.bids.set_level(price, quantity)
        for price, quantity in asks:
            self.asks.set_level(price, quantity)

    def validate_internal_state(self) -> None:
        """Raise InternalStateError when either side breaks its rules (a crossed book is the
        feed's, not a breach)."""
        self.bids.validate_internal_state()
        self.asks.validate_internal_state()


class BookLevelsEvent(Protocol):
    """What a normalized BookSnapshot or BookDelta offers (``paperex.marketdata.events``)."""

    @property
    def symbol(self) -> str: ...
    @property
    def event_time(self) -> int: ...
    @property
    def bids(self) -> Sequence[tuple[Decimal, Decimal]]: ...
    @property
    def asks(self) -> Sequence[tuple[Decimal, Decimal]]: ...


class TradeEvent(Protocol):
    """What a normalized Trade offers (``paperex.marketdata.events``)."""

    @property
    def symbol(self) -> str: ...
    @property
    def event_time(self) -> int: ...
    @property
    def price(self) -> Decimal: ...
    @property
    def quantity(self) -> Decimal: ...
    @property
    def aggressor(self) -> Side: ...


def reference_book_command(
    event: BookLevelsEvent, instrument: Instrument, *, is_snapshot: bool
) -> UpdateReferenceBook:
    """An UpdateReferenceBook for ``event`` in ticks and lots.

    Prices off the market's tick grid are rounded away from the spread (bids down, asks up) and
    quantities down to whole lots, so paper fills are never better than the venue's book.
    Venue levels that round onto the same tick are summed.
    """
    return UpdateReferenceBook(
        timestamp=event.event_time,
        symbol=instrument.symbol,
        bids=_convert_levels(event.bids, instrument, ROUND_FLOOR, keep_zero=not is_snapshot),
        asks=_convert_levels(event.asks, instrument, ROUND_CEILING, keep_zero=not is_snapshot),
        is_snapshot=is_snapshot,
    )


def reference_trade_command(event: TradeEvent, instrument: Instrument) -> RecordReferenceTrade:
    """A RecordReferenceTrade for ``event`` (price to the nearest tick, quantity down to lots)."""
    return RecordReferenceTrade(
        timestamp=event.event_time,
        symbol=instrument.symbol,
        price=int((event.price / instrument.tick_size).to_integral_value()),
        quantity=int((event.quantity / instrument.step_size).to_integral_value(ROUND_FLOOR)),
        aggressor=event.aggressor,
    )


def _convert_levels(
    levels: Sequence[tuple[Decimal, Decimal]],
    instrument: Instrument,
    price_rounding: str,
    *,
    keep_zero: bool,
) -> BookLevels:
    merged: dict[int, int] = {}
    for price, quantity in levels:
        ticks = int((price / instrument.tick_size).to_integral_value(price_rounding))
        lots = int((quantity / instrument.step_size).to_integral_value(ROUND_FLOOR))
        if ticks <= 0 or (lots == 0 and not keep_zero):
            continue
        merged[ticks] = merged.get(ticks, 0) + lots
    return tuple(merged.items())
