"""Messages the engine host publishes to the Channels layer once a batch has committed.

Groups and message shapes (every amount an exact decimal string, times ms since the epoch):

``user.<user id>`` — the private stream of one user:

- ``{"type": "order.update", "order": ORDER}`` once per order a batch created or changed,
  with its state after the batch; ``ORDER`` is the shape of ``GET /api/orders/<id>/``
  (``id, symbol, client_order_id, side, type, time_in_force, price, stop_price, quantity,
  quote_order_qty, executed_quantity, cumulative_quote, status, status_reason,
  self_trade_prevention, created_at, updated_at``).
- ``{"type": "order.fill", "fill": FILL}`` per fill, the shape of ``GET /api/fills/``
  (``id, order_id, trade_id, symbol, side, price, quantity, quote_quantity, fee, fee_asset,
  liquidity, is_reference, executed_at``).
- ``{"type": "balance.update", "balances": [{"asset", "free", "locked"}, ...]}`` with every
  balance of the user the batch changed.

``market.<SYMBOL>.trades`` — public trades of the exchange (user and paper fills):

- ``{"type": "market.trade", "symbol", "sequence", "trade_id", "price", "quantity",
  "quote_quantity", "taker_side", "is_reference", "time"}``; ``sequence`` counts the market's
  trades from 1 without gaps (also across engine restarts), so a consumer can detect a miss.

``market.<SYMBOL>.book`` — the users' resting orders (not the feed's book):

- ``{"type": "market.book", "symbol", "sequence", "bids": [[price, quantity], ...], "asks":
  [...], "time"}``: the levels that changed in a batch with their new total quantity, a
  quantity of ``"0"`` removing the level. ``sequence`` counts the market's book updates from 1
  without gaps; ``GET /api/markets/<symbol>/book/?source=exchange`` is the snapshot to apply
  them to.

The ``type`` follows Channels' convention: a consumer handles it in ``order_update``,
``market_trade``, ... methods.
"""

from __future__ import annotations

from typing import Any

from paperex.apps.core.fields import format_amount
from paperex.apps.trading.catalog import Catalog
from paperex.apps.trading.payloads import fill_payload, order_payload
from paperex.apps.trading.persistence import BatchRecord

Message = tuple[str, dict[str, Any]]
"""(group name, message) for ``channel_layer.group_send``."""
BookLevelsChange = tuple[list[tuple[int, int]], list[tuple[int, int]]]


def user_group(user_id: int) -> str:
    """The group of one user's private stream."""
    return f"user.{user_id}"


def trades_group(symbol: str) -> str:
    """The group of a market's public trades."""
    return f"market.{symbol}.trades"


def book_group(symbol: str) -> str:
    """The group of a market's exchange book updates."""
    return f"market.{symbol}.book"


def batch_messages(
    *,
    catalog: Catalog,
    record: BatchRecord,
    book_changes: dict[str, tuple[int, BookLevelsChange]],
    time: int,
) -> list[Message]:
    """Every message a committed batch produces, in the order to send them."""
    messages: list[Message] = []
    seen: dict[int, Any] = {}
    for orders in record.orders_per_command:
        for order in orders:
            seen[order.id] = order
    for order in seen.values():
        symbol = catalog.market_symbols[order.market_id]
        messages.append(
            (
                user_group(order.user_id),
                {"type": "order.update", "order": order_payload(order, symbol)},
            )
        )
    for fill in record.fills:
        symbol = catalog.market_symbols[fill.market_id]
        fee_asset = catalog.asset_codes[fill.fee_asset_id]
        messages.append(
            (
                user_group(fill.user_id),
                {"type": "order.fill", "fill": fill_payload(fill, symbol, fee_asset)},
            )
        )
    per_user: dict[int, list[dict[str, str]]] = {}
    for (user_id, asset), (free, locked) in record.balances.items():
        if user_id == catalog.fee_account_id:
            continue
        per_user.setdefault(user_id, []).append(
            {
                "asset": asset,
                "free": format_amount(catalog.amount(asset, free)),
                "locked": format_amount(catalog.amount(asset, locked)),
            }
        )
    for user_id, balances in per_user.items():
        messages.append((user_group(user_id), {"type": "balance.update", "balances": balances}))
    for trade in record.trades:
        symbol = catalog.market_symbols[trade.market_id]
        messages.append(
            (
                trades_group(symbol),
                {
                    "type": "market.trade",
                    "symbol": symbol,
                    "sequence": trade.sequence,
                    "trade_id": trade.id,
                    "price": format_amount(trade.price),
                    "quantity": format_amount(trade.quantity),
                    "quote_quantity": format_amount(trade.quote_quantity),
                    "taker_side": trade.taker_side,
                    "is_reference": trade.is_reference,
                    "time": int(trade.executed_at.timestamp() * 1000),
                },
            )
        )
    for symbol, (sequence, (bids, asks)) in book_changes.items():
        market = catalog.markets[symbol]
        messages.append(
            (
                book_group(symbol),
                {
                    "type": "market.book",
                    "symbol": symbol,
                    "sequence": sequence,
                    "bids": [_level(market.price(p), market.quantity(q)) for p, q in bids],
                    "asks": [_level(market.price(p), market.quantity(q)) for p, q in asks],
                    "time": time,
                },
            )
        )
    return messages


def _level(price: Any, quantity: Any) -> list[str]:
    return [format_amount(price), format_amount(quantity)]
