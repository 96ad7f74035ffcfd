"""The raw message Paperex records for one Yahoo quote (Yahoo has no stream of its own).

``{"symbol": "AAPL", "price": "189.84", "currency": "USD", "time": 1700000000000}`` with the price
as an exact decimal string and the quote's time in ms since the epoch.
"""

from __future__ import annotations

from decimal import Decimal

import msgspec


class QuoteWire(msgspec.Struct, frozen=True):
    symbol: str
    price: Decimal
    currency: str
    time: int
