"""Binance's request weights: what each endpoint costs, counted per client address in fixed
minutes with the project's limit counts (shared through Redis when it is configured), and
reported in ``X-MBX-USED-WEIGHT-1M`` as Binance does; and each user's new orders, counted in
Binance's ORDERS intervals with the same counters and reported in ``X-MBX-ORDER-COUNT-10S`` and
``X-MBX-ORDER-COUNT-1D``. Paperex refuses abuse with its own address and order limits; these
figures are information for the client."""

from __future__ import annotations

from paperex.apps.core import limits
from paperex.support.rate_window import Rate

WEIGHT_COUNT = "binance_weight"
MINUTE = Rate(limit=6000, seconds=60)
"""Binance's REQUEST_WEIGHT limit; the counts use only its minute."""
USED_WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M"

ORDER_COUNT_WINDOWS = {
    "X-MBX-ORDER-COUNT-10S": ("binance_orders_10s", Rate(limit=100, seconds=10)),
    "X-MBX-ORDER-COUNT-1D": ("binance_orders_1d", Rate(limit=200_000, seconds=86_400)),
}
"""The order-count headers and the counter behind each (Binance's ORDERS intervals); the
limits are what the counters' windows are sized by, Paperex refuses with its own ``orders``
limit."""


def weight_use(address: str, weight: int) -> int:
    """Count a request of ``weight`` from ``address``; returns the weight it has used in the
    current minute."""
    limits.counts.add(WEIGHT_COUNT, address, MINUTE, amount=weight)
    return limits.counts.current_count(WEIGHT_COUNT, address, MINUTE)


def order_counted(user_id: int) -> None:
    """Count one new order of the user in every order-count window."""
    for name, rate in ORDER_COUNT_WINDOWS.values():
        limits.counts.add(name, str(user_id), rate)


def order_counts(user_id: int) -> list[tuple[Rate, int]]:
    """The user's order count in each of Binance's ORDERS windows (shortest first)."""
    return [
        (rate, limits.counts.current_count(name, str(user_id), rate))
        for name, rate in ORDER_COUNT_WINDOWS.values()
    ]


def order_count_headers(user_id: int) -> dict[str, str]:
    """The user's order counts in the current windows, as Binance's headers."""
    return {
        header: str(limits.counts.current_count(name, str(user_id), rate))
        for header, (name, rate) in ORDER_COUNT_WINDOWS.items()
    }


def depth_weight(limit: int) -> int:
    """``depth``'s weight for ``limit`` levels."""
    if limit <= 100:
        return 5
    if limit <= 500:
        return 25
    if limit <= 1000:
        return 50
    return 250


def ticker_24hr_weight(symbol_count: int | None) -> int:
    """``ticker/24hr``'s weight for that many symbols (None: every market)."""
    if symbol_count is None or symbol_count > 100:
        return 80
    if symbol_count > 20:
        return 40
    return 2


def price_ticker_weight(symbol_count: int | None) -> int:
    """``ticker/price`` and ``ticker/bookTicker``'s weight: 2 for one symbol, else 4."""
    return 2 if symbol_count == 1 else 4
