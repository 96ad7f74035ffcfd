"""One side of an order book: price levels in time priority, best price by bisection.

A level is a dict whose keys are its orders (values None): an insertion-ordered set, so the
first key has time priority, and removing any order is O(1). Keying by the order itself, which
hashes by identity, spares the compiled engine boxing an order id for every dict operation.
Level volume is summed on demand (levels are short), which keeps the hot paths (add, cancel,
move) free of bookkeeping.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterator
from typing import Final

from mypy_extensions import i64

from paperex.engine.integrity import InternalStateError, check_price_index, check_queue
from paperex.engine.order import WorkingOrder

Level = dict[WorkingOrder, None]
"""The resting orders at one price, oldest first."""


def level_volume(level: Level) -> int:
    """The total remaining quantity of a level's orders."""
    return sum(order.remaining for order in level)


COMPILED: Final = not __file__.endswith((".py", ".pyc"))
"""Whether mypyc compiled this module (then ``__file__`` names an extension, ``.so``)."""


def index_of(prices: list[int], price: int) -> int:
    """Where ``price`` is, or would go, in the ascending ``prices`` (``bisect_left``).

    Compiled, ``machine_bisect_left`` beats ``bisect``, whose C compares Python ints;
    interpreted, ``bisect`` is the faster."""
    if COMPILED:
        return machine_bisect_left(prices, price)
    return bisect_left(prices, price)


def machine_bisect_left(prices: list[int], price: int) -> int:
    """``bisect_left`` as a loop that mypyc turns into machine integer code (``i64`` bounds,
    tagged prices)."""
    low: i64 = 0
    high: i64 = len(prices)
    while low < high:
        middle = (low + high) >> 1
        if prices[middle] < price:
            low = middle + 1
        else:
            high = middle
    return low


class BookSide:
    """Bids or asks. ``prices`` is ascending, so the best bid is last and the best ask first."""

    __slots__ = ("is_bid", "levels", "prices")

    def __init__(self, *, is_bid: bool) -> None:
        self.is_bid = is_bid
        self.levels: dict[int, Level] = {}
        self.prices: list[int] = []

    def best_price(self) -> int | None:
        """The best price on this side, or None when it is empty."""
        prices = self.prices
        if not prices:
            return None
        return prices[-1] if self.is_bid else prices[0]

    def levels_best_first(self) -> Iterator[tuple[int, Level]]:
        """(price, level) from the best price outwards."""
        levels = self.levels
        prices = reversed(self.prices) if self.is_bid else iter(self.prices)
        for price in prices:
            yield price, levels[price]

    def add(self, order: WorkingOrder) -> None:
        """Append ``order`` at the back of the level at its price."""
        price = order.price
        level = self.levels.get(price)
        if level is None:
            level = self.levels[price] = {}
            prices = self.prices
            prices.insert(index_of(prices, price), price)
        level[order] = None
        order.level = level

    def remove(self, order: WorkingOrder) -> None:
        """Take ``order`` out of its level, dropping the level when it empties."""
        level = order.level
        assert level is not None
        del level[order]
        order.level = None
        if not level:
            price = order.price
            del self.levels[price]
            prices = self.prices
            prices.pop(index_of(prices, price))

    def move(self, order: WorkingOrder, price: int, remaining: int) -> None:
        """Take ``order`` out of its level and append it at ``price`` with ``remaining``."""
        levels = self.levels
        level = order.level
        assert level is not None
        del level[order]
        if not level:
            old_price = order.price
            del levels[old_price]
            prices = self.prices
            prices.pop(index_of(prices, old_price))
        order.price = price
        order.remaining = remaining
        target = levels.get(price)
        if target is None:
            # Most levels hold one order: the level just emptied serves as the new one.
            target = levels[price] = level if not level else {}
            prices = self.prices
            prices.insert(index_of(prices, price), price)
        target[order] = None
        order.level = target

    def validate_internal_state(self) -> None:
        """Raise InternalStateError unless ``prices`` indexes ``levels`` and every level holds
        this side's resting, unfilled orders at its price, in time priority."""
        what = "bids" if self.is_bid else "asks"
        check_price_index(what, self.prices, self.levels)
        for price, level in self.levels.items():
            check_queue(what, price, level)
            for order in level:
                if (
                    order.price != price
                    or order.is_buy != self.is_bid
                    or not order.is_resting
                    or order.remaining <= 0
                    or order.level is not level
                ):
                    raise InternalStateError(
                        f"{what} {price}: order {order.order_id} (price {order.price},"
                        f" remaining {order.remaining}, resting {order.is_resting}) does not"
                        " belong here"
                    )

    def depth(self, limit: int) -> list[tuple[int, int]]:
        """Up to ``limit`` (price, total quantity) pairs from the best price outwards."""
        result: list[tuple[int, int]] = []
        for price, level in self.levels_best_first():
            if len(result) >= limit:
                break
            result.append((price, level_volume(level)))
        return result
