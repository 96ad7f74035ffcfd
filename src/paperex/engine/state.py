"""Everything the engine remembers between commands, and the events of the command in progress.

The command handlers (``placement``, ``amendment``, ``cancellation``, ``transfers``,
``paper_fills``) are plain functions of an ``EngineState``; ``MatchingEngine`` only owns one
and routes commands to them.
"""

from __future__ import annotations

from collections.abc import Iterable

from paperex.domain.asset import Asset
from paperex.domain.commands import AmendOrder, CancelOrder
from paperex.domain.events import Event
from paperex.domain.market_spec import MarketSpec
from paperex.engine.accounts import Accounts, WorkingBalance
from paperex.engine.integrity import InternalStateError
from paperex.engine.market import EngineMarket
from paperex.engine.order import WorkingOrder


class EngineState:
    """Markets, balances, open orders, id counters, and the current command's clock and events.

    ``orders`` holds every open order (resting, untriggered stop, or matching right now) by id;
    ``client_orders`` the same orders by user and client order id. ``events`` and ``timestamp``
    belong to the command being processed and are shared with ``accounts``.
    """

    __slots__ = (
        "accounts",
        "assets",
        "client_orders",
        "events",
        "markets",
        "next_order_id",
        "next_priority",
        "next_trade_id",
        "orders",
        "timestamp",
    )

    def __init__(
        self, assets: Iterable[Asset], markets: Iterable[MarketSpec], fee_account_id: int
    ) -> None:
        self.assets: dict[str, Asset] = {asset.code: asset for asset in assets}
        self.markets: dict[str, EngineMarket] = {
            spec.symbol: EngineMarket(spec, self.assets) for spec in markets
        }
        self.accounts = Accounts(fee_account_id)
        self.orders: dict[int, WorkingOrder] = {}
        self.client_orders: dict[int, dict[str, WorkingOrder]] = {}
        self.next_order_id = 1
        self.next_trade_id = 1
        self.next_priority = 1
        self.events: list[Event] = []
        self.timestamp = 0

    def begin(self, timestamp: int) -> list[Event]:
        """Start a command at ``timestamp``; returns the (empty) list its events go to."""
        events: list[Event] = []
        self.events = events
        self.timestamp = timestamp
        accounts = self.accounts
        accounts.events = events
        accounts.timestamp = timestamp
        return events

    def take_priority(self) -> int:
        """The next time priority (lower is earlier)."""
        priority = self.next_priority
        self.next_priority = priority + 1
        return priority

    def find_order(self, command: AmendOrder | CancelOrder) -> WorkingOrder | None:
        """The open order ``command`` names by ``order_id`` (else ``client_order_id``) that
        belongs to its user in its market; None when there is no such order."""
        order_id = command.order_id
        if order_id is not None:
            order = self.orders.get(order_id)
        else:
            client_order_id = command.client_order_id
            if client_order_id is None:
                return None
            client_orders = self.client_orders.get(command.user_id)
            order = None if client_orders is None else client_orders.get(client_order_id)
        if order is None or order.user_id != command.user_id or order.symbol != command.symbol:
            return None
        return order

    def add_order(self, order: WorkingOrder) -> None:
        """Register a new open order by id and by client order id."""
        self.orders[order.order_id] = order
        client_orders = self.client_orders.get(order.user_id)
        if client_orders is None:
            client_orders = self.client_orders[order.user_id] = {}
        client_orders[order.client_order_id] = order

    def lock_and_receive_balances(
        self, user_id: int, market: EngineMarket, is_buy: bool
    ) -> tuple[WorkingBalance, WorkingBalance]:
        """(balance an order of ``user_id`` locks from, balance it receives into) in ``market``:
        quote then base for a buy, base then quote for a sell."""
        base = self.accounts.get(user_id, market.base_asset)
        quote = self.accounts.get(user_id, market.quote_asset)
        return (quote, base) if is_buy else (base, quote)

    def validate_internal_state(self) -> None:
        """Raise InternalStateError when a market breaks its rules, or when the open orders
        (by id and by client order id) are not exactly what the markets' books and stops hold:
        between commands every open order waits in one place."""
        waiting: list[WorkingOrder] = []
        for market in self.markets.values():
            market.validate_internal_state()
            for queues in (
                market.bids.levels,
                market.asks.levels,
                market.stops.rising,
                market.stops.falling,
            ):
                for queue in queues.values():
                    for order in queue:
                        if order.symbol != market.symbol:
                            raise InternalStateError(
                                f"{market.symbol}: order {order.order_id} of another market"
                            )
                        waiting.append(order)
        by_id = {order.order_id: order for order in waiting}
        if len(by_id) != len(waiting) or by_id != self.orders:
            raise InternalStateError(
                f"open orders {sorted(self.orders)} differ from the waiting ones"
                f" {sorted(order.order_id for order in waiting)}"
            )
        by_client_id = {(order.user_id, order.client_order_id): order for order in waiting}
        registered = {
            (user_id, client_order_id): order
            for user_id, orders in self.client_orders.items()
            for client_order_id, order in orders.items()
        }
        if registered != by_client_id:
            raise InternalStateError("orders by client order id differ from the open orders")
