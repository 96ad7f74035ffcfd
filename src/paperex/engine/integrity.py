"""Self-checks of the engine's indexed structures (exchange-core's ``validateInternalState``).

No command calls them: tests do, after every step, so a bug that leaves a price list out of
step with its levels fails where it happens instead of many commands later.
"""

from __future__ import annotations

from collections.abc import Collection

from paperex.engine.order import WorkingOrder


class InternalStateError(Exception):
    """An engine structure broke one of its own rules: a bug in the engine, never bad input."""


def check_price_index(what: str, prices: list[int], keys: Collection[int]) -> None:
    """Raise InternalStateError unless ``prices`` is strictly ascending and holds exactly
    ``keys``."""
    for index in range(1, len(prices)):
        if prices[index - 1] >= prices[index]:
            raise InternalStateError(f"{what}: prices {prices} are not strictly ascending")
    if len(prices) != len(keys) or any(price not in keys for price in prices):
        raise InternalStateError(f"{what}: prices {prices} differ from levels {sorted(keys)}")


def check_queue(what: str, price: int, queue: dict[WorkingOrder, None]) -> None:
    """Raise InternalStateError unless orders wait at ``price``, in time priority."""
    if not queue:
        raise InternalStateError(f"{what}: empty level at {price}")
    priority = 0
    for order in queue:
        if order.priority <= priority:
            raise InternalStateError(
                f"{what} {price}: order {order.order_id} is out of time priority"
            )
        priority = order.priority
