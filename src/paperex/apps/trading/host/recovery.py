"""Rebuild the engine's state from the database: open orders, balances, counters, last prices."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Max

from paperex.apps.trading.catalog import Catalog
from paperex.apps.trading.models import (
    OPEN_STATUSES,
    Balance,
    LedgerEntry,
    MarketSequence,
    Order,
    Trade,
)
from paperex.domain import (
    BalanceRecord,
    OpenOrder,
    OrderStatus,
    OrderType,
    SelfTradePrevention,
    Side,
    TimeInForce,
)
from paperex.engine import EngineSnapshot, MatchingEngine


@dataclass
class RestoredState:
    """An engine rebuilt from the database, the open order rows it holds, and the sequences."""

    engine: MatchingEngine
    open_orders: dict[int, Order]
    trade_sequences: dict[str, int]
    book_sequences: dict[str, int]
    next_order_id: int
    """Every stored order is numbered below it."""


def engine_restore(
    *, catalog: Catalog, fee_account_id: int, user_id: int | None = None
) -> RestoredState:
    """The engine as the database left it; with ``user_id`` only that user's orders and balances.

    A partial engine is enough for commands that touch one user only (deposits, resets).
    Raises ValueError when the database is inconsistent (see ``MatchingEngine.restore``).
    """
    orders = Order.objects.filter(status__in=OPEN_STATUSES)
    balances = Balance.objects.all()
    if user_id is not None:
        orders = orders.filter(user_id=user_id)
        balances = balances.filter(user_id=user_id)
    open_orders = {order.id: order for order in orders}
    snapshot = EngineSnapshot(
        open_orders=tuple(open_order_record(order, catalog) for order in open_orders.values()),
        balances=tuple(
            BalanceRecord(
                user_id=user,
                asset=catalog.asset_codes[asset],
                free=catalog.units(catalog.asset_codes[asset], free),
                locked=catalog.units(catalog.asset_codes[asset], locked),
            )
            for user, asset, free, locked in balances.values_list(
                "user_id", "asset_id", "free", "locked"
            )
        ),
        last_prices=_last_prices(catalog),
        next_order_id=_next_id(Order),
        next_trade_id=_next_id(Trade),
        next_entry_id=_next_id(LedgerEntry),
    )
    engine = MatchingEngine.restore(
        assets=catalog.assets.values(),
        markets=[market.spec for market in catalog.markets.values()],
        snapshot=snapshot,
        fee_account_id=fee_account_id,
    )
    sequences = {catalog.market_symbols[row.market_id]: row for row in MarketSequence.objects.all()}
    return RestoredState(
        engine=engine,
        open_orders=open_orders,
        trade_sequences={symbol: row.trades for symbol, row in sequences.items()},
        book_sequences={symbol: row.book for symbol, row in sequences.items()},
        next_order_id=snapshot.next_order_id,
    )


def open_order_record(order: Order, catalog: Catalog) -> OpenOrder:
    """The engine record of a stored open order."""
    market = catalog.markets[catalog.market_symbols[order.market_id]]
    side = Side(order.side)
    locked_asset = market.quote.code if side is Side.BUY else market.base.code
    return OpenOrder(
        order_id=order.id,
        user_id=order.user_id,
        symbol=market.symbol,
        client_order_id=order.client_order_id,
        side=side,
        order_type=OrderType(order.type),
        time_in_force=TimeInForce(order.time_in_force),
        price=None if order.price is None else market.ticks(order.price),
        stop_price=None if order.stop_price is None else market.ticks(order.stop_price),
        quantity=market.lots(order.quantity),
        quote_amount=(
            None
            if order.quote_amount is None
            else catalog.units(market.quote.code, order.quote_amount)
        ),
        filled=market.lots(order.executed_quantity),
        executed_quote=catalog.units(market.quote.code, order.cumulative_quote),
        locked=catalog.units(locked_asset, order.locked),
        self_trade_prevention=SelfTradePrevention(order.self_trade_prevention),
        priority=order.priority,
        queue_ahead=order.queue_ahead,
        triggered=order.triggered,
        status=OrderStatus(order.status),
        created_at=int(order.created_at.timestamp() * 1000),
    )


def _next_id(model: type[Order] | type[Trade] | type[LedgerEntry]) -> int:
    highest = model.objects.aggregate(highest=Max("id"))["highest"]
    return 1 if highest is None else int(highest) + 1


def _last_prices(catalog: Catalog) -> tuple[tuple[str, int], ...]:
    prices = []
    for symbol, market in sorted(catalog.markets.items()):
        last = (
            Trade.objects.filter(market_id=market.market_id)
            .order_by("-id")
            .values_list("price", flat=True)
            .first()
        )
        if last is not None:
            prices.append((symbol, market.ticks(last)))
    return tuple(prices)
