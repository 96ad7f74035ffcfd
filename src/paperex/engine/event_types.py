"""The event classes the engine builds, as ``Final`` names.

Under mypyc a class imported from an interpreted module (the msgspec events are) is looked up in
the importing module's globals on every call; a ``Final`` name is a C static, read for nothing.
``ORDER_AMENDED(...)`` builds an ``OrderAmended`` like the class itself.
"""

from __future__ import annotations

from typing import Final

from paperex.domain import events

ORDER_ACCEPTED: Final = events.OrderAccepted
ORDER_REJECTED: Final = events.OrderRejected
ORDER_TRIGGERED: Final = events.OrderTriggered
TRADE_EXECUTED: Final = events.TradeExecuted
ORDER_FILLED: Final = events.OrderFilled
ORDER_CANCELED: Final = events.OrderCanceled
ORDER_EXPIRED: Final = events.OrderExpired
ORDER_AMENDED: Final = events.OrderAmended
CANCEL_REJECTED: Final = events.CancelRejected
AMEND_REJECTED: Final = events.AmendRejected
TRANSFER_REJECTED: Final = events.TransferRejected
LEDGER_ENTRY_RECORDED: Final = events.LedgerEntryRecorded
BALANCE_CHANGED: Final = events.BalanceChanged
