"""Deposit, Withdraw and ResetAccount: money entering and leaving the exchange."""

from __future__ import annotations

from paperex.domain.commands import CancelAllOrders, Deposit, ResetAccount, Withdraw
from paperex.domain.orders import RejectReason
from paperex.engine.cancellation import cancel_all
from paperex.engine.constants import (
    DEPOSIT,
    EXTERNAL,
    FREE,
    INSUFFICIENT_BALANCE,
    INSUFFICIENT_BALANCE_MESSAGE,
    INVALID_PARAMETERS,
    UNKNOWN_ASSET,
    WITHDRAWAL,
)
from paperex.engine.event_types import TRANSFER_REJECTED
from paperex.engine.state import EngineState


def deposit(state: EngineState, command: Deposit) -> None:
    """Credit the user's free balance from EXTERNAL, or emit TransferRejected."""
    if _rejected_asset_or_amount(state, command.user_id, command.asset, command.amount):
        return
    _credit(state, command.user_id, command.asset, command.amount)


def withdraw(state: EngineState, command: Withdraw) -> None:
    """Debit the user's free balance to EXTERNAL, or emit TransferRejected (also when the free
    balance is too small)."""
    user_id, asset, amount = command.user_id, command.asset, command.amount
    if _rejected_asset_or_amount(state, user_id, asset, amount):
        return
    accounts = state.accounts
    balance = accounts.get(user_id, asset)
    if balance.free < amount:
        _reject(state, user_id, asset, amount, INSUFFICIENT_BALANCE, INSUFFICIENT_BALANCE_MESSAGE)
        return
    accounts.transfer(asset, amount, balance, FREE, None, EXTERNAL, WITHDRAWAL)


def reset(state: EngineState, command: ResetAccount) -> None:
    """Cancel all the user's orders, withdraw every free balance, deposit ``balances``.

    Refuses the whole command (TransferRejected, nothing changes) when any asset is unknown or
    any amount negative.
    """
    user_id = command.user_id
    for asset, amount in command.balances:
        if asset not in state.assets:
            _reject(state, user_id, asset, amount, UNKNOWN_ASSET, "Unknown asset.")
            return
        if amount < 0:
            _reject(state, user_id, asset, amount, INVALID_PARAMETERS, "Amount is negative.")
            return
    cancel_all(state, CancelAllOrders(timestamp=command.timestamp, user_id=user_id))
    accounts = state.accounts
    for (owner, asset), balance in sorted(accounts.balances.items()):
        if owner == user_id and balance.free:
            accounts.transfer(asset, balance.free, balance, FREE, None, EXTERNAL, WITHDRAWAL)
    for asset, amount in command.balances:
        if amount:
            _credit(state, user_id, asset, amount)


def _credit(state: EngineState, user_id: int, asset: str, amount: int) -> None:
    accounts = state.accounts
    accounts.transfer(asset, amount, None, EXTERNAL, accounts.get(user_id, asset), FREE, DEPOSIT)


def _rejected_asset_or_amount(state: EngineState, user_id: int, asset: str, amount: int) -> bool:
    """True (after emitting TransferRejected) for an unknown asset or a non-positive amount."""
    if asset not in state.assets:
        _reject(state, user_id, asset, amount, UNKNOWN_ASSET, "Unknown asset.")
        return True
    if amount <= 0:
        _reject(state, user_id, asset, amount, INVALID_PARAMETERS, "Amount must be positive.")
        return True
    return False


def _reject(
    state: EngineState, user_id: int, asset: str, amount: int, reason: RejectReason, message: str
) -> None:
    state.events.append(
        TRANSFER_REJECTED(
            timestamp=state.timestamp,
            user_id=user_id,
            asset=asset,
            amount=amount,
            reason=reason,
            message=message,
        )
    )
