"""The outward shapes of trading, each defined once: orders, fills, balances, public trades and
exchange book deltas.

Every transport renders these same Structs: the REST API, the engine's replies (over Redis as
msgspec JSON), the channel-layer messages the host publishes after commit and the user stream's
frames. Amounts are exact decimal strings; order and fill times are ISO 8601 UTC with a ``Z``,
market message times are ms since the epoch.
"""

from __future__ import annotations

from typing import Any

import msgspec

from paperex.apps.core.amounts import amount_or_none, epoch_ms, format_amount, iso_z
from paperex.apps.trading.models import Balance, Fill, Order, Trade


class OrderView(msgspec.Struct, kw_only=True):
    """An order: ``GET /api/orders/<id>/``, the engine's reply and ``order.update``."""

    id: int
    symbol: str
    client_order_id: str
    side: str
    type: str
    time_in_force: str
    price: str | None
    stop_price: str | None
    quantity: str
    quote_order_qty: str | None
    executed_quantity: str
    cumulative_quote: str
    status: str
    status_reason: str
    self_trade_prevention: str
    created_at: str
    updated_at: str

    @classmethod
    def of(cls, order: Order, symbol: str) -> OrderView:
        """The view of a stored order of the market ``symbol``."""
        return cls(
            id=order.id,
            symbol=symbol,
            client_order_id=order.client_order_id,
            side=order.side,
            type=order.type,
            time_in_force=order.time_in_force,
            price=amount_or_none(order.price),
            stop_price=amount_or_none(order.stop_price),
            quantity=format_amount(order.quantity),
            quote_order_qty=amount_or_none(order.quote_amount),
            executed_quantity=format_amount(order.executed_quantity),
            cumulative_quote=format_amount(order.cumulative_quote),
            status=order.status,
            status_reason=order.status_reason,
            self_trade_prevention=order.self_trade_prevention,
            created_at=iso_z(order.created_at),
            updated_at=iso_z(order.updated_at),
        )


class FillView(msgspec.Struct, kw_only=True):
    """One fill of the user's order: ``GET /api/fills/`` and ``order.fill``."""

    id: int | None
    order_id: int
    trade_id: int
    symbol: str
    side: str
    price: str
    quantity: str
    quote_quantity: str
    fee: str
    fee_asset: str
    liquidity: str
    is_reference: bool
    executed_at: str

    @classmethod
    def of(cls, fill: Fill, symbol: str, fee_asset: str) -> FillView:
        """The view of a stored fill."""
        return cls(
            id=fill.pk,
            order_id=fill.order_id,
            trade_id=fill.trade_id,
            symbol=symbol,
            side=fill.side,
            price=format_amount(fill.price),
            quantity=format_amount(fill.quantity),
            quote_quantity=format_amount(fill.quote_quantity),
            fee=format_amount(fill.fee),
            fee_asset=fee_asset,
            liquidity=fill.liquidity,
            is_reference=fill.is_reference,
            executed_at=iso_z(fill.executed_at),
        )


class BalanceView(msgspec.Struct, kw_only=True):
    """What the user holds of one asset: ``GET /api/balances/`` and ``balance.update``."""

    asset: str
    free: str
    locked: str

    @classmethod
    def of(cls, balance: Balance) -> BalanceView:
        """The view of a stored balance (its asset loaded)."""
        return cls(
            asset=balance.asset.code,
            free=format_amount(balance.free),
            locked=format_amount(balance.locked),
        )


class PublicTradeView(msgspec.Struct, kw_only=True):
    """A public exchange trade as ``market.trade`` carries it; ``sequence`` counts the market's
    trades from 1 without gaps, across engine restarts too, so a consumer can detect a miss."""

    symbol: str
    sequence: int
    trade_id: int
    price: str
    quantity: str
    quote_quantity: str
    taker_side: str
    is_reference: bool
    time: int

    @classmethod
    def of(cls, trade: Trade, symbol: str) -> PublicTradeView:
        """The view of a stored trade."""
        return cls(
            symbol=symbol,
            sequence=trade.sequence,
            trade_id=trade.id,
            price=format_amount(trade.price),
            quantity=format_amount(trade.quantity),
            quote_quantity=format_amount(trade.quote_quantity),
            taker_side=trade.taker_side,
            is_reference=trade.is_reference,
            time=epoch_ms(trade.executed_at),
        )


class BookLevelsDelta(msgspec.Struct, kw_only=True):
    """The exchange book levels a batch changed, as ``market.book`` carries them: ``[price,
    new total quantity]``, ``"0"`` removing a level; ``sequence`` counts the market's book
    updates from 1 without gaps."""

    symbol: str
    sequence: int
    bids: list[list[str]]
    asks: list[list[str]]
    time: int


def plain(view: msgspec.Struct) -> dict[str, Any]:
    """A view as the plain dict that JSON renderers and the channel layer take."""
    return msgspec.structs.asdict(view)
