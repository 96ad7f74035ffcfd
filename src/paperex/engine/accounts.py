"""Balances with free and locked buckets, moved only through double-entry ledger entries."""

from __future__ import annotations

from paperex.domain.events import Event
from paperex.domain.ledger import LedgerBucket, LedgerReason
from paperex.domain.records import BalanceRecord
from paperex.engine.constants import FREE, LOCK, LOCKED, RELEASE
from paperex.engine.event_types import BALANCE_CHANGED, LEDGER_ENTRY_RECORDED


class WorkingBalance:
    """One user's holding of one asset while the engine owns it, in the asset's smallest units."""

    __slots__ = ("asset", "free", "is_touched", "locked", "user_id")

    def __init__(self, user_id: int, asset: str, free: int = 0, locked: int = 0) -> None:
        self.user_id = user_id
        self.asset = asset
        self.free = free
        self.locked = locked
        self.is_touched = False  # waiting in Accounts.touched for its BalanceChanged

    def record(self) -> BalanceRecord:
        """This balance as an immutable record."""
        return BalanceRecord(
            user_id=self.user_id, asset=self.asset, free=self.free, locked=self.locked
        )


class Accounts:
    """All balances, the fee account, and the ledger entries of the command in progress.

    Every change of a balance goes through ``transfer``, which appends one
    ``LedgerEntryRecorded`` to ``events``; ``flush`` then appends one ``BalanceChanged`` per
    balance the command touched, in the order they were first touched.
    """

    __slots__ = ("balances", "events", "fee_account_id", "next_entry_id", "timestamp", "touched")

    def __init__(self, fee_account_id: int) -> None:
        self.fee_account_id = fee_account_id
        self.balances: dict[tuple[int, str], WorkingBalance] = {}
        self.next_entry_id = 1
        self.events: list[Event] = []
        self.timestamp = 0
        self.touched: list[WorkingBalance] = []

    def get(self, user_id: int, asset: str) -> WorkingBalance:
        """The balance of ``user_id`` in ``asset``, created empty on first use."""
        balance = self.balances.get((user_id, asset))
        if balance is None:
            balance = self.balances[(user_id, asset)] = WorkingBalance(user_id, asset)
        return balance

    def transfer(
        self,
        asset: str,
        amount: int,
        source: WorkingBalance | None,
        source_bucket: LedgerBucket,
        destination: WorkingBalance | None,
        destination_bucket: LedgerBucket,
        reason: LedgerReason,
        order_id: int | None = None,
        trade_id: int | None = None,
    ) -> None:
        """Move ``amount`` between two accounts and record the entry; None is outside."""
        touched = self.touched
        if source is not None:
            if source_bucket is FREE:
                source.free -= amount
            else:
                source.locked -= amount
            if not source.is_touched:
                source.is_touched = True
                touched.append(source)
        if destination is not None:
            if destination_bucket is FREE:
                destination.free += amount
            else:
                destination.locked += amount
            if not destination.is_touched:
                destination.is_touched = True
                touched.append(destination)
        entry_id = self.next_entry_id
        self.next_entry_id = entry_id + 1
        self.events.append(
            LEDGER_ENTRY_RECORDED(
                timestamp=self.timestamp,
                entry_id=entry_id,
                asset=asset,
                amount=amount,
                from_user_id=None if source is None else source.user_id,
                from_bucket=source_bucket,
                to_user_id=None if destination is None else destination.user_id,
                to_bucket=destination_bucket,
                reason=reason,
                order_id=order_id,
                trade_id=trade_id,
            )
        )

    def lock(self, balance: WorkingBalance, amount: int, order_id: int) -> None:
        """Move ``amount`` from free to locked for an order."""
        if amount:
            self.transfer(balance.asset, amount, balance, FREE, balance, LOCKED, LOCK, order_id)

    def release(self, balance: WorkingBalance, amount: int, order_id: int) -> None:
        """Move ``amount`` from locked back to free for an order."""
        if amount:
            self.transfer(balance.asset, amount, balance, LOCKED, balance, FREE, RELEASE, order_id)

    def flush(self) -> None:
        """Append a BalanceChanged for every balance touched since the last flush."""
        if self.touched:
            timestamp = self.timestamp
            events = self.events
            for balance in self.touched:
                balance.is_touched = False
                events.append(
                    BALANCE_CHANGED(
                        timestamp=timestamp,
                        user_id=balance.user_id,
                        asset=balance.asset,
                        free=balance.free,
                        locked=balance.locked,
                    )
                )
            self.touched.clear()
