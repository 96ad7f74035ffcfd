"""The engine host's messages to a user (``trading.host.publication``) as Binance's user data
stream events (user-data-stream.md): ``executionReport`` per order event, in the order they
happened (a new order's NEW, each fill's TRADE with the order's cumulative quantities right
after that fill, then CANCELED or EXPIRED), and ``outboundAccountPosition`` with the balances a
batch changed, after a ``balanceUpdate`` for each deposit or withdrawal among them (Paperex's
starting balances and account resets). Amounts are formatted as REST ``/api/v3`` formats
them."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from paperex.apps.binance.trading_wire import NO_ORDER_LIST, NOT_WORKING
from paperex.apps.binance.wire import ZERO, binance_amount
from paperex.apps.core.amounts import epoch_ms
from paperex.domain import OrderType
from paperex.domain.orders import ExpiryReason, Liquidity

Row = dict[str, Any]
NO_TRADE = -1
OPEN_STATUSES = ("NEW", "PARTIALLY_FILLED")
CLOSING_EXECUTIONS = {
    "CANCELED": "CANCELED",
    "EXPIRED": "EXPIRED",
    "REJECTED": "REJECTED",
}


def ms_of(iso_time: str) -> int:
    """Milliseconds since the epoch of a view's ISO 8601 time."""
    return epoch_ms(datetime.fromisoformat(iso_time))


def amount(text: str | None) -> str:
    """A view's amount (None: zero) as Binance's 8-place string."""
    return binance_amount(ZERO if text is None else Decimal(text))


def binance_status(order: Row) -> str:
    """The order's Binance status (EXPIRED_IN_MATCH for self-trade prevention)."""
    if order["status"] == "EXPIRED" and (
        order["status_reason"] == ExpiryReason.SELF_TRADE_PREVENTION
    ):
        return "EXPIRED_IN_MATCH"
    return str(order["status"])


def execution_report(
    order: Row,
    *,
    execution: str,
    status: str,
    executed: str,
    quote: str,
    fill: Row | None,
    event_ms: int,
) -> Row:
    """One ``executionReport``: the order after one event; ``fill`` for a TRADE."""
    created = ms_of(order["created_at"])
    working = status in OPEN_STATUSES and not OrderType(order["type"]).is_stop
    return {
        "e": "executionReport",
        "E": event_ms,
        "s": order["symbol"],
        "c": order["client_order_id"],
        "S": order["side"],
        "o": order["type"],
        "f": order["time_in_force"],
        "q": amount(order["quantity"]),
        "p": amount(order["price"]),
        "P": amount(order["stop_price"]),
        "F": amount(None),
        "g": NO_ORDER_LIST,
        "C": order["client_order_id"] if execution == "CANCELED" else "",
        "x": execution,
        "X": status,
        "r": "NONE",
        "i": order["id"],
        "l": amount(fill["quantity"] if fill else None),
        "z": amount(executed),
        "L": amount(fill["price"] if fill else None),
        "n": amount(fill["fee"]) if fill else "0",
        "N": fill["fee_asset"] if fill else None,
        "T": ms_of(fill["executed_at"]) if fill else ms_of(order["updated_at"]),
        "t": fill["trade_id"] if fill else NO_TRADE,
        "I": fill["trade_id"] if fill else order["id"],
        "w": working,
        "m": bool(fill and fill["liquidity"] == Liquidity.MAKER),
        "M": False,
        "O": created,
        "Z": amount(quote),
        "Y": amount(fill["quote_quantity"] if fill else None),
        "Q": amount(order["quote_order_qty"]),
        "W": created if working else NOT_WORKING,
        "V": order["self_trade_prevention"],
    }


def execution_reports(message: Row, event_ms: int) -> list[Row]:
    """The ``executionReport`` events of one ``order.update`` message, oldest first."""
    order = message["order"]
    reports: list[Row] = []
    if message.get("created"):
        reports.append(
            execution_report(
                order,
                execution="NEW",
                status="NEW",
                executed="0",
                quote="0",
                fill=None,
                event_ms=event_ms,
            )
        )
    quantity = Decimal(order["quantity"])
    for executed in message.get("executions", []):
        done = Decimal(executed["executed_quantity"]) >= quantity
        reports.append(
            execution_report(
                order,
                execution="TRADE",
                status="FILLED" if done else "PARTIALLY_FILLED",
                executed=executed["executed_quantity"],
                quote=executed["cumulative_quote"],
                fill=executed["fill"],
                event_ms=event_ms,
            )
        )
    status = binance_status(order)
    closing = CLOSING_EXECUTIONS.get(order["status"])
    if closing is None and not reports:
        closing = "NEW"  # a stop order that triggered, or an order amended
    if closing is not None:
        reports.append(
            execution_report(
                order,
                execution=closing,
                status=status,
                executed=order["executed_quantity"],
                quote=order["cumulative_quote"],
                fill=None,
                event_ms=event_ms,
            )
        )
    return reports


def account_position(balances: list[Row], event_ms: int) -> Row:
    """The ``outboundAccountPosition`` of one ``balance.update`` message."""
    return {
        "e": "outboundAccountPosition",
        "E": event_ms,
        "u": event_ms,
        "B": [
            {"a": held["asset"], "f": amount(held["free"]), "l": amount(held["locked"])}
            for held in balances
        ],
    }


def balance_updates(transfers: list[Row], event_ms: int) -> list[Row]:
    """A ``balanceUpdate`` per amount that came in or went out from outside the exchange
    (deposits, withdrawals, an account reset) in one ``balance.update`` message."""
    return [
        {
            "e": "balanceUpdate",
            "E": event_ms,
            "a": transfer["asset"],
            "d": amount(transfer["delta"]),
            "T": transfer["time"],
        }
        for transfer in transfers
    ]


def stream_terminated(event_ms: int) -> Row:
    """``eventStreamTerminated``: a subscription ended by ``userDataStream.unsubscribe`` or
    ``session.logout``."""
    return {"e": "eventStreamTerminated", "E": event_ms}
