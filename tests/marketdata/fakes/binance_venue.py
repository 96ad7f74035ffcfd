"""A fake Binance symbol whose diff stream and REST depth snapshots agree, like the real venue's.

``FakeBinanceBook`` holds the venue's book of one symbol on a ``FakeBinanceStreamServer`` and a
``FakeBinanceRestServer``: every ``change`` advances the update id, and is published on
``<symbol>@depth@100ms`` as a ``depthUpdate`` with ``U``/``u`` (unless ``lost``: the venue's book
moves but the client never sees that diff, which is how a real gap looks); ``GET /api/v3/depth``
serves the current book with its ``lastUpdateId``.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from tests.marketdata.fakes.binance_rest import FakeBinanceRestServer
from tests.marketdata.fakes.binance_stream import FakeBinanceStreamServer

Levels = Sequence[tuple[str, str]]


class FakeBinanceBook:
    """One symbol's book at the fake venue."""

    def __init__(
        self,
        symbol: str,
        stream: FakeBinanceStreamServer,
        rest: FakeBinanceRestServer,
        *,
        bids: Levels = (),
        asks: Levels = (),
        last_update_id: int = 1000,
    ) -> None:
        self.symbol = symbol
        self.stream_name = f"{symbol.lower()}@depth@100ms"
        self.last_update_id = last_update_id
        self.bids: dict[Decimal, str] = {}
        self.asks: dict[Decimal, str] = {}
        self._stream = stream
        self._apply(bids, asks)
        rest.depth_books[symbol] = self.snapshot

    def snapshot(self) -> dict[str, Any]:
        """The REST depth body of the current book."""
        return {
            "lastUpdateId": self.last_update_id,
            "bids": [[str(p), q] for p, q in sorted(self.bids.items(), reverse=True)],
            "asks": [[str(p), q] for p, q in sorted(self.asks.items())],
        }

    def levels(self) -> tuple[list[tuple[Decimal, Decimal]], list[tuple[Decimal, Decimal]]]:
        """(bids best first, asks best first) as exact decimals."""
        bids = [(p, Decimal(q)) for p, q in sorted(self.bids.items(), reverse=True)]
        asks = [(p, Decimal(q)) for p, q in sorted(self.asks.items())]
        return bids, asks

    async def change(
        self, bids: Levels = (), asks: Levels = (), *, ids: int = 1, lost: bool = False
    ) -> None:
        """Change levels (quantity "0" removes one) as ``ids`` venue updates; publish the diff
        unless ``lost``."""
        first = self.last_update_id + 1
        self.last_update_id += ids
        self._apply(bids, asks)
        if lost:
            return
        diff = {
            "e": "depthUpdate",
            "E": 1_700_000_000_000 + self.last_update_id,
            "s": self.symbol,
            "U": first,
            "u": self.last_update_id,
            "b": [list(level) for level in bids],
            "a": [list(level) for level in asks],
        }
        await self._stream.publish(self.stream_name, diff)

    def _apply(self, bids: Levels, asks: Levels) -> None:
        for side, levels in ((self.bids, bids), (self.asks, asks)):
            for price, quantity in levels:
                if Decimal(quantity):
                    side[Decimal(price)] = quantity
                else:
                    side.pop(Decimal(price), None)


def trade(symbol: str, trade_id: int, price: str, quantity: str) -> dict[str, Any]:
    """A ``<symbol>@trade`` payload."""
    time = 1_700_000_000_000 + trade_id
    return {
        "e": "trade",
        "E": time,
        "s": symbol,
        "t": trade_id,
        "p": price,
        "q": quantity,
        "T": time,
        "m": trade_id % 2 == 0,
        "M": True,
    }
