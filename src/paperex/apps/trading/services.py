"""Writes to users' orders and funds: every one is an engine command (the host persists it).

Funding (starting balances, account reset) also works with no engine host running — from
``paperex seed``/``createuser`` or a test: under the engine lock (``locking``) an engine rebuilt
for that one user processes the command inside the caller's transaction and the same
persistence code writes its ledger entries and balances. With a host running, the command goes
to the host once the caller's transaction has committed (the user row must exist first).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import transaction

from paperex.apps.accounts.models import User
from paperex.apps.equity.services import equity_snapshot_record_on_commit
from paperex.apps.markets.models import Asset
from paperex.apps.trading.catalog import catalog_load
from paperex.apps.trading.engine_runtime import trading_engine
from paperex.apps.trading.locking import engine_lock_for_transaction
from paperex.apps.trading.models import Balance
from paperex.apps.trading.persistence import batch_persist
from paperex.apps.trading.protocol import EngineReply, EngineUnavailableError
from paperex.apps.trading.recovery import engine_restore
from paperex.apps.trading.selectors import order_entry_market, order_payload_get
from paperex.domain import OrderType, SelfTradePrevention, Side, TimeInForce
from paperex.domain.commands import (
    CancelAllOrders,
    CancelOrder,
    Deposit,
    EngineCommand,
    ResetAccount,
)
from paperex.domain.events import OrderRejected, TransferRejected
from paperex.engine import place_order_from_decimals
from paperex.support.clock import wall_clock_ms

ENGINE_ELSEWHERE = (
    "A running server holds the matching engine and this process cannot reach it (there is "
    "no Redis): stop the server first, or sign up on the web page or through the API."
)


class OrderRefusedError(Exception):
    """The order or cancel was refused; ``code`` is the engine's reason (e.g. PRICE_FILTER)."""

    def __init__(self, code: str, message: str, *, not_found: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.not_found = not_found


@dataclass(frozen=True)
class OrderPlacement:
    """The placed order as the API shows it; ``created`` is False for a client-id retry."""

    order: dict[str, Any]
    created: bool


def starting_balances() -> dict[str, Decimal]:
    """The virtual funds every new account receives, by asset code."""
    return {code: Decimal(amount) for code, amount in settings.PAPEREX_STARTING_BALANCES.items()}


def balances_grant_starting(*, user: User) -> None:
    """Deposit the starting balances of assets the user holds no balance of yet.

    Assets that are not loaded (see ``paperex seed``) are skipped.
    """
    amounts = starting_balances()
    held = set(Balance.objects.filter(user=user).values_list("asset__code", flat=True))
    commands: list[EngineCommand] = []
    for asset in Asset.objects.filter(code__in=amounts).exclude(code__in=held).order_by("code"):
        units = int(amounts[asset.code].scaleb(asset.decimals))
        if units > 0:
            commands.append(
                Deposit(timestamp=wall_clock_ms(), user_id=user.pk, asset=asset.code, amount=units)
            )
    if commands:
        _funding_execute(user_id=user.pk, commands=commands)


def account_reset(*, user: User) -> None:
    """Cancel the user's open orders and set their balances back to the starting balances;
    their equity curve gets a snapshot of the reset."""
    amounts = starting_balances()
    balances = tuple(
        (asset.code, int(amounts[asset.code].scaleb(asset.decimals)))
        for asset in Asset.objects.filter(code__in=amounts).order_by("code")
    )
    _funding_execute(
        user_id=user.pk,
        commands=[ResetAccount(timestamp=wall_clock_ms(), user_id=user.pk, balances=balances)],
    )
    equity_snapshot_record_on_commit(user_id=user.pk)


def _funding_execute(*, user_id: int, commands: list[EngineCommand]) -> None:
    with transaction.atomic(), engine_lock_for_transaction() as no_host_runs:
        if no_host_runs:
            catalog = catalog_load()
            state = engine_restore(catalog=catalog, user_id=user_id)
            results = [(command, state.engine.process(command)) for command in commands]
            for _, events in results:
                for event in events:
                    if isinstance(event, TransferRejected):
                        raise ValueError(f"{event.asset}: {event.message}")
            batch_persist(
                catalog=catalog,
                results=results,
                open_orders=state.open_orders,
                trade_sequences=state.trade_sequences,
                book_sequences=state.book_sequences,
                books_changed=set(),
            )
            return
        if not trading_engine.reachable:
            raise EngineUnavailableError(ENGINE_ELSEWHERE)
    transaction.on_commit(lambda: _check_funding(trading_engine.execute_many_sync(commands)))


def _check_funding(replies: list[EngineReply]) -> None:
    for reply in replies:
        if reply.rejection_reason:
            raise ValueError(reply.rejection_message)


async def order_place(
    *,
    user_id: int,
    symbol: str,
    side: Side,
    order_type: OrderType,
    time_in_force: TimeInForce,
    quantity: Decimal | None = None,
    price: Decimal | None = None,
    stop_price: Decimal | None = None,
    quote_amount: Decimal | None = None,
    client_order_id: str | None = None,
    self_trade_prevention: SelfTradePrevention | None = None,
) -> OrderPlacement:
    """Place an order and return it once the engine has stored it.

    Raises OrderRefusedError (unknown or halted market, a filter, insufficient balance, ...)
    and EngineUnavailableError.
    """
    market = await order_entry_market(symbol=symbol)
    if market is None or not market.trading:
        raise OrderRefusedError("UNKNOWN_SYMBOL", f"Unknown or halted market {symbol!r}.")
    command = place_order_from_decimals(
        market.spec.instrument,
        market.quote,
        timestamp=wall_clock_ms(),
        user_id=user_id,
        side=side,
        order_type=order_type,
        time_in_force=time_in_force,
        quantity=quantity,
        price=price,
        stop_price=stop_price,
        quote_amount=quote_amount,
        client_order_id=client_order_id,
        self_trade_prevention=self_trade_prevention,
    )
    if isinstance(command, OrderRejected):
        raise OrderRefusedError(command.reason, command.message)
    reply = await trading_engine.execute(command)
    if reply.rejection_reason:
        raise OrderRefusedError(reply.rejection_reason, reply.rejection_message or "")
    if reply.duplicate_of is not None:
        existing = await sync_to_async(order_payload_get)(
            user_id=user_id, order_id=reply.duplicate_of
        )
        return OrderPlacement(order=existing, created=False)
    return OrderPlacement(order=reply.orders[0], created=True)


def order_cancel(*, user_id: int, order_id: int, symbol: str) -> dict[str, Any]:
    """Cancel one of the user's open orders and return it; OrderRefusedError when not open."""
    reply = trading_engine.execute_sync(
        CancelOrder(timestamp=wall_clock_ms(), user_id=user_id, symbol=symbol, order_id=order_id)
    )
    if reply.rejection_reason:
        raise OrderRefusedError(
            "ORDER_NOT_OPEN", "The order is no longer open (filled, canceled or expired)."
        )
    return reply.orders[0]


def orders_cancel_all(*, user_id: int, symbol: str | None = None) -> list[dict[str, Any]]:
    """Cancel every open order of the user (in one market, or all); returns the canceled."""
    reply = trading_engine.execute_sync(
        CancelAllOrders(timestamp=wall_clock_ms(), user_id=user_id, symbol=symbol)
    )
    return reply.orders
