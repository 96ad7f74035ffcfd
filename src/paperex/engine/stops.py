"""Stop orders waiting for the last trade price to reach their stop price."""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort

from paperex.domain.orders import OrderType
from paperex.engine.book import Level
from paperex.engine.constants import STOP_LOSS_TYPES
from paperex.engine.integrity import InternalStateError, check_price_index, check_queue
from paperex.engine.order import WorkingOrder


def triggers_on_rise(is_buy: bool, order_type: OrderType) -> bool:
    """True when a stop of this side and type triggers as the last price rises to its stop
    price (buy STOP_LOSS*, sell TAKE_PROFIT*), False when it triggers as the price falls."""
    return is_buy == (order_type in STOP_LOSS_TYPES)


def stop_reached(is_buy: bool, order_type: OrderType, stop_price: int, last_price: int) -> bool:
    """True when ``last_price`` is at or beyond ``stop_price`` in the stop's direction: the
    rule ``StopBook.pop_triggered`` applies to its sorted prices."""
    if triggers_on_rise(is_buy, order_type):
        return last_price >= stop_price
    return last_price <= stop_price


class StopBook:
    """Untriggered stop orders of one market, by stop price: ``rising`` holds those that
    ``triggers_on_rise``, ``falling`` the others; each stop price's orders are a ``Level``."""

    __slots__ = ("falling", "falling_prices", "rising", "rising_prices")

    def __init__(self) -> None:
        self.rising: dict[int, Level] = {}
        self.rising_prices: list[int] = []
        self.falling: dict[int, Level] = {}
        self.falling_prices: list[int] = []

    def add(self, order: WorkingOrder) -> None:
        """Start watching ``order``."""
        assert order.stop_price is not None
        stop_price = order.stop_price
        if triggers_on_rise(order.is_buy, order.order_type):
            by_price, prices = self.rising, self.rising_prices
        else:
            by_price, prices = self.falling, self.falling_prices
        orders = by_price.get(stop_price)
        if orders is None:
            orders = by_price[stop_price] = {}
            insort(prices, stop_price)
        orders[order] = None

    def remove(self, order: WorkingOrder) -> None:
        """Stop watching ``order`` (canceled)."""
        assert order.stop_price is not None
        stop_price = order.stop_price
        if triggers_on_rise(order.is_buy, order.order_type):
            by_price, prices = self.rising, self.rising_prices
        else:
            by_price, prices = self.falling, self.falling_prices
        orders = by_price[stop_price]
        del orders[order]
        if not orders:
            del by_price[stop_price]
            del prices[bisect_left(prices, stop_price)]

    def pop_triggered(self, last_price: int) -> list[WorkingOrder]:
        """Remove and return the orders ``last_price`` triggers, in priority order."""
        triggered: list[WorkingOrder] = []
        cut = bisect_right(self.rising_prices, last_price)
        if cut:
            for price in self.rising_prices[:cut]:
                triggered.extend(self.rising.pop(price))
            del self.rising_prices[:cut]
        cut = bisect_left(self.falling_prices, last_price)
        if cut < len(self.falling_prices):
            for price in self.falling_prices[cut:]:
                triggered.extend(self.falling.pop(price))
            del self.falling_prices[cut:]
        triggered.sort(key=_priority)
        return triggered

    def validate_internal_state(self) -> None:
        """Raise InternalStateError unless each price list indexes its levels and every level
        holds untriggered stops of its direction at its stop price, in time priority."""
        for what, rising, by_price, prices in (
            ("rising stops", True, self.rising, self.rising_prices),
            ("falling stops", False, self.falling, self.falling_prices),
        ):
            check_price_index(what, prices, by_price)
            for stop_price, orders in by_price.items():
                check_queue(what, stop_price, orders)
                for order in orders:
                    if (
                        order.stop_price != stop_price
                        or order.triggered
                        or order.is_resting
                        or triggers_on_rise(order.is_buy, order.order_type) != rising
                    ):
                        raise InternalStateError(
                            f"{what} {stop_price}: order {order.order_id} (stop"
                            f" {order.stop_price}, triggered {order.triggered}) does not belong"
                            " here"
                        )

    def __len__(self) -> int:
        return sum(len(orders) for orders in self.rising.values()) + sum(
            len(orders) for orders in self.falling.values()
        )


def _priority(order: WorkingOrder) -> int:
    return order.priority
