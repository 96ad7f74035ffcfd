"""A PlaceOrder's fields, read once.

Compiled, each read of a field of a msgspec command is a Python attribute lookup, and placing an
order reads most fields several times (the rules, the lock, the order, its event). Placement
reads them once into this native object and works from it.
"""

from __future__ import annotations

from paperex.domain.commands import PlaceOrder
from paperex.engine.constants import BUY


class OrderRequest:
    """The fields of a PlaceOrder, under the same names, and ``is_buy``."""

    __slots__ = (
        "client_order_id",
        "is_buy",
        "order_type",
        "price",
        "quantity",
        "quote_amount",
        "self_trade_prevention",
        "side",
        "stop_price",
        "symbol",
        "time_in_force",
        "user_id",
    )

    def __init__(self, command: PlaceOrder) -> None:
        self.user_id = command.user_id
        self.symbol = command.symbol
        self.side = side = command.side
        self.is_buy = side is BUY
        self.order_type = command.order_type
        self.time_in_force = command.time_in_force
        self.quantity = command.quantity
        self.price = command.price
        self.stop_price = command.stop_price
        self.quote_amount = command.quote_amount
        self.client_order_id = command.client_order_id
        self.self_trade_prevention = command.self_trade_prevention
