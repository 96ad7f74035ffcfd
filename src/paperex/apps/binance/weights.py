"""Binance's request weights: what each endpoint costs, counted with the project's limit
counts (shared through Redis when it is configured) against the ``binance_weight`` limit
(``PAPEREX_RATE_LIMIT_BINANCE_WEIGHT``, Binance's 6000 a minute): per user for signed requests,
per client address otherwise. The weight used in the current minute is reported in
``X-MBX-USED-WEIGHT-1M`` as Binance does; a client past the limit is refused with -1003 and
``Retry-After`` (the seconds until the limit's sliding window lets it send again). Each user's
new orders are counted in Binance's ORDERS intervals with the same counters and reported in
``X-MBX-ORDER-COUNT-10S`` and ``X-MBX-ORDER-COUNT-1D``; Paperex refuses too many with its own
``orders`` limit (-1015)."""

from __future__ import annotations

from paperex.apps.binance.errors import too_much_weight
from paperex.apps.core import limits
from paperex.apps.core.metrics import limits_hit
from paperex.support.rate_window import Rate

WEIGHT_COUNT = "binance_weight"
USED_WEIGHT_HEADER = "X-MBX-USED-WEIGHT-1M"
UNLIMITED_MINUTE = Rate(limit=0, seconds=60)
"""The window the weight is counted in when its limit is off (the header is still sent)."""

ORDER_COUNT_WINDOWS = {
    "X-MBX-ORDER-COUNT-10S": ("binance_orders_10s", Rate(limit=100, seconds=10)),
    "X-MBX-ORDER-COUNT-1D": ("binance_orders_1d", Rate(limit=200_000, seconds=86_400)),
}
"""The order-count headers and the counter behind each (Binance's ORDERS intervals); the
limits are what the counters' windows are sized by, Paperex refuses with its own ``orders``
limit."""


def address_key(address: str) -> str:
    """Whose weight an unsigned request (or one that failed its signature) counts as."""
    return f"address:{address}"


def user_key(user_id: int) -> str:
    """Whose weight a signed request counts as."""
    return f"user:{user_id}"


def weight_rate() -> Rate:
    """The weight limit's rate (a limit of 0 when it is off)."""
    return limits.rate_of(WEIGHT_COUNT) or UNLIMITED_MINUTE


def weight_check(key: str) -> None:
    """Raises -1003 (429 with ``Retry-After``) while ``key`` is past its weight limit."""
    rate = limits.rate_of(WEIGHT_COUNT)
    if rate is not None and (wait := limits.counts.wait(WEIGHT_COUNT, key, rate)):
        limits_hit.labels(WEIGHT_COUNT).inc()
        raise too_much_weight(rate.limit, rate.seconds, wait)


def weight_use(key: str, weight: int) -> int:
    """Count a request of ``weight`` for ``key`` (none for one refused by ``weight_check``,
    so a refused client's window ends as it would have); returns the weight ``key`` has used
    in the current window."""
    return limits.counts.add_within(WEIGHT_COUNT, key, weight_rate(), weight)


def order_counted(user_id: int) -> None:
    """Count one new order of the user in every order-count window."""
    limits.counts.add_each(str(user_id), ORDER_COUNT_WINDOWS.values())


def order_counts(user_id: int) -> list[tuple[Rate, int]]:
    """The user's order count in each of Binance's ORDERS windows (shortest first)."""
    counts = limits.counts.current_counts(str(user_id), ORDER_COUNT_WINDOWS.values())
    return [
        (rate, count) for (_, rate), count in zip(ORDER_COUNT_WINDOWS.values(), counts, strict=True)
    ]


def order_count_headers(user_id: int) -> dict[str, str]:
    """The user's order counts in the current windows, as Binance's headers."""
    counts = limits.counts.current_counts(str(user_id), ORDER_COUNT_WINDOWS.values())
    return dict(zip(ORDER_COUNT_WINDOWS, map(str, counts), strict=True))


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
