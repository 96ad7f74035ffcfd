"""Instruments like the seeded markets, for synthetic-feed tests."""

from __future__ import annotations

from decimal import Decimal

from paperex.domain import Instrument

START_MS = 1_700_000_000_000
"""2023-11-14 22:13:20 UTC: where simulated time starts in tests."""

INSTRUMENTS = [
    Instrument("BTCUSDT", "BTC", "USDT", Decimal("0.01"), Decimal("0.00001"), Decimal(5)),
    Instrument("ETHUSDT", "ETH", "USDT", Decimal("0.01"), Decimal("0.0001"), Decimal(5)),
    Instrument("MINAUSDT", "MINA", "USDT", Decimal("0.0001"), Decimal("0.1"), Decimal(5)),
    Instrument("AAPL", "AAPL", "USD", Decimal("0.01"), Decimal(1), Decimal(1)),
]
