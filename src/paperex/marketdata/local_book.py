"""A local L2 order book, and the snapshot + diff synchronization Binance documents.

``BookSync`` is pure (no I/O): feed it ``BookDelta``s as they arrive and a ``BookSnapshot`` when
it asks for one (``needs_snapshot``). It buffers deltas while waiting, drops those the snapshot
already contains (``final_update_id <= last_update_id``), requires the first applied delta to
straddle ``last_update_id + 1``, then every delta's first id to be the previous final id + 1; a
gap throws the book away and asks for a new snapshot. Any venue whose deltas carry contiguous
ids fits, Gemini's locally numbered ones included.
"""

from __future__ import annotations

import heapq
from collections import deque
from collections.abc import Iterable
from decimal import Decimal

from paperex.marketdata.events import BookDelta, BookSnapshot, PriceLevel


class LocalOrderBook:
    """Price levels of one symbol; a level with quantity 0 is removed."""

    def __init__(self) -> None:
        self._bids: dict[Decimal, Decimal] = {}
        self._asks: dict[Decimal, Decimal] = {}

    def replace(self, bids: Iterable[PriceLevel], asks: Iterable[PriceLevel]) -> None:
        """Forget every level and take these (zero quantities are skipped)."""
        self._bids = {price: quantity for price, quantity in bids if quantity}
        self._asks = {price: quantity for price, quantity in asks if quantity}

    def apply(self, bids: Iterable[PriceLevel], asks: Iterable[PriceLevel]) -> None:
        """Set each level's quantity; a quantity of 0 removes the level."""
        for side, levels in ((self._bids, bids), (self._asks, asks)):
            for price, quantity in levels:
                if quantity:
                    side[price] = quantity
                else:
                    side.pop(price, None)

    def clear(self) -> None:
        """Remove every level."""
        self._bids.clear()
        self._asks.clear()

    def best_bid(self) -> PriceLevel | None:
        """The highest bid (price, quantity), or None when there is no bid."""
        if not self._bids:
            return None
        price = max(self._bids)
        return price, self._bids[price]

    def best_ask(self) -> PriceLevel | None:
        """The lowest ask (price, quantity), or None when there is no ask."""
        if not self._asks:
            return None
        price = min(self._asks)
        return price, self._asks[price]

    def bids(self, depth: int | None = None) -> list[PriceLevel]:
        """The best ``depth`` bids (all when None), highest first."""
        prices = (
            sorted(self._bids, reverse=True) if depth is None else heapq.nlargest(depth, self._bids)
        )
        return [(price, self._bids[price]) for price in prices]

    def asks(self, depth: int | None = None) -> list[PriceLevel]:
        """The best ``depth`` asks (all when None), lowest first."""
        prices = sorted(self._asks) if depth is None else heapq.nsmallest(depth, self._asks)
        return [(price, self._asks[price]) for price in prices]

    def quantity_at(self, price: Decimal, *, bid: bool) -> Decimal:
        """The quantity of one side's level at ``price``; 0 when there is none."""
        return (self._bids if bid else self._asks).get(price, Decimal(0))

    def prices(self, *, bid: bool) -> set[Decimal]:
        """One side's prices, in no order."""
        return set(self._bids if bid else self._asks)

    def __len__(self) -> int:
        """How many levels, both sides."""
        return len(self._bids) + len(self._asks)


class BookSync:
    """Keeps a ``LocalOrderBook`` equal to the venue's from a snapshot and contiguous deltas."""

    def __init__(self, symbol: str, *, max_buffered: int = 10_000) -> None:
        """``max_buffered`` deltas are kept while waiting for a snapshot (oldest dropped)."""
        self.symbol = symbol
        self.book = LocalOrderBook()
        self.last_update_id: int | None = None
        """The id the book is at; None while not in sync."""
        self.resyncs = 0
        """How many times a gap threw the book away."""
        self._buffer: deque[BookDelta] = deque(maxlen=max_buffered)
        self._awaiting_first = True

    @property
    def needs_snapshot(self) -> bool:
        """True until a usable snapshot is applied, and again after a gap."""
        return self.last_update_id is None

    @property
    def in_sync(self) -> bool:
        """True when the book reflects the venue up to ``last_update_id``."""
        return self.last_update_id is not None

    def on_delta(self, delta: BookDelta) -> bool:
        """Apply or buffer ``delta``; True when applied to the book, False when buffered,
        dropped as already contained, or found to leave a gap (then ``needs_snapshot``)."""
        if self.last_update_id is None:
            self._buffer.append(delta)
            return False
        return self._accept(delta)

    def on_snapshot(self, snapshot: BookSnapshot) -> None:
        """Start over from ``snapshot`` and apply the buffered deltas that follow it.

        When the buffered deltas start after ``snapshot.last_update_id + 1`` the snapshot is too
        old: ``needs_snapshot`` stays True and the deltas stay buffered.
        """
        self.book.replace(snapshot.bids, snapshot.asks)
        self.last_update_id = snapshot.last_update_id
        self._awaiting_first = True
        buffered = list(self._buffer)
        self._buffer.clear()
        for index, delta in enumerate(buffered):
            self._accept(delta, counts_as_resync=False)
            if self.last_update_id is None:
                self._buffer.extend(buffered[index + 1 :])
                return

    def _accept(self, delta: BookDelta, *, counts_as_resync: bool = True) -> bool:
        last = self.last_update_id
        assert last is not None
        if delta.final_update_id <= last:
            return False
        expected = last + 1
        if self._awaiting_first:
            contiguous = delta.first_update_id <= expected
        else:
            contiguous = delta.first_update_id == expected
        if not contiguous:
            self._lose_sync(delta, counts_as_resync=counts_as_resync)
            return False
        self.book.apply(delta.bids, delta.asks)
        self.last_update_id = delta.final_update_id
        self._awaiting_first = False
        return True

    def _lose_sync(self, delta: BookDelta, *, counts_as_resync: bool) -> None:
        self.book.clear()
        self.last_update_id = None
        self._buffer.clear()
        self._buffer.append(delta)
        if counts_as_resync:
            self.resyncs += 1
